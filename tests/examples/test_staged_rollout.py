"""examples/staged-rollout: the README's three `pulumi up`s (pre-stage, go live, retire), then
destroy. Every step is one PATCH of the same key; the partner's copy never changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.harness import wire

from .conftest import Example

TODAY = dt.datetime.now(dt.timezone.utc).date()
GO_LIVE_UNTIL = (TODAY + dt.timedelta(days=200)).isoformat()
KEY = "pulumi-python:dynamic/firmtrace:ApiKey::partner-key"


def test_pre_stage_go_live_retire(example: Callable[[str], Example]) -> None:
    ex = example("staged-rollout")

    # 1. Pre-stage: a past end_date creates the key inactive; its full key is ready to hand over.
    result = ex.up(accountId=ex.account_id, endDate="2020-01-01")
    assert result.ops() == {KEY: "create"}
    part = result.plain("api_key_part")
    assert result.plain("active") is False
    assert wire.is_secret(result.outputs["api_key"])
    handed_over = result.plain("api_key")
    assert handed_over == ex.full_keys[part]
    live = ex.keys()
    assert list(live) == [part]
    assert (live[part]["active"], live[part]["end_date"], live[part]["name"]) == (
        False,
        "2020-01-01",
        "acme-integration",
    )

    # 2. Go live: end_date forward. In place, same key, now active.
    ex.emulator.clear_requests()
    result = ex.up(accountId=ex.account_id, endDate=GO_LIVE_UNTIL)
    assert result.ops() == {KEY: "update"}
    assert ex.api_writes() == [("PATCH", "/v1.3/api_key")]
    assert (result.plain("api_key_part"), result.plain("active")) == (part, True)
    assert result.plain("api_key") == handed_over
    assert ex.keys()[part]["active"] is True
    assert ex.keys()[part]["end_date"] == GO_LIVE_UNTIL

    # 3. Retire: end_date back to today. In place, same key, inactive.
    ex.emulator.clear_requests()
    result = ex.up(accountId=ex.account_id, endDate=TODAY.isoformat())
    assert result.ops() == {KEY: "update"}
    assert ex.api_writes() == [("PATCH", "/v1.3/api_key")]
    assert (result.plain("api_key_part"), result.plain("active")) == (part, False)
    assert list(ex.keys()) == [part] and ex.keys()[part]["active"] is False

    # Reversible: forward again brings the same key back.
    result = ex.up(accountId=ex.account_id, endDate="none")
    assert (result.plain("api_key_part"), result.plain("active")) == (part, True)
    assert ex.keys()[part]["end_date"] is None

    ex.destroy()
    assert ex.keys() == {}
