"""``firmtrace:timeout`` / ``FIRMTRACE_TIMEOUT``: how long one HTTP attempt may take.

Why the harness: exact timing of one HTTP attempt.
"""

from __future__ import annotations

from typing import Any

import pytest

from firmtrace_pulumi.config import DEFAULT_TIMEOUT, resolve_settings
from firmtrace_pulumi.contract import Endpoints
from firmtrace_pulumi.emulator.faults import FaultStep
from firmtrace_pulumi.errors import ConfigurationError
from tests.harness import wire
from tests.harness.engine import CheckFailed, Engine
from tests.harness.provider_process import ProviderError, ProviderProcess
from tests.harness.resources import api_key


def resolve_timeout(config: dict[str, Any], environ: dict[str, str]) -> float:
    return resolve_settings({"firmtrace:token": "t", **config}, environ).timeout


def test_default_then_environment_then_stack_config() -> None:
    assert resolve_timeout({}, {}) == DEFAULT_TIMEOUT == 10.0
    assert resolve_timeout({}, {"FIRMTRACE_TIMEOUT": "2.5"}) == 2.5
    assert resolve_timeout({"firmtrace:timeout": "4"}, {"FIRMTRACE_TIMEOUT": "2.5"}) == 4.0
    assert resolve_timeout({"firmtrace:timeout": 3}, {}) == 3.0
    assert resolve_timeout({"firmtrace:timeout": " "}, {"FIRMTRACE_TIMEOUT": "7"}) == 7.0


@pytest.mark.parametrize("bad", ["0", "-1", "soon", "nan", "inf", "301", "1e9", "[1]"])
def test_a_bad_timeout_is_refused_naming_the_setting(bad: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_timeout({"firmtrace:timeout": bad}, {})
    assert "firmtrace:timeout (or FIRMTRACE_TIMEOUT) must be a number of seconds" in str(
        caught.value
    )


def test_a_bad_timeout_fails_at_check_before_any_request(emulator: Any) -> None:
    owner = emulator.register()
    emulator.clear_requests()
    with ProviderProcess() as process:
        engine = Engine(
            process,
            {
                "firmtrace:apiUrl": emulator.url,
                "firmtrace:token": wire.secret(owner.token),
                "firmtrace:timeout": "ten",
            },
        )
        with pytest.raises(CheckFailed) as caught:
            api_key("k", account_id=owner.account_id).register(engine, preview=True)
    assert "firmtrace:timeout" in str(caught.value)
    assert emulator.requests() == []


def test_the_timeout_bounds_each_attempt(emulator: Any, clean_faults: Any) -> None:
    """An answer slower than the timeout is given up on (and a read is retried)."""
    owner = emulator.register()
    with ProviderProcess(env={"FIRMTRACE_TIMEOUT": "0.5"}) as process:
        engine = Engine(
            process, {"firmtrace:apiUrl": emulator.url, "firmtrace:token": wire.secret(owner.token)}
        )
        api_key("k", account_id=owner.account_id).register(engine)
        clean_faults.clear_requests()
        clean_faults.script(Endpoints.LIST_API_KEYS, FaultStep.slow(900, times=100))
        with pytest.raises(ProviderError) as caught:
            engine.refresh()
    assert "ReadTimeout" in caught.value.details
    assert len(clean_faults.requests()) == 5, "each of the 5 attempts timed out"
