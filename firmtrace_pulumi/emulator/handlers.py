"""Exception handlers: every error leaves as ``{"error", "user_message"[, "field"]}``.

FastAPI's 422 request-validation errors become 400 ``validation_error`` naming the field.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from firmtrace_pulumi.contract import ErrorCode

from .problems import ApiError, default_code, error_response, pydantic_message

__all__ = ["install", "logger"]

logger = logging.getLogger("firmtrace_pulumi.emulator")

_LOCATIONS = ("body", "query", "header", "path", "cookie")


def _field(loc: Sequence[Any]) -> str:
    """The offending field of a pydantic error location, e.g. ``("body", "email")``."""
    names = [str(part) for part in loc if isinstance(part, str) and part not in _LOCATIONS]
    if names:
        return names[0]
    return str(loc[0]) if loc else "body"


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {}
    field = _field(first.get("loc", ()))
    return error_response(400, ErrorCode.VALIDATION, pydantic_message(first, field), field=field)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404:
        message = f"No such endpoint: {request.method} {request.url.path}."
        return error_response(404, ErrorCode.NOT_FOUND, message, headers=headers)
    if status == 405:
        message = f"{request.method} is not allowed on {request.url.path}."
        return error_response(405, "method_not_allowed", message, headers=headers)
    field = "body" if status == 400 else None  # e.g. "There was an error parsing the body"
    return error_response(
        status, default_code(status), f"{exc.detail}.", field=field, headers=headers
    )


async def _unicode(request: Request, exc: Exception) -> Response:
    return error_response(
        400, ErrorCode.VALIDATION, "A value is not valid UTF-8 text.", field="body"
    )


async def _internal(request: Request, exc: Exception) -> Response:
    logger.error("unhandled %s in %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(500, ErrorCode.INTERNAL, "Internal error in the emulator.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(UnicodeError, _unicode)
    app.add_exception_handler(Exception, _internal)
