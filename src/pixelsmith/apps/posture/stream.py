"""The live stream: one session per WebSocket connection.

`StreamSession` is the synchronous core (frame bytes → state message): it owns the
connection's MediaPipe pose tracker (created once, closed with the session: never a graph per
frame), the smoothing, the state machine and the calibration. `run_stream` is the asynchronous
edge: a receive loop that only sorts messages and drops frames into a `LatestFrame` slot, and a
processing loop that takes the newest frame when it is free. Frames that arrive while one is
being processed replace each other (latest wins), so a client sending faster than the server
can keep up costs one frame of memory, not a queue.

Frames live in memory only: they are never written to disk, the database or the logs.
The protocol is documented in docs/api.md ("Posture Coach").
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import numpy as np

from pixelsmith.core.cpu import run_stream_work
from pixelsmith.core.metrics import POSTURE_STREAMS

from .distance import DistanceMeter
from .features import Baseline, Features, assess, extract, make_baseline, overlay_points
from .state import STATES, Ema, PostureStateMachine, StateConfig

log = logging.getLogger("pixelsmith.posture")

PROTOCOL = 1
JPEG_MAGIC = b"\xff\xd8\xff"
MAX_FRAME_BYTES = 1024 * 1024  # a 640×480 JPEG is ~30–60 kB
MAX_FRAME_SIDE = 1920
MAX_FRAME_PIXELS = 1920 * 1080
PROCESS_MAX_SIDE = 640  # larger frames are downscaled before pose (MediaPipe works at 256²)
MAX_BAD_FRAMES = 25  # consecutive undecodable frames before the stream is closed (1003)
CALIBRATION_S = 20.0
CALIBRATION_RANGE = (2.0, 60.0)
ALERT_AFTER_RANGE = (1.0, 3600.0)
MIN_CALIBRATION_FRAMES = 5
FLUSH_EVERY_S = 15.0  # session totals are saved this often, and at the end
CONTROL_TYPES = ("pause", "resume", "calibrate", "cancel_calibration", "config", "ping")

# WebSocket close codes used by the stream.
CLOSE_NORMAL = 1000
CLOSE_UNSUPPORTED = 1003  # too many frames that are not JPEG images
CLOSE_TOO_BIG = 1009  # a message over MAX_FRAME_BYTES
CLOSE_UNAVAILABLE = 1011  # the pose model cannot be loaded
CLOSE_TRY_AGAIN = 1013  # every stream slot is taken
MAX_PING_TOKEN = 64  # characters of a ping's "t" echoed back


class StreamLimiter:
    """Counts open streams against a cap: each holds a pose graph (60-110 MB) and about a
    third of a core, so the cap keeps a machine's memory and frame rate for those it has."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0

    # Called on the event loop only, with no await inside: no lock needed.
    def acquire(self) -> bool:
        if self.open >= self.limit:
            return False
        self.open += 1
        POSTURE_STREAMS.set(self.open)
        return True

    def release(self) -> None:
        self.open = max(0, self.open - 1)
        POSTURE_STREAMS.set(self.open)


class FrameError(Exception):
    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


def error_message(code: str, message: str, details: dict[str, Any] | None = None) -> dict:
    return {"type": "error", "error": {"code": code, "message": message, "details": details or {}}}


def decode_frame(data: bytes) -> np.ndarray:
    """A JPEG frame → HxWx3 RGB uint8, checked before decoding: size, magic bytes, dimensions."""
    import cv2
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_FRAME_BYTES:
        raise FrameError(
            "frame_too_large",
            f"A frame is at most {MAX_FRAME_BYTES // 1024} kB.",
            {"bytes": len(data)},
        )
    if not data.startswith(JPEG_MAGIC):
        raise FrameError(
            "bad_frame", "A frame must be one JPEG image (binary message).", {"bytes": len(data)}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:  # header only: no pixels decoded yet
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise FrameError("bad_frame", "The frame is not a readable JPEG image.") from exc
    if max(width, height) > MAX_FRAME_SIDE or width * height > MAX_FRAME_PIXELS:
        raise FrameError(
            "frame_too_large",
            f"A frame is at most {MAX_FRAME_SIDE} px on a side; downscale it before sending "
            "(640×480 is plenty).",
            {"width": width, "height": height},
        )
    flags = cv2.IMREAD_COLOR
    if max(width, height) >= 4 * PROCESS_MAX_SIDE:
        flags = cv2.IMREAD_REDUCED_COLOR_4
    elif max(width, height) >= 2 * PROCESS_MAX_SIDE:
        flags = cv2.IMREAD_REDUCED_COLOR_2
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if bgr is None or bgr.ndim != 3 or bgr.shape[0] < 16 or bgr.shape[1] < 16:
        raise FrameError("bad_frame", "The frame is not a readable JPEG image.")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


# ---- the synchronous core ------------------------------------------------------------------------


@dataclass
class Calibration:
    seconds: float
    started: float
    samples: list[Features] = field(default_factory=list)
    frames_seen: int = 0

    def remaining(self, now: float) -> float:
        return max(self.seconds - (now - self.started), 0.0)


class StreamSession:
    """One live stream: frame bytes in, state messages out. Not thread-safe: one caller."""

    def __init__(
        self,
        tracker: Any,
        *,
        baseline: Baseline | None = None,
        config: StateConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        faces: Callable[[np.ndarray], list] | None = None,
    ) -> None:
        self.tracker = tracker
        self.distance = DistanceMeter(faces)  # faces: PersonModel.faces unless given
        self.baseline = baseline
        self.clock = clock
        self.machine = PostureStateMachine(config or StateConfig(), clock)
        self.ema = Ema(self.machine.config.smoothing_tau_s)
        self.calibration: Calibration | None = None
        self.frames = 0
        self.seq = 0
        self._view: str | None = None  # the view the smoothing has been following

    # ---- control --------------------------------------------------------------------------------
    def configure(self, *, alert_after_s: float | None = None) -> None:
        if alert_after_s is not None:
            c = self.machine.config
            self.machine.config = StateConfig(**{**c.__dict__, "alert_after_s": alert_after_s})

    def start_calibration(self, seconds: float = CALIBRATION_S) -> dict:
        self.calibration = Calibration(seconds=seconds, started=self.clock())
        return {"type": "calibration", "status": "started", "seconds": seconds}

    def cancel_calibration(self) -> dict:
        self.calibration = None
        return {"type": "calibration", "status": "canceled"}

    def pause(self) -> dict:
        self.machine.pause()
        self.calibration = None
        return {"type": "paused"}

    def resume(self) -> dict:
        self.machine.resume()
        self.ema.reset()
        self.distance.reset()
        self.tracker.reset()  # the next frame may show a moved person: detect afresh
        return {"type": "resumed"}

    def close(self) -> None:
        self.tracker.close()

    def summary(self) -> dict[str, Any]:
        return {
            "seconds": {s: round(self.machine.seconds[s], 2) for s in STATES},
            "alerts": self.machine.alerts,
            "frames": self.frames,
        }

    # ---- frames -------------------------------------------------------------------------------
    def process(self, frame_rgb: np.ndarray) -> list[dict]:
        """One decoded frame → the messages to send (a state, maybe an alert or calibration)."""
        started = time.perf_counter()
        now = self.clock()
        self.frames += 1
        self.seq += 1
        pose = self.tracker.process(frame_rgb)
        out: list[dict] = []
        # three_quarter=False: a head turned to another screen is no side view (see detect_view)
        features = extract(pose, three_quarter=False) if pose is not None else None
        if features is not None and features.visibility < 0.3:
            features = None  # a "person" this faint is a guess; treat as nobody
        if self.calibration is not None:
            out += self._calibrate(features, now)
        smoothed_features = None
        assessment = None
        if features is not None:
            numeric = {k: getattr(features, k) for k in Features.NUMERIC}
            if not self.ema.empty and self._view != features.view:
                self.ema.reset()  # a turn from front to side: smoothing across views is noise
            self._view = features.view
            smoothed = self.ema.update(numeric, now)
            smoothed_features = Features(
                view=features.view, visibility=features.visibility, **smoothed
            )  # type: ignore[arg-type]
            assessment = assess(smoothed_features, self.baseline)
        update = self.machine.update(assessment.score if assessment else None, now)
        message: dict[str, Any] = {
            "type": "state",
            "seq": self.seq,
            "state": update.state,
            "changed": update.changed,
            "person": features is not None,
            "score": round(assessment.score, 3) if assessment else None,
            "reasons": assessment.reasons if assessment else [],
            "deviations": assessment.to_dict()["deviations"] if assessment else {},
            "features": smoothed_features.to_dict() if smoothed_features else None,
            "landmarks": overlay_points(pose) if pose is not None else None,
            "screen_distance": self.distance.update(frame_rgb, now, features is not None),
            "frame": [int(frame_rgb.shape[1]), int(frame_rgb.shape[0])],
            "calibrated": self.baseline is not None,
            "bad_for_s": round(update.bad_for_s, 2),
            "alert_after_s": self.machine.config.alert_after_s,
            "totals": self.summary()["seconds"],
            "alerts": self.machine.alerts,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if self.calibration is not None:
            message["calibration"] = {
                "remaining_s": round(self.calibration.remaining(now), 1),
                "samples": len(self.calibration.samples),
            }
        out.insert(0, message)
        if update.alert:
            out.append(
                {
                    "type": "alert",
                    "bad_for_s": round(update.bad_for_s, 1),
                    "alerts": self.machine.alerts,
                    "reasons": assessment.reasons if assessment else [],
                }
            )
        return out

    def _calibrate(self, features: Features | None, now: float) -> list[dict]:
        cal = self.calibration
        assert cal is not None
        cal.frames_seen += 1
        if features is not None:
            cal.samples.append(features)
        if cal.remaining(now) > 0:
            return []
        self.calibration = None
        seen = max(cal.frames_seen, 1)
        if len(cal.samples) < MIN_CALIBRATION_FRAMES or len(cal.samples) / seen < 0.5:
            return [
                {
                    "type": "calibration",
                    "status": "failed",
                    "reason": "no_person",
                    "samples": len(cal.samples),
                    "frames": cal.frames_seen,
                }
            ]
        baseline = make_baseline(cal.samples)
        self.baseline = baseline
        self.machine.resume(now)  # judge afresh against the new baseline
        self.ema.reset()
        return [{"type": "calibration", "status": "done", "baseline": baseline.to_dict()}]


# ---- the asynchronous edge ----------------------------------------------------------------------


class LatestFrame:
    """A one-slot mailbox: `put` replaces an unprocessed frame (counted as dropped)."""

    def __init__(self) -> None:
        self._frame: bytes | None = None
        self._ready = asyncio.Event()
        self._closed = False
        self.received = 0
        self.dropped = 0

    def put(self, data: bytes) -> None:
        self.received += 1
        if self._frame is not None:
            self.dropped += 1
        self._frame = data
        self._ready.set()

    def clear(self) -> None:
        if self._frame is not None:
            self.dropped += 1
        self._frame = None

    @property
    def pending(self) -> int:
        """Bytes held (at most one frame)."""
        return len(self._frame) if self._frame is not None else 0

    async def get(self) -> bytes | None:
        while self._frame is None:
            if self._closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        frame, self._frame = self._frame, None
        return frame

    def close(self) -> None:
        self._closed = True
        self._ready.set()


@dataclass
class StreamHooks:
    """What the stream needs from outside: storage of numbers only (never frames)."""

    save_baseline: Callable[[Baseline], Awaitable[dict]]
    flush: Callable[[dict, bool], Awaitable[None]]  # (summary, final)


def _parse_control(text: str) -> dict:
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        raise FrameError(
            "bad_message",
            'Text messages must be JSON objects such as {"type": "pause"}; frames go as '
            "binary messages.",
        ) from None
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise FrameError("bad_message", 'A text message is a JSON object with a "type".')
    return msg


def _number(msg: dict, key: str, lo: float, hi: float, default: float | None) -> float | None:
    value = msg.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise FrameError(
            "invalid_config",
            f"{key} must be a number from {lo:g} to {hi:g}.",
            {"key": key, "min": lo, "max": hi},
        )
    return float(value)


def _ping_token(t: Any) -> float | str | None:
    """A ping's "t" is echoed as it came when it is a number or a short string."""
    if t is None or (isinstance(t, (int, float)) and not isinstance(t, bool)):
        return t
    if isinstance(t, str) and len(t) <= MAX_PING_TOKEN:
        return t
    raise FrameError(
        "bad_message",
        f'A ping\'s "t" is a number or a string of at most {MAX_PING_TOKEN} characters.',
    )


async def run_stream(websocket: Any, session: StreamSession, hooks: StreamHooks) -> None:
    """Serve one accepted WebSocket until it closes; the caller closes the session after."""
    from starlette.websockets import WebSocketDisconnect, WebSocketState

    send_lock = asyncio.Lock()
    # The session is used by one coroutine at a time: frames and control messages take turns.
    session_lock = asyncio.Lock()
    slot = LatestFrame()
    paused = False

    async def send(msg: dict) -> None:
        if websocket.application_state != WebSocketState.CONNECTED:
            return
        async with send_lock:
            await websocket.send_text(json.dumps(msg, separators=(",", ":")))

    async def process_loop() -> None:
        bad_in_a_row = 0
        last_flush = time.monotonic()
        while True:
            frame = await slot.get()
            if frame is None:
                return
            try:
                rgb = await run_stream_work(decode_frame, frame)
            except FrameError as exc:
                bad_in_a_row += 1
                await send(error_message(exc.code, exc.message, exc.details))
                if bad_in_a_row >= MAX_BAD_FRAMES:
                    reason = "too many frames that are not JPEG images"
                    await websocket.close(code=CLOSE_UNSUPPORTED, reason=reason)
                    return
                continue
            finally:
                del frame  # the bytes go out of scope here, never stored
            bad_in_a_row = 0
            if paused:
                continue
            try:
                async with session_lock:
                    messages = await run_stream_work(session.process, rgb)
            except Exception:  # a bug must not kill the stream; the frame itself is not logged
                log.exception("posture frame processing failed")
                await send(error_message("internal_error", "This frame could not be processed."))
                continue
            finally:
                del rgb
            for msg in messages:
                if msg["type"] == "state":
                    msg["dropped"] = slot.dropped
                if msg.get("type") == "calibration" and msg.get("status") == "done":
                    msg["baseline"] = await hooks.save_baseline(session.baseline)  # type: ignore[arg-type]
                await send(msg)
            if time.monotonic() - last_flush >= FLUSH_EVERY_S:
                last_flush = time.monotonic()
                await hooks.flush(session.summary() | {"dropped": slot.dropped}, False)

    def control(msg: dict, kind: str) -> dict | None:
        nonlocal paused
        if kind == "pause":
            paused = True
            slot.clear()
            return session.pause()
        if kind == "resume":
            paused = False
            return session.resume()
        if kind == "calibrate":
            seconds = _number(msg, "seconds", *CALIBRATION_RANGE, CALIBRATION_S)
            return session.start_calibration(seconds)  # type: ignore[arg-type]
        if kind == "cancel_calibration":
            return session.cancel_calibration()
        if kind == "config":
            session.configure(alert_after_s=_number(msg, "alert_after_s", *ALERT_AFTER_RANGE, None))
            return {"type": "config", "alert_after_s": session.machine.config.alert_after_s}
        if kind == "ping":
            return {"type": "pong", "t": _ping_token(msg.get("t"))}
        return None

    worker = asyncio.create_task(process_loop())
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            data, text = message.get("bytes"), message.get("text")
            if data is not None:
                if len(data) > MAX_FRAME_BYTES:
                    await send(
                        error_message(
                            "frame_too_large",
                            f"A frame is at most {MAX_FRAME_BYTES // 1024} kB; this one was "
                            f"{len(data) // 1024} kB. Downscale before sending.",
                            {"bytes": len(data), "max_bytes": MAX_FRAME_BYTES},
                        )
                    )
                    await websocket.close(code=CLOSE_TOO_BIG, reason="frame too large")
                    break
                if not paused:
                    slot.put(data)
                del data
                continue
            try:
                msg = _parse_control(text or "")
                kind = msg["type"]
                async with session_lock:
                    reply = control(msg, kind)
                if reply is None:
                    raise FrameError(
                        "unknown_message",
                        f"Unknown message type {str(kind)[:40]!r}.",
                        {"known": sorted(CONTROL_TYPES)},
                    )
                await send(reply)
            except FrameError as exc:
                await send(error_message(exc.code, exc.message, exc.details))
    except (WebSocketDisconnect, RuntimeError, asyncio.CancelledError):
        pass  # the client went away
    finally:
        slot.close()
        worker.cancel()
        # Shielded: when the server cancels the handler (shutdown, a test client leaving),
        # the session is still finished and saved.
        with anyio.CancelScope(shield=True):
            try:
                await worker
            except asyncio.CancelledError:
                pass
            except (WebSocketDisconnect, RuntimeError):
                pass  # sending to a client that had gone
            await hooks.flush(session.summary() | {"dropped": slot.dropped}, True)
