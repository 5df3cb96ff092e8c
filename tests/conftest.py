"""Shared fixtures.

``emulator`` (session): ONE local Firmtrace emulator for the whole test session, in-memory
database, no rate limit, no faults. It yields a ``firmtrace_pulumi.emulator.admin_client.
EmulatorAdmin``:

- ``.url`` base URL without ``/v1.3`` (``http://127.0.0.1:PORT``); ``.api_url`` adds ``/v1.3``
- ``.register(email_domain=None, *, name=None, url=None, password=None) -> Registration``
  ``(token, account_id, email, password)``: a fresh User + default Account on a new unique
  company domain each call (via ``POST /v1.3/register``, so it shows in the request log)
- ``.seed_user(account_id, role=20, *, email=None, password=None) -> SeededUser``
  ``(token, email, password)``: a User with ``role`` in an existing Account
- ``.state() -> dict``, ``.requests(*, method=None, path=None) -> list[dict]``,
  ``.clear_requests()``
- ``.script(Endpoints.CREATE_API_KEY, FaultStep.status(503, times=2), ...)``,
  ``.set_faults(FaultConfig(...))`` (or its JSON), ``.clear_faults()``, ``.faults()``
  (``firmtrace_pulumi.emulator.faults``); ``.reset()`` wipes everything
  (do not call it on the shared emulator: other tests' data lives there)

The emulator is shared: create your own Users/Accounts with ``register()`` and filter
``state()``/``requests()`` to them, or clear the request log first. A test that sets faults
(or a rate limit, ``set_faults(FaultConfig(rate_limit=5))``) should use ``clean_faults``
instead, which clears them afterwards.

Set ``FIRMTRACE_EMULATOR_URL`` to run against an emulator that is already running.

Both are the testing kit's pieces, as a user's tests get them (``firmtrace_pulumi.testing``):
``emulator`` is its ``firmtrace_emulator`` fixture under the name our tests use, and
``clean_faults`` clears faults the way its ``firmtrace`` fixture does. The kit's ``firmtrace``
and ``pulumi_cli`` fixtures are there too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.testing import faults_cleared

# The leak scanner (tests/leaks.py): fails any test that shows a secret where it must not.
# The testing kit's plugin, enabled the way its README section tells a user to.
pytest_plugins = ["tests.leaks", "firmtrace_pulumi.testing.pytest_plugin"]


@pytest.fixture(scope="session")
def emulator(firmtrace_emulator: EmulatorAdmin) -> EmulatorAdmin:
    """The session's emulator (see the module docstring)."""
    return firmtrace_emulator


@pytest.fixture
def clean_faults(emulator: EmulatorAdmin) -> Iterator[EmulatorAdmin]:
    """The session emulator; its faults (and rate limit) are cleared after the test."""
    with faults_cleared(emulator):
        yield emulator
