"""One authenticated client per provider process, shared by every Firmtrace resource in it.

The engine runs all dynamic resources of a program in one ``pulumi.dynamic`` process and serves
up to four calls at a time. This module gives them:

- one ``FirmtraceClient`` (one connection pool) per set of settings, built lazily on first use,
  so the pickled providers hold no client and no credential;
- sign-in with email + password once per process, and once more if the token was rotated by a
  password change while the process runs;
- a short-lived cache of list answers for reads (a refresh of N keys in one Account costs one
  list call, not N). Any write clears it, and writes never consult it.

How long one HTTP attempt may take (connect, send, wait for the answer) is ``firmtrace:timeout``
in the stack config, or ``FIRMTRACE_TIMEOUT``, in seconds (default 10). An attempt that times out
is retried like any other network failure, except a create, which is never sent blindly again.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .. import contract
from ..client import FirmtraceClient
from ..config import AuthMethod, ProviderSettings
from ..errors import ConfigurationError, CredentialsError

T = TypeVar("T")

READ_CACHE_SECONDS = 5.0
TIMEOUT_SETTING = ("firmtrace:timeout", "FIRMTRACE_TIMEOUT")
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 300.0


def resolve_timeout(
    config: Callable[[str], Any] | Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> float:
    """Seconds one HTTP attempt may take: stack config, then the environment, then 10.

    Raises ``ConfigurationError`` for anything but a number of seconds in (0, 300].
    """
    key, var = TIMEOUT_SETTING
    get = config.get if isinstance(config, Mapping) else config
    value = get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        value = (os.environ if environ is None else environ).get(var)
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:  # also false for NaN
        raise ConfigurationError(
            f"{key} (or {var}) must be a number of seconds between 0 and {MAX_TIMEOUT:g}, "
            f"such as {DEFAULT_TIMEOUT:g}; got {str(value)[:40]!r}."
        )
    return seconds


class Connection:
    def __init__(self, settings: ProviderSettings, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.settings = settings
        self.timeout = timeout
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
            client = FirmtraceClient(s.api_url, timeout=self.timeout)
            self._sign_in(client)
            return client
        return FirmtraceClient(s.api_url, s.secret, timeout=self.timeout)

    def _sign_in(self, client: FirmtraceClient) -> None:
        assert self.settings.email is not None
        session = client.login(self.settings.email, self.settings.secret)
        client.credential = session.token

    def call(self, operation: Callable[[FirmtraceClient], T]) -> T:
        """Run one API operation; with email + password, sign in again once if the token died."""
        client = self.client
        try:
            return operation(client)
        except CredentialsError as exc:
            if self.settings.method is not AuthMethod.PASSWORD or exc.code == "login_error":
                raise
            with self._lock:
                self._sign_in(client)
            return operation(client)

    def write(self, operation: Callable[[FirmtraceClient], T]) -> T:
        """Run an operation that changes something: the read cache is cleared before and after."""
        self.invalidate()
        try:
            return self.call(operation)
        finally:
            self.invalidate()

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

    def api_keys(self, account_id: str | None) -> list[contract.ApiKey]:
        return self._cached(
            ("api_keys", account_id), lambda: self.call(lambda c: c.list_api_keys(account_id))
        )

    def accounts(self) -> list[contract.Account]:
        return self._cached(("accounts", None), lambda: self.call(lambda c: c.list_accounts()))


_connections: dict[tuple[tuple[str, str, str, str], float], Connection] = {}
_connections_lock = threading.Lock()


def connection_for(settings: ProviderSettings, timeout: float = DEFAULT_TIMEOUT) -> Connection:
    """The process-wide connection for these settings (ApiKey and Account share it)."""
    key = (settings.cache_key, timeout)
    with _connections_lock:
        conn = _connections.get(key)
        if conn is None:
            conn = _connections[key] = Connection(settings, timeout)
        return conn
