"""/api/v1/studio over HTTP (TestClient, real SQLite, real job workers) and the page route."""

from __future__ import annotations

import io
import json
import re
import time

import numpy as np
import pytest
from PIL import Image
from skimage import data
from studio_views import source, views

from pixelsmith.core.jobs.kinds import list_kinds


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def _jpeg(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def _wait(client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "canceled"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def _error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert body["code"] == code, body
    assert body["message"]
    return body


def test_job_kinds_are_registered():
    names = {k.name for k in list_kinds()}
    assert {"studio.panorama", "studio.upscale"} <= names


def test_page_lists_every_filter(client):
    r = client.get("/studio")
    assert r.status_code == 200
    for name in ("oil", "pencil_gray", "watercolor"):
        assert f'data-filter="{name}"' in r.text
    assert "/static/studio/studio.js" in r.text and "/static/studio/studio.css" in r.text
    # Filter and parameter names are core messages; the page's JS gets them too.
    assert "Oil painting" in r.text
    client_messages = json.loads(re.search(r'id="i18n">(.*?)</script>', r.text).group(1))
    assert client_messages["filters.param.size"] == "Brush size"


# ---- filters ------------------------------------------------------------------------------------


def test_filters_list_with_param_schemas(client):
    r = client.get("/api/v1/studio/filters")
    assert r.status_code == 200
    items = {f["name"]: f for f in r.json()}
    assert list(items)[:6] == [
        "original",
        "emboss",
        "cartoon",
        "pencil_gray",
        "pencil_color",
        "oil",
    ]
    oil = items["oil"]["params_schema"]["properties"]["size"]
    assert oil["minimum"] == 1 and oil["maximum"] == 20
    assert items["oil"]["defaults"] == {"size": 7, "dyn_ratio": 1}


def test_filter_returns_the_full_size_image(client):
    photo = data.coffee()  # 600×400
    r = client.post(
        "/api/v1/studio/filter",
        files={"file": ("coffee.jpg", _jpeg(photo), "image/jpeg")},
        data={"style": "cartoon", "params": json.dumps({"levels": 6})},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["content-disposition"] == 'attachment; filename="coffee-cartoon.jpg"'
    assert float(r.headers["x-filter-ms"]) >= 0
    with Image.open(io.BytesIO(r.content)) as img:
        assert img.size == (600, 400)


def test_filter_can_store_the_result_and_keeps_png_alpha(client):
    rgba = np.dstack([data.astronaut()[:200, :300], np.full((200, 300), 128, np.uint8)])
    r = client.post(
        "/api/v1/studio/filter",
        files={"file": ("cut.png", _png(rgba), "image/png")},
        data={"style": "pencil_gray", "output": "json"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["width"] == 300 and body["height"] == 200 and body["style"] == "pencil_gray"
    blob = client.get(body["url"])
    assert blob.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(blob.content)) as img:
        assert img.mode == "RGBA" and img.getchannel("A").getextrema() == (128, 128)


@pytest.mark.parametrize(
    ("data_", "code"),
    [
        ({"style": "vaporwave"}, "unknown_filter"),
        ({"style": "oil", "params": '{"size": 500}'}, "invalid_params"),
        ({"style": "oil", "params": '{"size": -1}'}, "invalid_params"),
        ({"style": "emboss", "params": '{"angle": "north"}'}, "invalid_params"),
        ({"style": "oil", "params": "{size: 3"}, "invalid_json"),
        ({"style": "oil", "params": "[1, 2]"}, "invalid_params"),
    ],
)
def test_filter_bad_requests(client, data_, code):
    r = client.post(
        "/api/v1/studio/filter",
        files={"file": ("a.png", _png(data.astronaut()[:64, :64]), "image/png")},
        data=data_,
    )
    _error(r, 422, code)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (b"", 422, "empty_file"),
        (b"just some text, not a picture", 422, "unsupported_type"),
        (b"%PDF-1.7 fake", 422, "unsupported_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, 422, "corrupt_image"),
    ],
)
def test_non_images_are_rejected_everywhere(client, payload, status, code):
    for path, extra in (
        ("/api/v1/studio/filter", {"style": "oil"}),
        ("/api/v1/studio/edges", {}),
        ("/api/v1/studio/upscale", {"scale": "2"}),
        ("/api/v1/studio/sketch", {"prompt": "a cat"}),
    ):
        r = client.post(path, files={"file": ("x.png", payload, "image/png")}, data=extra)
        assert r.status_code == status and r.json()["error"]["code"] in (code, "truncated_image")


# ---- edges --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["canny", "scribble"])
def test_edges_preview(client, method):
    r = client.post(
        "/api/v1/studio/edges",
        files={"file": ("cat.png", _png(data.chelsea()), "image/png")},
        data={"method": method},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(r.content)) as img:
        assert img.size == (451, 300)
        arr = np.asarray(img.convert("L"))
    assert 0.005 < (arr < 128).mean() < 0.3


def test_edges_bad_params(client):
    files = {"file": ("cat.png", _png(data.chelsea()), "image/png")}
    _error(
        client.post("/api/v1/studio/edges", files=files, data={"low": 200, "high": 100}),
        422,
        "invalid_params",
    )
    _error(
        client.post("/api/v1/studio/edges", files=files, data={"method": "hed"}),
        422,
        "invalid_request",
    )


# ---- panorama -----------------------------------------------------------------------------------


def test_panorama_job_end_to_end(client):
    vs, _ = views(source("stereo_motorcycle"), 3, tilt=True)
    files = [("files", (f"v{i}.jpg", _jpeg(v), "image/jpeg")) for i, v in enumerate(vs)]
    r = client.post("/api/v1/studio/panorama", files=files, data={"mode": "panorama"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "studio.panorama" and job["status"] == "queued"
    assert len(job["params"]["image_keys"]) == 3 and job["params"]["names"] == [
        "v0.jpg",
        "v1.jpg",
        "v2.jpg",
    ]
    # Progress arrives over the job WebSocket, in order, ending with the result.
    with client.websocket_connect(f"/api/v1/jobs/{job['id']}/events") as ws:
        events = []
        while True:
            msg = ws.receive_json()
            events.append(msg["job"])
            if msg["job"]["status"] in ("succeeded", "failed"):
                break
    final = events[-1]
    assert final["status"] == "succeeded", final["error"]
    steps = [e["progress"]["step"] for e in events if e["status"] == "running"]
    assert steps == sorted(steps)
    w, h = final["result"]["width"], final["result"]["height"]
    assert 650 < w < 800 and 380 < h < 520
    art = final["artifacts"][0]
    assert art["name"] == "panorama.jpg" and art["content_type"] == "image/jpeg"
    with Image.open(io.BytesIO(client.get(art["url"]).content)) as img:
        assert img.size == (w, h)


def test_panorama_needs_two_to_ten_images(client):
    one = [("files", ("a.jpg", _jpeg(data.coffee()), "image/jpeg"))]
    body = _error(client.post("/api/v1/studio/panorama", files=one), 422, "need_more_images")
    assert "at least 2" in body["message"]
    eleven = one * 11
    _error(client.post("/api/v1/studio/panorama", files=eleven), 422, "too_many_images")
    bad_mode = one * 2
    _error(
        client.post("/api/v1/studio/panorama", files=bad_mode, data={"mode": "sphere"}),
        422,
        "invalid_request",
    )
    # A non-image among the photos: 422 naming the file, nothing submitted.
    mixed = [one[0], ("files", ("notes.txt", b"hello", "text/plain"))]
    body = _error(client.post("/api/v1/studio/panorama", files=mixed), 422, "unsupported_type")
    assert body["details"]["filename"] == "notes.txt"


def test_mismatched_images_fail_the_job_with_a_reason(client):
    files = [
        ("files", ("astronaut.jpg", _jpeg(data.astronaut()), "image/jpeg")),
        ("files", ("coffee.jpg", _jpeg(data.coffee()), "image/jpeg")),
    ]
    r = client.post("/api/v1/studio/panorama", files=files)
    assert r.status_code == 202
    job = _wait(client, r.json()["id"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "not_enough_overlap"
    assert "overlap" in job["error"]["message"]
    assert job["artifacts"] == []


# ---- upscale ------------------------------------------------------------------------------------


def test_upscale_job_x2_with_progress_per_tile(client):
    img = data.astronaut()[100:300, 100:360]  # 260×200 → 2×2 tiles of 192
    r = client.post(
        "/api/v1/studio/upscale",
        files={"file": ("a.png", _png(img), "image/png")},
        data={"scale": "2"},
    )
    assert r.status_code == 202, r.text
    job = _wait(client, r.json()["id"])
    assert job["status"] == "succeeded", job["error"]
    res = job["result"]
    assert (res["width"], res["height"], res["tiles"]) == (520, 400, 4)
    assert job["progress"]["step"] == job["progress"]["total"] == 4
    assert job["progress"]["preview_key"]
    out = np.asarray(Image.open(io.BytesIO(client.get(job["artifacts"][0]["url"]).content)))
    assert out.shape == (400, 520, 3)
    # Real super-resolution, not a blank or shifted picture: close to the source when reduced.
    small = np.asarray(Image.fromarray(out).resize((260, 200), Image.Resampling.BOX)).astype(float)
    assert np.abs(small - img).mean() < 8
    # No seams at the tile borders (x=384 in the output): the step there is like anywhere else.
    col = np.abs(np.diff(out.astype(float), axis=1)).mean(axis=(0, 2))
    assert col[383] < 3 * np.median(col)


@pytest.mark.parametrize(
    ("size", "scale", "code"),
    [((64, 64), "3", "invalid_params"), ((2000, 1600), "4", "output_too_large")],
)
def test_upscale_bad_requests(client, size, scale, code):
    img = np.zeros((size[1], size[0], 3), np.uint8) + 90
    r = client.post(
        "/api/v1/studio/upscale",
        files={"file": ("a.png", _png(img), "image/png")},
        data={"scale": scale},
    )
    _error(r, 422, code)


# ---- sketch -------------------------------------------------------------------------------------


def test_sketch_says_no_model_is_installed(client):
    sketch = np.full((256, 256), 255, np.uint8)
    sketch[100:110, 20:230] = 0
    r = client.post(
        "/api/v1/studio/sketch",
        files={"file": ("sketch.png", _png(sketch), "image/png")},
        data={"prompt": "a bridge", "category": "building", "style": "watercolor"},
    )
    body = _error(r, 503, "model_unavailable")
    assert body["message"].startswith("No sketch-to-image model is installed")
    assert "pixelsmith models install sdxl-t2i-sketch" in body["message"]
    assert body["details"]["install_command"] == "pixelsmith models install sdxl-t2i-sketch"


def test_sketch_bad_input_is_4xx_before_the_model_question(client):
    files = {"file": ("s.png", _png(np.full((64, 64), 255, np.uint8)), "image/png")}
    _error(
        client.post("/api/v1/studio/sketch", files=files, data={"prompt": ""}),
        422,
        "invalid_request",
    )
    _error(
        client.post("/api/v1/studio/sketch", files=files, data={"prompt": "x", "style": "neon"}),
        422,
        "invalid_request",
    )
