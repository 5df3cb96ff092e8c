"""A typed, synchronous client for the Firmtrace API v1.3.

Every path and shape comes from ``contract``; what an error answer means, from ``error_map``;
when to retry, from ``retry``; secret scrubbing, from ``redact``; the base URL and credential
checks, from ``client_inputs``. One ``httpx.Client`` (one connection pool) serves all
calls, and the client may be shared between threads.

    with FirmtraceClient("https://api.firmtrace.ai", token) as client:
        key = client.create_api_key(account_id, name="warehouse-sync")

Secrets are held as ``Secret`` and revealed only while a request body or the ``Authorization``
header is built. No body is ever logged, and every text taken from an answer passes through
redaction before it reaches an exception.
"""

from __future__ import annotations

import datetime as dt
import threading
from types import TracebackType
from typing import Final, TypeVar

from . import contract, error_map
from ._httpx import httpx
from ._version import __version__
from .client_inputs import api_root, as_secret, check_credential
from .contract import UNSET, Endpoint, Endpoints, W
from .contract import UnsetType as Unset
from .redact import Hidden, KnownSecrets, Secret
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


T = TypeVar("T")


def _given(value: T | None) -> T | Unset:
    """A method's ``None`` ("not given") as the request's ``UNSET`` (not sent)."""
    return UNSET if value is None else value


# [doc] /register and /login need no credential; none is sent to them.
ANONYMOUS: Final = frozenset({Endpoints.REGISTER, Endpoints.LOGIN})


class FirmtraceClient:
    """The Firmtrace API v1.3 over one connection pool.

    ``base_url`` is the API host without ``/v1.3``. ``credential`` is a User's token or an
    Account's API key (``account_id`` is then implicit: pass None where a method takes one).
    ``request_count`` counts attempts made, retries included.
    """

    def __init__(
        self,
        base_url: str = contract.DEFAULT_BASE_URL,
        credential: str | Hidden | None = None,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._root = api_root(base_url)
        self._secrets = KnownSecrets()
        self._credential: Secret | None = None
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
    def credential(self) -> Secret | None:
        """The token or API key sent as ``Authorization: Bearer``; None sends none."""
        return self._credential

    @credential.setter
    def credential(self, value: str | Hidden | None) -> None:
        secret = check_credential(value)
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

    def register(self, email: str, password: str | Hidden, name: str, url: str) -> contract.Session:
        """Create a User, their default Account and trial. Returns token + default_account_id.

        Not retried once it may have reached the server (``UncertainWriteError``).
        """
        body = contract.RegisterRequest(
            email=email, password=as_secret(password), name=name, url=url
        )
        self._secrets.add(body.password, credential=True)
        session = self._call(Endpoints.REGISTER, contract.Session, json=body)
        self._secrets.add(session.token, credential=True)
        return session

    def login(self, email: str, password: str | Hidden) -> contract.Session:
        """Sign in. Returns a fresh token + default_account_id; set ``credential`` to use it."""
        body = contract.LoginRequest(email=email, password=as_secret(password))
        self._secrets.add(body.password, credential=True)
        session = self._call(Endpoints.LOGIN, contract.Session, json=body)
        self._secrets.add(session.token, credential=True)
        return session

    def change_password(self, current_password: str | Hidden, new_password: str | Hidden) -> Secret:
        """Change the signed-in User's password. The token rotates; the client switches to the
        new one and returns it. API keys are unaffected."""
        body = contract.ChangePasswordRequest(
            password=as_secret(new_password), current_password=as_secret(current_password)
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
        body = contract.UpdateAccountRequest(
            account_id=account_id,
            name=_given(name),
            url=_given(url),
        )
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
        body = contract.CreateApiKeyRequest(
            account_id=_given(account_id),
            name=_given(name),
            end_date=_given(end_date),
        )
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
        body = contract.UpdateApiKeyRequest(
            account_id=_given(account_id),
            api_key_part=api_key_part,
            name=name,
            end_date=end_date,
        )
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
        try:
            return contract.decode(answer, response.content)
        except contract.UnreadableAnswer as exc:
            raise error_map.unreadable_answer(
                endpoint, response.status_code, exc, redact=self.redact
            ) from None

    def _send(
        self,
        endpoint: Endpoint,
        *,
        json: contract.RequestModel | None,
        params: contract.RequestModel | None,
    ) -> httpx.Response:
        """Send with retries, per ``retry``. Returns a 2xx response or raises."""
        # Secrets are revealed here, into the body only; the body is never logged.
        content = contract.to_json(json) if json is not None else None
        query = contract.to_query(params) if params is not None else None
        schedule = self._retry.start()
        while True:
            schedule.next_attempt()
            retry_after: float | None = None
            try:
                response = self._attempt(endpoint, content, query)
            except httpx.TransportError as exc:
                verdict = verdict_for_error(exc, idempotent=endpoint.idempotent)
                if verdict is not Verdict.RETRY:
                    raise error_map.transport_failure(
                        endpoint, exc, verdict, redact=self.redact
                    ) from None
                failure: httpx.Response | httpx.TransportError = exc
            else:
                if response.is_success:
                    return response
                verdict = verdict_for_status(response.status_code, idempotent=endpoint.idempotent)
                if verdict is not Verdict.RETRY:
                    account = getattr(json or params, "account_id", None)
                    if not isinstance(account, str):
                        account = None  # not sent: the credential is an API key
                    raise error_map.error_answer(
                        endpoint, response, verdict, redact=self.redact, account=account
                    )
                failure = response
                if response.status_code == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
            try:
                schedule.wait_before_retry(retry_after)
            except RetriesExhausted as exhausted:
                raise error_map.retries_exhausted(
                    endpoint, failure, exhausted.reason, redact=self.redact, base_url=self.base_url
                ) from None

    def _attempt(
        self, endpoint: Endpoint, content: bytes | None, query: dict[str, str] | None
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
