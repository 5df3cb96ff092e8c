"""How an answer of the API (or the lack of one) becomes an error of ``errors``.

This is the one place that does it. The client hands over what it got: an error answer, a
transport failure, or a failure retried as long as the policy allows. It gets back the exception
to raise. ``CODES`` says, for every error code of the contract, which error it is and what to
tell the person reading it. ``STATUSES`` covers answers without a known code, and ``ON_ENDPOINT``
holds the few codes that mean something more precise on one endpoint.

Every text taken from an answer is passed through ``redact`` before it reaches an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from . import contract
from ._httpx import httpx
from .contract import Endpoint, Endpoints, ErrorCode
from .errors import (
    ConfigurationError,
    ConflictError,
    ContractError,
    CredentialsError,
    FirmtraceError,
    NotFoundError,
    RejectedError,
    RequestError,
    TransientError,
    UncertainWriteError,
    ValidationError,
)
from .retry import Verdict

__all__ = [
    "CODES",
    "ON_ENDPOINT",
    "STATUSES",
    "UNCERTAIN_HINTS",
    "Reading",
    "describe",
    "error_answer",
    "retries_exhausted",
    "sign_in_refused",
    "transport_failure",
    "unreadable_answer",
]

Redact = Callable[[str], str]


@dataclass(frozen=True)
class Reading:
    """How one kind of refusal is told: its error class, what went wrong, what to do.

    ``reason`` and ``hint`` may name ``{field}`` (the field the API refused) and ``{account}``
    (the Account the request was for).
    """

    error: type[FirmtraceError]
    reason: str
    hint: str


_NOT_FOUND = Reading(
    NotFoundError,
    "it does not exist (any more)",
    "It may have been deleted outside this program; refresh and re-create it.",
)
_RATE_LIMITED = Reading(TransientError, "the API limits the request rate", TransientError.hint)

CODES: Final[Mapping[ErrorCode, Reading]] = {
    ErrorCode.VALIDATION: Reading(
        ValidationError, "the API refused the value of {field}", "Correct {field} and run again."
    ),
    ErrorCode.LOGIN: Reading(
        CredentialsError,
        "the credentials were not accepted",
        "The email or password is wrong; check them. Retrying does not help.",
    ),
    ErrorCode.INVALID_CREDENTIAL: Reading(
        CredentialsError, "the credentials were not accepted", CredentialsError.hint
    ),
    ErrorCode.EMAIL_FORMAT_REGISTER: Reading(
        RejectedError,
        "the trial was rejected for this email address",
        "Register with an address at your company's own domain: free webmail and disposable "
        "addresses are refused. Retrying does not help.",
    ),
    ErrorCode.FORBIDDEN: Reading(
        RejectedError,
        "the credential's role in this Account is too low",
        "This needs the Administrator role (10) in the Account: use a token or API key of a "
        "User who administers it. Retrying does not help.",
    ),
    ErrorCode.ACCOUNT_SCOPE: Reading(
        RejectedError,
        "the API key belongs to another Account",
        "An API key acts only in the Account it was minted for: use that Account's key, or a "
        "User token with this account_id. Retrying does not help.",
    ),
    ErrorCode.NOT_FOUND: _NOT_FOUND,
    ErrorCode.DEFAULT_ACCOUNT: Reading(
        ConflictError,
        "a User's default Account cannot be deleted",
        "Keep it: the default Account lives as long as its User does.",
    ),
    ErrorCode.DOMAIN_REGISTERED: Reading(
        ConflictError,
        "this domain is already registered",
        "Sign in with /login instead of registering again: one trial per company, and "
        "re-registering the same domain leads to permanent blocking.",
    ),
    ErrorCode.RATE_LIMITED: _RATE_LIMITED,
    ErrorCode.INTERNAL: Reading(TransientError, "the API failed", TransientError.hint),
    ErrorCode.UNAVAILABLE: Reading(TransientError, "the API is unavailable", TransientError.hint),
}

STATUSES: Final[Mapping[int, Reading]] = {
    400: Reading(ValidationError, "the API refused it", "Correct the input."),
    401: Reading(CredentialsError, "the credentials were not accepted", CredentialsError.hint),
    403: Reading(RejectedError, "the request is not allowed", RejectedError.hint),
    404: _NOT_FOUND,
    409: Reading(
        ConflictError,
        "it conflicts with the current state",
        "Check what exists in Firmtrace now (`pulumi refresh` shows it), then run again.",
    ),
    429: _RATE_LIMITED,
}
"""Answers whose code is missing or unknown, by status."""

ON_ENDPOINT: Final[Mapping[tuple[Endpoint, ErrorCode], Reading]] = {
    # Minting names one Account, and any role may mint: a refusal is about that Account.
    (Endpoints.CREATE_API_KEY, ErrorCode.FORBIDDEN): Reading(
        RejectedError,
        "the credential has no access to Account {account}",
        "Check account_id, or sign in as a User of that Account (any role may mint keys). "
        "Retrying does not help.",
    ),
    (Endpoints.CREATE_API_KEY, ErrorCode.NOT_FOUND): Reading(
        NotFoundError,
        "the Account does not exist",
        "There is no Account {account} that this credential can see: check account_id (a typo, "
        "or an Account deleted outside this program).",
    ),
}
"""Codes that say more on one endpoint, for a request that names an Account."""

UNCERTAIN_HINTS: Final[Mapping[Endpoint, str]] = {
    Endpoints.REGISTER: (
        "The User may have been registered: sign in with the same email and password (/login) "
        "before registering again. Registering the same domain twice can get it blocked."
    ),
    Endpoints.CREATE_ACCOUNT: (
        "The Account may have been created: list the Accounts and look for one with this name "
        "and url before creating it again."
    ),
    Endpoints.CREATE_API_KEY: (
        "The API key may have been minted: list the Account's keys and look for one with this "
        "name; delete it (its full value is lost) before minting another."
    ),
    Endpoints.CHANGE_PASSWORD: (
        "The password may have been changed, which rotates the token: sign in with the new "
        "password; if that fails, the old password still holds."
    ),
}
"""What to do when a write may have happened: how to find it before trying again."""

_NOT_REPEATED = (
    "It was not sent again: repeating a create (or a password change) could do it twice."
)


def describe(endpoint: Endpoint) -> str:
    """``"POST /v1.3/api_key"``: how messages name a call."""
    return f"{endpoint.method} {contract.API_PREFIX}{endpoint.path}"


def _known(code: str | None) -> ErrorCode | None:
    """The ``ErrorCode`` of ``code``, or None for a code this client does not know."""
    try:
        return ErrorCode(code) if code is not None else None
    except ValueError:
        return None


def reading_for(
    endpoint: Endpoint, status: int, code: str | None, *, field: str | None, account: str | None
) -> Reading | None:
    """The reading of a final error answer, or None for a status outside the table."""
    known = _known(code)
    if known is not None and account is not None and (endpoint, known) in ON_ENDPOINT:
        return ON_ENDPOINT[endpoint, known]
    if known is ErrorCode.VALIDATION and field is None:
        return STATUSES[400]
    if known is not None:
        return CODES[known]
    return STATUSES.get(status)


def error_answer(
    endpoint: Endpoint,
    response: httpx.Response,
    verdict: Verdict,
    *,
    redact: Redact,
    account: str | None = None,
) -> FirmtraceError:
    """The error for an error answer that is not retried. ``account`` is the request's
    account_id, if it named one."""
    status = response.status_code
    body = _error_body(response, redact)
    code = redact(body.error) if body else None
    user_message = body.user_message if body and body.user_message else None
    field = body.field if body else None
    label = f"{status} {code}" if code else f"{status} {redact(response.reason_phrase)}".rstrip()
    failed = f"{describe(endpoint)} failed ({label})"
    common: dict[str, Any] = {"status": status, "code": code, "user_message": user_message}

    if verdict is Verdict.UNCERTAIN:
        return UncertainWriteError(
            f"{failed}: the server failed while handling the request, so it may have been "
            f"carried out. {_NOT_REPEATED}",
            hint=UNCERTAIN_HINTS.get(endpoint),
            **common,
        )
    reading = reading_for(endpoint, status, code, field=field, account=account)
    if reading is None:
        if 400 <= status < 500:
            return RequestError(f"{failed}.", **common)
        return ContractError(
            f"{failed}: unexpected answer.",
            hint="The API may have changed; check the base URL and the client version.",
            **common,
        )
    names = {"field": repr(field), "account": repr(account)}
    reason, hint = reading.reason.format(**names), reading.hint.format(**names)
    if reading.error is ValidationError:
        return ValidationError(f"{failed}: {reason}.", field=field, hint=hint, **common)
    return reading.error(f"{failed}: {reason}.", hint=hint or None, **common)


def transport_failure(
    endpoint: Endpoint, exc: httpx.TransportError, verdict: Verdict, *, redact: Redact
) -> FirmtraceError:
    """The error for a transport failure that is not retried."""
    failed = f"{describe(endpoint)} failed ({type(exc).__name__}: {redact(str(exc))})"
    if verdict is Verdict.UNCERTAIN:
        return UncertainWriteError(
            f"{failed}: the request was sent but no answer arrived, so it may have been "
            f"carried out. {_NOT_REPEATED}",
            hint=UNCERTAIN_HINTS.get(endpoint),
        )
    return ConfigurationError(
        f"{failed}.", hint="Check the base URL and network settings; nothing was sent."
    )


def retries_exhausted(
    endpoint: Endpoint,
    failure: httpx.Response | httpx.TransportError,
    reason: str,
    *,
    redact: Redact,
    base_url: str,
) -> TransientError:
    """The error once a transient failure has been retried as long as the policy allows."""
    if isinstance(failure, httpx.TransportError):
        detail = f"{type(failure).__name__}: {redact(str(failure))}"
        unreachable = None
        if isinstance(failure, httpx.ConnectError):
            configured = base_url.rstrip("/").removesuffix(contract.API_PREFIX)
            unreachable = (
                f"Nothing answers at {configured}: check the firmtrace:apiUrl stack setting "
                "(or FIRMTRACE_API_URL) and that the API is running there."
            )
        return TransientError(
            f"{describe(endpoint)} failed ({detail}); {reason}.", hint=unreachable
        )
    body = _error_body(failure, redact)
    code = redact(body.error) if body else None
    label = f"{failure.status_code} {code or redact(failure.reason_phrase)}".rstrip()
    reading = reading_for(endpoint, failure.status_code, code, field=None, account=None)
    return TransientError(
        f"{describe(endpoint)} failed ({label}); {reason}.",
        status=failure.status_code,
        code=code,
        user_message=body.user_message if body and body.user_message else None,
        hint=reading.hint if reading and issubclass(reading.error, TransientError) else None,
    )


def unreadable_answer(
    endpoint: Endpoint, status: int, exc: contract.UnreadableAnswer, redact: Redact
) -> FirmtraceError:
    """The error for a success answer whose body does not fit the contract."""
    # msgspec's text says what was expected and where (``$.field``), never the value; it is
    # redacted all the same.
    return ContractError(
        f"{describe(endpoint)} answered {status} with a body this client cannot read "
        f"({redact(str(exc))}).",
        status=status,
        hint="The API may have changed; check docs/api-contract.md against the API reference.",
    )


def _error_body(response: httpx.Response, redact: Redact) -> contract.ErrorBody | None:
    """The answer's error body, every text in it redacted; None if it has none."""
    try:
        body = contract.decode(contract.ErrorBody, response.content)
    except contract.UnreadableAnswer:
        return None
    # ``field`` too is redacted: it is quoted in the message.
    field = redact(body.field) if body.field is not None else None
    return contract.ErrorBody(error=body.error, user_message=redact(body.user_message), field=field)


def sign_in_refused(email: str, refused: CredentialsError, *, token_died: bool) -> CredentialsError:
    """A refused sign-in, told in terms of the settings that fix it. ``token_died``: the token of
    this run's first sign-in stopped working first, which a password change does."""
    set_password = "`pulumi config set --secret firmtrace:password` (or FIRMTRACE_PASSWORD)"
    if token_died:
        message = (
            f"The token this run signed in with as {email} stopped working, and signing in "
            f"again with firmtrace:password was refused ({refused.status} {refused.code}): the "
            "password was changed while the run went on (a password change ends every token)"
        )
        hint = f"Set the new password with {set_password}, then run `pulumi up` again."
    else:
        message = f"Signing in as {email} was refused ({refused.status} {refused.code})"
        hint = (
            f"Check firmtrace:email, and set the current password with {set_password}; "
            "retrying does not help."
        )
    return CredentialsError(
        message,
        status=refused.status,
        code=refused.code,
        user_message=refused.user_message,
        hint=hint,
    )
