"""200 keys created in parallel through ONE provider process, against one Account.

The engine runs independent resources' steps in parallel and the Python dynamic provider serves
four calls at a time; the harness engine does the same with ``parallel=True`` while the SDK
registers the program's resources from its thread pool. Afterwards: 200 distinct keys, each in
state with its own working full key, and the Account holds exactly those (no orphan). The second
test does the same while the API drops, resets and refuses some of the creates.

Why the harness: faults interleaved with 200 parallel calls of one provider process, at exact
points.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from firmtrace_pulumi import ApiKey
from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.contract import Endpoints
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration
from firmtrace_pulumi.emulator.faults import FaultStep
from firmtrace_pulumi.retry import RetryPolicy
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.program import run_program
from tests.harness.provider_process import ProviderProcess

KEYS = 200
SERVED_AT_ONCE = 4  # pulumi.dynamic: futures.ThreadPoolExecutor(max_workers=4)


class Peak:
    """Counts the Create calls in flight at once from the engine to the provider process."""

    def __init__(self, process: ProviderProcess) -> None:
        self.now = self.peak = 0
        self._lock = threading.Lock()
        create = process.create

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            try:
                return create(*args, **kwargs)
            finally:
                with self._lock:
                    self.now -= 1

        process.create = counted  # type: ignore[method-assign]


@pytest.fixture
def owner(emulator: EmulatorAdmin) -> Registration:
    return emulator.register()


@pytest.fixture
def engine(emulator: EmulatorAdmin, owner: Registration) -> Iterator[Engine]:
    config = {
        "firmtrace:apiUrl": emulator.url,
        "firmtrace:token": wire.secret(owner.token),
        "firmtrace:timeout": "2",
    }
    with ProviderProcess() as process:
        yield Engine(process, config, parallel=True)


def many_keys(account_id: str) -> None:
    keys = [ApiKey(f"k{i:03d}", account_id=account_id) for i in range(KEYS)]
    pulumi.export("parts", [key.api_key_part for key in keys])


def assert_exactly_the_keys_in_state(
    emulator: EmulatorAdmin, owner: Registration, engine: Engine
) -> None:
    outputs = [res.outputs for res in engine.state.values()]
    assert len(outputs) == KEYS
    parts = {o["api_key_part"] for o in outputs}
    full_keys = {wire.reveal(o["api_key"]) for o in outputs}
    names = {o["name"] for o in outputs}
    assert len(parts) == len(full_keys) == len(names) == KEYS, "200 distinct keys"
    assert all(wire.is_secret(o["api_key"]) for o in outputs)

    live = {
        k["api_key_part"]
        for k in emulator.state()["api_keys"]
        if k["account_id"] == owner.account_id
    }
    assert live == parts, f"{len(live - parts)} orphaned, {len(parts - live)} missing"

    for o in outputs:  # every full key in state is the live key it claims to be
        key = wire.reveal(o["api_key"])
        assert key.startswith(o["api_key_part"])
        with FirmtraceClient(emulator.url, key, retry=RetryPolicy.none()) as as_key:
            assert o["api_key_part"] in {k.api_key_part for k in as_key.list_api_keys()}


def test_200_keys_in_parallel_through_one_provider_process(
    emulator: EmulatorAdmin, owner: Registration, engine: Engine
) -> None:
    peak = Peak(engine.provider)
    emulator.clear_requests()

    result = run_program(engine, lambda: many_keys(owner.account_id))

    assert set(result.ops().values()) == {"create"} and len(result.ops()) == KEYS
    posts = [r for r in emulator.requests() if r["method"] == "POST"]
    assert len(posts) == KEYS, "one POST per key: nothing retried, nothing duplicated"
    assert peak.peak >= SERVED_AT_ONCE, f"at most {peak.peak} Create calls were in flight at once"
    assert_exactly_the_keys_in_state(emulator, owner, engine)
    assert len(wire.reveal(result.outputs["parts"])) == KEYS


def test_200_keys_in_parallel_while_some_creates_fail(
    emulator: EmulatorAdmin, clean_faults: EmulatorAdmin, owner: Registration, engine: Engine
) -> None:
    """Lost answers in the middle of 200 concurrent creates: each is found by its own name and
    revoked, and only that key's create is repeated."""
    passes = FaultStep.pass_(times=15)
    faults = [
        FaultStep.drop_after_commit(),
        FaultStep.reset_before_read(),
        FaultStep.status(503, times=2),
        FaultStep.status(500),
        FaultStep.status(429, retry_after=1),
        FaultStep.slow(2500),  # committed, answered after the 2 s timeout
        FaultStep.drop_after_commit(times=2),
    ]
    script = [step for fault in faults for step in (passes, fault)]
    clean_faults.script(Endpoints.CREATE_API_KEY, *script)

    run_program(engine, lambda: many_keys(owner.account_id))

    assert clean_faults.faults()["scripts"] == {}, "every fault was hit"
    assert_exactly_the_keys_in_state(emulator, owner, engine)
    revoked = [r for r in emulator.requests() if r["method"] == "DELETE"]
    assert len(revoked) == 4, "the four creates that committed without an answer were revoked"
