"""A typed, synchronous client for the Firmtrace API v1.3.

Every path and shape comes from ``contract``; errors come from ``errors``; when to retry comes from
``retry``; secret scrubbing from ``redact``. One ``httpx.Client`` (one connection pool) serves all
calls, and the client may be shared between threads.

    with FirmtraceClient("https://api.firmtrace.ai", token) as client:
        key = client.create_api_key(account_id, name="warehouse-sync")

Secrets are held as ``SecretStr`` and revealed only while a request body or the ``Authorization``
header is built. No body is ever logged, and every text taken from an answer passes through
redaction before it reaches an exception.
"""

from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Final, TypeVar

import httpx
import pydantic
import pydantic_core
from pydantic import SecretStr

from . import contract
from ._version import __version__
from .contract import Endpoint, Endpoints
from .errors import (
    ConfigurationError,
    ConflictError,
    CredentialsError,
    FirmtraceError,
    NotFoundError,
    RejectedError,
    RequestError,
    TransientError,
    UncertainWriteError,
    ValidationError,
)
from .redact import KnownSecrets
from .retry import (
    RetriesExhausted,
    RetryPolicy,
    Verdict,
    parse_retry_after,
    verdict_for_error,
    verdict_for_status,
)

__all__ = ["UNSET", "FirmtraceClient", "Unset"]

USER_AGENT: Final = f"firmtrace-pulumi/{__version__} httpx/{httpx.__version__}"

W = TypeVar("W", bound=contract.WireModel)


class Unset(enum.Enum):
    """The type of ``UNSET``: "leave this field as it is" in a PATCH."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

# [doc] /register and /login need no credential; none is sent to them.
ANONYMOUS: Final = frozenset({Endpoints.REGISTER, Endpoints.LOGIN})

# What to do when a create may have happened: how to find the object before trying again.
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

REJECTED_REASONS: Final[Mapping[str, tuple[str, str]]] = {
    contract.ErrorCode.EMAIL_FORMAT_REGISTER.value: (
        "the trial was rejected for this email address",
        "Register with an address at your company's own domain: free webmail and disposable "
        "addresses are refused. Retrying does not help.",
    ),
    contract.ErrorCode.FORBIDDEN.value: (
        "the credential's role in this Account is too low",
        "This needs the Administrator role (10) in the Account: use a token or API key of a "
        "User who administers it. Retrying does not help.",
    ),
    contract.ErrorCode.ACCOUNT_SCOPE.value: (
        "the API key belongs to another Account",
        "An API key acts only in the Account it was minted for: use that Account's key, or a "
        "User token with this account_id. Retrying does not help.",
    ),
}

CONFLICT_REASONS: Final[Mapping[str, tuple[str, str]]] = {
    contract.ErrorCode.DEFAULT_ACCOUNT.value: (
        "a User's default Account cannot be deleted",
        "Keep it: the default Account lives as long as its User does.",
    ),
    contract.ErrorCode.DOMAIN_REGISTERED.value: (
        "this domain is already registered",
        "Sign in with /login instead of registering again: one trial per company, and "
        "re-registering the same domain leads to permanent blocking.",
    ),
}

CREDENTIALS_HINTS: Final[Mapping[str, str]] = {
    contract.ErrorCode.LOGIN.value: (
        "The email or password is wrong; check them. Retrying does not help."
    ),
}


# --- base URL ---------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    host = host.rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def api_root(base_url: str) -> httpx.URL:
    """``base_url`` (without /v1.3) checked and joined with the API prefix.

    HTTPS is required unless the host is loopback (127.0.0.0/8, ::1, localhost).
    """
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(
            f"The Firmtrace base URL {base_url!r} is not a URL ({exc}). "
            f"Set it like {contract.DEFAULT_BASE_URL!r}."
        ) from None
    shown = str(url.copy_with(username=None, password=None, query=None, fragment=None))
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"The Firmtrace base URL {shown!r} must be an http(s) URL with a host, "
            f"like {contract.DEFAULT_BASE_URL!r}."
        )
    if url.userinfo or url.query or url.fragment:
        raise ConfigurationError(
            f"The Firmtrace base URL {shown!r} must not carry a user, password, query or fragment; "
            "credentials go in the token or API key setting."
        )
    if url.scheme == "http" and not _is_loopback(url.host):
        https = str(url.copy_with(scheme="https"))
        raise ConfigurationError(
            f"The Firmtrace base URL {shown!r} uses plain HTTP, which would send credentials "
            f"unencrypted. Use {https!r}; plain http is allowed only for loopback hosts "
            "(127.0.0.0/8, ::1, localhost), such as a local emulator."
        )
    path = url.path.rstrip("/")
    if path.endswith(contract.API_PREFIX):
        raise ConfigurationError(
            f"The Firmtrace base URL {shown!r} already ends in {contract.API_PREFIX}; give it "
            f"without the version (the client adds it), e.g. "
            f"{str(url.copy_with(path=path[: -len(contract.API_PREFIX)] or '/')).rstrip('/')!r}."
        )
    return url.copy_with(path=path + contract.API_PREFIX)


def _check_credential(value: str | SecretStr | None) -> SecretStr | None:
    if value is None:
        return None
    secret = value if isinstance(value, SecretStr) else SecretStr(value)
    plain = secret.get_secret_value()
    if not plain.strip():
        raise ConfigurationError(
            "The Firmtrace credential is empty. Set a token or API key, or pass None to call "
            "without one."
        )
    if not (plain.isascii() and plain.isprintable()) or any(c.isspace() for c in plain):
        raise ConfigurationError(
            "The Firmtrace credential contains spaces, line breaks or non-ASCII characters, so it "
            "cannot be a token or API key. Check that it was copied whole and nothing else with it."
        )
    return secret


def _reveal(value: str | SecretStr) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


# --- the client -------------------------------------------------------------------------------


class FirmtraceClient:
    """The Firmtrace API v1.3 over one connection pool.

    ``base_url`` is the API host without ``/v1.3``. ``credential`` is a User's token or an
    Account's API key (``account_id`` is then implicit: pass None where a method takes one).
    ``request_count`` counts attempts made, retries included.
    """

    def __init__(
        self,
        base_url: str = contract.DEFAULT_BASE_URL,
        credential: str | SecretStr | None = None,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._root = api_root(base_url)
        self._secrets = KnownSecrets()
        self._credential: SecretStr | None = None
        self.credential = credential
        self._retry = retry if retry is not None else RetryPolicy()
        self._count_lock = threading.Lock()
        self.request_count = 0
        self._http = httpx.Client(
            base_url=self._root,
            timeout=httpx.Timeout(connect=timeout, read=timeout, write=timeout, pool=timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            transport=transport,
            # Plain http is only allowed to loopback (see ``api_root``): skip loading the CA
            # bundle there, which costs a provider process ~80 ms before its first call.
            verify=self._root.scheme == "https",
        )

    # --- lifecycle and credential -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root, ``/v1.3`` included."""
        return str(self._root)

    @property
    def credential(self) -> SecretStr | None:
        """The token or API key sent as ``Authorization: Bearer``; None sends none."""
        return self._credential

    @credential.setter
    def credential(self, value: str | SecretStr | None) -> None:
        secret = _check_credential(value)
        self._secrets.add(secret, credential=True)
        self._credential = secret

    def redact(self, text: str) -> str:
        """``text`` with every secret this client has held or seen replaced by ``[REDACTED]``."""
        return self._secrets.redact(text)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> FirmtraceClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        kind = "set" if self._credential is not None else "none"
        return f"FirmtraceClient(base_url={self.base_url!r}, credential={kind})"

    # --- register, login, password ------------------------------------------------------------

    def register(
        self, email: str, password: str | SecretStr, name: str, url: str
    ) -> contract.Session:
        """Create a User, their default Account and trial. Returns token + default_account_id.

        Not retried once it may have reached the server (``UncertainWriteError``).
        """
        body = contract.RegisterRequest(email=email, password=_reveal(password), name=name, url=url)
        self._secrets.add(body.password, credential=True)
        session = self._call(Endpoints.REGISTER, contract.Session, json=body)
        self._secrets.add(session.token, credential=True)
        return session

    def login(self, email: str, password: str | SecretStr) -> contract.Session:
        """Sign in. Returns a fresh token + default_account_id; set ``credential`` to use it."""
        body = contract.LoginRequest(email=email, password=_reveal(password))
        self._secrets.add(body.password, credential=True)
        session = self._call(Endpoints.LOGIN, contract.Session, json=body)
        self._secrets.add(session.token, credential=True)
        return session

    def change_password(
        self, current_password: str | SecretStr, new_password: str | SecretStr
    ) -> SecretStr:
        """Change the signed-in User's password. The token rotates; the client switches to the
        new one and returns it. API keys are unaffected."""
        body = contract.ChangePasswordRequest(
            password=_reveal(new_password), current_password=_reveal(current_password)
        )
        self._secrets.add(body.password, credential=True)
        self._secrets.add(body.current_password, credential=True)
        answer = self._call(Endpoints.CHANGE_PASSWORD, contract.TokenResponse, json=body)
        self.credential = answer.token
        return answer.token

    # --- accounts -----------------------------------------------------------------------------

    def list_accounts(self) -> list[contract.Account]:
        """The Accounts the credential reaches (an API key: its own)."""
        return self._call(Endpoints.LIST_ACCOUNTS, contract.AccountList).accounts

    def create_account(self, name: str, url: str) -> contract.Account:
        """Create an extra Account; the caller becomes its Administrator.

        Not retried once it may have reached the server (``UncertainWriteError``): look for an
        Account with this name and url before creating it again.
        """
        body = contract.CreateAccountRequest(name=name, url=url)
        return self._call(Endpoints.CREATE_ACCOUNT, contract.Account, json=body)

    def update_account(
        self, account_id: str, *, name: str | None = None, url: str | None = None
    ) -> contract.Account:
        """Change an Account's name and/or url; None leaves a field as it is."""
        fields = {k: v for k, v in {"name": name, "url": url}.items() if v is not None}
        body = contract.UpdateAccountRequest(account_id=account_id, **fields)
        return self._call(Endpoints.UPDATE_ACCOUNT, contract.Account, json=body)

    def delete_account(self, account_id: str) -> None:
        """Delete an Account. Raises ``NotFoundError`` if it is already gone."""
        query = contract.AccountSelector(account_id=account_id)
        self._call(Endpoints.DELETE_ACCOUNT, contract.Deleted, params=query)

    # --- API keys -----------------------------------------------------------------------------

    def list_api_keys(self, account_id: str | None = None) -> list[contract.ApiKey]:
        """The Account's keys, without their full values."""
        query = contract.ApiKeySelector(account_id=account_id)
        return self._call(Endpoints.LIST_API_KEYS, contract.ApiKeyList, params=query).api_keys

    def create_api_key(
        self,
        account_id: str | None = None,
        *,
        name: str | None = None,
        end_date: dt.date | None = None,
    ) -> contract.NewApiKey:
        """Mint a key. The answer holds the full ``api_key`` — the only time it is shown.

        Not retried once it may have reached the server (``UncertainWriteError``): list the
        Account's keys by ``name``, delete an orphan, then mint again.
        """
        fields: dict[str, Any] = {"account_id": account_id, "name": name, "end_date": end_date}
        body = contract.CreateApiKeyRequest(**{k: v for k, v in fields.items() if v is not None})
        key = self._call(Endpoints.CREATE_API_KEY, contract.NewApiKey, json=body)
        self._secrets.add(key.api_key)
        return key

    def update_api_key(
        self,
        account_id: str | None,
        api_key_part: str,
        *,
        name: str | Unset | None = UNSET,
        end_date: dt.date | Unset | None = UNSET,
    ) -> contract.ApiKey:
        """Change a key's name and/or end_date. Only fields given are sent; ``None`` clears."""
        fields: dict[str, Any] = {"api_key_part": api_key_part}
        if account_id is not None:
            fields["account_id"] = account_id
        if name is not UNSET:
            fields["name"] = name
        if end_date is not UNSET:
            fields["end_date"] = end_date
        body = contract.UpdateApiKeyRequest(**fields)
        return self._call(Endpoints.UPDATE_API_KEY, contract.ApiKey, json=body)

    def delete_api_key(self, account_id: str | None, api_key_part: str) -> None:
        """Revoke a key at once. Raises ``NotFoundError`` if it is already gone."""
        query = contract.ApiKeySelector(account_id=account_id, api_key_part=api_key_part)
        self._call(Endpoints.DELETE_API_KEY, contract.Deleted, params=query)

    # --- one call: send, retry, parse ---------------------------------------------------------

    def _call(
        self,
        endpoint: Endpoint,
        answer: type[W],
        *,
        json: contract.RequestModel | None = None,
        params: contract.RequestModel | None = None,
    ) -> W:
        response = self._send(endpoint, json=json, params=params)
        return self._parse(endpoint, response, answer)

    def _send(
        self,
        endpoint: Endpoint,
        *,
        json: contract.RequestModel | None,
        params: contract.RequestModel | None,
    ) -> httpx.Response:
        """Send with retries, per ``retry``. Returns a 2xx response or raises."""
        # Secrets are revealed here, into the body only; the body is never logged.
        content = _reveal_json(json) if json is not None else None
        query = params.model_dump(mode="json", exclude_none=True) if params is not None else None
        schedule = self._retry.start()
        while True:
            schedule.next_attempt()
            retry_after: float | None = None
            try:
                response = self._attempt(endpoint, content, query)
            except httpx.TransportError as exc:
                verdict = verdict_for_error(exc, idempotent=endpoint.idempotent)
                if verdict is not Verdict.RETRY:
                    raise self._network_error(endpoint, exc, verdict) from None
                failure: httpx.Response | httpx.TransportError = exc
            else:
                if response.is_success:
                    return response
                verdict = verdict_for_status(response.status_code, idempotent=endpoint.idempotent)
                if verdict is not Verdict.RETRY:
                    raise self._status_error(endpoint, response, verdict)
                failure = response
                if response.status_code == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
            try:
                schedule.wait_before_retry(retry_after)
            except RetriesExhausted as exhausted:
                raise self._exhausted(endpoint, failure, exhausted.reason) from None

    def _attempt(
        self, endpoint: Endpoint, content: bytes | None, query: dict[str, Any] | None
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if content is not None:
            headers["Content-Type"] = "application/json"
        credential = self._credential
        if credential is not None and endpoint not in ANONYMOUS:
            headers["Authorization"] = f"Bearer {credential.get_secret_value()}"
        with self._count_lock:
            self.request_count += 1
        response = self._http.request(
            endpoint.method,
            endpoint.path.lstrip("/"),
            content=content,
            params=query,
            headers=headers,
        )
        return response

    def _parse(self, endpoint: Endpoint, response: httpx.Response, answer: type[W]) -> W:
        try:
            return answer.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            # Name the fields only: pydantic's text quotes input values, which may be secrets.
            where = sorted({".".join(str(p) for p in e["loc"]) or "(body)" for e in exc.errors()})
            raise FirmtraceError(
                f"{_describe(endpoint)} answered {response.status_code} with a body this client "
                f"cannot read (fields: {', '.join(where)}).",
                status=response.status_code,
                hint="The API may have changed; check contract.py against the API reference.",
            ) from None

    # --- errors -------------------------------------------------------------------------------

    def _error_body(self, response: httpx.Response) -> contract.ErrorBody | None:
        try:
            body = contract.ErrorBody.model_validate_json(response.content)
        except pydantic.ValidationError:
            return None
        # Everything the API echoes is redacted, ``field`` too: it is quoted in the message.
        field = self.redact(body.field) if body.field is not None else None
        return body.model_copy(
            update={"user_message": self.redact(body.user_message), "field": field}
        )

    def _reason(self, response: httpx.Response) -> str:
        """The HTTP reason phrase, redacted: a server may put anything there."""
        return self.redact(response.reason_phrase)

    def _status_error(
        self, endpoint: Endpoint, response: httpx.Response, verdict: Verdict
    ) -> FirmtraceError:
        """The error for a final (not retried) HTTP error answer."""
        status = response.status_code
        body = self._error_body(response)
        code = self.redact(body.error) if body else None
        user_message = body.user_message if body and body.user_message else None
        field = body.field if body else None
        label = f"{status} {code}" if code else f"{status} {self._reason(response)}".rstrip()
        failed = f"{_describe(endpoint)} failed ({label})"
        common: dict[str, Any] = {"status": status, "code": code, "user_message": user_message}

        if verdict is Verdict.UNCERTAIN:
            return UncertainWriteError(
                f"{failed}: the server failed while handling the request, so it may have been "
                "carried out. It was not sent again: repeating a create (or a password change) "
                "could do it twice.",
                hint=UNCERTAIN_HINTS.get(endpoint),
                **common,
            )
        if status == 400:
            what = f"the API refused the value of {field!r}" if field else "the API refused it"
            fix = f"Correct {field!r} and run again." if field else "Correct the input."
            return ValidationError(f"{failed}: {what}.", field=field, hint=fix, **common)
        if status == 401:
            return CredentialsError(
                f"{failed}: the credentials were not accepted.",
                hint=CREDENTIALS_HINTS.get(code or ""),
                **common,
            )
        if status == 403:
            reason, hint = REJECTED_REASONS.get(
                code or "", ("the request is not allowed", RejectedError.hint)
            )
            return RejectedError(f"{failed}: {reason}.", hint=hint, **common)
        if status == 404:
            return NotFoundError(
                f"{failed}: it does not exist (any more).",
                hint="It may have been deleted outside this program; refresh and re-create it.",
                **common,
            )
        if status == 409:
            reason, hint = CONFLICT_REASONS.get(
                code or "", ("it conflicts with the current state", "")
            )
            return ConflictError(f"{failed}: {reason}.", hint=hint or None, **common)
        if 400 <= status < 500:
            return RequestError(f"{failed}.", **common)
        return FirmtraceError(
            f"{failed}: unexpected answer.",
            hint="The API may have changed; check the base URL and the client version.",
            **common,
        )

    def _network_error(
        self, endpoint: Endpoint, exc: httpx.TransportError, verdict: Verdict
    ) -> FirmtraceError:
        """The error for a transport failure that is not retried."""
        failed = f"{_describe(endpoint)} failed ({type(exc).__name__}: {self.redact(str(exc))})"
        if verdict is Verdict.UNCERTAIN:
            return UncertainWriteError(
                f"{failed}: the request was sent but no answer arrived, so it may have been "
                "carried out. It was not sent again: repeating a create (or a password change) "
                "could do it twice.",
                hint=UNCERTAIN_HINTS.get(endpoint),
            )
        return ConfigurationError(
            f"{failed}.", hint="Check the base URL and network settings; nothing was sent."
        )

    def _exhausted(
        self,
        endpoint: Endpoint,
        failure: httpx.Response | httpx.TransportError,
        reason: str,
    ) -> TransientError:
        """The error once a transient failure has been retried as far as the policy allows."""
        if isinstance(failure, httpx.TransportError):
            detail = f"{type(failure).__name__}: {self.redact(str(failure))}"
            unreachable = None
            if isinstance(failure, httpx.ConnectError):
                configured = self.base_url.rstrip("/").removesuffix(contract.API_PREFIX)
                unreachable = (
                    f"Nothing answers at {configured}: check the firmtrace:apiUrl stack setting "
                    "(or FIRMTRACE_API_URL) and that the API is running there."
                )
            return TransientError(
                f"{_describe(endpoint)} failed ({detail}); {reason}.", hint=unreachable
            )
        body = self._error_body(failure)
        code = self.redact(body.error) if body else None
        label = f"{failure.status_code} {code or self._reason(failure)}".rstrip()
        return TransientError(
            f"{_describe(endpoint)} failed ({label}); {reason}.",
            status=failure.status_code,
            code=code,
            user_message=body.user_message if body and body.user_message else None,
        )


def _describe(endpoint: Endpoint) -> str:
    """``"POST /v1.3/api_key"``: how messages name a call."""
    return f"{endpoint.method} {contract.API_PREFIX}{endpoint.path}"


def _reveal_json(model: contract.RequestModel) -> bytes:
    """The request body as JSON bytes, with ``SecretStr`` values revealed.

    Only fields that were given are sent (``exclude_unset``), so ``end_date=None`` passed on
    purpose is sent as null while an omitted field is left out.
    """
    data = model.model_dump(mode="python", exclude_unset=True)
    revealed = {k: v.get_secret_value() if isinstance(v, SecretStr) else v for k, v in data.items()}
    return pydantic_core.to_json(revealed)
