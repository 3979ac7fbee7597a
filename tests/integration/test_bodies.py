"""Slow, oversized and abandoned requests against a real `pixelsmith serve` on 127.0.0.1,
over raw sockets with exact bytes: a stalled body gets 408 within the body read timeout, a
30 MB chunked body 413 (not 400), a huge header line is refused, and clients dropping during
the WebSocket handshake leave info lines in the log, never an error or a traceback."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from live_server import free_port, start_server

pytestmark = pytest.mark.slow

TIMEOUT_S = 2  # PIXELSMITH_BODY_READ_TIMEOUT_S for this server
MULTIPART_HEAD = (
    b"--xx\r\n"
    b'Content-Disposition: form-data; name="file"; filename="a.png"\r\n'
    b"Content-Type: image/png\r\n\r\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("bodies")
    port = free_port()
    proc = start_server(
        data,
        port,
        PIXELSMITH_BODY_READ_TIMEOUT_S=str(TIMEOUT_S),
        PIXELSMITH_LOG_FORMAT="text",
        PIXELSMITH_LOG_LEVEL="INFO",
        PIXELSMITH_WORKERS="1",
    )
    try:
        yield port, Path(data) / f"server-{port}.log"
    finally:
        proc.terminate()
        proc.wait(15)


def connect(port: int, timeout: float = 30) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length body (what the middleware sends)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        body += chunk
    return int(status_line.split()[1]), headers, body


def assert_closed(sock: socket.socket) -> None:
    """The server closes the connection after the response (recv sees EOF or a reset)."""
    try:
        assert sock.recv(1) == b""
    except ConnectionResetError:
        pass


def test_a_stalled_body_gets_408_within_the_timeout_and_the_connection_closes(server):
    port, _ = server
    with connect(port) as sock:
        sock.sendall(
            b"POST /api/v1/images HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=xx\r\n"
            b"Content-Length: 100000\r\n\r\n" + MULTIPART_HEAD + b"\x89PNG" + b"x" * 1000
        )
        sent = time.monotonic()
        status, headers, body = read_response(sock)  # blocks until the server answers
        waited = time.monotonic() - sent
        assert status == 408
        error = json.loads(body)["error"]
        assert error["code"] == "request_timeout"
        assert error["details"] == {"timeout_s": TIMEOUT_S}
        assert headers["connection"] == "close"
        assert TIMEOUT_S - 0.5 <= waited <= TIMEOUT_S + 5, waited
        assert_closed(sock)


def test_a_body_that_never_starts_gets_408_too(server):
    port, _ = server
    with connect(port) as sock:
        sock.sendall(
            b"POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 50\r\n\r\n"
        )
        sent = time.monotonic()
        status, _, body = read_response(sock)
        assert status == 408
        assert json.loads(body)["error"]["code"] == "request_timeout"
        assert time.monotonic() - sent <= TIMEOUT_S + 5


def test_a_30_mb_chunked_body_gets_413_not_400(server):
    port, _ = server
    sock = connect(port)
    sock.sendall(
        b"POST /api/v1/images HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n"
        b"Content-Type: multipart/form-data; boundary=xx\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n" % len(MULTIPART_HEAD)
        + MULTIPART_HEAD
        + b"\r\n"
    )
    chunk = b"\x89PNG" + b"x" * (64 * 1024 - 4)
    framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    total = 30 * 1024 * 1024
    sent_bytes = [0]

    def send_body() -> None:
        # From a thread, so the response is read while the body still streams (the server
        # answers, then closes mid-upload; further sends then fail, as they should).
        try:
            while sent_bytes[0] < total:
                sock.sendall(framed)
                sent_bytes[0] += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass

    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    try:
        status, headers, body = read_response(sock)
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)  # ends the sender's sendall at once
        except OSError:
            pass  # the server's close already ended the connection
        sock.close()
        sender.join(30)
    assert status == 413
    error = json.loads(body)["error"]
    assert error["code"] == "payload_too_large"
    assert headers["connection"] == "close"
    # Refused once past the limit (25 MiB + 1 MiB of framing), before the 30 MB were taken.
    assert error["details"]["max_bytes"] == 26 * 1024 * 1024


def test_a_huge_header_is_refused(server):
    port, _ = server
    with connect(port) as sock:
        try:
            sock.sendall(
                b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + b"a" * (1024 * 1024)
                + b"\r\n\r\n"
            )
            reply = sock.recv(200)
        except (BrokenPipeError, ConnectionResetError):
            reply = b""  # closed on us: refused as well
    assert not reply.startswith(b"HTTP/1.1 200"), reply
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400"), reply


def test_normal_requests_still_work_on_a_keep_alive_connection(server):
    port, _ = server
    with connect(port) as sock:
        for _ in range(2):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            status, headers, _ = read_response(sock)
            assert status == 200
            assert "server" not in headers  # no uvicorn banner


UPGRADE = (
    b"GET /api/v1/posture/stream HTTP/1.1\r\n"
    b"Host: 127.0.0.1\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)


def test_clients_dropping_during_the_websocket_handshake_log_no_error(server):
    port, log_path = server
    start = log_path.stat().st_size
    full_drops = 10
    for i in range(20):
        with connect(port) as sock:
            if i % 2 == 0:
                sock.sendall(UPGRADE)  # the whole handshake request, then gone
            else:
                sock.sendall(UPGRADE[: len(UPGRADE) // 2])  # half the headers, then gone

    def new_log() -> str:
        text = log_path.read_bytes()[start:].decode("utf-8", "replace")
        # Without MediaPipe's own C++ warnings (W0000 …), which are not ours to judge.
        return "\n".join(line for line in text.splitlines() if not line.startswith("W0000"))

    def streams_open() -> float:
        with connect(port) as sock:
            sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            _, _, body = read_response(sock)
        line = next(x for x in body.decode().splitlines() if x.startswith("pixelsmith_posture_"))
        return float(line.split()[-1])

    # Done when uvicorn has accepted each complete handshake and every posture handler has
    # ended (its open-stream gauge is back to 0); the pose model loads on the first one.
    deadline = time.monotonic() + 90
    while new_log().count('"WebSocket /api/v1/posture/stream" [accepted]') < full_drops or (
        streams_open() > 0
    ):
        assert time.monotonic() < deadline, new_log()[-3000:]
        time.sleep(0.1)
    text = new_log()
    assert "Traceback" not in text, text[-3000:]
    errors = [line for line in text.splitlines() if line.startswith(("ERROR", "CRITICAL"))]
    assert not errors, text[-3000:]


def test_a_websocket_from_a_foreign_origin_is_refused_before_it_opens(server):
    port, _ = server
    with connect(port) as sock:
        sock.sendall(UPGRADE.replace(b"\r\n\r\n", b"\r\nOrigin: https://evil.example\r\n\r\n"))
        status, headers, body = read_response(sock)
    assert status == 403
    assert "upgrade" not in headers
    assert json.loads(body)["error"]["code"] == "cross_origin"


def test_a_foreign_host_name_is_refused_by_the_real_server(server):
    port, _ = server
    with connect(port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: rebound.evil.example\r\n\r\n")
        status, _, body = read_response(sock)
    assert status == 400
    assert json.loads(body)["error"]["code"] == "invalid_host"
