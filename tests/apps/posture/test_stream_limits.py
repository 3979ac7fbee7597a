"""Live posture streams are capped, and what a stream holds is given back when it ends, against a
real `pixelsmith serve` over real sockets (the server's own memory is measured)."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time

import frames
import httpx
import psutil
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from live_server import free_port, start_server

UPRIGHT = frames.jpeg(frames.upright())
CAP = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("posture-limits")
    port = free_port()
    proc = start_server(
        data_dir, port, PIXELSMITH_LOG_FORMAT="text", PIXELSMITH_POSTURE_MAX_STREAMS=str(CAP)
    )
    try:
        yield f"http://127.0.0.1:{port}", proc, data_dir
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def ws_url(base: str) -> str:
    return base.replace("http", "ws") + "/api/v1/posture/stream"


def open_ready(base: str):
    ws = connect(ws_url(base), max_size=None, open_timeout=30)
    msg = json.loads(ws.recv(timeout=30))
    assert msg["type"] == "ready", msg
    return ws


def state_of(ws) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        msg = json.loads(ws.recv(timeout=30))
        if msg["type"] == "state":
            return msg
    raise AssertionError("no state message within 30 s")


def open_streams(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    line = next(x for x in text.splitlines() if x.startswith("pixelsmith_posture_streams "))
    return float(line.split()[1])


def wait_for_open_streams(base: str, want: float, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    seen = open_streams(base)
    while seen != want and time.monotonic() < deadline:
        time.sleep(0.1)
        seen = open_streams(base)
    assert seen == want, f"{seen} streams still open, expected {want}"


def drop_mid_frame(port: int) -> None:
    """Handshake, announce a 50 kB binary frame, send 1 kB of it, and vanish (no close frame)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        (
            "GET /api/v1/posture/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = raw.recv(4096)
        assert chunk, "the server closed during the handshake"
        reply += chunk
    assert reply.startswith(b"HTTP/1.1 101"), reply[:200]
    mask = os.urandom(4)
    raw.sendall(bytes([0x82, 0x80 | 127]) + struct.pack(">Q", 50_000) + mask + b"\xff" * 1024)
    raw.close()


def test_one_stream_over_the_cap_gets_an_error_then_1013(server):
    base, _, _ = server
    held = [open_ready(base) for _ in range(CAP)]
    try:
        wait_for_open_streams(base, CAP)
        with connect(ws_url(base), max_size=None, open_timeout=30) as extra:
            msg = json.loads(extra.recv(timeout=30))
            assert msg["type"] == "error", msg
            assert msg["error"]["code"] == "too_many_streams"
            assert msg["error"]["details"] == {"max_streams": CAP}
            assert "Try again" in msg["error"]["message"]
            with pytest.raises(ConnectionClosed):
                extra.recv(timeout=10)
            assert extra.close_code == 1013
        for ws in held:  # the streams inside the cap are unaffected
            ws.send(UPRIGHT)
            assert state_of(ws)["person"] is True
    finally:
        for ws in held:
            ws.close()
    wait_for_open_streams(base, 0)
    with open_ready(base) as ws:  # a closed stream's slot is free again
        ws.send(UPRIGHT)
        assert state_of(ws)["person"] is True


def test_a_hundred_dropped_streams_release_their_trackers_and_memory(server):
    base, proc, data_dir = server
    port = int(base.rsplit(":", 1)[1])
    rss = psutil.Process(proc.pid).memory_info
    with open_ready(base) as ws:  # warm: the pose model and one tracker graph are loaded
        ws.send(UPRIGHT)
        state_of(ws)
    wait_for_open_streams(base, 0)
    before = rss().rss
    peak = before
    for i in range(100):
        if i % 2:
            drop_mid_frame(port)
        else:  # a stream that got going: frames processed, then the network went away
            ws = open_ready(base)
            ws.send(UPRIGHT)
            state_of(ws)
            ws.socket.shutdown(socket.SHUT_RDWR)
            ws.socket.close()
        peak = max(peak, rss().rss)
        # Streams end as fast as they come: never more than the cap open at once.
        wait_for_open_streams(base, 0)
    after = rss().rss
    mb = 1024 * 1024
    growth = (after - before) / mb
    # One tracker graph is 60-110 MB; a leak of one per stream would be 3-10 GB here.
    assert growth < 250, f"server RSS grew {growth:.0f} MB over 100 streams"
    assert (peak - before) / mb < 400, f"peak {peak / mb:.0f} MB vs {before / mb:.0f} MB before"
    assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    with open_ready(base) as ws:
        ws.send(UPRIGHT)
        assert state_of(ws)["person"] is True
    log = "\n".join(p.read_text(errors="replace") for p in data_dir.glob("server-*.log"))
    assert "Traceback" not in log, log[-3000:]
