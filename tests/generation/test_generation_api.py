"""Bad input is a 4xx before any model loads; missing models say how to install them;
`pixelsmith models install NAME --from DIR` and `remove`."""

from __future__ import annotations

import io
import pathlib
import shutil

import pytest
from fastapi.testclient import TestClient
from gen_helpers import upload
from PIL import Image
from typer.testing import CliRunner

from pixelsmith.core.config import Settings, get_settings
from pixelsmith.core.generation import store
from pixelsmith.core.generation.engine import get_engine
from pixelsmith.core.web.app import create_app

OK = {"prompt": "a cat", "width": 64, "height": 64, "steps": 2}


@pytest.fixture
def empty_client(tmp_path):
    """No diffusion model installed (an empty models folder, and no HF cache hit)."""
    s = Settings(data_dir=tmp_path / "data", models_dir=tmp_path / "models", workers=1)
    with TestClient(create_app(s, configure_logs=False)) as c:
        yield c


def _png(size=(64, 64), mode="RGB") -> Image.Image:
    return Image.new(mode, size, 128)


@pytest.mark.parametrize(
    ("capability", "params", "code", "where"),
    [
        ("txt2img", {**OK, "model": "sd99"}, "invalid_params", "model"),
        ("txt2img", {**OK, "model": "sdxl-inpaint"}, "invalid_params", ""),
        ("txt2img", {**OK, "width": 100}, "invalid_params", "width"),
        ("txt2img", {**OK, "width": 4096}, "invalid_params", "width"),
        ("txt2img", {**OK, "height": 32}, "invalid_params", "height"),
        ("txt2img", {**OK, "steps": 500}, "invalid_params", "steps"),
        ("txt2img", {**OK, "steps": 0}, "invalid_params", "steps"),
        ("txt2img", {**OK, "guidance": -1}, "invalid_params", "guidance"),
        ("txt2img", {**OK, "seed": -5}, "invalid_params", "seed"),
        ("txt2img", {**OK, "prompt": "   "}, "invalid_params", "prompt"),
        ("txt2img", {**OK, "style": "vaporwave"}, "invalid_params", "style"),
        ("txt2img", {**OK, "lora": "../../etc/passwd"}, "invalid_params", "lora"),
        ("txt2img", {**OK, "surprise": 1}, "invalid_params", "surprise"),
        ("img2img", OK, "invalid_params", "image_key"),
        ("inpaint", {**OK, "image_key": "a" * 64}, "invalid_params", "mask_key"),
        ("sketch2img", {**OK, "image_key": "nope"}, "invalid_params", "image_key"),
        ("img2img", {**OK, "image_key": "a" * 64}, "unknown_image", ""),
    ],
)
def test_bad_input_is_422_before_any_model(empty_client, capability, params, code, where):
    r = empty_client.post(f"/api/v1/generate/{capability}", json=params)
    assert r.status_code == 422, r.text  # not the 503 a model check would give
    body = r.json()["error"]
    assert body["code"] == code
    assert where in r.text


def test_mask_of_the_wrong_size_is_422(empty_client):
    image = upload(empty_client, _png((64, 64)))
    mask = upload(empty_client, _png((64, 48), "L"))
    r = empty_client.post(
        "/api/v1/generate/inpaint", json={**OK, "image_key": image, "mask_key": mask}
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "mask_size_mismatch" and err["details"]["mask"] == [64, 48]


def test_unknown_capability_and_non_object_body(empty_client):
    assert empty_client.post("/api/v1/generate/video", json=OK).status_code == 422
    assert empty_client.post("/api/v1/generate/txt2img", json=[1, 2]).status_code == 422


def test_bad_input_loads_nothing(gen_client):
    engine = get_engine()
    before = set(engine._pool)
    mask = upload(gen_client, _png((32, 32), "L"))
    image = upload(gen_client, _png())
    for cap, params in [
        ("inpaint", {**OK, "image_key": image, "mask_key": mask}),
        ("txt2img", {**OK, "steps": 101}),
        ("txt2img", {**OK, "width": 63}),
    ]:
        assert gen_client.post(f"/api/v1/generate/{cap}", json=params).status_code == 422
    assert set(engine._pool) == before


def test_not_installed_is_503_with_the_install_command(empty_client):
    r = empty_client.post("/api/v1/generate/txt2img", json=OK)
    assert r.status_code == 503
    err = r.json()["error"]
    assert err["code"] == "model_unavailable"
    assert "pixelsmith models install sdxl-turbo" in err["message"]
    assert err["details"]["install_command"] == "pixelsmith models install sdxl-turbo"


def test_models_endpoint_reports_why_not_installed(empty_client):
    from pixelsmith.core.generation import state

    models = {m["name"]: m for m in empty_client.get("/api/v1/models").json()["models"]}
    for name in ("sd-turbo", "sdxl-turbo", "sdxl-base", "sdxl-inpaint", "sd15", "sdxl-t2i-sketch"):
        assert models[name]["available"] is False
        assert models[name]["reason"] == (
            f"not installed: run `pixelsmith models install {name}` while online"
        )
        assert models[name]["device"] == "gpu"
    assert models["sdxl-turbo"]["capability"] == "txt2img"
    assert models["sdxl-inpaint"]["capability"] == "inpaint"
    info = empty_client.get("/api/v1/generate").json()
    caps = {c["capability"]: c for c in info["capabilities"]}
    assert caps["sketch2img"]["model"] == "sdxl-t2i-sketch" and not caps["sketch2img"]["available"]
    assert state.current_settings().models_dir is not None


def test_models_endpoint_reports_installed(gen_client):
    models = {m["name"]: m for m in gen_client.get("/api/v1/models").json()["models"]}
    assert models["sdxl-turbo"]["available"] is True and models["sdxl-turbo"]["reason"] is None
    assert models["sdxl-base"]["available"] is False


def test_models_endpoint_says_which_pipelines_are_loaded(gen_client):
    """The engine keeps its own pool; the models status must still say what is in memory."""
    engine = get_engine()
    engine.unload_all()
    before = {m["name"]: m for m in gen_client.get("/api/v1/models").json()["models"]}
    assert before["sd-turbo"]["loaded"] is False and before["sd-turbo"]["load_seconds"] is None
    engine.load("sd-turbo")
    after = {m["name"]: m for m in gen_client.get("/api/v1/models").json()["models"]}
    assert after["sd-turbo"]["loaded"] is True and after["sd-turbo"]["load_seconds"] > 0
    assert after["sdxl-turbo"]["loaded"] is False  # installed, never used here


def test_sketch_with_only_an_adapter_needs_the_base(tmp_path, tiny_folders):
    s = Settings(data_dir=tmp_path / "d", models_dir=tmp_path / "m")
    adapter_only = tmp_path / "adapter-only"
    shutil.copytree(tiny_folders["sdxl-adapter"] / "adapter", adapter_only / "adapter")
    store.install_from_dir(s, "sdxl-t2i-sketch", adapter_only)
    assert "pixelsmith models install sdxl-base" in store.reason(s, "sdxl-t2i-sketch")
    store.install_from_dir(s, "sdxl-base", tiny_folders["sdxl"])
    located = store.locate(s, "sdxl-t2i-sketch")
    assert located is not None
    assert located.pipeline_dir == store.model_dir(s, "sdxl-base")
    assert located.adapter_dir == store.model_dir(s, "sdxl-t2i-sketch") / "adapter"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    from pixelsmith.cli import app

    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PIXELSMITH_MODELS_DIR", str(tmp_path / "models"))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_cli_install_from_dir_list_and_remove(cli, tmp_path, tiny_folders):
    r = cli("models", "list", "--json")
    assert r.exit_code == 0
    assert "not installed: run `pixelsmith models install sd-turbo`" in r.output

    r = cli("models", "install", "sd-turbo", "--from", str(tiny_folders["sd"]))
    assert r.exit_code == 0, r.output
    target = tmp_path / "models" / "diffusers" / "sd-turbo"
    assert (target / "model_index.json").is_file() and (target / "unet").is_dir()
    import json

    rows = {m["name"]: m for m in json.loads(cli("models", "list", "--json").output)["models"]}
    assert rows["sd-turbo"]["available"] is True

    # Re-installing replaces the copy; a non-model folder is refused with a reason.
    assert cli("models", "install", "sd-turbo", "--from", str(tiny_folders["sd"])).exit_code == 0
    r = cli("models", "install", "sdxl-turbo", "--from", str(tmp_path))
    assert r.exit_code == 1 and "not a diffusers model folder" in r.output
    assert cli("models", "install", "nope", "--from", str(tmp_path)).exit_code == 2

    r = cli("models", "remove", "sd-turbo")
    assert r.exit_code == 0 and "Removed sd-turbo" in r.output
    assert not target.exists()
    r = cli("models", "remove", "sd-turbo")
    assert r.exit_code == 0 and "not installed" in r.output


def test_installed_folder_loads_through_the_engine(tmp_path, tiny_folders):
    """install_from_dir → the engine loads it from our folder (not the source)."""
    from pixelsmith.core.generation.engine import Engine

    s = Settings(data_dir=tmp_path / "d", models_dir=tmp_path / "m")
    store.install_from_dir(s, "sd15", tiny_folders["sd"])
    loaded = Engine(s).load("sd15")
    assert loaded.device == "cpu"
    assert type(loaded.base).__name__ == "StableDiffusionPipeline"
    assert io is not None


def _hf_cache_snapshot(hub: pathlib.Path, repo_id: str, folder: pathlib.Path) -> pathlib.Path:
    """Lay `folder` out as huggingface_hub's cache holds a downloaded repo."""
    repo = hub / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / "0123abcd"
    shutil.copytree(folder, snapshot)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0123abcd")
    return snapshot


def test_models_in_the_hugging_face_cache_are_used(tmp_path, tiny_folders, monkeypatch):
    """A user who already downloaded with huggingface_hub needs no `models install`."""
    from huggingface_hub import constants

    from pixelsmith.core.generation.engine import Engine, Request

    hub = tmp_path / "hub"
    snapshot = _hf_cache_snapshot(hub, "stabilityai/sd-turbo", tiny_folders["sd"])
    s = Settings(data_dir=tmp_path / "d", models_dir=tmp_path / "empty")
    assert store.locate(s, "sd-turbo") is None  # before: nowhere
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hub))
    located = store.locate(s, "sd-turbo")
    assert located is not None and located.source == "hf-cache"
    assert located.pipeline_dir == snapshot and store.reason(s, "sd-turbo") is None
    assert store.locate(s, "sdxl-turbo") is None  # only what is cached
    with TestClient(create_app(s, configure_logs=False)) as c:
        models = {m["name"]: m for m in c.get("/api/v1/models").json()["models"]}
    assert models["sd-turbo"]["available"] is True
    assert models["sdxl-turbo"]["available"] is False
    image = Engine(s).generate(
        "sd-turbo",
        Request(
            capability="txt2img",
            prompt="a kite",
            negative_prompt="",
            width=64,
            height=64,
            steps=2,
            guidance=0.0,
            seed=1,
        ),
    )
    assert image.size == (64, 64)
    assert store.remove(s, "sd-turbo") is False and snapshot.is_dir()  # the cache is left alone
