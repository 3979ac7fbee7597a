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

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


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
