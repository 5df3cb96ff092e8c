"""Fixtures for fault tests against the shared emulator: one provider process per module,
signed in as one User, with a short client timeout so slow answers cost little."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration
from firmtrace_pulumi.retry import RetryPolicy
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.provider_process import ProviderProcess

TIMEOUT = 1.0


@dataclass
class Provider:
    """A provider process signed in as ``owner``, and a fault-free view of the API."""

    process: ProviderProcess
    url: str
    owner: Registration
    config: dict[str, Any]
    api: FirmtraceClient
    """The owner's own client, one attempt per call: for setting up and checking, faults off."""

    def engine(self) -> Engine:
        return Engine(self.process, self.config)


@pytest.fixture(scope="module")
def provider(emulator: EmulatorAdmin) -> Iterator[Provider]:
    owner = emulator.register()
    config = {
        "firmtrace:apiUrl": emulator.url,
        "firmtrace:token": wire.secret(owner.token),
        "firmtrace:timeout": str(TIMEOUT),
    }
    with (
        ProviderProcess() as process,
        FirmtraceClient(emulator.url, owner.token, retry=RetryPolicy.none()) as api,
    ):
        yield Provider(process, emulator.url, owner, config, api)


def calls(emulator: EmulatorAdmin) -> list[str]:
    """The API requests since the log was cleared: ``POST`` / ``POST(drop_after_commit)``."""
    return [
        r["method"] + (f"({r['fault']})" if r.get("fault") not in (None, "pass") else "")
        for r in emulator.requests()
    ]
