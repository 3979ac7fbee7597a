"""Structured logs: one JSON object per line on stderr (or plain text for humans).

Extra fields passed with `log.info("msg", extra={...})` become JSON keys. Never log image bytes.
A client that hangs up (mid-handshake, mid-stream) is logged at info without a traceback:
see `ClientGoneFilter`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = (
                    value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
                )
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def _client_gone_types() -> tuple[type[BaseException], ...]:
    from starlette.requests import ClientDisconnect
    from starlette.websockets import WebSocketDisconnect
    from uvicorn.protocols.utils import ClientDisconnected
    from websockets.exceptions import ConnectionClosed

    return (ClientDisconnect, WebSocketDisconnect, ClientDisconnected, ConnectionClosed)


class ClientGoneFilter(logging.Filter):
    """Turns an error logged because the client went away into one info line, no traceback.

    A browser closing a tab during a WebSocket handshake is routine, yet a handler's
    `log.exception(...)` around `send` logged it as an error with a full traceback (149 of
    them in one run). Only when the logged exception itself is the disconnect: another error
    raised while handling one still logs as an error, with its traceback.
    """

    def __init__(self) -> None:
        super().__init__()
        self.gone = _client_gone_types()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or not record.exc_info or not record.exc_info[1]:
            return True
        if not self._only_client_gone(record.exc_info[1]):
            return True
        record.msg, record.args = f"{record.getMessage()} (the client disconnected)", None
        record.levelno, record.levelname = logging.INFO, "INFO"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.client_disconnected = True
        return logging.getLogger().isEnabledFor(logging.INFO)

    def _only_client_gone(self, exc: BaseException) -> bool:
        """The logged exception itself is a disconnect (or a group of nothing else)."""
        if isinstance(exc, BaseExceptionGroup):
            return all(self._only_client_gone(inner) for inner in exc.exceptions)
        return isinstance(exc, self.gone)


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    handler.addFilter(ClientGoneFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Uvicorn's own access log would duplicate ours (pixelsmith.http).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
