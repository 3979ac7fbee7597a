"""Backdrop Studio over HTTP: upload → cut-out, analysis and brief inline → brush mask →
suggestions → render job with compliance → batch zip; ownership, delete, and the 4xx of bad
input, each leaving nothing stored (docs/api.md, "Backdrop Studio").

Real models (U2Net-p, the classifier, the embeddings), a real SQLite database and storage;
the product photos are drawn in code.
"""

from __future__ import annotations

import io
import time
import zipfile

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFilter

from hostile_images import decompression_bomb_png, truncated_jpeg
from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app

API = "/api/v1/backdrop"


def product_photo(size=(640, 480), colour=(30, 80, 200), seed=0, fmt="JPEG") -> bytes:
    """A bottle-like product, shaded, standing on a light studio backdrop with a soft shadow."""
    rng = np.random.default_rng(seed)
    w, h = size
    y = np.linspace(0, 1, h)[:, None, None]
    bg = (np.array([236, 232, 226]) * (1 - 0.12 * y)).repeat(w, axis=1)
    img = Image.fromarray(np.clip(bg + rng.normal(0, 2, (h, w, 3)), 0, 255).astype(np.uint8))
    shadow = Image.new("L", size, 0)
    cx, base = w // 2, int(h * 0.86)
    ImageDraw.Draw(shadow).ellipse((cx - w // 7, base - 12, cx + w // 7, base + 12), fill=120)
    img.paste((90, 90, 90), mask=shadow.filter(ImageFilter.GaussianBlur(8)))
    draw = ImageDraw.Draw(img)
    bw, top = w // 7, int(h * 0.22)
    body = np.array(colour, float)
    for i in range(-bw, bw):  # a cylinder: lit from the left
        shade = 0.65 + 0.45 * np.cos((i / bw) * 1.3 + 0.4)
        c = tuple(int(v) for v in np.clip(body * shade, 0, 255))
        draw.line([(cx + i, top + 40), (cx + i, base)], fill=c)
    draw.rounded_rectangle(
        (cx - bw // 3, top - 10, cx + bw // 3, top + 44), radius=6, fill=(25, 25, 30)
    )
    buf = io.BytesIO()
    img.save(buf, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return buf.getvalue()


def flat_photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (128, 128, 128)).save(buf, "PNG")
    return buf.getvalue()


def png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module", autouse=True)
def small_starter_set():
    """The starter backgrounds at 256² (the library's own tests do the same): 42 of them are
    painted on first use, at 2048² that is half a minute of a busy machine."""
    from pixelsmith.apps.backdrop.service import BackdropService

    side, BackdropService.asset_side = BackdropService.asset_side, 256
    wait, BackdropService.starter_wait_s = BackdropService.starter_wait_s, None  # all 42 there
    yield
    BackdropService.asset_side, BackdropService.starter_wait_s = side, wait


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), workers=2)
    with TestClient(create_app(settings, configure_logs=False)) as c:
        yield c


def wait_job(client, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    while job["status"] not in ("succeeded", "failed", "canceled"):
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout} s: {job}"
        time.sleep(0.1)
        job = client.get(f"/api/v1/jobs/{job_id}").json()
    return job


def upload(client, data: bytes, name: str = "bottle.jpg", url: str = f"{API}/products", **kw):
    return client.post(url, files={"file": (name, data, "image/jpeg")}, **kw)


def hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def stored(client) -> tuple[int, int]:
    """What the caller has: (products, runs)."""
    return (len(client.get(f"{API}/products").json()), len(client.get(f"{API}/runs").json()))


@pytest.fixture(scope="module")
def product(client) -> dict:
    r = upload(client, product_photo())
    assert r.status_code == 201, r.text
    return r.json()


# ---- products ----------------------------------------------------------------------------------


def test_an_upload_answers_the_matte_analysis_and_brief_in_the_callers_language(client, product):
    assert (product["width"], product["height"]) == (640, 480)
    x, y, w, h = (product["matte"]["box"][k] for k in ("x", "y", "w", "h"))
    # The drawn bottle spans x 229..411, y ~96..413: the box holds it, and not the backdrop.
    assert 200 <= x <= 240 and x + w <= 440 and w < 300, product["matte"]
    assert 60 <= y <= 130 and h < 420, product["matte"]
    a = product["analysis"]
    assert a["category"] and a["colours"] and a["orientation"] == "tall", a
    assert isinstance(product["brief"]["text"], str) and product["brief"]["text"], product["brief"]
    assert not hangul(product["brief"]["text"])
    ko = client.get(f"{API}/products/{product['id']}", headers={"Accept-Language": "ko"}).json()
    assert hangul(ko["brief"]["text"]), ko["brief"]
    assert ko["analysis"] == a
    cut = np.asarray(Image.open(io.BytesIO(client.get(product["urls"]["cutout"]).content)))
    mask = np.asarray(Image.open(io.BytesIO(client.get(product["urls"]["mask"]).content)))
    assert cut.shape == (480, 640, 4) and mask.shape == (480, 640)
    assert np.array_equal(cut[:, :, 3], mask), "the cut-out's alpha is the stored mask"
    assert mask[300, 320] == 255 and mask[20, 20] == 0 and mask[300, 40] == 0


def test_matte_flags_say_what_to_do_in_the_callers_language(client):
    full = Image.open(io.BytesIO(product_photo(seed=6)))
    buf = io.BytesIO()
    full.crop((0, 0, 640, 300)).save(buf, "JPEG", quality=92)  # the bottle runs off the bottom
    r = upload(client, buf.getvalue(), "cut.jpg", headers={"Accept-Language": "ko"})
    assert r.status_code == 201, r.text
    flags = {f["code"]: f for f in r.json()["matte"]["flags"]}
    assert "cut_by_frame" in flags and "bottom" in flags["cut_by_frame"]["params"]["sides"], flags
    assert hangul(flags["cut_by_frame"]["message"]) and hangul(flags["cut_by_frame"]["next"])
    en = client.get(f"{API}/products/{r.json()['id']}").json()["matte"]["flags"]
    assert not any(hangul(f["message"] + f["next"]) for f in en), en
    assert client.delete(f"{API}/products/{r.json()['id']}").status_code == 204


def test_the_cutout_endpoint_answers_an_rgba_png_whose_alpha_is_the_matte(client):
    r = upload(client, product_photo(seed=1), url=f"{API}/cutout")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png", r.text[:300]
    rgba = np.asarray(Image.open(io.BytesIO(r.content)))
    assert rgba.shape == (480, 640, 4)
    a = rgba[:, :, 3]
    assert a[300, 320] == 255 and a[20, 20] == 0
    same = upload(client, product_photo(seed=1), "same.jpg").json()  # the same matte as stored
    mask = np.asarray(Image.open(io.BytesIO(client.get(same["urls"]["mask"]).content)))
    assert np.array_equal(a, mask)
    assert client.delete(f"{API}/products/{same['id']}").status_code == 204
    r = upload(client, product_photo(seed=1), url=f"{API}/cutout?crop=true")
    cropped = np.asarray(Image.open(io.BytesIO(r.content)))
    assert cropped.shape[0] < 480 and cropped.shape[1] < 300, cropped.shape


def test_a_brush_mask_replaces_the_matte_and_the_brief_follows(client):
    r = upload(client, product_photo(seed=2, colour=(200, 40, 40)), "red.jpg")
    assert r.status_code == 201, r.text
    p = r.json()
    mask = np.asarray(Image.open(io.BytesIO(client.get(p["urls"]["mask"]).content))).copy()
    mask[:, 320:] = 0  # the brush removed the right half
    r = client.put(
        f"{API}/products/{p['id']}/mask", files={"file": ("m.png", png(mask), "image/png")}
    )
    assert r.status_code == 200, r.text
    q = r.json()
    assert q["mask_edited"] == 1 and q["brief"]["text"]
    new = np.asarray(Image.open(io.BytesIO(client.get(q["urls"]["mask"]).content)))
    assert new[300, 300] == 255 and not new[:, 340:].any(), "the edit was not kept"
    assert q["matte"]["box"]["x"] + q["matte"]["box"]["w"] <= 345, q["matte"]["box"]


def test_bad_masks_get_their_422_and_the_product_is_unchanged(client, product):
    url = f"{API}/products/{product['id']}/mask"
    before = client.get(product["urls"]["mask"]).content
    cases = [
        (png(np.zeros((480, 640), np.uint8)), "empty_mask"),
        (png(np.full((100, 100), 255, np.uint8)), "mask_size_mismatch"),
        (b"this is not a png", "unsupported_type"),
        (b"", "empty_file"),
    ]
    for data, code in cases:
        r = client.put(url, files={"file": ("m.png", data, "image/png")})
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (code, r.text)
    assert client.get(product["urls"]["mask"]).content == before
    assert client.get(f"{API}/products/{product['id']}").json()["mask_edited"] == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"GIF89a not really", "unsupported_type"),
        (b"%PDF-1.4 a document", "unsupported_type"),
        (decompression_bomb_png(), "image_too_large"),
        (truncated_jpeg(), "truncated_image"),
        (flat_photo(), "no_object"),
    ],
)
def test_bad_uploads_get_their_422_and_nothing_is_stored(client, data, code):
    before = stored(client)
    for url in (f"{API}/products", f"{API}/cutout"):
        r = upload(client, data, "x.jpg", url=url)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (url, r.text[:300])
    assert stored(client) == before


def test_a_transparent_png_is_taken_as_already_cut_out(client):
    rgba = np.zeros((300, 400, 4), np.uint8)
    rgba[60:240, 150:250] = (200, 120, 40, 255)  # an opaque block on a transparent canvas
    r = upload(client, png(rgba), "cut.png")
    assert r.status_code == 201, r.text
    box = r.json()["matte"]["box"]
    assert abs(box["x"] - 150) <= 6 and abs(box["w"] - 100) <= 12, box
    assert abs(box["y"] - 60) <= 6 and abs(box["h"] - 180) <= 12, box
    assert client.delete(f"{API}/products/{r.json()['id']}").status_code == 204


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("post", f"{API}/cutout", "file"),
        ("post", f"{API}/products", "file"),
        ("put", f"{API}/products/{'0' * 32}/mask", "file"),
        ("post", f"{API}/assets", "file"),
        ("post", f"{API}/batches", "files"),
    ],
)
def test_a_text_field_instead_of_a_file_is_a_plain_422(client, method, path, field):
    r = getattr(client, method)(path, data={field: "hello"})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_request" and f"'{field}' must be a file upload" in err["message"]


def test_a_huge_upload_is_413(client):
    big = b"\xff\xd8\xff" + b"\0" * (client.app.state.services.settings.max_upload_bytes + 10)
    r = upload(client, big, "big.jpg")
    assert r.status_code == 413, r.text[:300]


# ---- suggestions, assets, presets --------------------------------------------------------------


def test_suggestions_are_the_top_k_backgrounds_with_their_scores(client, product):
    r = client.get(f"{API}/products/{product['id']}/suggestions?k=5")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert 1 <= len(items) <= 5, items
    scores = [s["score"] for s in items]
    assert scores == sorted(scores, reverse=True), scores
    assert len({s["asset"]["id"] for s in items}) == len(items)
    thumb = client.get(items[0]["asset"]["thumb_url"])
    assert thumb.status_code == 200 and thumb.content[:2] in (b"\xff\xd8", b"\x89P")
    assert client.get(f"{API}/products/{product['id']}/suggestions?k=0").status_code == 422
    ko = client.get(f"{API}/products/{product['id']}/suggestions?k=2&lang=ko").json()["items"]
    assert all(hangul(s["asset"]["description_text"]) for s in ko), ko
    # the starter set's names are shown in the page's language too
    assert all(hangul(s["asset"]["name_text"]) for s in ko), [s["asset"]["name_text"] for s in ko]
    en = client.get(f"{API}/products/{product['id']}/suggestions?k=2").json()["items"]
    assert all(s["asset"]["name_text"] == s["asset"]["name"] for s in en), en


def test_presets_list_the_marketplace_formats(client):
    presets = {p["id"]: p for p in client.get(f"{API}/presets").json()}
    for pid in ("amazon_main", "naver_smartstore", "coupang", "etsy", "web_free"):
        assert pid in presets, sorted(presets)
    assert presets["amazon_main"]["background"] == "white"


def test_own_backgrounds_are_the_callers_and_starter_ones_cannot_be_deleted(client):
    rgb = np.zeros((600, 800, 3), np.uint8)
    rgb[:] = (180, 140, 100)
    rgb[::8] = (150, 110, 80)  # wood-ish stripes
    r = client.post(
        f"{API}/assets",
        files={"file": ("wood.png", png(rgb), "image/png")},
        data={"name": "My desk top"},
    )
    assert r.status_code == 201, r.text
    asset = r.json()
    assert asset["source"] == "import" and asset["description"], asset
    ids = {a["id"] for a in client.get(f"{API}/assets").json()}
    assert asset["id"] in ids
    other = TestClient(client.app)
    assert asset["id"] not in {a["id"] for a in other.get(f"{API}/assets").json()}
    assert other.get(f"{API}/assets/{asset['id']}/image").status_code == 404
    assert other.delete(f"{API}/assets/{asset['id']}").status_code == 404
    starter = next(a for a in client.get(f"{API}/assets?source=starter").json())
    r = client.delete(f"{API}/assets/{starter['id']}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "asset_read_only", r.text
    assert client.delete(f"{API}/assets/{asset['id']}").status_code == 204
    assert client.get(f"{API}/assets/{asset['id']}").status_code == 404
    r = client.post(f"{API}/assets", files={"file": ("x.png", b"nope", "image/png")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unsupported_type"


# ---- renders ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(client, product) -> dict:
    items = client.get(f"{API}/products/{product['id']}/suggestions?k=2").json()["items"]
    ids = [s["asset"]["id"] for s in items]
    r = client.post(
        f"{API}/renders",
        json={"product_id": product["id"], "asset_ids": ids, "preset": "amazon_main"},
    )
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    run = client.get(f"{API}/runs/{r.json()['run']['id']}").json()
    assert run["status"] == "succeeded", run
    return run


def test_a_render_job_composites_on_each_background_to_the_presets_rules(client, rendered):
    presets = {p["id"]: p for p in client.get(f"{API}/presets").json()}
    amazon = presets["amazon_main"]
    renders = rendered["renders"]
    assert len(renders) == 2, rendered
    for r in renders:
        img = Image.open(io.BytesIO(client.get(r["url"]).content))
        assert img.size == (amazon["width"], amazon["height"]), (img.size, r)
        assert r["compliance"]["preset"] == "amazon_main" and r["compliance"]["checks"], r
        assert r["compliance"]["ok"], r["compliance"]  # autofix applied
        box = r["product_box"]
        assert box["w"] > 0.5 * amazon["width"] or box["h"] > 0.5 * amazon["height"], box
    z = zipfile.ZipFile(io.BytesIO(client.get(rendered["zip_url"]).content))
    assert len([n for n in z.namelist() if n.endswith((".jpg", ".png"))]) == 2, z.namelist()


def test_render_requests_with_unknown_backgrounds_presets_or_products_get_their_4xx(
    client, product
):
    before = stored(client)
    ok = client.get(f"{API}/products/{product['id']}/suggestions?k=1").json()["items"][0]
    ok_id = ok["asset"]["id"]
    cases = [
        ({"product_id": product["id"], "asset_ids": ["nope"]}, 422, "unknown_asset"),
        (
            {"product_id": product["id"], "asset_ids": [ok_id], "preset": "no-such-preset"},
            422,
            "unknown_preset",
        ),
        ({"product_id": "f" * 32, "asset_ids": [ok_id]}, 404, "not_found"),
        ({"product_id": product["id"], "asset_ids": []}, 422, "invalid_request"),
        (
            {"product_id": product["id"], "asset_ids": [ok_id], "lighting": {"azimuth_deg": 999}},
            422,
            "invalid_request",
        ),
    ]
    for body, status, code in cases:
        r = client.post(f"{API}/renders", json=body)
        assert r.status_code == status and r.json()["error"]["code"] == code, (body, r.text)
    r = client.post(f"{API}/renders", json={"product_id": product["id"], "asset_ids": ["a", "b"]})
    assert r.json()["error"]["details"]["unknown"] == ["a", "b"], r.text
    assert stored(client) == before


def test_generating_a_background_without_a_model_says_how_to_get_one(client, product):
    before = stored(client)
    r = client.post(f"{API}/generate", json={"product_id": product["id"]})
    assert r.status_code == 503, r.text
    err = r.json()["error"]
    assert err["code"] == "model_unavailable" and "pixelsmith models install" in err["message"]
    assert stored(client) == before


# ---- batches -----------------------------------------------------------------------------------


def test_a_batch_renders_every_product_under_one_lighting_into_one_zip(client):
    files = [
        ("files", ("blue.jpg", product_photo(seed=3), "image/jpeg")),
        (
            "files",
            ("green.png", product_photo(seed=4, colour=(40, 160, 60), fmt="PNG"), "image/png"),
        ),
        ("files", ("notes.txt", b"not a photo", "text/plain")),
    ]
    r = client.post(f"{API}/batches", files=files, data={"k": "2"})
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    run = client.get(f"{API}/runs/{r.json()['run']['id']}").json()
    assert [p["name"] for p in run["products"]] == ["blue.jpg", "green.png"], run["products"]
    assert run["skipped"] == [{"name": "notes.txt", "reason": "not a JPEG, PNG or WebP image"}]
    z = zipfile.ZipFile(io.BytesIO(client.get(run["zip_url"]).content))
    names = set(z.namelist())
    assert {"contact-sheet.jpg", "report.json", "blue/cutout.png", "green/cutout.png"} <= names
    for p in run["products"]:
        assert len(p["renders"]) == 2 and all(r["file"] in names for r in p["renders"]), p
    sheet = Image.open(io.BytesIO(client.get(run["contact_sheet_url"]).content))
    assert sheet.width >= 3 * 200 and sheet.height >= 2 * 200, sheet.size
    import json

    report = json.loads(z.read("report.json"))
    assert report["lighting"] and report["lighting"]["azimuth_deg"] is not None


def _zip(entries: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def test_bad_batches_get_a_clear_4xx_within_documented_limits_and_nothing_is_stored(client):
    from pixelsmith.apps.backdrop.service import MAX_BATCH_PHOTOS, MAX_ZIP_ENTRIES

    before = stored(client)
    photo = product_photo(size=(200, 150))
    huge = _zip([(f"p/{i:05d}.txt", b"x") for i in range(10_000)], zipfile.ZIP_STORED)
    bomb = _zip([("bomb.jpg", b"\xff\xd8\xff" + b"\0" * (20 << 20))])
    cases = [
        ([("files", ("many.zip", huge, "application/zip"))], 413, "batch_too_many_files"),
        ([("files", ("bomb.zip", bomb, "application/zip"))], 422, "zip_bomb"),
        ([("files", ("broken.zip", b"PK\x03\x04 not really", "application/zip"))], 422, "bad_zip"),
        ([("files", ("a.txt", b"hello", "text/plain"))], 422, "batch_no_images"),
        (
            [("files", (f"{i}.jpg", photo, "image/jpeg")) for i in range(MAX_BATCH_PHOTOS + 1)],
            413,
            "batch_too_many_files",
        ),
        (
            [("files", ("empty.zip", _zip([("readme.md", b"# hi")]), "application/zip"))],
            422,
            "batch_no_images",
        ),
    ]
    for files, status, code in cases:
        r = client.post(f"{API}/batches", files=files)
        assert r.status_code == status and r.json()["error"]["code"] == code, (code, r.text[:300])
    r = client.post(
        f"{API}/batches", files=[("files", ("a.jpg", photo, "image/jpeg"))], data={"preset": "nope"}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_preset", r.text
    r = client.post(
        f"{API}/batches", files=[("files", ("a.jpg", photo, "image/jpeg"))], data={"k": "99"}
    )
    assert r.status_code == 422, r.text
    assert stored(client) == before
    assert MAX_ZIP_ENTRIES < 10_000


# ---- privacy ------------------------------------------------------------------------------------


def test_another_caller_gets_404_for_the_product_its_images_runs_and_jobs(
    client, product, rendered
):
    other = TestClient(client.app)
    pid, run = product["id"], rendered
    for url in (
        f"{API}/products/{pid}",
        f"{API}/products/{pid}/photo",
        f"{API}/products/{pid}/cutout",
        f"{API}/products/{pid}/mask",
        f"{API}/products/{pid}/suggestions",
        f"{API}/runs/{run['id']}",
        run["renders"][0]["url"],
        run["zip_url"],
        f"/api/v1/jobs/{run['job_id']}",
    ):
        assert other.get(url).status_code == 404, url
    mask = png(np.full((480, 640), 255, np.uint8))
    r = other.put(f"{API}/products/{pid}/mask", files={"file": ("m.png", mask, "image/png")})
    assert r.status_code == 404
    r = other.post(f"{API}/renders", json={"product_id": pid, "asset_ids": ["x"]})
    assert r.status_code == 404
    assert other.delete(f"{API}/products/{pid}").status_code == 404
    assert other.get(f"{API}/products").json() == [] and other.get(f"{API}/runs").json() == []


def test_delete_removes_the_product_its_runs_jobs_and_blobs(client):
    services = client.app.state.services
    # Its own size: blobs are content-addressed, and another bottle's mask could be this one's.
    violet = product_photo(size=(560, 420), seed=9, colour=(120, 60, 160))
    p = upload(client, violet, "violet.jpg").json()
    items = client.get(f"{API}/products/{p['id']}/suggestions?k=1").json()["items"]
    r = client.post(
        f"{API}/renders", json={"product_id": p["id"], "asset_ids": [items[0]["asset"]["id"]]}
    )
    job = wait_job(client, r.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    from pixelsmith.apps.backdrop.models import BackdropProduct

    with services.db.session() as s:
        keys = sorted(s.get(BackdropProduct, p["id"]).keys())
    keys += [a["key"] for a in job["artifacts"]]
    assert all(services.storage.exists(k) for k in keys), keys
    assert client.delete(f"{API}/products/{p['id']}").status_code == 204
    assert client.get(f"{API}/products/{p['id']}").status_code == 404
    assert client.get(f"{API}/runs/{r.json()['run']['id']}").status_code == 404
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert [k for k in keys if services.storage.exists(k)] == [], "blobs left behind"


# ---- generated backgrounds (the GPU path, on a tiny random-weight model) ------------------------


def test_a_generated_background_joins_the_callers_library(tmp_path):
    import pathlib
    import sys

    from pixelsmith.core.generation import store

    sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "generation"))
    import tiny_models

    settings = Settings(
        data_dir=tmp_path / "data",
        models_dir=tmp_path / "models",
        device="cpu",
        gen_txt2img_model="sd-turbo",
        workers=1,
    )
    store.install_from_dir(settings, "sd-turbo", tiny_models.build_sd(tmp_path / "sd"))
    with TestClient(create_app(settings, configure_logs=False)) as c:
        product = upload(c, product_photo(size=(320, 240), seed=5)).json()
        body = {"product_id": product["id"], "steps": 2, "width": 128, "height": 128, "seed": 7}
        r = c.post(f"{API}/generate", json=body)
        assert r.status_code == 202, r.text
        assert r.json()["job"]["queue"] == "gpu", r.json()["job"]
        prompt = r.json()["job"]["params"]["prompt"]
        assert product["brief"]["query"] in prompt, prompt
        job = wait_job(c, r.json()["job"]["id"])
        assert job["status"] == "succeeded", job
        run = c.get(f"{API}/runs/{r.json()['run']['id']}").json()
        asset_id = run["outcome"]["asset_id"]
        assert c.get(f"{API}/runs/{run['id']}").json()["outcome"] == run["outcome"]  # added once
        mine = {a["id"]: a for a in c.get(f"{API}/assets?source=generated").json()}
        assert list(mine) == [asset_id] and mine[asset_id]["source"] == "generated"
        assert TestClient(c.app).get(f"{API}/assets/{asset_id}").status_code == 404
