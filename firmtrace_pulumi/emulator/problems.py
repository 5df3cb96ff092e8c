"""The error answers of the API: ``{"error": code, "user_message": text}`` (+ ``field``)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from firmtrace_pulumi.contract import ErrorBody, ErrorCode

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


def validation_error(field: str, user_message: str) -> ApiError:
    return ApiError(400, ErrorCode.VALIDATION, user_message, field=field)


def not_found(what: str) -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND, f"No such {what}.")


def forbidden(user_message: str) -> ApiError:
    return ApiError(403, ErrorCode.FORBIDDEN, user_message)


def invalid_credential() -> ApiError:
    return ApiError(
        401,
        ErrorCode.INVALID_CREDENTIAL,
        "The credential is unknown, revoked, ended or rotated. Sign in again or use a live key.",
    )
