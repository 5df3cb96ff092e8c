"""One authenticated client per provider process, shared by every Firmtrace resource in it.

The engine runs all dynamic resources of a program in one ``pulumi.dynamic`` process and serves
up to four calls at a time. This module gives them:

- one ``FirmtraceClient`` (one connection pool) per set of settings, built lazily on first use,
  so the pickled providers hold no client and no credential;
- sign-in with email + password once per process, and once more if the token was rotated by a
  password change while the process runs;
- a short-lived cache of list answers for reads (a refresh of N keys in one Account costs one
  list call, not N). Any write clears it, and writes never consult it.

"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from .. import contract
from ..client import UNSET, FirmtraceClient, Unset
from ..config import AuthMethod, ProviderSettings
from ..error_map import sign_in_refused
from ..errors import CredentialsError

__all__ = ["READ_CACHE_SECONDS", "Connection", "connection_for"]

T = TypeVar("T")

READ_CACHE_SECONDS = 5.0


class Connection:
    def __init__(self, settings: ProviderSettings) -> None:
        self.settings = settings
        self._client: FirmtraceClient | None = None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str | None], tuple[float, object]] = {}
        self._cache_locks: dict[tuple[str, str | None], threading.Lock] = {}

    # --- the client ----------------------------------------------------------------------------

    @property
    def client(self) -> FirmtraceClient:
        with self._lock:
            if self._client is None:
                self._client = self._open()
            return self._client

    def _open(self) -> FirmtraceClient:
        s = self.settings
        if s.method is AuthMethod.PASSWORD:
            client = FirmtraceClient(s.api_url, timeout=s.timeout)
            self._sign_in(client)
            return client
        return FirmtraceClient(s.api_url, s.secret, timeout=s.timeout)

    def _sign_in(self, client: FirmtraceClient, *, token_died: bool = False) -> None:
        email = self.settings.email
        assert email is not None
        try:
            session = client.login(email, self.settings.secret)
        except CredentialsError as exc:
            if exc.code != contract.ErrorCode.LOGIN:
                raise
            raise sign_in_refused(email, exc, token_died=token_died) from None
        client.credential = session.token

    def _call(self, operation: Callable[[FirmtraceClient], T]) -> T:
        """Run one API operation; with email + password, sign in again once if the token died."""
        client = self.client
        try:
            return operation(client)
        except CredentialsError as exc:
            if self.settings.method is not AuthMethod.PASSWORD or exc.code == "login_error":
                raise
            with self._lock:
                self._sign_in(client, token_died=True)
            return operation(client)

    def _write(self, operation: Callable[[FirmtraceClient], T]) -> T:
        """Run an operation that changes something: the read cache is cleared before and after."""
        self.invalidate()
        try:
            return self._call(operation)
        finally:
            self.invalidate()

    # --- writes: one per client write, each clearing the read cache -----------------------------

    def create_account(self, name: str, url: str) -> contract.Account:
        return self._write(lambda c: c.create_account(name, url))

    def update_account(
        self, account_id: str, *, name: str | None = None, url: str | None = None
    ) -> contract.Account:
        return self._write(lambda c: c.update_account(account_id, name=name, url=url))

    def delete_account(self, account_id: str) -> None:
        self._write(lambda c: c.delete_account(account_id))

    def create_api_key(
        self, account_id: str | None, *, name: str | None, end_date: dt.date | None
    ) -> contract.NewApiKey:
        return self._write(lambda c: c.create_api_key(account_id, name=name, end_date=end_date))

    def update_api_key(
        self,
        account_id: str | None,
        api_key_part: str,
        *,
        name: str | Unset | None = UNSET,
        end_date: dt.date | Unset | None = UNSET,
    ) -> contract.ApiKey:
        return self._write(
            lambda c: c.update_api_key(account_id, api_key_part, name=name, end_date=end_date)
        )

    def delete_api_key(self, account_id: str | None, api_key_part: str) -> None:
        self._write(lambda c: c.delete_api_key(account_id, api_key_part))

    # --- cached reads --------------------------------------------------------------------------

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    def _cached(self, key: tuple[str, str | None], load: Callable[[], T]) -> T:
        with self._lock:
            lock = self._cache_locks.setdefault(key, threading.Lock())
        # One load per key at a time: concurrent reads of the same Account wait for one answer.
        with lock:
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None and time.monotonic() - hit[0] < READ_CACHE_SECONDS:
                    return hit[1]  # type: ignore[return-value]
            value = load()
            with self._lock:
                self._cache[key] = (time.monotonic(), value)
            return value

    def api_keys(self, account_id: str | None, *, fresh: bool = False) -> list[contract.ApiKey]:
        """The Account's keys. ``fresh`` skips the cache: for decisions a write depends on."""

        def load() -> list[contract.ApiKey]:
            return self._call(lambda c: c.list_api_keys(account_id))

        return load() if fresh else self._cached(("api_keys", account_id), load)

    def accounts(self, *, fresh: bool = False) -> list[contract.Account]:
        """The signed-in User's Accounts. ``fresh`` skips the cache, as for ``api_keys``."""

        def load() -> list[contract.Account]:
            return self._call(lambda c: c.list_accounts())

        return load() if fresh else self._cached(("accounts", None), load)


_connections: dict[tuple[str, str, str, str, float], Connection] = {}
_connections_lock = threading.Lock()


def connection_for(settings: ProviderSettings) -> Connection:
    """The process-wide connection for these settings (ApiKey and Account share it)."""
    with _connections_lock:
        conn = _connections.get(settings.cache_key)
        if conn is None:
            conn = _connections[settings.cache_key] = Connection(settings)
        return conn
