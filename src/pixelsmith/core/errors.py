"""One JSON error model for the whole API: {"error": {"code", "message", "details"}}.

Code raises ApiError (or a subclass); the web layer turns it into that body with its status.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.details = details or {}
        self.headers = headers or {}

    def __reduce__(self):  # noqa: ANN204
        # Raised in a worker process and re-raised by the API: keep code, status and details
        # (Exception pickles only its args, the message).
        return _rebuild, (
            type(self),
            self.message,
            self.code,
            self.status_code,
            self.details,
            self.headers,
        )

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def _rebuild(cls, message, code, status_code, details, headers):  # noqa: ANN001, ANN202
    err = cls.__new__(cls)
    ApiError.__init__(
        err, message, code=code, status_code=status_code, details=details, headers=headers
    )
    return err


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class Conflict(ApiError):
    status_code = 409
    code = "conflict"


class InvalidImage(ApiError):
    """An upload that is not an acceptable image. `code` says why (empty, truncated, bomb, …)."""

    status_code = 422
    code = "invalid_image"


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "payload_too_large"


class QueueFull(ApiError):
    status_code = 429
    code = "queue_full"


class ModelUnavailable(ApiError):
    status_code = 503
    code = "model_unavailable"


class BrokerUnavailable(ApiError):
    """Distributed mode: the job broker (Redis/RabbitMQ) did not take the job."""

    status_code = 503
    code = "broker_unavailable"


class InvalidText(ApiError):
    """Input the server cannot store or send back: a lone UTF-16 surrogate (`invalid_text`) or
    JSON nested too deep (`nested_too_deep`)."""

    status_code = 422
    code = "invalid_text"


MAX_JSON_DEPTH = 32  # params of every kind are flat or nearly so; deeper is an attack or a bug


def check_json_input(value: Any, field: str = "", *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise InvalidText for a lone surrogate in any string (keys too) or nesting past max_depth.

    JSON escapes such as "\\ud800" decode to a str that no UTF-8 encoder (the database, the
    response) accepts, so such text is refused at the door with a message, not a 500 later.
    `field` names `value` in messages ("params" gives "params.prompt"; "" is the whole body).
    Iterative, so deep input cannot exhaust the stack here.
    """
    stack: list[tuple[Any, str, int]] = [(value, field, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, where)
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise InvalidText(
                    f"{_name(where)} is nested more than {max_depth} levels deep; send a "
                    "flatter value.",
                    code="nested_too_deep",
                    details={"field": where, "max_depth": max_depth},
                )
            if isinstance(item, list):
                stack.extend((sub, f"{where}[{i}]", depth + 1) for i, sub in enumerate(item))
                continue
            for key, sub in item.items():
                key = str(key)
                _check_text(key, where, key=True)
                stack.append((sub, f"{where}.{key[:40]}" if where else key[:40], depth + 1))


def _check_text(text: str, where: str, *, key: bool = False) -> None:
    if (pos := lone_surrogate_at(text)) is not None:
        what = f"A key in {_name(where).lower()}" if key else _name(where)
        raise InvalidText(
            f"{what} holds a lone UTF-16 surrogate (U+{ord(text[pos]):04X}), which is not text. "
            "Send valid UTF-8; in JSON, write a character outside the basic plane as UTF-8 or "
            "as a surrogate pair (e.g. \\ud83d\\ude00).",
            details={"field": where, "position": pos},
        )


def _name(where: str) -> str:
    if not where:
        return "The body"
    return f"'{where[:60]}…'" if len(where) > 60 else f"'{where}'"


def lone_surrogate_at(text: str) -> int | None:
    """Index of the first lone surrogate (U+D800–U+DFFF) in text, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None
