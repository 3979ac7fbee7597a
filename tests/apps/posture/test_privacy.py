"""Privacy: frames are processed in memory only. After a live session (frames upright,
drifted, garbage, too large), no frame bytes are on disk under the data dir, in any database
row, or in the logs: checked for the JPEG magic bytes and for slices of every frame sent."""

from __future__ import annotations

import base64
import logging
import sqlite3
import time

import frames
import pytest
from fastapi.testclient import TestClient

from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app

pytestmark = pytest.mark.filterwarnings("ignore:SymbolDatabase.GetPrototype:UserWarning")

JPEG_MAGIC = b"\xff\xd8\xff"


def fingerprints(frame: bytes) -> list[bytes]:
    """Slices from the start, middle and end of a frame's entropy-coded data."""
    n = len(frame)
    return [frame[i : i + 24] for i in (n // 4, n // 2, (3 * n) // 4, n - 40)]


def test_no_frame_bytes_reach_disk_db_or_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sent = [
        frames.jpeg(frames.upright()),
        frames.jpeg(frames.drifted(1.0)),
        frames.jpeg(frames.leaning(12)),
        b"\xff\xd8\xff" + bytes(range(256)) * 20,  # a broken "JPEG"
    ]
    data_dir = tmp_path / "data"
    with TestClient(create_app(Settings(data_dir=data_dir, workers=1), configure_logs=False)) as c:
        c.get("/posture")
        with c.websocket_connect("/api/v1/posture/stream") as ws:
            ws.receive_json()
            ws.send_text('{"type": "calibrate", "seconds": 2}')
            replies = [ws.receive_json()]
            for i in range(40):
                ws.send_bytes(sent[i % len(sent)])
                replies.append(ws.receive_json())
        # Let the server finish the session before looking.
        for _ in range(100):
            if c.get("/api/v1/posture/sessions").json()[0]["ended_at"]:
                break
            time.sleep(0.05)

    needles = [JPEG_MAGIC]
    for frame in sent:
        for piece in fingerprints(frame):
            needles += [piece, piece.hex().encode(), base64.b64encode(piece)[:24]]

    # 1. Nothing under the data dir holds frame bytes (the SQLite file, its WAL, blobs, logs).
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files, "the data dir should at least hold the database"
    for path in files:
        blob = path.read_bytes()
        for needle in needles:
            assert needle not in blob, f"frame bytes found in {path}"
    assert not [p for p in files if p.suffix.lower() in (".jpg", ".jpeg")]

    # 2. No row of any table holds them (read through SQL, not just the file bytes).
    db = sqlite3.connect(data_dir / "pixelsmith.db")
    dump = "\n".join(db.iterdump()).encode("utf-8", "surrogateescape")
    db.close()
    assert b"posture_sessions" in dump
    for needle in needles:
        assert needle not in dump

    # 3. Nor any log record, nor any message sent back.
    log_text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records).encode(
        "utf-8", "backslashreplace"
    )
    replies_text = repr(replies).encode()
    for frame in sent:
        for piece in fingerprints(frame):
            for text in (log_text, replies_text):
                assert piece.hex().encode() not in text
                assert repr(piece)[2:-1].encode() not in text
                assert base64.b64encode(piece)[:24] not in text
