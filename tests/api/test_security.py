"""Safe by default on a shared network: Host allow-list, cross-origin refusal, security
headers with a per-request CSP nonce, Secure cookies over https, and offline API docs."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from starlette.testclient import WebSocketDenialResponse

from pixelsmith.core.config import Settings
from pixelsmith.core.logging import ClientGoneFilter
from pixelsmith.core.web import i18n
from pixelsmith.core.web.app import create_app
from pixelsmith.core.web.identity import COOKIE_NAME


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def upload(client, **headers):
    files = {"file": ("a.png", png_bytes(), "image/png")}
    return client.post("/api/v1/images", files=files, headers=headers)


@pytest.fixture
def app_for(tmp_path):
    """A TestClient on an app with extra settings."""
    clients = []

    def _make(base_url: str = "http://testserver", **overrides) -> TestClient:
        settings = Settings(data_dir=tmp_path / "data", workers=1, **overrides)
        client = TestClient(create_app(settings, configure_logs=False), base_url=base_url)
        clients.append(client.__enter__())
        return client

    yield _make
    for client in clients:
        client.__exit__(None, None, None)


# ---- cross-origin ------------------------------------------------------------------------------


def test_upload_without_origin_passes_like_curl_and_the_cli(client):
    assert upload(client).status_code == 201


def test_upload_from_own_origin_passes(client):
    assert upload(client, Origin="http://testserver").status_code == 201
    assert upload(client, **{"Sec-Fetch-Site": "same-origin"}).status_code == 201


def test_upload_from_another_site_is_refused(client):
    r = upload(client, Origin="https://evil.example")
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["code"] == "cross_origin"
    assert error["details"] == {"origin": "https://evil.example"}
    assert "PIXELSMITH_ALLOWED_ORIGINS" in error["message"]


@pytest.mark.parametrize(
    "origin",
    [
        "http://testserver:8080",  # another port is another origin
        "https://testserver",  # another scheme too
        "null",  # sandboxed iframes, file:// pages
        "http://testserver.evil.example",
        "not a url",
    ],
)
def test_near_misses_of_own_origin_are_refused(client, origin):
    assert upload(client, Origin=origin).status_code == 403


def test_cross_site_fetch_without_origin_is_refused_by_sec_fetch_site(client):
    for site in ("cross-site", "same-site"):
        r = upload(client, **{"Sec-Fetch-Site": site})
        assert r.status_code == 403, site
        assert r.json()["error"]["code"] == "cross_origin"


def test_every_unsafe_method_is_checked_and_safe_ones_are_not(client):
    evil = {"Origin": "https://evil.example"}
    assert client.delete("/api/v1/posture/baseline", headers=evil).status_code == 403
    assert client.put("/api/v1/jobs", headers=evil).status_code == 403
    assert client.patch("/api/v1/jobs", headers=evil).status_code == 403
    assert client.post("/api/v1/jobs/x/cancel", headers=evil).status_code == 403
    # Reading is fine: the same-origin policy already keeps the answer from that page.
    assert client.get("/api/v1/job-kinds", headers=evil).status_code == 200


def test_allowed_origins_setting_lets_a_listed_site_in(app_for):
    client = app_for(allowed_origins="https://studio.example.com, http://127.0.0.1:3000")
    assert upload(client, Origin="https://studio.example.com").status_code == 201
    assert upload(client, Origin="https://STUDIO.example.com:443").status_code == 201
    assert upload(client, Origin="http://127.0.0.1:3000").status_code == 201
    assert upload(client, Origin="https://other.example.com").status_code == 403


def test_allowed_origins_star_turns_the_check_off(app_for):
    client = app_for(allowed_origins="*")
    assert upload(client, Origin="https://evil.example").status_code == 201


def test_posture_websocket_refuses_a_foreign_origin(client):
    with pytest.raises(WebSocketDenialResponse) as denied:
        with client.websocket_connect(
            "/api/v1/posture/stream", headers={"Origin": "https://evil.example"}
        ):
            pass
    assert denied.value.status_code == 403
    assert denied.value.json()["error"]["code"] == "cross_origin"


def test_posture_websocket_accepts_its_own_origin(client):
    with client.websocket_connect(
        "/api/v1/posture/stream", headers={"Origin": "http://testserver"}
    ) as ws:
        assert ws.receive_json()["type"] == "ready"


def test_jobs_websocket_refuses_a_foreign_origin(client):
    with pytest.raises(WebSocketDenialResponse) as denied:
        with client.websocket_connect(
            "/api/v1/jobs/nope/events", headers={"Origin": "http://localhost:9999"}
        ):
            pass
    assert denied.value.status_code == 403


# ---- Host --------------------------------------------------------------------------------------


def test_a_foreign_host_name_is_refused(client):
    r = client.get("/healthz", headers={"Host": "evil.example"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "invalid_host"
    assert "PIXELSMITH_ALLOWED_HOSTS" in error["message"]
    assert error["details"] == {"host": "evil.example"}


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:8000",
        "LOCALHOST.",
        "127.0.0.1:8000",
        "[::1]:8000",
        "192.168.1.20:8000",  # an address cannot be rebound: a phone on the LAN keeps working
        "testserver",  # the in-process client's own server name (scope["server"])
    ],
)
def test_loopback_names_addresses_and_own_server_name_pass(client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["", "evil.example:8000", "localhost.evil.example", "a b", "x:y"])
def test_malformed_or_foreign_hosts_are_refused(client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 400


def test_testserver_is_not_special_for_a_real_server_address(app_for):
    # The same app behind a socket server sees its own IP as scope["server"], so the
    # name "testserver" earns nothing there: here the in-process client says it is 127.0.0.1.
    client = app_for(base_url="http://127.0.0.1:8000")
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz", headers={"Host": "testserver"}).status_code == 400


def test_allowed_hosts_setting(app_for):
    client = app_for(allowed_hosts="pixelsmith.lan, .studio.example", host="box.local")
    for ok in ("pixelsmith.lan", "studio.example", "a.studio.example:8000", "box.local"):
        assert client.get("/healthz", headers={"Host": ok}).status_code == 200, ok
    assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "studio.example.evil"}).status_code == 400


def test_allowed_hosts_star_allows_any(app_for):
    client = app_for(allowed_hosts="*")
    assert client.get("/healthz", headers={"Host": "anything.example"}).status_code == 200


def test_websocket_with_a_foreign_host_is_refused(client):
    with pytest.raises(WebSocketDenialResponse) as denied:
        with client.websocket_connect("/api/v1/posture/stream", headers={"Host": "evil.example"}):
            pass
    assert denied.value.status_code == 400
    assert denied.value.json()["error"]["code"] == "invalid_host"


# ---- security headers --------------------------------------------------------------------------


def assert_security_headers(r) -> str:
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["x-frame-options"] == "DENY"
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "blob:" in directives["img-src"] and "data:" in directives["img-src"]
    assert directives["object-src"] == "'none'"
    return directives["script-src"]


@pytest.mark.parametrize(
    "path, accept, status",
    [
        ("/", "text/html", 200),
        ("/jobs", "text/html", 200),
        ("/healthz", "application/json", 200),
        ("/api/v1/job-kinds", "application/json", 200),
        ("/static/css/app.css", "*/*", 200),
        ("/static/studio/studio.js", "*/*", 200),
        ("/no/such/page", "text/html", 404),
        ("/api/v1/jobs/nope", "application/json", 404),
        ("/api/docs", "text/html", 200),
        ("/api/v1/openapi.json", "application/json", 200),
    ],
)
def test_every_response_carries_the_security_headers(client, path, accept, status):
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == status
    assert_security_headers(r)


def test_error_responses_from_middleware_carry_them_too(client):
    assert_security_headers(client.get("/healthz", headers={"Host": "evil.example"}))
    assert_security_headers(upload(client, Origin="https://evil.example"))
    r = client.post("/api/v1/images", headers={"Content-Length": str(10**9)}, content=b"")
    assert r.status_code == 413
    assert_security_headers(r)


def test_a_500_carries_them_too(tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data", workers=1), configure_logs=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error"
    assert_security_headers(r)


def inline_scripts(html: str) -> list[str]:
    """The opening tags of inline scripts that a browser would execute (not JSON data)."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return [
        t
        for t in tags
        if "src=" not in t
        and 'type="application/json"' not in t
        and "type='application/json'" not in t
    ]


@pytest.mark.parametrize(
    "path",
    ["/", "/jobs", "/models", "/tags", "/posture", "/studio", "/desk", "/diary", "/backdrop"],
)
def test_pages_inline_scripts_carry_this_requests_nonce(client, path):
    first, second = client.get(path), client.get(path)
    assert first.status_code == 200
    nonces = []
    for r in (first, second):
        script_src = assert_security_headers(r)
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]{16,})'", script_src).group(1)
        scripts = inline_scripts(r.text)
        assert scripts, "the import map at least is inline"
        for tag in scripts:
            assert f'nonce="{nonce}"' in tag, tag
        # No inline event handlers (onclick=…) or javascript: URLs, which the CSP would block.
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", r.text)
        assert "javascript:" not in r.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "a fresh nonce per request"


def test_api_docs_are_served_from_this_server(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    html = r.text
    assert "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']https?://""", html), "no external asset"
    nonce = re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"]).group(1)
    for tag in inline_scripts(html):
        assert f'nonce="{nonce}"' in tag
    for asset in re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", html):
        got = client.get(asset)
        assert got.status_code == 200, asset
        assert len(got.content) > 100, asset
    assert "/api/v1/openapi.json" in html


# ---- cookies -----------------------------------------------------------------------------------


def test_identity_cookie_is_secure_over_https(app_for):
    r = app_for(base_url="https://127.0.0.1").get("/posture")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_identity_cookie_is_not_secure_over_plain_http(client):
    cookie = client.get("/posture").headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "secure" not in cookie.lower()


def test_websocket_identity_cookie_is_secure_over_wss(app_for):
    client = app_for()
    with client.websocket_connect("wss://127.0.0.1/api/v1/posture/stream") as ws:
        assert ws.receive_json()["type"] == "ready"
        # TestClient exposes the handshake's extra headers on the session.
        cookies = [v for k, v in ws.extra_headers if k.lower() == b"set-cookie"]
    assert cookies and b"Secure" in cookies[0]


def test_language_cookie_is_secure_over_https(app_for):
    r = app_for(base_url="https://127.0.0.1").get("/?lang=ko")
    lang_cookie = [
        c for c in r.headers.get_list("set-cookie") if c.startswith(f"{i18n.COOKIE_NAME}=")
    ]
    assert lang_cookie and "Secure" in lang_cookie[0]


# ---- logging -----------------------------------------------------------------------------------


def test_client_gone_filter_downgrades_only_disconnects():
    import logging

    from starlette.websockets import WebSocketDisconnect

    gone = ClientGoneFilter()

    def record(exc: BaseException) -> logging.LogRecord:
        return logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "stream failed", None, (type(exc), exc, None)
        )

    r = record(WebSocketDisconnect(1006))
    gone.filter(r)
    assert r.levelno == logging.INFO and r.exc_info is None
    assert r.getMessage() == "stream failed (the client disconnected)"

    try:
        try:
            raise WebSocketDisconnect(1006)
        except WebSocketDisconnect:
            raise ValueError("a real bug while cleaning up") from None
    except ValueError as exc:
        r = record(exc)
    gone.filter(r)
    assert r.levelno == logging.ERROR and r.exc_info is not None
