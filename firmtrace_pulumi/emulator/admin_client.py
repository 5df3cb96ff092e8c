"""``EmulatorAdmin``: a small httpx client for a running emulator's ``/_emulator`` routes.

Needs no ``emulator`` extra (only httpx and pydantic), so it also drives an emulator running
elsewhere (``EmulatorProcess``, a CLI started by hand, CI). The ``emulator`` pytest fixture
yields one of these. Faults are typed (``faults.FaultConfig``, ``faults.FaultStep``)::

    admin.script(Endpoints.CREATE_API_KEY, FaultStep.status(503, times=2))
    admin.set_faults(FaultConfig(latency_ms=50))
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, NamedTuple

import httpx

from firmtrace_pulumi.contract import API_PREFIX

from .faults import EndpointSpec, FaultConfig, FaultStep

__all__ = ["EmulatorAdmin", "Registration", "SeededUser"]


class Registration(NamedTuple):
    """What ``register()`` made: unpack as ``token, account_id, email, password = ...``."""

    token: str
    account_id: str
    email: str
    password: str

    def __repr__(self) -> str:
        return f"Registration(account_id={self.account_id!r}, email={self.email!r}, ...)"


class SeededUser(NamedTuple):
    """What ``seed_user()`` made: ``token, email, password = ...``."""

    token: str
    email: str
    password: str

    def __repr__(self) -> str:
        return f"SeededUser(email={self.email!r}, ...)"


class EmulatorAdmin:
    """Admin helpers for the emulator at ``url`` (base URL without ``/v1.3``)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=timeout)

    def __repr__(self) -> str:
        return f"EmulatorAdmin({self.url!r})"

    @property
    def api_url(self) -> str:
        """The API base URL, ``<url>/v1.3``."""
        return self.url + API_PREFIX

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        response = self._http.request(method, "/_emulator" + path, json=json)
        response.raise_for_status()
        return response.json()

    # --- inspection -----------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/health")
        return result

    def state(self) -> dict[str, Any]:
        """``{"accounts": [...], "api_keys": [...], "users": [...]}``, without secrets."""
        result: dict[str, Any] = self._call("GET", "/state")
        return result

    def requests(
        self, *, method: str | None = None, path: str | None = None
    ) -> list[dict[str, Any]]:
        """Logged ``/v1.3`` requests in arrival order, optionally only one method and/or path
        (``path`` with or without the ``/v1.3`` prefix)."""
        entries: list[dict[str, Any]] = self._call("GET", "/requests")["requests"]
        if path is not None and not path.startswith(API_PREFIX + "/"):
            path = API_PREFIX + path
        return [
            entry
            for entry in entries
            if (method is None or entry["method"] == method.upper())
            and (path is None or entry["path"] == path)
        ]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    # --- faults ---------------------------------------------------------------------------

    def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/faults")
        return result

    def set_faults(self, config: FaultConfig | Mapping[str, Any]) -> dict[str, Any]:
        """Replace the fault configuration; returns it as ``faults()`` shows it.

        ``config`` is a ``FaultConfig`` or, as the HTTP API takes it, its JSON (see
        ``firmtrace_pulumi.emulator.faults``).
        """
        body = config.to_json() if isinstance(config, FaultConfig) else dict(config)
        result: dict[str, Any] = self._call("PUT", "/faults", json=body)
        return result

    def script(self, endpoint: EndpointSpec, *steps: FaultStep) -> dict[str, Any]:
        """Replace the fault configuration with one script: ``steps`` in order on ``endpoint``
        (``Endpoints.CREATE_API_KEY``), one per request; every other fault off."""
        return self.set_faults(FaultConfig(scripts={endpoint: list(steps)}))

    def clear_faults(self) -> dict[str, Any]:
        """Back to the start-up fault configuration (none, for the test fixture)."""
        result: dict[str, Any] = self._call("DELETE", "/faults")
        return result

    # --- data -----------------------------------------------------------------------------

    def register(
        self,
        email_domain: str | None = None,
        *,
        name: str | None = None,
        url: str | None = None,
        password: str | None = None,
    ) -> Registration:
        """Register a User with a fresh company domain (unique per call unless given)
        through ``POST /v1.3/register``; it shows in the request log."""
        unique = uuid.uuid4().hex[:12]
        domain = email_domain or f"co-{unique}.example"
        email = f"owner-{unique}@{domain}"
        password = password or f"pw-{uuid.uuid4().hex}"
        response = self._http.post(
            API_PREFIX + "/register",
            json={
                "email": email,
                "password": password,
                "name": name or f"Company {unique}",
                "url": url or f"https://{domain}",
            },
        )
        response.raise_for_status()
        body = response.json()
        return Registration(body["token"], str(body["default_account_id"]), email, password)

    def seed_user(
        self,
        account_id: str,
        role: int = 20,
        *,
        email: str | None = None,
        password: str | None = None,
    ) -> SeededUser:
        """Give a User (new unless ``email`` exists) ``role`` in ``account_id``; a fresh token."""
        unique = uuid.uuid4().hex[:12]
        email = email or f"user-{unique}@seeded-{unique}.example"
        password = password or f"pw-{uuid.uuid4().hex}"
        body = {"email": email, "password": password, "account_id": account_id, "role": role}
        token: str = self._call("POST", "/users", json=body)["token"]
        return SeededUser(token, email, password)

    def reset(self) -> None:
        """Wipe every User, Account and key, the request log and the faults."""
        self._call("POST", "/reset")

    # --- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EmulatorAdmin:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
