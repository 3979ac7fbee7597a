"""/api/v1/products on a minimal app: the catalog router, the project's error handlers and a
real SQLite database; Naver is the local stub server."""

import json
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from naver_stub import CLIENT_ID, CLIENT_SECRET, NaverStub
from pixelsmith.core.catalog import routes
from pixelsmith.core.catalog.providers.naver import NaverShoppingClient
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.config import Settings
from pixelsmith.core.db import Database
from pixelsmith.core.web.errors import install_error_handlers


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'catalog.db'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def catalog(db):
    c = CatalogService(db)
    c.ensure_demo()
    return c


def make_app(catalog, provider=None) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(routes.router)
    app.dependency_overrides[routes.get_catalog] = lambda: catalog
    app.dependency_overrides[routes.get_shopping_provider] = lambda: provider
    return app


@pytest.fixture
def client(catalog):
    with TestClient(make_app(catalog)) as c:
        yield c


def assert_error(r, status, code=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


# -- lookup and search ----------------------------------------------------------------------


def test_lookup_by_code_local_demo_product(client):
    r = client.get("/api/v1/products", params={"code": "cw2288 111"})
    assert r.status_code == 200
    body = r.json()
    assert body["source"] == "local" and body["code_norm"] == "CW2288111"
    assert body["provider_enabled"] is False and body["provider_error"] is None
    assert "PIXELSMITH_NAVER_CLIENT_ID" in body["message"]
    first = body["items"][0]
    assert first["code"] == "CW2288-111" and first["match"] == "exact"
    assert first["is_demo"] and first["demo_notice"] and first["price_text"] == "₩139,000"


def test_lookup_unknown_code_is_empty_not_an_error(client):
    r = client.get("/api/v1/products", params={"code": "ZZ0000-000"})
    assert r.status_code == 200
    assert r.json()["items"] == [] and r.json()["source"] == "none"


def test_lookup_close_match(client):
    body = client.get("/api/v1/products", params={"code": "M916OC", "limit": 1}).json()
    assert [p["code"] for p in body["items"]] == ["M9160C"]
    assert body["items"][0]["match"] == "close" and body["limit"] == 1


def test_search_by_text(client):
    body = client.get("/api/v1/products", params={"q": "samba"}).json()
    assert {p["code"] for p in body["items"]} == {"B75806", "B75807"}
    assert body["q"] == "samba" and body["source"] == "local"
    assert (
        client.get("/api/v1/products", params={"q": "nothing-like-this"}).json()["source"] == "none"
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"code": ""},
        {"code": "   "},
        {"code": "CW2288-111", "q": "nike"},
    ],
)
def test_neither_or_both_of_code_and_q_is_422(client, params):
    err = assert_error(client.get("/api/v1/products", params=params), 422, "invalid_request")
    assert "code=" in err["message"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"code": "-- --"}, "invalid_code"),
        ({"code": "A" * 65}, "invalid_request"),
        ({"q": "x" * 201}, "invalid_request"),
        ({"q": "nike", "limit": 0}, "invalid_request"),
        ({"q": "nike", "limit": 101}, "invalid_request"),
        ({"q": "nike", "limit": "many"}, "invalid_request"),
    ],
)
def test_bad_query_params_are_422(client, params, code):
    assert_error(client.get("/api/v1/products", params=params), 422, code)


def test_get_one_product(client):
    pid = client.get("/api/v1/products", params={"code": "GZ5922"}).json()["items"][0]["id"]
    r = client.get(f"/api/v1/products/{pid}")
    assert r.status_code == 200 and r.json()["code"] == "GZ5922" and r.json()["match"] is None
    err = assert_error(client.get("/api/v1/products/999999"), 404, "not_found")
    assert "999999" in err["message"]
    assert_error(client.get("/api/v1/products/abc"), 422)
    assert_error(client.get("/api/v1/products/0"), 422)
    assert_error(client.get(f"/api/v1/products/{2**40}"), 422)


# -- import ---------------------------------------------------------------------------------


def upload(client, name, data, content_type="text/csv"):
    return client.post("/api/v1/products/import", files={"file": (name, data, content_type)})


def test_import_csv_then_lookup_prefers_the_import(client):
    csv = 'code,name,brand,price\nCW2288-111,AF1 from my shop,Nike,"129,000"\nX-1,Thing,,\n'
    r = upload(client, "mine.csv", csv.encode())
    assert r.status_code == 200
    assert r.json() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rows": 2,
        "errors": [],
        "error_count": 0,
    }
    first = client.get("/api/v1/products", params={"code": "CW2288-111"}).json()["items"][0]
    assert first["source"] == "import" and first["price"] == 129000 and not first["is_demo"]

    r = upload(client, "mine.csv", csv.replace("129,000", "119000").encode())
    assert r.json()["updated"] == 1 and r.json()["unchanged"] == 1


def test_import_json_with_row_errors(client):
    data = json.dumps(
        [
            {"code": "B75806", "name": "Samba (mine)", "price": 135000},
            {"code": "FV0657", "name": "NMD", "price": "cheap"},
        ]
    )
    r = upload(client, "p.json", data.encode(), "application/json")
    assert r.status_code == 200
    assert r.json()["created"] == 1
    assert r.json()["errors"] == [{"row": 2, "message": "price 'cheap' is not a number"}]


def test_import_mixed_csv_keeps_the_good_rows_and_reports_each_bad_one(client):
    data = (
        "code,name,price,currency,image_url\n"
        "G-1,Good,139000,KRW,/static/a.png\n"  # row 2
        "B-1,Nul\x00name,1,KRW,\n"  # row 3
        "B-2,Host,1,KRW,/\\evil.com/a.png\n"  # row 4
        "G-2,Dinar,12.345,BHD,\n"  # row 5
        "B-3,Fils,1.2345,BHD,\n"  # row 6
        "B-4,Dear,1e9999999,KRW,\n"  # row 7
    )
    r = upload(client, "mixed.csv", data.encode())
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["rows"], body["error_count"]) == (2, 6, 4)
    errors = {e["row"]: e["message"] for e in body["errors"]}
    assert set(errors) == {3, 4, 6, 7}
    assert "control character (U+0000)" in errors[3] and "image_url" in errors[4]
    assert "3 decimal place(s) for BHD" in errors[6] and "too large" in errors[7]
    lamp = client.get("/api/v1/products", params={"code": "G-2"}).json()["items"][0]
    assert (lamp["price"], lamp["price_text"]) == (12345, "12.345 BHD")


def test_import_mixed_json_keeps_the_good_rows_and_reports_each_bad_one(client):
    data = (
        b'[{"code": "G-1", "name": "Good", "price": 19.99, "currency": "USD"},'  # 1
        b'{"code": "B-1", "name": "\\udfff"},'  # 2
        b'{"code": "B-2", "name": "Digits", "price": ' + b"9" * 5000 + b"},"  # 3
        b'"not an object",'  # 4
        b'{"code": "G-2", "name": "Yen", "price": 500, "currency": "JPY"},'  # 5
        b'{"code": "B-3", "name": "Nul", "mall": "a\\u0000b"}]'  # 6
    )
    r = upload(client, "mixed.json", data, "application/json")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["rows"], body["error_count"]) == (2, 6, 4)
    errors = {e["row"]: e["message"] for e in body["errors"]}
    assert set(errors) == {2, 3, 4, 6}
    assert "U+DFFF" in errors[2] and "too large" in errors[3]
    assert "expected an object" in errors[4] and errors[6].startswith("mall holds a control")
    found = client.get("/api/v1/products", params={"code": "G-1"}).json()["items"][0]
    assert found["price_text"] == "$19.99"


def test_import_where_every_row_fails_is_422(client):
    err = assert_error(upload(client, "p.csv", b"code,name\n,a\n,b\n"), 422, "import_no_valid_rows")
    assert "row 2" in err["message"] and err["details"]["error_count"] == 2


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("p.csv", b"", "import_empty"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "import_unsupported_type"),
        ("p.csv", "code,name\nA1,가방\n".encode("cp949"), "import_bad_encoding"),
        ("p.csv", b"sku_x,title_x\n1,2\n", "import_missing_columns"),
        ("p.json", b"{not json", "import_bad_json"),
    ],
)
def test_bad_import_files_are_422(client, name, data, code):
    err = assert_error(upload(client, name, data), 422, code)
    assert err["message"]


def test_import_without_a_file_is_422(client):
    assert_error(client.post("/api/v1/products/import"), 422, "invalid_request")
    r = client.post("/api/v1/products/import", data={"file": "not a file"})
    assert_error(r, 422)


def test_import_too_large_is_413(client, monkeypatch):
    monkeypatch.setattr(routes, "MAX_IMPORT_BYTES", 1024)
    data = b"code,name\n" + b"".join(b"C%05d,name\n" % i for i in range(200))
    assert_error(upload(client, "big.csv", data), 413, "payload_too_large")


# -- provider through the API ---------------------------------------------------------------


@pytest.fixture
def stub():
    server = NaverStub().start()
    yield server
    server.stop()


def test_lookup_through_naver_and_failure_is_not_a_500(catalog, stub):
    provider = NaverShoppingClient(
        CLIENT_ID, CLIENT_SECRET, base_url=stub.base_url, timeout=0.5, retries=1, backoff=0.01
    )
    with TestClient(make_app(catalog, provider)) as c:
        body = c.get("/api/v1/products", params={"code": "DZ5485-613"}).json()
        # no exact local row (the demo has DZ5485-612): Naver answers
        assert body["source"] == "naver" and body["provider_enabled"] and body["message"] is None
        assert body["items"][0]["price"] == 119000 and body["items"][0]["mall"] == "네이버"
        assert len(body["offers"]) == 3
        card_id = body["items"][0]["id"]
        assert c.get(f"/api/v1/products/{card_id}").json()["source"] == "naver"

        stub.default = "500"
        r = c.get("/api/v1/products", params={"code": "ZZ0000-000"})
        assert r.status_code == 200
        assert r.json()["source"] == "none"
        assert r.json()["provider_error"]["code"] == "provider_unavailable"
    provider.close()


def test_default_dependencies_use_app_state_services(db, tmp_path):
    """Before the lead wires `catalog`/`shopping` into Services, the router still works."""
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(routes.router)
    app.state.services = SimpleNamespace(db=db, settings=Settings(data_dir=tmp_path))
    with TestClient(app) as c:
        r = upload(c, "p.csv", b"code,name\nAB1234,Thing\n")
        assert r.json()["created"] == 1
        body = c.get("/api/v1/products", params={"code": "ab-1234"}).json()
        assert body["items"][0]["name"] == "Thing" and body["provider_enabled"] is False
