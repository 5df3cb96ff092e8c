"""Errors, sorted into the buckets of the Firmtrace docs page.

    FirmtraceError
    ├── CredentialsError          401: wrong or dead credential. Stop; retrying does not help.
    ├── RejectedError             403: trial rejected, role too low, key used outside its Account.
    ├── TransientError            429, 5xx, network: raised only once retries are exhausted.
    │   ├── UncertainWriteError   a create whose request may have reached the server.
    │   └── CreateNotConfirmedError  every attempt of a create went unanswered; none was kept.
    ├── RequestError              the request itself was wrong for the current state.
    │   ├── ValidationError       400: a value the API refused.
    │   ├── NotFoundError         404: the Account or key does not exist (any more).
    │   └── ConflictError         409: the request clashes with what exists.
    ├── ContractError             an answer this client cannot read: the API may have changed.
    ├── ConfigurationError        local setup (credentials, base URL); no request was sent.
    ├── RefusedError              the provider will not do it; no request was sent.
    │   ├── DeletionProtectedError    an Account whose deletion_protection is on.
    │   └── OwnCredentialError        deleting the API key the provider signs in with.
    ├── OrphanRiskError           a create may have left an object no state knows: look for it.
    └── MalformedIdError          a resource id this provider did not make.

Every error carries the HTTP ``status``, the API's ``code`` and ``user_message`` when there was an
answer. ``str(error)`` is what a person reads: what happened, then what to do next. No message
ever contains a credential: API text is redacted before it is stored here. ``error_map`` is the
one place that turns answers of the API into these errors.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "ConflictError",
    "ContractError",
    "CreateNotConfirmedError",
    "CredentialsError",
    "DeletionProtectedError",
    "FirmtraceError",
    "MalformedIdError",
    "NotFoundError",
    "OrphanRiskError",
    "OwnCredentialError",
    "RefusedError",
    "RejectedError",
    "RequestError",
    "TransientError",
    "UncertainWriteError",
    "ValidationError",
]


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
    """401: the credential is wrong, or no longer works. Retrying does not help."""

    hint = (
        "Check firmtrace:token / firmtrace:apiKey (or FIRMTRACE_TOKEN / FIRMTRACE_API_KEY); "
        "a password change rotates the token and an ended or deleted API key stops working."
    )


class RejectedError(FirmtraceError):
    """403: the credential is valid but not allowed to do this."""

    hint = "The credential is valid but not allowed to do this; retrying does not help."


class TransientError(FirmtraceError):
    """429, 5xx or a network failure, still there after every retry the policy allows."""

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
    """400: the API refused a value; ``field`` names it when the API said which."""

    def __init__(self, message: str, *, field: str | None = None, **kwargs: object) -> None:
        self.field = field
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class NotFoundError(RequestError):
    """404: the Account or key does not exist, or not for this credential."""


class ConflictError(RequestError):
    """409: the request clashes with what exists (a default Account, a registered domain)."""


class ContractError(FirmtraceError):
    """An answer that does not fit the contract (a body this client cannot read, a status it
    does not expect): the API may have changed."""


class ConfigurationError(FirmtraceError):
    """Local configuration is missing or unsafe; nothing was sent."""


class CreateNotConfirmedError(TransientError):
    """A create went unanswered on every attempt. Whatever those attempts made was found and
    removed, so nothing is left behind; running again is safe."""


class RefusedError(FirmtraceError):
    """The provider refuses an operation that would do harm; no request was sent."""


class DeletionProtectedError(RefusedError):
    """Deleting an Account whose ``deletion_protection`` is on."""


class OwnCredentialError(RefusedError):
    """Deleting the API key the provider itself signs in with."""


class OrphanRiskError(FirmtraceError):
    """A create may have left an Account or key that no state knows about, and the provider
    could not clean it up: the message says what to look for and delete."""


class MalformedIdError(FirmtraceError):
    """A resource id that is not of the form this provider gives its resources."""
