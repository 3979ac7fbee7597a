"""Tag Scanner API end to end: upload → code → confirm → product card, stats, export, bad input."""

import io
from pathlib import Path

import matplotlib
import pytest
from PIL import Image, ImageDraw, ImageFont

import hostile_images as h

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"


def label_photo(code: str = "CW2288-111") -> tuple[bytes, tuple[int, int, int, int]]:
    """A white box label with the code and the usual neighbouring text; returns the code box."""
    img = Image.new("RGB", (900, 420), (236, 232, 224))
    d = ImageDraw.Draw(img)
    d.rectangle((40, 30, 860, 390), fill=(252, 252, 250), outline=(180, 180, 180), width=3)
    d.text((80, 60), "NIKE", font=ImageFont.truetype(str(FONT), 48), fill=(20, 20, 20))
    d.text((80, 150), code, font=ImageFont.truetype(str(FONT), 64), fill=(15, 15, 15))
    d.text(
        (80, 260),
        "US 9   UK 8   EUR 42.5",
        font=ImageFont.truetype(str(FONT), 28),
        fill=(60, 60, 60),
    )
    d.text((80, 320), "MADE IN VIETNAM", font=ImageFont.truetype(str(FONT), 24), fill=(60, 60, 60))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue(), (60, 135, 520, 100)


def scan(client, data, crop=None, name="tag.jpg"):
    form = {"crop": ",".join(map(str, crop))} if crop else {}
    return client.post("/api/v1/tags/scan", files={"file": (name, data, "image/jpeg")}, data=form)


def test_scan_with_crop_then_confirm_gives_the_demo_product(client):
    photo, box = label_photo()
    r = scan(client, photo, box)
    assert r.status_code == 201, r.text
    result = r.json()
    assert result["code"].replace(" ", "") == "CW2288-111"
    assert 0 < result["confidence"] <= 1
    assert result["crop_box"] == list(box)
    crop = Image.open(io.BytesIO(client.get(result["crop_url"]).content))
    assert crop.size == (box[2], box[3])
    assert result["local_matches"] and result["local_matches"][0]["code"] == "CW2288-111"

    r = client.post(f"/api/v1/tags/scans/{result['id']}/confirm", json={"label": "cw2288-111"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scan"]["confirmed_label"] == "CW2288-111" and body["scan"]["corrected"] is False
    lookup = body["lookup"]
    assert lookup["source"] == "local" and lookup["provider_enabled"] is False
    assert "PIXELSMITH_NAVER_CLIENT_ID" in lookup["message"]  # the UI tells how to turn it on
    product = lookup["products"][0]
    assert product["code"] == "CW2288-111" and product["price"] > 0 and product["is_demo"]


def test_scan_without_crop_finds_the_code_line_among_other_text(client):
    photo, _ = label_photo("DD1391-100")
    r = scan(client, photo)
    assert r.status_code == 201, r.text
    assert r.json()["code"].replace(" ", "") == "DD1391-100"
    assert r.json()["crop_box"] is None


def test_correction_is_kept_and_counted_in_stats_and_export(client, tmp_path):
    photo, box = label_photo("GZ5922")
    first = scan(client, photo, box).json()
    client.post(f"/api/v1/tags/scans/{first['id']}/confirm", json={"label": first["code"]})
    second = scan(client, photo, box).json()
    r = client.post(f"/api/v1/tags/scans/{second['id']}/confirm", json={"label": "FV0657"})
    assert r.json()["scan"]["corrected"] is True
    scan(client, photo, box)  # an unconfirmed scan counts as a scan only

    stats = client.get("/api/v1/tags/stats").json()
    today = stats["days"][-1]
    assert (today["scans"], today["confirmed"], today["corrected"]) == (3, 2, 1)
    assert today["first_guess_accuracy"] == 0.5 and today["correction_rate"] == 0.5

    from pixelsmith.apps.tags.service import TagScanService

    services = client.app.state.services
    tags = TagScanService(services.db, services.storage, services.catalog, services.shopping)
    assert tags.export(tmp_path / "set") == 2
    lines = (tmp_path / "set" / "gt.txt").read_text().splitlines()
    paths, labels = zip(*(ln.split("\t") for ln in lines), strict=True)
    assert set(labels) == {first["code"], "FV0657"}
    for p in paths:
        assert Image.open(tmp_path / "set" / p).size == (box[2], box[3])


@pytest.mark.parametrize(
    "crop, code",
    [
        ("0,0,0,0", "empty_crop"),
        ("10,10,2,50", "empty_crop"),
        ("800,300,400,400", "crop_out_of_bounds"),
        ("-5,0,100,100", "crop_out_of_bounds"),
        ("a,b,c,d", "invalid_crop"),
        ("1,2,3", "invalid_crop"),
    ],
)
def test_bad_crops_are_422(client, crop, code):
    photo, _ = label_photo()
    r = client.post(
        "/api/v1/tags/scan", files={"file": ("t.jpg", photo, "image/jpeg")}, data={"crop": crop}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == code
    assert len(r.json()["error"]["message"]) > 20


def test_bad_uploads_and_missing_fields(client):
    assert scan(client, h.text_named_jpg()).status_code == 422
    assert scan(client, h.decompression_bomb_png(), name="bomb.png").status_code == 422
    r = client.post("/api/v1/tags/scan", data={"crop": "1,1,10,10"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    photo, box = label_photo()
    scan_id = scan(client, photo, box).json()["id"]
    for body in ({}, {"label": ""}, {"label": "<script>"}, {"label": "x" * 80}):
        r = client.post(f"/api/v1/tags/scans/{scan_id}/confirm", json=body)
        assert r.status_code == 422, body
    r = client.post("/api/v1/tags/scans/" + "0" * 32 + "/confirm", json={"label": "AB1234"})
    assert r.status_code == 404
    assert client.get("/api/v1/tags/scans/../../x").status_code == 404
    assert client.get("/api/v1/tags/stats", params={"days": 0}).status_code == 422


def test_giant_image_is_refused(settings):
    from fastapi.testclient import TestClient

    from pixelsmith.core.web.app import create_app

    settings.max_image_pixels = 100_000
    with TestClient(create_app(settings, configure_logs=False)) as client:
        photo, _ = label_photo()
        r = scan(client, photo)
    assert r.status_code == 422 and r.json()["error"]["code"] == "image_too_large"
