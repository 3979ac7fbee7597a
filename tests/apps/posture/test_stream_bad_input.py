"""Bad input on the live stream, against a real `pixelsmith serve` over a real socket.

Garbage frames, huge frames (bytes and pixels), text where binary belongs (and the reverse),
unknown messages, abrupt disconnects: the stream answers with an error message or closes with
a proper code, and the server stays healthy.
"""

from __future__ import annotations

import io
import json
import socket
import time

import frames
import httpx
import numpy as np
import pytest
from PIL import Image
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from live_server import free_port, start_server

UPRIGHT = frames.jpeg(frames.upright())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("posture-bad-input")
    port = free_port()
    proc = start_server(data_dir, port, PIXELSMITH_LOG_FORMAT="text")
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, data_dir
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def uid(server):
    base, _ = server
    r = httpx.get(f"{base}/posture")
    return r.cookies["pixelsmith_uid"]


def open_stream(server, uid):
    base, _ = server
    ws = connect(
        base.replace("http", "ws") + "/api/v1/posture/stream",
        additional_headers={"Cookie": f"pixelsmith_uid={uid}"},
        max_size=None,
        open_timeout=30,
    )
    ready = json.loads(ws.recv(timeout=30))
    assert ready["type"] == "ready"
    return ws


def next_of(ws, kind: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        msg = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
        if msg["type"] == kind:
            return msg


def assert_healthy(server, uid) -> None:
    base, _ = server
    assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    with open_stream(server, uid) as ws:  # and a fresh stream still works
        ws.send(UPRIGHT)
        state = next_of(ws, "state")
        assert state["person"] is True


def jpeg_of_size(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (120, 120, 120)).save(buf, "JPEG", quality=10)
    return buf.getvalue()


def test_garbage_frames_get_an_error_and_the_stream_goes_on(server, uid):
    with open_stream(server, uid) as ws:
        for junk in (b"", b"not a jpeg at all", b"\xff\xd8\xff" + b"\x00" * 500, UPRIGHT[:2000]):
            ws.send(junk)
            err = next_of(ws, "error")
            assert err["error"]["code"] == "bad_frame", err
            assert "message" in err["error"]
        ws.send(UPRIGHT)
        assert next_of(ws, "state")["person"] is True


def test_png_frames_are_refused_clearly(server, uid):
    buf = io.BytesIO()
    Image.fromarray(frames.upright()).save(buf, "PNG")
    with open_stream(server, uid) as ws:
        ws.send(buf.getvalue())
        assert next_of(ws, "error")["error"]["code"] == "bad_frame"


def test_huge_dimensions_are_refused_before_decoding(server, uid):
    with open_stream(server, uid) as ws:
        bomb = jpeg_of_size(8000, 6000)  # small in bytes, 48 Mpx if decoded
        assert len(bomb) < 1024 * 1024
        t0 = time.monotonic()
        ws.send(bomb)
        err = next_of(ws, "error")
        assert err["error"]["code"] == "frame_too_large"
        assert err["error"]["details"] == {"width": 8000, "height": 6000}
        assert time.monotonic() - t0 < 2
        ws.send(UPRIGHT)
        assert next_of(ws, "state")["person"] is True
    assert_healthy(server, uid)


def test_a_frame_over_the_byte_limit_closes_with_1009(server, uid):
    noise = np.random.default_rng(0).integers(0, 255, (800, 1000, 3), dtype=np.uint8)
    big = frames.jpeg(noise, quality=98)
    assert 1024 * 1024 < len(big) < 2 * 1024 * 1024
    with open_stream(server, uid) as ws:
        ws.send(big)
        err = next_of(ws, "error")
        assert err["error"]["code"] == "frame_too_large"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
        assert ws.close_code == 1009
    assert_healthy(server, uid)


def test_a_message_over_the_server_limit_closes_with_1009(server, uid):
    with open_stream(server, uid) as ws:
        ws.send(b"\xff\xd8\xff" + b"\x00" * (3 * 1024 * 1024))  # over uvicorn's ws_max_size
        with pytest.raises(ConnectionClosed):
            while True:
                ws.recv(timeout=10)
        assert ws.close_code == 1009
    assert_healthy(server, uid)


def test_text_where_frames_belong_and_unknown_messages(server, uid):
    with open_stream(server, uid) as ws:
        ws.send("this is not JSON")
        assert next_of(ws, "error")["error"]["code"] == "bad_message"
        ws.send("[1, 2, 3]")
        assert next_of(ws, "error")["error"]["code"] == "bad_message"
        ws.send(json.dumps({"type": "explode"}))
        err = next_of(ws, "error")["error"]
        assert err["code"] == "unknown_message" and "pause" in err["details"]["known"]
        for bad in ({"type": "calibrate", "seconds": 0}, {"type": "config", "alert_after_s": "x"}):
            ws.send(json.dumps(bad))
            assert next_of(ws, "error")["error"]["code"] == "invalid_config"
        ws.send(json.dumps({"type": "config", "alert_after_s": True}))
        assert next_of(ws, "error")["error"]["code"] == "invalid_config"
        # A base64 "frame" in a text message (what the old service sent) is not a frame.
        ws.send(json.dumps({"type": "frame", "image": "data:image/jpeg;base64,/9j/4AAQ"}))
        assert next_of(ws, "error")["error"]["code"] == "unknown_message"
        ws.send(UPRIGHT)
        assert next_of(ws, "state")["person"] is True


def test_many_garbage_frames_in_a_row_close_with_1003(server, uid):
    with open_stream(server, uid) as ws:
        with pytest.raises(ConnectionClosed):
            for _ in range(200):
                ws.send(b"garbage" * 10)
                time.sleep(0.01)
            while True:
                ws.recv(timeout=10)
        assert ws.close_code == 1003
    assert_healthy(server, uid)


def test_abrupt_disconnects_leave_the_server_healthy_and_sessions_finished(server, uid):
    base, data_dir = server
    for _ in range(3):
        ws = open_stream(server, uid)
        for _ in range(8):
            ws.send(UPRIGHT)
        time.sleep(0.2)
        ws.socket.shutdown(socket.SHUT_RDWR)  # no close frame: the network just went away
        ws.socket.close()
    # A handshake that never finishes, too.
    raw = socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    raw.sendall(b"GET /api/v1/posture/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
    raw.close()
    assert_healthy(server, uid)
    deadline = time.monotonic() + 15
    while True:
        sessions = httpx.get(
            f"{base}/api/v1/posture/sessions", cookies={"pixelsmith_uid": uid}
        ).json()
        cut = [s for s in sessions if s["frames"] >= 1]
        if (cut and all(s["ended_at"] for s in sessions)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert all(s["ended_at"] for s in sessions), sessions
    log = "\n".join(p.read_text(errors="replace") for p in data_dir.glob("server-*.log"))
    assert "Traceback" not in log, log[-3000:]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,  # deeper than json.loads can recurse (RecursionError)
        '{"type": "ping", "t": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"type": "ping", "t": ' + "[" * 500 + "]" * 500 + "}",  # parses, but no token
    ],
    ids=["deep-array", "ping-t-5000-deep", "ping-t-500-deep"],
)
def test_deeply_nested_text_is_a_bad_message_and_the_stream_stays_open(server, uid, text):
    with open_stream(server, uid) as ws:
        ws.send(text)
        err = next_of(ws, "error")["error"]
        assert err["code"] == "bad_message", err
        ws.send(json.dumps({"type": "ping", "t": 12.5}))
        assert next_of(ws, "pong")["t"] == 12.5
        ws.send(UPRIGHT)
        assert next_of(ws, "state")["person"] is True
    log = "\n".join(p.read_text(errors="replace") for p in server[1].glob("server-*.log"))
    assert "RecursionError" not in log, log[-3000:]
