"""Errors, sorted into the buckets of the Firmtrace docs page.

    FirmtraceError
    ├── CredentialsError        401: wrong or dead credential. Stop; retrying does not help.
    ├── RejectedError           403: trial rejected, role too low, key used outside its Account.
    ├── TransientError          429, 5xx, network: raised only once retries are exhausted.
    │   └── UncertainWriteError a create whose request may have reached the server.
    ├── RequestError            the request itself was wrong for the current state.
    │   ├── ValidationError     400
    │   ├── NotFoundError       404
    │   └── ConflictError       409
    └── ConfigurationError      local setup (credentials, base URL); no request was sent.

Every error carries the HTTP ``status``, the API's ``code`` and ``user_message`` when there was an
answer. ``str(error)`` is what a person reads: what happened, then what to do next. No message
ever contains a credential: API text is redacted before it is stored here.
"""

from __future__ import annotations


class FirmtraceError(Exception):
    """Base class of every error this package raises."""

    hint: str = ""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        user_message: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.code = code
        self.user_message = user_message
        if hint is not None:
            self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [self.message]
        if self.user_message and self.user_message not in self.message:
            parts.append(f"Firmtrace says: {self.user_message}")
        if self.hint:
            parts.append(self.hint)
        return " ".join(_sentence(p) for p in parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r})"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ":")) else text + "."


class CredentialsError(FirmtraceError):
    hint = (
        "Check firmtrace:token / firmtrace:apiKey (or FIRMTRACE_TOKEN / FIRMTRACE_API_KEY); "
        "a password change rotates the token and an ended or deleted API key stops working."
    )


class RejectedError(FirmtraceError):
    hint = "The credential is valid but not allowed to do this; retrying does not help."


class TransientError(FirmtraceError):
    hint = "The Firmtrace API is busy or unreachable; run the command again later."


class UncertainWriteError(TransientError):
    """A create that may or may not have happened on the server.

    The request was sent but no answer arrived (timeout, dropped connection, 500). Repeating it
    could create a second Account or key, so the client never does. The caller must look for the
    object by a unique attribute (an API key's name, an Account's name and url) before trying again.
    """

    hint = "The request may have been carried out; look for it before creating it again."


class RequestError(FirmtraceError):
    """The API refused the request as it stands (400, 404, 409)."""


class ValidationError(RequestError):
    def __init__(self, message: str, *, field: str | None = None, **kwargs: object) -> None:
        self.field = field
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class NotFoundError(RequestError):
    pass


class ConflictError(RequestError):
    pass


class ConfigurationError(FirmtraceError):
    """Local configuration is missing or unsafe; nothing was sent."""
