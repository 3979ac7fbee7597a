"""Registry semantics with tiny fake specs, the /api/v1/models routes and `pixelsmith models`."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pixelsmith.core.errors import ModelUnavailable, NotFound
from pixelsmith.core.models import ModelRegistry, ModelSpec, default_registry, registry
from pixelsmith.core.models._common import check_installed
from pixelsmith.core.models.cli import app as models_cli
from pixelsmith.core.models.routes import get_registry, router

BUNDLED = {
    "rapidocr-ppocrv4": "ocr",
    "mediapipe-pose": "pose",
    "efficientnet-lite0": "classifier",
    "all-minilm-l6-v2": "embeddings",
    "u2netp": "salient",
}


class Counter:
    """A loader that counts its calls and returns a fresh object each time."""

    def __init__(self, delay: float = 0.0, fail: Exception | None = None) -> None:
        self.calls = 0
        self.delay = delay
        self.fail = fail
        self._lock = threading.Lock()

    def __call__(self) -> object:
        with self._lock:
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return Thing()


class Thing:
    closed = False

    def close(self) -> None:
        self.closed = True


def make_spec(name: str = "fake", capability: str = "ocr", **kw) -> ModelSpec:
    kw.setdefault("loader", Counter())
    return ModelSpec(
        name=name,
        capability=capability,
        title=f"{name} title",
        description="a fake",
        install_hint=f"pip install {name}",
        **kw,
    )


def test_loader_is_lazy_and_runs_once():
    loader = Counter()
    reg = ModelRegistry()
    reg.register(make_spec(loader=loader))
    assert loader.calls == 0
    [row] = reg.status()
    assert row["available"] is True and row["loaded"] is False and row["reason"] is None
    assert loader.calls == 0  # status never loads

    first = reg.get("fake")
    assert loader.calls == 1
    assert reg.get("fake") is first
    assert reg.get("ocr") is first  # by capability too
    assert loader.calls == 1
    row = reg.status_of("fake")
    assert row["loaded"] is True and row["load_seconds"] is not None


def test_concurrent_first_calls_load_once():
    loader = Counter(delay=0.2)
    reg = ModelRegistry()
    reg.register(make_spec(loader=loader))
    barrier = threading.Barrier(8)
    results: list[object] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(reg.get("ocr"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    assert loader.calls == 1
    assert len(results) == 8 and all(r is results[0] for r in results)


def test_unavailable_model_raises_503_with_reason_and_hint():
    loader = Counter()
    reg = ModelRegistry()
    reg.register(make_spec(loader=loader, check=lambda: "package fakepkg is not installed"))
    [row] = reg.status()
    assert row["available"] is False
    assert row["reason"] == "package fakepkg is not installed"
    assert row["install_hint"] == "pip install fake"

    for key in ("fake", "ocr"):
        with pytest.raises(ModelUnavailable) as info:
            reg.get(key)
        err = info.value
        assert err.status_code == 503
        assert err.details["reason"] == "package fakepkg is not installed"
        assert err.details["install_hint"] == "pip install fake"
        assert "fakepkg" in err.message
        assert err.body()["error"]["code"] == "model_unavailable"
    assert loader.calls == 0
    assert reg.is_available("fake") is False and reg.is_available("ocr") is False


def test_failing_loader_raises_model_unavailable_and_is_retried():
    loader = Counter(fail=RuntimeError("weights are corrupt"))
    reg = ModelRegistry()
    reg.register(make_spec(loader=loader))
    for expected_calls in (1, 2):
        with pytest.raises(ModelUnavailable) as info:
            reg.get("fake")
        assert info.value.status_code == 503
        assert "weights are corrupt" in info.value.details["reason"]
        assert info.value.details["install_hint"] == "pip install fake"
        assert isinstance(info.value.__cause__, RuntimeError)
        assert loader.calls == expected_calls
    assert reg.status_of("fake")["loaded"] is False


def test_broken_check_is_reported_not_raised():
    def check() -> str | None:
        raise OSError("disk on fire")

    reg = ModelRegistry()
    reg.register(make_spec(check=check))
    row = reg.status_of("fake")
    assert row["available"] is False and "disk on fire" in row["reason"]


def test_capability_falls_back_to_next_available_backend():
    first, second = Counter(), Counter()
    reg = ModelRegistry()
    reg.register(make_spec("gpu-ocr", loader=first, check=lambda: "no CUDA device"))
    reg.register(make_spec("cpu-ocr", loader=second))
    assert reg.get("ocr") is reg.get("cpu-ocr")
    assert (first.calls, second.calls) == (0, 1)
    with pytest.raises(ModelUnavailable):
        reg.get("gpu-ocr")


def test_unknown_names():
    reg = ModelRegistry()
    reg.register(make_spec())
    with pytest.raises(ModelUnavailable) as info:
        reg.get("txt2img")
    assert info.value.status_code == 503
    assert info.value.details["capabilities"] == ["ocr"]
    with pytest.raises(NotFound) as nf:
        reg.status_of("nope")
    assert nf.value.status_code == 404
    assert reg.is_available("nope") is False


def test_register_twice_and_unload():
    loader = Counter()
    reg = ModelRegistry()
    reg.register(make_spec(loader=loader))
    with pytest.raises(ValueError):
        reg.register(make_spec())
    assert reg.unload("fake") is False
    thing = reg.get("fake")
    assert reg.unload("fake") is True
    assert thing.closed is True
    assert reg.status_of("fake")["loaded"] is False
    assert reg.get("fake") is not thing
    assert loader.calls == 2


def test_check_installed_reports_missing_packages_and_files():
    assert check_installed(["json"]) is None
    reason = check_installed(["json", "pixelsmith_no_such_package_xyz"])
    assert reason == "package pixelsmith_no_such_package_xyz not installed"
    reason = check_installed(["json"], [("json", "no/such/weights.onnx")])
    assert reason is not None and "json/no/such/weights.onnx" in reason


def test_default_registry_has_the_bundled_specs():
    assert default_registry() is registry
    specs = {s.name: s for s in registry.specs()}
    assert {n: s.capability for n, s in specs.items() if n in BUNDLED} == BUNDLED
    for name in BUNDLED:
        spec = specs[name]
        assert spec.bundled and spec.device == "cpu" and spec.install_hint and spec.packages


def test_importing_models_loads_no_runtime():
    code = (
        "import sys; import pixelsmith.core.models as m; m.registry.status(); "
        "heavy = [x for x in ('torch', 'mediapipe', 'cv2', 'rapidocr_onnxruntime', "
        "'onnxruntime', 'sentence_transformers', 'transformers') if x in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"


# ---- routes ------------------------------------------------------------------------------------


def _client(reg: ModelRegistry | None = None) -> TestClient:
    app = FastAPI()
    app.include_router(router)
    if reg is not None:
        app.dependency_overrides[get_registry] = lambda: reg
    return TestClient(app, raise_server_exceptions=False)


def test_routes_list_bundled_models_without_loading():
    loaded_before = {n for n in BUNDLED if registry.is_loaded(n)}
    client = _client()
    resp = client.get("/api/v1/models")
    assert resp.status_code == 200
    rows = {m["name"]: m for m in resp.json()["models"]}
    assert {n: rows[n]["capability"] for n in BUNDLED} == BUNDLED
    for name in BUNDLED:
        assert rows[name]["available"] is True, rows[name]["reason"]
        assert rows[name]["bundled"] is True
    one = client.get("/api/v1/models/rapidocr-ppocrv4")
    assert one.status_code == 200
    assert one.json()["capability"] == "ocr"
    assert {n for n in BUNDLED if registry.is_loaded(n)} == loaded_before


def test_routes_never_call_the_loader_and_show_reasons():
    loader = Counter()
    reg = ModelRegistry()
    reg.register(make_spec("ok", loader=loader))
    reg.register(make_spec("missing", capability="pose", check=lambda: "package x not installed"))
    client = _client(reg)
    body = client.get("/api/v1/models").json()
    assert [m["name"] for m in body["models"]] == ["ok", "missing"]
    missing = client.get("/api/v1/models/missing").json()
    assert missing["available"] is False
    assert missing["reason"] == "package x not installed"
    assert missing["install_hint"] == "pip install missing"
    assert loader.calls == 0
    assert client.get("/api/v1/models/unknown-model").status_code != 200


# ---- CLI ---------------------------------------------------------------------------------------


def test_cli_lists_models_as_table_and_json():
    runner = CliRunner()
    for args in ([], ["list"]):
        res = runner.invoke(models_cli, args)
        assert res.exit_code == 0, res.output
        for name in BUNDLED:
            assert name in res.output
    for args in (["--json"], ["list", "--json"], ["--json", "list"]):
        res = runner.invoke(models_cli, args)
        assert res.exit_code == 0, res.output
        rows = {m["name"]: m for m in json.loads(res.output)["models"]}
        assert all(rows[n]["available"] for n in BUNDLED)
