"""Every upload goes through core.images: hostile files get a clear 4xx JSON error, over HTTP."""

import io

import pytest
from PIL import Image

import hostile_images as h

HOSTILE = [
    ("empty", h.empty(), "x.jpg", "image/jpeg", 422),
    ("text named .jpg", h.text_named_jpg(), "x.jpg", "image/jpeg", 422),
    ("html", h.html_file(), "x.png", "image/png", 422),
    ("svg", h.svg_file(), "x.svg", "image/svg+xml", 422),
    ("pdf named .jpg", h.pdf_named_jpg(), "x.jpg", "image/jpeg", 422),
    ("zip", h.zip_file(), "x.png", "image/png", 422),
    ("png signature then html (polyglot)", h.png_signature_then_html(), "x.png", "image/png", 422),
    ("png signature then zip (polyglot)", h.png_signature_then_zip(), "x.png", "image/png", 422),
    ("jpeg magic then garbage", h.jpeg_magic_then_garbage(), "x.jpg", "image/jpeg", 422),
    ("truncated jpeg", h.truncated_jpeg(), "x.jpg", "image/jpeg", 422),
    ("truncated png", h.truncated_png(), "x.png", "image/png", 422),
    ("truncated webp", h.truncated_webp(), "x.webp", "image/webp", 422),
    ("decompression bomb", h.decompression_bomb_png(), "x.png", "image/png", 422),
    ("1x100000", h.long_thin_png(), "x.png", "image/png", 422),
    ("random bytes", h.random_bytes(), "x.jpg", "image/jpeg", 422),
]


@pytest.mark.parametrize(
    "name, data, filename, ctype, status", HOSTILE, ids=[x[0] for x in HOSTILE]
)
def test_hostile_uploads_get_clear_4xx(client, name, data, filename, ctype, status):
    r = client.post("/api/v1/images", files={"file": (filename, data, ctype)})
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] and len(err["message"]) > 20  # a sentence a user can act on
    # Nothing was stored for a rejected upload, and the server is still fine.
    assert client.get("/healthz").status_code == 200


def test_oversize_upload_is_413(settings, tmp_path):
    from fastapi.testclient import TestClient

    from pixelsmith.core.web.app import create_app

    settings.max_upload_bytes = 4096
    with TestClient(create_app(settings, configure_logs=False)) as client:
        r = client.post("/api/v1/images", files={"file": ("big.jpg", h.photo_jpeg(), "image/jpeg")})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "file_too_large"


def test_missing_file_field_is_422(client):
    r = client.post("/api/v1/images", data={"other": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_corrupt_exif_is_accepted_and_metadata_is_stripped(client):
    r = client.post(
        "/api/v1/images", files={"file": ("x.jpg", h.corrupt_exif_jpeg(), "image/jpeg")}
    )
    assert r.status_code == 201, r.text
    stored = client.get(r.json()["url"])
    img = Image.open(io.BytesIO(stored.content))
    assert not img.info.get("exif") and not img.getexif()


def test_exif_orientation_applied_and_stored_content_addressed(client):
    r = client.post(
        "/api/v1/images",
        files={"file": ("rotated.jpg", h.exif_orientation_jpeg(6, 64, 32), "image/jpeg")},
    )
    assert r.status_code == 201
    body = r.json()
    assert (body["width"], body["height"]) == (32, 64)  # rotated upright
    assert body["format"] == "jpeg"
    blob = client.get(body["url"])
    assert blob.status_code == 200 and blob.headers["content-type"] == "image/jpeg"
    assert "immutable" in blob.headers["cache-control"]
    import hashlib

    assert body["key"].startswith(hashlib.sha256(blob.content).hexdigest())
    thumb = Image.open(io.BytesIO(client.get(body["thumbnail_url"]).content))
    assert max(thumb.size) <= 256


def test_real_photo_png_and_webp_round_trip(client):
    for data, name, ctype in [
        (h.photo_jpeg(), "astronaut.jpg", "image/jpeg"),
        (h.rgba_png(), "a.png", "image/png"),
        (h.webp_bytes(), "a.webp", "image/webp"),
    ]:
        r = client.post("/api/v1/images", files={"file": (name, data, ctype)})
        assert r.status_code == 201, (name, r.text)
    # Same bytes → same key (content addressing).
    a = client.post("/api/v1/images", files={"file": ("a.png", h.png_bytes(), "image/png")})
    b = client.post("/api/v1/images", files={"file": ("b.png", h.png_bytes(), "image/png")})
    assert a.json()["key"] == b.json()["key"]


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "ABC", "0" * 64 + ".PNG"]
)
def test_blob_keys_cannot_traverse(client, key):
    r = client.get(f"/api/v1/blobs/{key}")
    assert r.status_code in (400, 404)
    assert "error" in r.json()


def test_unknown_blob_is_404(client):
    r = client.get("/api/v1/blobs/" + "0" * 64 + ".png")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_huge_request_body_is_refused_before_parsing(client):
    limit = client.app.state.services.settings.max_upload_bytes
    huge = b"\xff\xd8\xff" + b"0" * (limit + 2 * 1024 * 1024)
    r = client.post("/api/v1/images", files={"file": ("huge.jpg", huge, "image/jpeg")})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
