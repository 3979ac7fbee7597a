"""Hostile inputs that once answered 500, each with its exact input: now each gets its 4xx.

The whole app (tests/conftest.py `client`). Server errors are answered, not raised, so a 500
shows as a status here rather than as the exception.
"""

import io
import json
import math

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.exc import StatementError

from pixelsmith.core.config import Settings
from pixelsmith.core.errors import ApiError, check_json_input
from pixelsmith.core.web.app import create_app
from pixelsmith.core.web.errors import encodable, install_error_handlers


@pytest.fixture
def client(tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data", workers=1), configure_logs=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buf, "PNG")
    return buf.getvalue()


def error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


def post_json(client, path: str, raw: bytes):
    """Raw JSON bytes: the "\\ud800" escapes must reach the server as escapes."""
    return client.post(path, content=raw, headers={"content-type": "application/json"})


# -- studio ---------------------------------------------------------------------------------


def test_filter_params_nested_950_deep_is_invalid_json(client):
    params = "[" * 950 + "]" * 950  # 1900 characters: under the field's max_length of 2000
    r = client.post(
        "/api/v1/studio/filter",
        files={"file": ("a.png", png(), "image/png")},
        data={"style": "oil", "params": params},
    )
    err = error(r, 422, "invalid_json")
    assert "950 levels" in err["message"] and err["details"]["field"] == "params"


def test_filter_params_with_brackets_inside_strings_are_not_nesting(client):
    params = json.dumps({"size": "[" * 100})  # not deep: the brackets are text
    r = client.post(
        "/api/v1/studio/filter",
        files={"file": ("a.png", png(), "image/png")},
        data={"style": "oil", "params": params},
    )
    assert error(r, 422, "invalid_params")["details"]["style"] == "oil"


def test_edges_low_above_high_says_so(client):
    r = client.post(
        "/api/v1/studio/edges",
        files={"file": ("a.png", png(), "image/png")},
        data={"low": "200", "high": "100"},
    )
    err = error(r, 422, "invalid_params")
    assert err["details"]["errors"] == ["low (200) must be below high (100)"]
    assert "low (200) must be below high (100)" in err["message"]
    assert "pydantic" not in r.text


# -- a text field where a file belongs ------------------------------------------------------

UPLOAD_ROUTES = [
    ("/api/v1/images", {}, "file"),
    ("/api/v1/products/import", {}, "file"),
    ("/api/v1/tags/scan", {}, "file"),
    ("/api/v1/posture/analyze", {}, "file"),
    ("/api/v1/studio/filter", {"style": "oil"}, "file"),
    ("/api/v1/studio/edges", {}, "file"),
    ("/api/v1/studio/upscale", {}, "file"),
    ("/api/v1/studio/sketch", {"prompt": "a cat"}, "file"),
    ("/api/v1/studio/panorama", {}, "files"),
    ("/api/v1/desk/gate", {}, "file"),
    ("/api/v1/desk/photos", {}, "file"),
    ("/api/v1/backdrop/cutout", {}, "file"),
    ("/api/v1/backdrop/products", {}, "file"),
    ("/api/v1/backdrop/assets", {}, "file"),
    ("/api/v1/backdrop/batches", {}, "files"),
]
# Uploads by PUT: (the spec's path, a concrete path, field)
PUT_UPLOAD_ROUTES = [
    ("/api/v1/backdrop/products/{product_id}/mask", "/api/v1/backdrop/products/p1/mask", "file"),
]
# Uploads that need an account (the caller signs up first): (the spec's path, a path, field)
ACCOUNT_UPLOAD_ROUTES = [
    ("/api/v1/diary/posts/{post_id}/image", "/api/v1/diary/posts/p1/image", "photo"),
]


@pytest.mark.parametrize(("path", "form", "field"), UPLOAD_ROUTES)
def test_a_text_field_instead_of_a_file_is_a_plain_422(client, path, form, field):
    r = client.post(path, data={**form, field: "hello"})
    err = error(r, 422, "invalid_request")
    plain = (
        f"'{field}' must be a file upload (multipart/form-data with a filename), not a text field."
    )
    assert err["message"] == plain
    assert [e["msg"] for e in err["details"]["errors"]] == [plain] * len(err["details"]["errors"])
    assert "UploadFile" not in r.text and "<class" not in r.text


@pytest.mark.parametrize(("template", "path", "field"), PUT_UPLOAD_ROUTES)
def test_a_text_field_instead_of_a_file_is_a_plain_422_on_put(client, template, path, field):
    r = client.put(path, data={field: "hello"})
    err = error(r, 422, "invalid_request")
    assert err["message"] == (
        f"'{field}' must be a file upload (multipart/form-data with a filename), not a text field."
    )


@pytest.mark.parametrize(("template", "path", "field"), ACCOUNT_UPLOAD_ROUTES)
def test_a_text_field_instead_of_a_file_is_a_plain_422_signed_in(client, template, path, field):
    r = client.post(
        "/api/v1/auth/signup", json={"username": "uploader", "password": "a long passphrase"}
    )
    assert r.status_code == 201, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    r = client.post(path, data={field: "hello"})
    err = error(r, 422, "invalid_request")
    assert err["message"] == (
        f"'{field}' must be a file upload (multipart/form-data with a filename), not a text field."
    )


def test_every_upload_route_of_the_spec_is_listed_above(client):
    spec = client.get("/api/v1/openapi.json").json()
    uploads = {
        path
        for path, ops in spec["paths"].items()
        for op in ops.values()
        if "multipart/form-data" in op.get("requestBody", {}).get("content", {})
    }
    listed = {path for path, _, _ in UPLOAD_ROUTES} | {t for t, _, _ in PUT_UPLOAD_ROUTES}
    listed |= {t for t, _, _ in ACCOUNT_UPLOAD_ROUTES}
    assert uploads == listed


# -- lone surrogates in JSON bodies ---------------------------------------------------------


def test_job_with_a_lone_surrogate_is_422(client):
    r = post_json(client, "/api/v1/jobs", b'{"kind":"system.noop","params":{"payload":"\\ud800"}}')
    err = error(r, 422, "invalid_text")
    assert "'params.payload'" in err["message"] and "U+D800" in err["message"]
    assert err["details"] == {"field": "params.payload", "position": 0}
    assert client.get("/api/v1/jobs").json()["total"] == 0  # nothing was queued


def test_txt2img_with_a_lone_surrogate_prompt_is_422(client):
    r = post_json(client, "/api/v1/generate/txt2img", b'{"prompt":"\\ud800"}')
    err = error(r, 422, "invalid_text")
    assert "'prompt'" in err["message"] and "UTF-8" in err["message"]


def test_a_surrogate_key_and_a_surrogate_in_a_pydantic_field_are_422(client):
    r = post_json(client, "/api/v1/jobs", b'{"kind":"system.noop","params":{"\\udfff":1}}')
    assert error(r, 422, "invalid_text")["message"].startswith("A key in 'params' holds")
    # str fields of a body model: pydantic refuses them ("string_unicode"), in plain words here
    r = post_json(client, "/api/v1/jobs", b'{"kind":"\\ud800x"}')
    err = error(r, 422, "invalid_request")
    assert err["message"].startswith("'kind' holds a lone UTF-16 surrogate, which is not text.")
    assert err["details"]["errors"][0]["type"] == "string_unicode"
    r = post_json(client, "/api/v1/tags/scans/1/confirm", b'{"label":"\\udfff"}')
    assert error(r, 422, "invalid_request")["message"].startswith("'label' holds a lone")


def test_job_params_nested_too_deep_are_422(client):
    raw = b'{"kind":"system.noop","params":{"a":' + b"[" * 100 + b"]" * 100 + b"}}"
    err = error(post_json(client, "/api/v1/jobs", raw), 422, "nested_too_deep")
    assert "32 levels" in err["message"]
    raw = b'{"kind":"system.noop","params":{"a":' + b"[" * 5000 + b"]" * 5000 + b"}}"
    assert 400 <= post_json(client, "/api/v1/jobs", raw).status_code < 500


# -- catalog import: each a row error, the good row imported --------------------------------


def upload(client, name: str, data: bytes):
    return client.post("/api/v1/products/import", files={"file": (name, data)})


def test_import_csv_price_1e9999999_is_a_row_error(client):
    r = upload(client, "p.csv", b"code,name,price\nA1234,Too much,1e9999999\nB1234,Fine,1000\n")
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    assert r.json()["errors"] == [{"row": 2, "message": "price '1e9999999' is too large"}]


def test_import_json_price_of_5000_digits_is_a_row_error(client):
    data = (
        b'[{"code":"A1234","name":"Huge","price":'
        + b"9" * 5000
        + b'},{"code":"B1234","name":"Ok"}]'
    )
    r = upload(client, "p.json", data)
    assert r.status_code == 200, r.text
    (e,) = r.json()["errors"]
    assert e["row"] == 1 and "too large" in e["message"] and len(e["message"]) < 100
    assert r.json()["created"] == 1


def test_import_name_with_a_lone_surrogate_is_a_row_error(client):
    data = b'[{"code":"A1234","name":"\\udfff"},{"code":"B1234","name":"Ok"}]'
    r = upload(client, "p.json", data)
    assert r.status_code == 200, r.text
    (e,) = r.json()["errors"]
    assert e["row"] == 1 and "name" in e["message"] and "U+DFFF" in e["message"]
    assert (
        client.get("/api/v1/products", params={"code": "B1234"}).json()["items"][0]["name"] == "Ok"
    )
    # alone in its file it is still a row error, reported in the 422 of "no valid row"
    err = error(upload(client, "p.json", b'[{"code":"C1","name":"\\udfff"}]'), 422)
    assert err["code"] == "import_no_valid_rows" and "U+DFFF" in err["message"]


# -- error rendering ------------------------------------------------------------------------


def test_any_error_body_encodes():
    """An error that echoes hostile input still renders: surrogates → U+FFFD, deep → cut."""
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise ApiError(
            "bad \ud800 input",
            details={"\udfff": "x\ud800", "deep": deep, "big": 10**5000, "nan": math.nan},
        )

    @app.get("/db")
    def db() -> None:
        try:
            "\udfff".encode()
        except UnicodeEncodeError as exc:  # as SQLAlchemy wraps a driver's encoding error
            raise StatementError("encode", "INSERT …", {}, exc) from exc

    with TestClient(app) as c:
        r = c.get("/boom")
        assert r.status_code == 400
        body = r.json()["error"]
        assert body["message"] == "bad \ufffd input"
        assert body["details"]["\ufffd"] == "x\ufffd" and body["details"]["nan"] == "nan"
        assert "bits" in body["details"]["big"]
        assert json.dumps(body["details"]["deep"]).count("[") <= 16
        r = c.get("/db")
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_text"


def test_encodable_keeps_ordinary_values():
    value = {"a": [1, 2.5, True, None, "한국어 😀"], "b": {"c": "d"}}
    assert encodable(value) == value


def test_check_json_input_allows_normal_params():
    check_json_input({"prompt": "a cat 😀", "steps": 4, "tags": [["a"]]}, "params")


def test_other_database_and_encoding_errors_stay_500s():
    """Only a lone surrogate is the input's fault; any other such error is the server's."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/db")
    def db() -> None:
        raise StatementError("boom", "SELECT 1", {}, ValueError("driver failure"))

    @app.get("/latin")
    def latin() -> None:
        "한".encode("latin-1")

    with TestClient(app, raise_server_exceptions=False) as c:
        for path in ("/db", "/latin"):
            r = c.get(path)
            assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"


# -- accounts -------------------------------------------------------------------------------

AUTH_JSON_ROUTES = [
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/password"),
    ("DELETE", "/api/v1/auth/account"),
]
HOSTILE_AUTH_BODIES = [
    b'{"username":"\\ud800abc","password":"\\udfff long enough"}',
    b'{"username":"alice","password":"\\ud800 long enough password"}',
    b'{"current_password":"\\ud800","new_password":"\\udfff","password":"\\ud800"}',
    b'{"username":' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"username":null,"password":12345678}',
    b'{"username":"' + b"a" * 5000 + b'","password":"' + b"b" * 5000 + b'"}',
    b"not json",
    b"[]",
]


@pytest.mark.parametrize(("method", "path"), AUTH_JSON_ROUTES)
@pytest.mark.parametrize("raw", HOSTILE_AUTH_BODIES)
def test_hostile_bodies_on_the_account_routes_get_a_4xx(client, method, path, raw):
    r = client.request(method, path, content=raw, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    error(r, r.status_code)


@pytest.mark.parametrize("path", ["/account/signup", "/account/login"])
def test_hostile_account_forms_get_a_4xx(client, path):
    bad_utf8 = (
        b"username=%ED%A0%80%FF&password=%ED%A0%80xxxxxxxxxx&password_confirm=%ED%A0%80xxxxxxxxxx"
    )
    r = client.post(
        path, content=bad_utf8, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    r = client.post(path, data={"username": "a" * 5000, "password": "b" * 5000})
    assert 400 <= r.status_code < 500
