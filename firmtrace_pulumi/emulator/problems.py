"""The error answers of the API: ``{"error": code, "user_message": text}`` (+ ``field``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from firmtrace_pulumi.contract import ErrorCode

from .wire import ErrorBody

__all__ = [
    "ApiError",
    "default_code",
    "error_response",
    "forbidden",
    "invalid_credential",
    "missing_credential",
    "not_found",
    "pydantic_message",
    "validation_error",
]

_DEFAULT_CODES = {
    400: ErrorCode.VALIDATION,
    401: ErrorCode.INVALID_CREDENTIAL,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.DOMAIN_REGISTERED,
    429: ErrorCode.RATE_LIMITED,
    500: ErrorCode.INTERNAL,
}


class ApiError(Exception):
    """Raised by a route to answer with an error body."""

    def __init__(
        self,
        status: int,
        code: ErrorCode | str,
        user_message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {user_message}")
        self.status = status
        self.code = code.value if isinstance(code, ErrorCode) else code
        self.user_message = user_message
        self.field = field
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        return error_response(
            self.status, self.code, self.user_message, field=self.field, headers=self.headers
        )


def default_code(status: int) -> str:
    """The error code the emulator uses for a bare status (injected faults, framework errors)."""
    if status in _DEFAULT_CODES:
        return _DEFAULT_CODES[status].value
    return ErrorCode.UNAVAILABLE.value if status >= 500 else ErrorCode.VALIDATION.value


def error_response(
    status: int,
    code: ErrorCode | str,
    user_message: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    error = code.value if isinstance(code, ErrorCode) else code
    body = ErrorBody(error=error, user_message=user_message, field=field)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def pydantic_message(error: Mapping[str, Any], field: str) -> str:
    """One sentence for one pydantic error (an item of ``errors()``) about ``field``."""
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return f"Unknown field '{field}'."
    if kind == "missing":
        return f"'{field}' is required."
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"'{field}': {message}."


def validation_error(field: str, user_message: str) -> ApiError:
    return ApiError(400, ErrorCode.VALIDATION, user_message, field=field)


def not_found(what: str) -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND, f"No such {what}.")


def forbidden(user_message: str) -> ApiError:
    return ApiError(403, ErrorCode.FORBIDDEN, user_message)


_UNKNOWN_CREDENTIAL = (
    "The credential is unknown, revoked, ended or rotated. Sign in again or use a live key."
)
_NO_CREDENTIAL = "This call needs a credential: send 'Authorization: Bearer <token or API key>'."
_NOT_BEARER = "The Authorization header must read 'Bearer <token or API key>'."


def invalid_credential() -> ApiError:
    """401 for a well-formed credential the emulator does not (or no longer) accept."""
    return ApiError(401, ErrorCode.INVALID_CREDENTIAL, _UNKNOWN_CREDENTIAL)


def missing_credential(authorization: str | None) -> ApiError:
    """401 for a request without a usable ``Authorization: Bearer`` header (``authorization``
    as sent, ``None`` if absent)."""
    message = _NOT_BEARER if authorization and authorization.strip() else _NO_CREDENTIAL
    return ApiError(401, ErrorCode.INVALID_CREDENTIAL, message)
