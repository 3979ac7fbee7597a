"""Every error leaves the API as {"error": {"code", "message", "details"}} with a 4xx/5xx status.

Error bodies often echo the input (a field name, a bad value), and input can be hostile: a lone
UTF-16 surrogate from a JSON "\\ud800" escape, nesting thousands deep, a number with thousands
of digits. `ErrorResponse` makes any body encodable, so answering an error never fails itself.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pixelsmith.core.errors import ApiError

log = logging.getLogger("pixelsmith.http")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
}
MAX_BODY_DEPTH = 16  # deeper parts of an echoed input are cut: no one reads them in an error
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_AN_UPLOAD = re.compile(r"Expected UploadFile, received")
_SEND_UTF8 = "Send valid UTF-8 (a JSON escape such as \\ud800 needs its pair, e.g. \\ud83d\\ude00)."


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def encodable(value: Any, depth: int = 0) -> Any:
    """A copy of `value` that JSON + UTF-8 always encode: lone surrogates become U+FFFD,
    nesting past MAX_BODY_DEPTH becomes "…", NaN/inf and huge ints become text, and anything
    that is not JSON becomes its str."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, int):
        # str() of an int past 4300 digits raises; 256 bits is plenty for any real field
        return value if value.bit_length() <= 256 else f"(a number of {value.bit_length()} bits)"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= MAX_BODY_DEPTH:
        return "…"
    if isinstance(value, dict):
        return {encodable(str(k)): encodable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [encodable(v, depth + 1) for v in value]
    return encodable(str(value))


class ErrorResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return super().render(encodable(content))


def _field(loc: list) -> str:
    """The field a validation error is about: `file` for ("body", "file"), `files` for
    ("body", "files", 0)."""
    names = [str(p) for p in loc[1:] if isinstance(p, str)] or [str(p) for p in loc]
    return names[-1] if names else "body"


def _validation_errors(exc: RequestValidationError) -> tuple[list[dict], str | None]:
    """The errors as {loc, msg, type}, and a plain top message when every error has one.

    Two of pydantic's messages say nothing to a user and are replaced: a text field sent where
    a file upload belongs ("Expected UploadFile, received: <class 'str'>") and a str holding
    a lone surrogate ("unable to parse raw data as a unicode string").
    """
    errors = []
    plain: list[str] = []
    for e in exc.errors():
        loc = list(e.get("loc", ()))
        msg, kind = str(e.get("msg", "")), str(e.get("type", ""))
        if _NOT_AN_UPLOAD.search(msg):
            msg = (
                f"'{_field(loc)}' must be a file upload (multipart/form-data with a filename), "
                "not a text field."
            )
            kind = "file_expected"
            plain.append(msg)
        elif kind == "string_unicode":
            msg = f"'{_field(loc)}' holds a lone UTF-16 surrogate, which is not text. {_SEND_UTF8}"
            plain.append(msg)
        errors.append({"loc": loc, "msg": msg, "type": kind})
    return errors, " ".join(dict.fromkeys(plain)) if len(plain) == len(errors) else None


def _bad_text(exc: BaseException) -> UnicodeEncodeError | None:
    """The UnicodeEncodeError behind exc when it is about a lone surrogate (which only input
    text can carry), else None."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, UnicodeEncodeError) and "surrogate" in str(cur.reason):
            return cur
        orig = getattr(cur, "orig", None)  # SQLAlchemy wraps the driver's error
        cur = orig if isinstance(orig, BaseException) else (cur.__cause__ or cur.__context__)
    return None


_BAD_TEXT_MESSAGE = (
    "The request holds a lone UTF-16 surrogate (such as the JSON escape \\ud800 on its own), "
    "which is not text and cannot be stored. Send valid UTF-8 text."
)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return ErrorResponse(exc.body(), status_code=exc.status_code, headers=exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors, plain = _validation_errors(exc)
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors[:5])
        message = plain or f"The request is not valid: check {fields or 'the body'}."
        return ErrorResponse(
            error_body("invalid_request", message, {"errors": errors}), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return ErrorResponse(
            error_body(code, message), status_code=exc.status_code, headers=exc.headers
        )

    # Lone surrogates that got past a route's own checks fail where text is encoded: in the
    # database driver (wrapped by SQLAlchemy) or when the response is rendered. Both are the
    # input's fault, so they answer 422, not 500. Anything else re-raises to `_unhandled`.
    @app.exception_handler(UnicodeEncodeError)
    @app.exception_handler(StatementError)
    async def _encoding(request: Request, exc: Exception) -> JSONResponse:
        if _bad_text(exc) is None:
            raise exc
        log.warning("lone surrogate in input", extra={"path": request.url.path})
        return ErrorResponse(error_body("invalid_text", _BAD_TEXT_MESSAGE), status_code=422)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return ErrorResponse(
            error_body(
                "internal_error",
                "Something went wrong on the server. It has been logged; try again, and report "
                "it if it keeps happening.",
            ),
            status_code=500,
        )
