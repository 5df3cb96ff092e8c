"""The emulator a test session runs against, and faults that end with the test that set them.

    with running_emulator() as admin:            # in-process, :memory:, free port, no rate limit
        token, account_id, *_ = admin.register()

``running_emulator(url=...)`` (or ``FIRMTRACE_EMULATOR_URL``, which the pytest plugin passes)
uses an emulator that is already running instead: a CI service, ``firmtrace-emulator`` by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

__all__ = ["EMULATOR_URL_VAR", "faults_cleared", "running_emulator"]

EMULATOR_URL_VAR = "FIRMTRACE_EMULATOR_URL"
"""The environment variable naming an emulator that is already running (its base URL)."""

NEEDS_EXTRA = (
    "The in-process Firmtrace emulator needs the emulator extra: "
    "pip install 'firmtrace-pulumi[emulator]' (or set {var} to an emulator's URL)."
)


@contextmanager
def running_emulator(
    *, db: str | Path = ":memory:", url: str | None = None
) -> Iterator[EmulatorAdmin]:
    """An admin client of the emulator at ``url``, or else of one served from this process on
    ``db`` (``:memory:`` or a SQLite file), stopped at the end. Rate limit off, no faults."""
    if url:
        with EmulatorAdmin(url) as admin:
            yield admin
        return
    try:
        from firmtrace_pulumi.emulator.server import EmulatorServer
    except ImportError as exc:
        raise RuntimeError(NEEDS_EXTRA.format(var=EMULATOR_URL_VAR)) from exc
    with EmulatorServer(db=db, rate_limit=0) as server, EmulatorAdmin(server.url) as admin:
        yield admin


@contextmanager
def faults_cleared(admin: EmulatorAdmin) -> Iterator[EmulatorAdmin]:
    """``admin``; whatever faults (and rate limit) are set meanwhile are cleared at the end."""
    try:
        yield admin
    finally:
        admin.clear_faults()
