"""The ApiKey lifecycle table, through the real provider process against the emulator.

Each test runs small Pulumi programs under the engine rules (tests/harness/engine.py) and checks
both sides: Pulumi state (secret marking, the full key kept) and the API (the emulator's view,
and how many requests each operation made).

Why the harness: fine-grained protocol checks (what each call sends, stores and marks secret) in
seconds. The same lifecycle runs under the real CLI in tests/e2e/test_api_key_cli.py, which wins
where the two disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pulumi
import pytest

from firmtrace_pulumi import ApiKey
from tests.harness import wire
from tests.harness.engine import CheckFailed
from tests.harness.provider_process import ProviderError

from .conftest import Stack

PAST = "2020-01-01"
FUTURE = (dt.date.today() + dt.timedelta(days=365)).isoformat()
KEY = "ApiKey::partner"


def key_program(**inputs: Any):
    def program() -> None:
        key = ApiKey("partner", **inputs)
        pulumi.export("api_key", key.api_key)
        pulumi.export("api_key_part", key.api_key_part)
        pulumi.export("active", key.active)

    return program


def state_of(stack: Stack) -> dict[str, Any]:
    return stack.engine.outputs(KEY)


def full_key(stack: Stack) -> str:
    value = state_of(stack)["api_key"]
    assert wire.is_secret(value), "api_key must be a secret in state"
    return value["value"]


# --- create ------------------------------------------------------------------------------------


def test_preview_of_a_new_key_creates_nothing_and_calls_no_api(stack: Stack) -> None:
    stack.emulator.clear_requests()
    result = stack.preview(key_program(account_id=stack.user.account_id))
    assert result.ops() == {"pulumi-python:dynamic/firmtrace:ApiKey::partner": "create"}
    assert stack.api_requests() == []
    assert stack.engine.state == {}
    assert stack.live_keys() == {}


def test_create_mints_one_key_with_one_request_and_stores_it_as_a_secret(stack: Stack) -> None:
    stack.emulator.clear_requests()
    result = stack.up(key_program(account_id=stack.user.account_id))

    assert [(r["method"], r["path"]) for r in stack.api_requests()] == [("POST", "/v1.3/api_key")]
    out = state_of(stack)
    assert out["api_key"]["value"].startswith(out["api_key_part"])
    assert wire.is_secret(result.outputs["api_key"]), "the stack output stays secret"
    assert out["active"] is True
    assert out["name"].startswith("partner-")  # auto-named after the resource
    live = stack.live_keys()
    assert list(live) == [out["api_key_part"]]
    assert live[out["api_key_part"]]["name"] == out["name"]
    assert stack.engine.state[next(iter(stack.engine.state))].id == (
        f"{stack.user.account_id}/{out['api_key_part']}"
    )


def test_create_with_a_past_end_date_prestages_an_inactive_key(stack: Stack) -> None:
    stack.up(key_program(account_id=stack.user.account_id, end_date=PAST))
    out = state_of(stack)
    assert out["active"] is False
    assert out["end_date"] == PAST
    assert stack.live_keys()[out["api_key_part"]]["active"] is False
    assert full_key(stack)  # the full key is kept even for a staged key


def test_second_up_with_unchanged_inputs_changes_nothing_and_calls_no_api(stack: Stack) -> None:
    program = key_program(account_id=stack.user.account_id, end_date=FUTURE, keepers={"v": 1})
    stack.up(program)
    before = state_of(stack)
    stack.emulator.clear_requests()

    preview = stack.preview(program)
    result = stack.up(program)

    assert set(preview.ops().values()) == {"same"}
    assert set(result.ops().values()) == {"same"}
    assert stack.api_requests() == []
    assert state_of(stack) == before


def test_auto_name_is_stable_across_ups(stack: Stack) -> None:
    program = key_program(account_id=stack.user.account_id)
    stack.up(program)
    first = state_of(stack)["name"]
    stack.up(program)
    assert state_of(stack)["name"] == first


# --- update in place ---------------------------------------------------------------------------


def test_end_date_forward_is_an_in_place_patch_that_switches_the_key_on(stack: Stack) -> None:
    stack.up(key_program(account_id=stack.user.account_id, end_date=PAST))
    key, part = full_key(stack), state_of(stack)["api_key_part"]
    stack.emulator.clear_requests()

    preview = stack.preview(key_program(account_id=stack.user.account_id, end_date=FUTURE))
    assert set(preview.ops().values()) == {"update"}
    assert stack.api_requests() == [], "a preview makes no API call"

    result = stack.up(key_program(account_id=stack.user.account_id, end_date=FUTURE))
    assert set(result.ops().values()) == {"update"}
    assert [(r["method"], r["path"]) for r in stack.api_requests()] == [("PATCH", "/v1.3/api_key")]
    out = state_of(stack)
    assert (out["active"], out["end_date"], out["api_key_part"]) == (True, FUTURE, part)
    assert full_key(stack) == key, "an update must not lose the one copy of the full key"
    assert stack.live_keys()[part]["active"] is True


def test_end_date_back_switches_the_key_off_in_place(stack: Stack) -> None:
    stack.up(key_program(account_id=stack.user.account_id, end_date=FUTURE))
    key = full_key(stack)
    result = stack.up(key_program(account_id=stack.user.account_id, end_date=PAST))
    assert set(result.ops().values()) == {"update"}
    assert state_of(stack)["active"] is False
    assert full_key(stack) == key


def test_removing_end_date_clears_it_and_activates(stack: Stack) -> None:
    stack.up(key_program(account_id=stack.user.account_id, end_date=PAST))
    stack.up(key_program(account_id=stack.user.account_id))
    out = state_of(stack)
    assert (out.get("end_date"), out["active"]) == (None, True)
    assert stack.live_keys()[out["api_key_part"]]["end_date"] is None


def test_rename_is_in_place_and_keeps_the_full_key(stack: Stack) -> None:
    stack.up(key_program(account_id=stack.user.account_id, name="n8n-prod"))
    key = full_key(stack)
    result = stack.up(key_program(account_id=stack.user.account_id, name="n8n-production"))
    assert set(result.ops().values()) == {"update"}
    out = state_of(stack)
    assert out["name"] == "n8n-production"
    assert stack.live_keys()[out["api_key_part"]]["name"] == "n8n-production"
    assert full_key(stack) == key


# --- replace -----------------------------------------------------------------------------------


def test_keepers_change_replaces_the_key_creating_the_new_one_first(stack: Stack) -> None:
    stack.up(key_program(account_id=stack.user.account_id, keepers={"rotation": 1}))
    old_part, old_key = state_of(stack)["api_key_part"], full_key(stack)
    old_name = state_of(stack)["name"]
    stack.emulator.clear_requests()

    result = stack.up(key_program(account_id=stack.user.account_id, keepers={"rotation": 2}))

    assert set(result.ops().values()) == {"replace"}
    # the engine checks a replacement without the old inputs: a new auto-name (engine rule R7)
    assert state_of(stack)["name"] != old_name
    calls = [(r["method"], r["path"]) for r in stack.api_requests()]
    assert calls == [("POST", "/v1.3/api_key"), ("DELETE", "/v1.3/api_key")], "mint, then revoke"
    new_part = state_of(stack)["api_key_part"]
    assert new_part != old_part and full_key(stack) != old_key
    assert list(stack.live_keys()) == [new_part]


def test_account_id_change_replaces_the_key(stack: Stack, emulator: Any) -> None:
    other = stack.api().create_account("Second site", "https://second.example")
    stack.up(key_program(account_id=stack.user.account_id))
    result = stack.up(key_program(account_id=other.account_id))
    assert set(result.ops().values()) == {"replace"}
    assert state_of(stack)["account_id"] == other.account_id
    assert stack.live_keys() == {}
    assert len(stack.live_keys(other.account_id)) == 1


# --- refresh -----------------------------------------------------------------------------------


def test_refresh_keeps_the_full_key_secret_and_reads_live_values(stack: Stack) -> None:
    program = key_program(account_id=stack.user.account_id, end_date=FUTURE)
    stack.up(program)
    key = full_key(stack)
    stack.refresh()
    assert full_key(stack) == key
    result = stack.up(program)
    assert set(result.ops().values()) == {"same"}, "refresh leaves the next diff clean"


def test_out_of_band_end_date_change_shows_as_a_diff_after_refresh(stack: Stack) -> None:
    program = key_program(account_id=stack.user.account_id, end_date=FUTURE)
    stack.up(program)
    part = state_of(stack)["api_key_part"]
    stack.api().update_api_key(stack.user.account_id, part, end_date=dt.date(2020, 6, 1))

    stack.refresh()
    assert state_of(stack)["end_date"] == "2020-06-01"
    assert state_of(stack)["active"] is False
    preview = stack.preview(program)
    assert set(preview.ops().values()) == {"update"}
    stack.up(program)
    assert stack.live_keys()[part]["end_date"] == FUTURE


def test_key_deleted_out_of_band_is_gone_after_refresh_and_up_mints_a_new_one(
    stack: Stack,
) -> None:
    program = key_program(account_id=stack.user.account_id)
    stack.up(program)
    part = state_of(stack)["api_key_part"]
    stack.api().delete_api_key(stack.user.account_id, part)

    stack.refresh()
    assert stack.engine.state == {}
    result = stack.up(program)
    assert set(result.ops().values()) == {"create"}
    assert state_of(stack)["api_key_part"] != part
    assert full_key(stack)


def test_refresh_of_many_keys_in_one_account_lists_the_account_once(stack: Stack) -> None:
    def program() -> None:
        for i in range(5):
            ApiKey(f"k{i}", account_id=stack.user.account_id)

    stack.up(program)
    stack.emulator.clear_requests()
    stack.refresh()
    assert [(r["method"], r["path"]) for r in stack.api_requests()] == [("GET", "/v1.3/api_key")]


# --- delete ------------------------------------------------------------------------------------


def test_destroy_revokes_with_one_request_and_already_gone_counts_as_success(
    stack: Stack,
) -> None:
    def two_keys() -> None:
        ApiKey("a", account_id=stack.user.account_id)
        ApiKey("b", account_id=stack.user.account_id)

    stack.up(two_keys)
    part_b = stack.engine.outputs("ApiKey::b")["api_key_part"]
    stack.api().delete_api_key(stack.user.account_id, part_b)  # gone behind Pulumi's back
    stack.emulator.clear_requests()

    stack.destroy()

    assert sorted((r["method"], r["status"]) for r in stack.api_requests()) == [
        ("DELETE", 200),
        ("DELETE", 404),
    ]
    assert stack.engine.state == {}
    assert stack.live_keys() == {}


def test_refuses_to_delete_the_api_key_it_signs_in_with(stack: Stack, stack_factory) -> None:
    stack.up(key_program(account_id=stack.user.account_id))
    own_key = full_key(stack)
    keyed = stack_factory({"firmtrace:apiKey": wire.secret(own_key)})
    # The keyed stack adopts the same key, then is asked to destroy it.
    keyed.up(key_program(adopt=state_of(stack)["api_key_part"]))
    with pytest.raises(ProviderError, match="signs in with") as err:
        keyed.destroy()
    assert own_key not in err.value.details
    assert state_of(stack)["api_key_part"] in stack.live_keys()


# --- credentials -------------------------------------------------------------------------------


def test_with_an_api_key_the_account_is_implicit(stack: Stack, stack_factory) -> None:
    minted = stack.api().create_api_key(stack.user.account_id, name="automation")
    keyed = stack_factory({"firmtrace:apiKey": wire.secret(minted.api_key.get_secret_value())})
    keyed.up(key_program())
    out = keyed.engine.outputs(KEY)
    assert out["account_id"] == stack.user.account_id
    assert out["api_key_part"] in stack.live_keys()


def test_token_auth_without_account_id_fails_at_check_naming_the_property(stack: Stack) -> None:
    stack.emulator.clear_requests()
    with pytest.raises(CheckFailed) as err:
        stack.preview(key_program())
    (prop, reason), *_ = err.value.failures
    assert prop == "account_id" and "token" in reason
    assert stack.api_requests() == []


def test_missing_credentials_fail_at_check_and_name_every_way_to_set_them(
    stack_factory,
) -> None:
    bare = stack_factory({})
    with pytest.raises(CheckFailed) as err:
        bare.preview(key_program(account_id="1"))
    reason = " ".join(r for _, r in err.value.failures)
    for way in ("firmtrace:token", "FIRMTRACE_TOKEN", "firmtrace:apiKey", "FIRMTRACE_API_KEY"):
        assert way in reason


def test_email_and_password_sign_in_once_and_again_after_a_token_rotation(
    stack: Stack, stack_factory
) -> None:
    signed_in = stack_factory(
        {
            "firmtrace:email": stack.user.email,
            "firmtrace:password": wire.secret(stack.user.password),
        }
    )
    # One provider process across runs: the CLI never does that (each command is a process of
    # its own, signing in once: tests/e2e/test_secrets_cli.py). It is kept here only to put a
    # token rotation between two calls of the same process, as a password changed in the middle
    # of a `pulumi up` does.
    stack.emulator.clear_requests()
    signed_in.up(key_program(account_id=stack.user.account_id))
    logins = [r for r in stack.api_requests() if r["path"] == "/v1.3/login"]
    assert len(logins) == 1

    # PATCH /user rotates the token: the provider's token dies, its email + password do not.
    stack.api().change_password(stack.user.password, stack.user.password)
    signed_in.up(key_program(account_id=stack.user.account_id, name="third"))
    assert signed_in.engine.outputs(KEY)["name"] == "third"
    logins = [r for r in stack.api_requests() if r["path"] == "/v1.3/login"]
    assert len(logins) == 2


# --- adoption ----------------------------------------------------------------------------------


def test_adopt_manages_an_existing_key_without_minting_a_new_one(stack: Stack) -> None:
    existing = stack.api().create_api_key(stack.user.account_id, name="legacy-sync")
    stack.emulator.clear_requests()
    stack.up(key_program(account_id=stack.user.account_id, adopt=existing.api_key_part))

    assert [r["method"] for r in stack.api_requests()] == ["GET"]
    out = state_of(stack)
    assert out["api_key_part"] == existing.api_key_part
    assert out["name"] == "legacy-sync"
    assert wire.reveal(out.get("api_key")) is None, "an adopted key's full value is not known"
    assert list(stack.live_keys()) == [existing.api_key_part]
