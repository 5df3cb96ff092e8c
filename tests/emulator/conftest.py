"""Fixtures of the emulator's own tests: HTTP clients and freshly registered Users."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator

import httpx
import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration

Connect = Callable[..., httpx.Client]

# httpx builds a new TLS context per client (~60 ms) unless given one; these are plain HTTP.
_TLS = ssl.create_default_context()


@pytest.fixture
def connect(emulator: EmulatorAdmin) -> Iterator[Connect]:
    """``connect(credential=None, **httpx_kwargs)``: an httpx client on ``<url>/v1.3``."""
    clients: list[httpx.Client] = []

    def make(credential: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        options: dict[str, object] = {"timeout": 10.0, "verify": _TLS, **kwargs}
        client = httpx.Client(base_url=emulator.api_url, headers=headers, **options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def owner(emulator: EmulatorAdmin) -> Registration:
    """A freshly registered User and their default Account."""
    return emulator.register()


@pytest.fixture
def as_owner(connect: Connect, owner: Registration) -> httpx.Client:
    """A client authenticated with ``owner``'s token."""
    return connect(owner.token)
