"""gen.* jobs end to end on CPU with tiny random-weight models (2 steps, 64×64)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from gen_helpers import artifact_image, upload, wait
from PIL import Image, ImageDraw

from pixelsmith.core.generation.engine import get_engine
from pixelsmith.core.jobs.context import JobContext

BASE = {"prompt": "a red bicycle", "width": 64, "height": 64, "steps": 2, "seed": 7}


def _photo() -> Image.Image:
    img = Image.new("RGB", (64, 64), (200, 180, 150))
    ImageDraw.Draw(img).ellipse((16, 16, 48, 48), fill=(40, 90, 200))
    return img


def _sketch() -> Image.Image:
    img = Image.new("RGB", (64, 64), "white")
    ImageDraw.Draw(img).rectangle((10, 10, 50, 50), outline="black", width=3)
    return img


def _mask() -> Image.Image:
    m = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(m).rectangle((16, 16, 48, 48), fill=255)
    return m


def _run(client, capability: str, **params) -> dict:
    r = client.post(f"/api/v1/generate/{capability}", json={**BASE, **params})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == f"gen.{capability}" and job["queue"] == "gpu"
    return wait(client, job["id"])


def _pixels(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.int16)


@pytest.mark.parametrize(
    ("capability", "model", "inputs"),
    [
        ("txt2img", None, {}),  # the configured default: sdxl-turbo
        ("txt2img", "sd-turbo", {}),
        ("img2img", "sdxl-turbo", {"image": _photo, "strength": 1.0}),
        ("img2img", "sd-turbo", {"image": _photo, "strength": 1.0}),
        ("inpaint", None, {"image": _photo, "mask": _mask, "strength": 1.0}),
        ("sketch2img", None, {"image": _sketch}),
    ],
)
def test_each_kind_runs_two_steps_and_stores_its_image(gen_client, capability, model, inputs):
    params = {"model": model} if model else {}
    for field, value in inputs.items():
        if callable(value):
            params[f"{field}_key"] = upload(gen_client, value())
        else:
            params[field] = value
    job = _run(gen_client, capability, **params)
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"]["step"] == job["progress"]["total"] == 2
    assert job["result"]["seed"] == 7 and job["result"]["model"] == (
        model or job["result"]["model"]
    )
    img = artifact_image(gen_client, job)
    assert img.size == (64, 64)
    assert job["artifacts"][0]["name"] == "image.png"


def test_same_seed_same_image_other_seed_other_image(gen_client):
    a = artifact_image(gen_client, _run(gen_client, "txt2img", model="sd-turbo"))
    b = artifact_image(gen_client, _run(gen_client, "txt2img", model="sd-turbo"))
    c = artifact_image(gen_client, _run(gen_client, "txt2img", model="sd-turbo", seed=8))
    assert np.array_equal(_pixels(a), _pixels(b))
    assert not np.array_equal(_pixels(a), _pixels(c))


def test_progress_events_arrive_in_order_with_jpeg_previews(gen_settings, models_dir):
    """The real JobContext, recording what the handler reports, step by step."""
    from pixelsmith.core.generation import jobs, state
    from pixelsmith.core.generation.params import Txt2ImgParams

    state.configure(gen_settings)
    events: list[tuple[int, int, str, bytes | None]] = []
    stored: list[bytes] = []
    ctx = JobContext(
        job_id="x" * 32,
        kind="gen.txt2img",
        attempt=1,
        cancel_event=threading.Event(),
        _report=lambda *e: events.append(e),
        _store=lambda data, ct, name: stored.append(data) or "k" * 64,
        _poll_cancel=lambda: False,
    )
    p = Txt2ImgParams(**{**BASE, "steps": 4, "model": "sd-turbo"})
    get_engine().unload_all()  # the first call loads the model, and says so
    result = jobs.run_request(ctx, "txt2img", p)
    assert [e[0] for e in events] == [0, 1, 2, 3, 4]
    assert events[0][2] == "loading sd-turbo"
    assert all(e[1] == 4 for e in events)
    assert events[1][3] is not None and events[1][3][:2] == b"\xff\xd8"  # a JPEG preview
    assert events[-1][3] is None  # none at the last step: the final image follows it
    assert Image.open(__import__("io").BytesIO(events[1][3])).size == (256, 256)
    assert result["seed"] == 7 and len(stored) == 1 and ctx.artifacts[0].name == "image.png"

    events.clear()  # loaded now: no loading step, straight to the first denoising step
    jobs.run_request(ctx, "txt2img", p)
    assert [e[0] for e in events] == [1, 2, 3, 4]


def test_progress_over_the_websocket_is_monotonic(gen_client):
    engine = get_engine()
    loaded = engine.load("sd-turbo")
    with loaded.lock:  # the job waits for the pipeline: we subscribe before it runs
        job = gen_client.post(
            "/api/v1/generate/txt2img", json={**BASE, "model": "sd-turbo", "steps": 6}
        ).json()
        ws = gen_client.websocket_connect(f"/api/v1/jobs/{job['id']}/events")
        ws.__enter__()
        first = ws.receive_json()
    try:
        seen = [first["job"]]
        while seen[-1]["status"] not in ("succeeded", "failed", "canceled"):
            seen.append(ws.receive_json()["job"])
    finally:
        ws.__exit__(None, None, None)
    steps = [j["progress"]["step"] for j in seen if j["status"] == "running"]
    assert steps == sorted(steps) and steps[-1] == 6
    assert seen[-1]["status"] == "succeeded"
    assert any(j["progress"]["preview_key"] for j in seen)


@pytest.mark.parametrize(("capability", "model"), [("txt2img", "sd-turbo"), ("sketch2img", None)])
def test_cancel_mid_run_ends_canceled_without_artifact(gen_client, capability, model):
    params = {**BASE, "steps": 100}
    if model:
        params["model"] = model
    if capability == "sketch2img":
        params["image_key"] = upload(gen_client, _sketch())
    name = model or "sdxl-t2i-sketch"
    loaded = get_engine().load(name)
    with loaded.lock:
        job = gen_client.post(f"/api/v1/generate/{capability}", json=params).json()
        ws = gen_client.websocket_connect(f"/api/v1/jobs/{job['id']}/events")
        ws.__enter__()
    try:
        while True:
            snap = ws.receive_json()["job"]
            if snap["status"] == "running" and snap["progress"]["step"] >= 1:
                r = gen_client.post(f"/api/v1/jobs/{job['id']}/cancel")
                assert r.status_code == 200
                break
    finally:
        ws.__exit__(None, None, None)
    done = wait(gen_client, job["id"])
    assert done["status"] == "canceled"
    assert done["artifacts"] == []
    assert 1 <= done["progress"]["step"] < 100


def test_lora_swap_between_requests(gen_client):
    sd = {"model": "sd-turbo"}
    base = _pixels(artifact_image(gen_client, _run(gen_client, "txt2img", **sd)))
    with_a = _pixels(
        artifact_image(gen_client, _run(gen_client, "txt2img", **sd, lora="style-a.safetensors"))
    )
    after = _pixels(artifact_image(gen_client, _run(gen_client, "txt2img", **sd)))
    with_b = _pixels(
        artifact_image(gen_client, _run(gen_client, "txt2img", **sd, lora="style-b.safetensors"))
    )
    again_a = _pixels(
        artifact_image(gen_client, _run(gen_client, "txt2img", **sd, lora="style-a.safetensors"))
    )
    assert not np.array_equal(with_a, base)  # the LoRA changed the output
    assert not np.array_equal(with_b, with_a)  # another LoRA, another output
    assert np.array_equal(after, base)  # nothing leaked into the next request
    assert np.array_equal(again_a, with_a)  # and B did not leak into A
    pipe = get_engine().load("sd-turbo").pipe_for("txt2img")
    assert not pipe.get_list_adapters()  # no adapter left on the shared pipeline


def test_missing_lora_fails_the_job_with_a_reason(gen_client):
    job = _run(gen_client, "txt2img", model="sd-turbo", lora="nope.safetensors")
    assert job["status"] == "failed" and job["error"]["code"] == "lora_not_found"


def test_two_concurrent_jobs_equal_two_sequential_ones(gen_client):
    seeds = (11, 12)
    sequential = [
        _pixels(artifact_image(gen_client, _run(gen_client, "txt2img", seed=s, steps=4)))
        for s in seeds
    ]
    ids = [
        gen_client.post("/api/v1/generate/txt2img", json={**BASE, "seed": s, "steps": 4}).json()[
            "id"
        ]
        for s in seeds
    ]
    concurrent = [_pixels(artifact_image(gen_client, wait(gen_client, i))) for i in ids]
    for a, b in zip(sequential, concurrent, strict=True):
        assert np.array_equal(a, b)
    assert not np.array_equal(sequential[0], sequential[1])


def test_style_preset_changes_the_prompt(gen_client):
    job = _run(gen_client, "txt2img", model="sd-turbo", style="watercolor", negative_prompt="x")
    assert job["status"] == "succeeded"
    assert (
        job["result"]["prompt"] == "a red bicycle, watercolor painting, soft washes, paper texture"
    )
    assert job["result"]["negative_prompt"] == "x, photo"
