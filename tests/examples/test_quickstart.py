"""The root project (``Pulumi.yaml`` → examples/quickstart/__main__.py) across the sequence
``make up`` drives: up, rerun, flip the staged key live and back, protection off, destroy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.harness import wire

from .conftest import REPO, Example, project_of

FUTURE = (dt.date.today() + dt.timedelta(days=365)).isoformat()


def test_root_project_is_the_quickstart() -> None:
    project, program = project_of(REPO)
    assert (project, program) == ("firmtrace-quickstart", REPO / "examples/quickstart/__main__.py")


def test_quickstart_sequence(example: Callable[[str], Example]) -> None:
    qs = example(".")

    # 1. make up: an Account for the partner site, a live key and a pre-staged one.
    result = qs.up()
    assert set(result.ops().values()) == {"create"} and len(result.ops()) == 3
    account_id = result.plain("account_id")
    account = qs.accounts()[account_id]
    assert (account["name"], account["url"]) == ("Northwind Traders", "https://northwind.example")
    parts = result.plain("api_key_parts")
    assert result.plain("active") == {"live": True, "staged": False}
    keys = qs.keys(account_id)
    assert set(keys) == {parts["live"], parts["staged"]}
    assert keys[parts["live"]]["active"] is True
    assert (keys[parts["staged"]]["active"], keys[parts["staged"]]["end_date"]) == (
        False,
        "2020-01-01",
    )
    for name in ("live_api_key", "staged_api_key"):
        assert wire.is_secret(result.outputs[name]), f"{name} must be a secret output"
    assert result.plain("live_api_key") == qs.full_keys[parts["live"]]
    assert result.plain("staged_api_key") == qs.full_keys[parts["staged"]]

    # 2. make up again: nothing changes, nothing is written.
    qs.emulator.clear_requests()
    result = qs.up()
    assert set(result.ops().values()) == {"same"}
    assert qs.api_writes() == []

    # 3. make up STAGED_END_DATE=<future>: the staged key goes live in place (same key).
    qs.emulator.clear_requests()
    result = qs.up(stagedEndDate=FUTURE)
    assert result.ops() == {
        "pulumi-python:dynamic/firmtrace:Account::partner-site": "same",
        "pulumi-python:dynamic/firmtrace:ApiKey::live": "same",
        "pulumi-python:dynamic/firmtrace:ApiKey::staged": "update",
    }
    assert qs.api_writes() == [("PATCH", "/v1.3/api_key")]
    assert result.plain("api_key_parts") == parts
    assert result.plain("active") == {"live": True, "staged": True}
    assert qs.keys(account_id)[parts["staged"]]["active"] is True

    # ... and back off again.
    result = qs.up(stagedEndDate="2020-01-01")
    assert result.plain("active") == {"live": True, "staged": False}
    assert qs.keys(account_id)[parts["staged"]]["active"] is False

    # 4. make down: deletion_protection off (state only, no API call), then destroy.
    qs.emulator.clear_requests()
    result = qs.up(deletionProtection="false")
    assert result.ops()["pulumi-python:dynamic/firmtrace:Account::partner-site"] == "update"
    assert qs.api_writes() == []
    assert qs.state_of("partner-site")["deletion_protection"] is False
    qs.destroy()
    assert account_id not in qs.accounts()
    assert qs.keys(account_id) == {}
    assert qs.engine.state == {}
