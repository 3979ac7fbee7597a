"""Desk Makeover over HTTP: gate, upload → analysis job → recommendations → render job with
hotspots, ownership, delete, and the 4xx of bad input (docs/api.md, "Desk Makeover").

Real models (classifier, MediaPipe, the analysis), a real SQLite database and storage; the
desk photo is drawn in code (tests/desk_photo.py).
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from desk_photo import render_desk_photo
from hostile_images import decompression_bomb_png, jpeg_bytes, truncated_jpeg
from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app


@pytest.fixture(scope="module")
def desk_jpeg(tmp_path_factory) -> bytes:
    photo = render_desk_photo(tmp_path_factory.mktemp("desk") / "desk.jpg", size=(1600, 1067))
    return photo.path.read_bytes()


@pytest.fixture(scope="module")
def cat_jpeg() -> bytes:
    from skimage import data

    buf = io.BytesIO()
    Image.fromarray(data.chelsea()).save(buf, "JPEG", quality=90)
    return buf.getvalue()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), workers=2)
    with TestClient(create_app(settings, configure_logs=False)) as c:
        yield c


def wait_job(client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    while job["status"] not in ("succeeded", "failed", "canceled"):
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout} s: {job}"
        time.sleep(0.05)
        job = client.get(f"/api/v1/jobs/{job_id}").json()
    return job


def upload(client, data: bytes, name: str = "desk.jpg", **kw):
    return client.post("/api/v1/desk/photos", files={"file": (name, data, "image/jpeg")}, **kw)


@pytest.fixture(scope="module")
def analysed(client, desk_jpeg) -> dict:
    r = upload(client, desk_jpeg)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["job"] is None and body["photo"]["analysis"], body  # analysed inline
    got = client.get(f"/api/v1/desk/photos/{body['photo']['id']}").json()
    assert got == body["photo"]
    return got


@pytest.fixture(scope="module")
def rendered(client, analysed) -> dict:
    recs = client.get(f"/api/v1/desk/photos/{analysed['id']}/recommendations").json()["items"]
    ids = [r["product_id"] for r in recs if r["fits"]][:2]
    assert ids, f"no recommendation fits the drawn desk: {recs}"
    r = client.post(
        f"/api/v1/desk/photos/{analysed['id']}/renders", json={"product_ids": ids, "engine": "cpu"}
    )
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    return client.get(f"/api/v1/desk/renders/{r.json()['render']['id']}").json()


# ---- gate ---------------------------------------------------------------------------------------


def test_the_gate_accepts_a_desk_and_says_why_it_refuses_a_cat_in_the_callers_language(
    client, desk_jpeg, cat_jpeg
):
    r = client.post("/api/v1/desk/gate", files={"file": ("d.jpg", desk_jpeg, "image/jpeg")})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] is True, r.json()
    r = client.post(
        "/api/v1/desk/gate",
        files={"file": ("cat.jpg", cat_jpeg, "image/jpeg")},
        headers={"Accept-Language": "ko-KR,ko;q=0.9"},
    )
    body = r.json()
    assert body["accepted"] is False and body["reasons"][0]["code"] == "not_a_desk", body
    assert any("\uac00" <= ch <= "\ud7a3" for ch in body["reasons"][0]["message"]), body
    assert body["labels"] and {"label", "score"} <= set(body["labels"][0])


def test_a_refused_upload_is_a_422_with_the_gates_answer_and_nothing_is_stored(client, cat_jpeg):
    before = client.get("/api/v1/desk/photos").json()
    r = upload(client, cat_jpeg, "cat.jpg")
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "not_a_desk" and err["details"]["gate"]["accepted"] is False, err
    assert client.get("/api/v1/desk/photos").json() == before


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 422, "empty_file"),
        (b"GIF89a not really", 422, "unsupported_type"),
        (jpeg_bytes(120, 90), 422, "too_small"),
        (decompression_bomb_png(), 422, "image_too_large"),
        (truncated_jpeg(), 422, "truncated_image"),
    ],
)
def test_bad_uploads_get_their_4xx_and_nothing_is_stored(client, data, status, code):
    before = client.get("/api/v1/desk/photos").json()
    for url in ("/api/v1/desk/photos", "/api/v1/desk/gate"):
        r = client.post(url, files={"file": ("x.jpg", data, "image/jpeg")})
        if url.endswith("gate") and code == "too_small":  # the gate answers; it stores nothing
            assert r.status_code == 200 and r.json()["reasons"][0]["code"] == code, r.text
            continue
        assert r.status_code == status, (url, r.text)
        assert r.json()["error"]["code"] == code, (url, r.text)
    assert client.get("/api/v1/desk/photos").json() == before


def test_a_huge_upload_is_413(client):
    big = b"\xff\xd8\xff" + b"\0" * (client.app.state.services.settings.max_upload_bytes + 10)
    r = upload(client, big, "big.jpg")
    assert r.status_code == 413 and r.json()["error"]["code"] == "file_too_large", r.text[:300]


# ---- analysis and recommendations ---------------------------------------------------------------


def test_analysis_finds_the_drawn_items_palette_style_and_free_surface(analysed):
    a = analysed["analysis"]
    assert a is not None, analysed
    assert (a["width"], a["height"]) == (analysed["width"], analysed["height"])
    assert max(a["width"], a["height"]) <= 1600
    labels = {i["label"] for i in a["items"]}
    assert labels & {"monitor", "keyboard", "laptop"}, a["items"]
    assert a["palette"] and abs(sum(c["share"] for c in a["palette"]) - 1) < 0.05, a["palette"]
    assert a["style"]["style"] and a["style"]["evidence"], a["style"]
    assert a["surface"] and all(len(poly) >= 3 for poly in a["surface"]), a["surface"]
    assert a["scale"]["px_per_cm"] > 0


def test_recommendations_bring_missing_categories_with_a_reason_and_upgrades_flagged(
    client, analysed
):
    r = client.get(f"/api/v1/desk/photos/{analysed['id']}/recommendations?lang=ko")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items, "no recommendations"
    have = {i["label"] for i in analysed["analysis"]["items"]}
    for it in items:
        assert it["name"] and it["price_text"] and it["image_url"] and it["shop_url"], it
        assert it["reason"] and any("\uac00" <= ch <= "\ud7a3" for ch in it["reason"]), it
        assert it["upgrade"] == (it["category"] in have), (it, have)
    order = [(it["upgrade"], not it["fits"]) for it in items]
    assert order == sorted(order), f"missing categories first, what fits first in each: {order}"
    assert any(it["fits"] for it in items), items


def test_before_analysis_recommendations_and_renders_are_409(client, desk_jpeg):
    from pixelsmith.apps.desk.models import DeskPhoto

    services = client.app.state.services
    client.get("/api/v1/desk/photos")
    uid = client.cookies.get("pixelsmith_uid")
    key = services.storage.put(desk_jpeg, content_type="image/jpeg", suffix=".jpg")
    with services.db.session() as s:
        s.add(
            DeskPhoto(
                id="b" * 32,
                user_id=uid,
                photo_key=key,
                width=1,
                height=1,
                gate={"accepted": True},
                analysis=None,
            )
        )
    r = client.get(f"/api/v1/desk/photos/{'b' * 32}/recommendations")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_analyzed", r.text
    r = client.post(f"/api/v1/desk/photos/{'b' * 32}/renders", json={"product_ids": [1]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_analyzed", r.text


# ---- render -------------------------------------------------------------------------------------


def test_a_render_places_items_with_hotspots_inside_their_masks_and_keeps_the_rest(
    client, analysed, rendered
):
    assert rendered["status"] == "succeeded" and rendered["image_url"], rendered
    before = np.asarray(Image.open(io.BytesIO(client.get(rendered["before_url"]).content)))
    after = np.asarray(Image.open(io.BytesIO(client.get(rendered["image_url"]).content)))
    assert after.shape == before.shape == (analysed["height"], analysed["width"], 3)
    placed = [i for i in rendered["items"] if i["placed"]]
    assert len(placed) == len(rendered["items"]), f"items said to fit were not placed: {rendered}"
    touched = np.zeros(before.shape[:2], bool)
    for item in placed:
        assert item["name"] and item["shop_url"] and item["price_text"], item
        mask_png = Image.open(io.BytesIO(client.get(item["mask_url"]).content)).convert("L")
        mask = np.asarray(mask_png) > 127
        x, y = item["hotspot"]
        assert mask[y, x], f"hotspot {item['hotspot']} of item {item['n']} is not on its mask"
        touched |= mask
        for b in (item["box"], item["shadow_box"]):
            if b:
                touched[b["y"] : b["y"] + b["h"], b["x"] : b["x"] + b["w"]] = True
    assert touched.any() and not touched.all()
    assert np.array_equal(before[~touched], after[~touched]), "pixels outside the items changed"
    assert not np.array_equal(before[touched], after[touched]), "nothing was drawn"


def test_render_requests_with_unknown_items_or_no_gpu_model_get_their_4xx(client, analysed):
    url = f"/api/v1/desk/photos/{analysed['id']}/renders"
    r = client.post(url, json={"product_ids": [999_999]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_item", r.text
    assert r.json()["error"]["details"]["unknown"] == [999_999]
    r = client.post(url, json={"product_ids": []})
    assert r.status_code == 422, r.text
    ok_id = client.get("/api/v1/desk/products").json()[0]["product_id"]
    r = client.post(url, json={"product_ids": [ok_id], "engine": "gpu"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "model_unavailable", r.text
    r = client.post(url, json={"product_ids": [ok_id], "style": "sepia"})
    assert r.status_code == 422, r.text


def test_a_restyled_render_changes_the_whole_picture(client, analysed):
    ok_id = client.get("/api/v1/desk/products?category=plant").json()[0]["product_id"]
    r = client.post(
        f"/api/v1/desk/photos/{analysed['id']}/renders",
        json={"product_ids": [ok_id], "style": "paint", "engine": "cpu"},
    )
    assert r.status_code == 202, r.text
    assert wait_job(client, r.json()["job"]["id"])["status"] == "succeeded"
    render = client.get(f"/api/v1/desk/renders/{r.json()['render']['id']}").json()
    assert render["style"] == "paint"
    after = np.asarray(Image.open(io.BytesIO(client.get(render["image_url"]).content)))
    before = np.asarray(Image.open(io.BytesIO(client.get(render["before_url"]).content)))
    assert (after != before).any(axis=2).mean() > 0.5


# ---- privacy ------------------------------------------------------------------------------------


def test_another_caller_gets_404_for_the_photo_its_image_its_render_and_their_jobs(
    client, analysed, rendered
):
    other = TestClient(client.app)
    for url in (
        f"/api/v1/desk/photos/{analysed['id']}",
        f"/api/v1/desk/photos/{analysed['id']}/image",
        f"/api/v1/desk/photos/{analysed['id']}/recommendations",
        f"/api/v1/desk/renders/{rendered['id']}",
        f"/api/v1/desk/renders/{rendered['id']}/image",
        f"/api/v1/jobs/{rendered['job_id']}",
    ):
        assert other.get(url).status_code == 404, url
    assert other.delete(f"/api/v1/desk/photos/{analysed['id']}").status_code == 404
    assert other.get("/api/v1/desk/photos").json() == []


def test_delete_removes_the_photo_its_analysis_renders_jobs_and_blobs(client, tmp_path):
    services = client.app.state.services
    # Its own photo: blobs are content-addressed, and the module's photo must outlive this.
    photo_jpeg = render_desk_photo(tmp_path / "d.jpg", size=(1400, 933), seed=3).path.read_bytes()
    r = upload(client, photo_jpeg)
    assert r.status_code == 201, r.text
    photo = r.json()["photo"]
    ok_id = client.get("/api/v1/desk/products?category=mug").json()[0]["product_id"]
    r = client.post(
        f"/api/v1/desk/photos/{photo['id']}/renders",
        json={"product_ids": [ok_id], "engine": "cpu", "seed": 5},
    )
    assert wait_job(client, r.json()["job"]["id"])["status"] == "succeeded"
    render = client.get(f"/api/v1/desk/renders/{r.json()['render']['id']}").json()
    from pixelsmith.apps.desk.models import DeskPhoto, DeskRender

    with services.db.session() as s:
        keys = [s.get(DeskPhoto, photo["id"]).photo_key, *s.get(DeskRender, render["id"]).blob_keys]
    assert len(keys) >= 3 and all(services.storage.exists(k) for k in keys), keys
    job_ids = [render["job_id"]]

    assert client.delete(f"/api/v1/desk/photos/{photo['id']}").status_code == 204
    assert client.get(f"/api/v1/desk/photos/{photo['id']}").status_code == 404
    assert client.get(f"/api/v1/desk/renders/{render['id']}").status_code == 404
    assert [k for k in keys if services.storage.exists(k)] == [], "blobs left behind"
    for job_id in job_ids:
        assert client.get(f"/api/v1/jobs/{job_id}").status_code == 404, job_id
    with services.db.session() as s:
        assert s.get(DeskRender, render["id"]) is None


def test_style_evidence_and_refusals_come_in_the_callers_language(client, analysed):
    def hangul(text: str) -> bool:
        return any("\uac00" <= ch <= "\ud7a3" for ch in text)

    en = client.get(f"/api/v1/desk/photos/{analysed['id']}").json()["analysis"]["style"]
    ko = client.get(f"/api/v1/desk/photos/{analysed['id']}?lang=ko").json()["analysis"]["style"]
    assert en["evidence"] and not any(hangul(e) for e in en["evidence"]), en
    assert len(ko["evidence"]) == len(en["evidence"]) and all(map(hangul, ko["evidence"])), ko


def test_a_refused_item_says_why_in_korean():
    import render_scene

    from pixelsmith.apps.desk.render import RenderItem, composite
    from pixelsmith.apps.desk.service import localize_render

    photo, analysis = render_scene.desk_photo(), render_scene.desk_analysis()
    sofa = RenderItem("sofa", "desk_mat", render_scene.items()[0].rgba, 400.0, 100.0)
    result = composite(photo, analysis, [sofa])
    item = result.items[0].to_dict()
    assert not item["placed"] and "400 × 100 cm" in item["reason"], item
    ko = localize_render({"items": [dict(item)]}, "ko")["items"][0]["reason"]
    assert "400 × 100 cm" in ko and any("\uac00" <= ch <= "\ud7a3" for ch in ko), ko
