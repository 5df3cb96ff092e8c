"""Orphan-safe create, through the provider process: a create whose answer is lost after the
server committed never leaves a key or Account that no state knows about.

The full API key exists only in the create's answer. When that answer is lost, the provider
lists the Account's keys, revokes those with the resource's unique name created since the
request, and mints again; if it cannot revoke one, it fails naming its ``api_key_part``. An
Account create whose answer is lost is looked up by name and url and adopted.

Why the harness: the answer must be lost at an exact moment of one create.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.contract import Endpoint, Endpoints
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.faults import FaultConfig, FaultStep
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.provider_process import ProviderError
from tests.harness.resources import account, api_key

from .conftest import TIMEOUT, Provider, calls

LOST_ANSWERS = {
    "drop_after_commit": FaultStep.drop_after_commit(),
    "reset_before_read": FaultStep.reset_before_read(),
    "slow_past_timeout": FaultStep.slow(int(TIMEOUT * 1000) + 500),
}


def fresh_account(provider: Provider) -> str:
    uid = secrets.token_hex(4)
    return provider.api.create_account(
        f"Orphans {uid}", f"https://orphans-{uid}.example"
    ).account_id


def live_keys(emulator: EmulatorAdmin, account_id: str) -> dict[str, dict[str, Any]]:
    keys = emulator.state()["api_keys"]
    return {k["api_key_part"]: k for k in keys if k["account_id"] == account_id}


def only_key(engine: Engine) -> dict[str, Any]:
    (res,) = engine.state.values()
    return res.outputs


def assert_key_works(provider: Provider, outputs: dict[str, Any]) -> None:
    full = wire.reveal(outputs["api_key"])
    assert wire.is_secret(outputs["api_key"]) and full.startswith(outputs["api_key_part"])
    with FirmtraceClient(provider.url, full) as as_key:
        assert outputs["api_key_part"] in {k.api_key_part for k in as_key.list_api_keys()}


# --- ApiKey --------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", list(LOST_ANSWERS))
@pytest.mark.parametrize("named", [False, True], ids=["auto-named", "named"])
def test_a_lost_key_create_leaves_exactly_the_key_in_state(
    provider: Provider, clean_faults: EmulatorAdmin, fault: str, named: bool
) -> None:
    emulator, account_id, engine = clean_faults, fresh_account(provider), provider.engine()
    name = f"named-{secrets.token_hex(3)}" if named else None
    emulator.clear_requests()
    emulator.script(Endpoints.CREATE_API_KEY, LOST_ANSWERS[fault])

    api_key("k", account_id=account_id, name=name).register(engine)

    committed = fault != "reset_before_read"
    expected = [f"POST({LOST_ANSWERS[fault].fault.value})", "GET"]
    expected += ["DELETE", "POST"] if committed else ["POST"]
    assert calls(emulator) == expected, "look, revoke what the lost create made, mint again"
    outputs = only_key(engine)
    assert list(live_keys(emulator, account_id)) == [outputs["api_key_part"]], "one key, in state"
    assert_key_works(provider, outputs)
    if named:
        assert outputs["name"] == name


def test_a_revoked_orphan_is_the_one_the_lost_create_made(
    provider: Provider, clean_faults: EmulatorAdmin
) -> None:
    """Only keys with the resource's name created since the request are revoked: an older key
    with the same (explicit) name stays."""
    emulator, account_id = clean_faults, fresh_account(provider)
    older = provider.api.create_api_key(account_id, name="shared-name")
    time.sleep(2.1)  # created_at has whole seconds; the provider allows 1 s of clock skew
    emulator.script(Endpoints.CREATE_API_KEY, FaultStep.drop_after_commit())
    engine = provider.engine()

    api_key("k", account_id=account_id, name="shared-name").register(engine)

    new_part = only_key(engine)["api_key_part"]
    assert set(live_keys(emulator, account_id)) == {older.api_key_part, new_part}


def lost_create_fails(
    emulator: EmulatorAdmin,
    engine: Engine,
    account_id: str,
    also: Endpoint,
    fault: FaultStep,
    name: str | None = None,
) -> str:
    """Lose the answer to the key's create and fault ``also`` (the way back); the message."""
    emulator.set_faults(
        FaultConfig(
            scripts={Endpoints.CREATE_API_KEY: [FaultStep.drop_after_commit()], also: [fault]}
        )
    )
    with pytest.raises(ProviderError) as caught:
        api_key("k", account_id=account_id, name=name).register(engine)
    return caught.value.summary


def test_an_orphan_that_cannot_be_revoked_is_named_in_the_error(
    provider: Provider, clean_faults: EmulatorAdmin
) -> None:
    emulator, account_id, engine = clean_faults, fresh_account(provider), provider.engine()
    message = lost_create_fails(
        emulator, engine, account_id, Endpoints.DELETE_API_KEY, FaultStep.status(403)
    )

    (orphan,) = live_keys(emulator, account_id)
    assert f"the key was created as {orphan} and revoking it failed" in message
    assert f"delete key {orphan} in the Firmtrace app" in message
    assert engine.state == {}


def test_when_the_keys_cannot_be_listed_the_error_names_the_key_to_look_for(
    provider: Provider, clean_faults: EmulatorAdmin
) -> None:
    emulator, account_id, engine = clean_faults, fresh_account(provider), provider.engine()
    message = lost_create_fails(
        emulator,
        engine,
        account_id,
        Endpoints.LIST_API_KEYS,
        FaultStep.status(503, times=100),
        name="look-for-me",
    )

    assert "listing the Account's keys to look for it failed too" in message
    assert "A key named 'look-for-me' may now exist" in message
    assert "delete it in the Firmtrace app" in message
    assert engine.state == {}


# --- Account -------------------------------------------------------------------------------


def accounts_at(emulator: EmulatorAdmin, url: str) -> list[str]:
    return [a["account_id"] for a in emulator.state()["accounts"] if a["url"] == url]


@pytest.mark.parametrize("fault", list(LOST_ANSWERS))
def test_a_lost_account_create_leaves_exactly_the_account_in_state(
    provider: Provider, clean_faults: EmulatorAdmin, fault: str
) -> None:
    emulator, engine, uid = clean_faults, provider.engine(), secrets.token_hex(4)
    url = f"https://lost-{uid}.example"
    emulator.clear_requests()
    emulator.script(Endpoints.CREATE_ACCOUNT, LOST_ANSWERS[fault])

    account("site", name=f"Lost {uid}", url=url).register(engine)

    committed = fault != "reset_before_read"
    lost = f"POST({LOST_ANSWERS[fault].fault.value})"
    assert calls(emulator) == ([lost, "GET"] if committed else [lost, "GET", "POST"])
    (res,) = engine.state.values()
    assert accounts_at(emulator, url) == [res.id], "one Account, in state"
    assert (res.outputs["name"], res.outputs["role"]) == (f"Lost {uid}", 10)


def test_a_lost_account_create_refuses_to_guess_between_lookalikes(
    provider: Provider, clean_faults: EmulatorAdmin
) -> None:
    emulator, engine, uid = clean_faults, provider.engine(), secrets.token_hex(4)
    name, url = f"Twin {uid}", f"https://twin-{uid}.example"
    provider.api.create_account(name, url)
    emulator.script(Endpoints.CREATE_ACCOUNT, FaultStep.drop_after_commit())

    with pytest.raises(ProviderError) as caught:
        account("site", name=name, url=url).register(engine)

    message = caught.value.summary
    ids = accounts_at(emulator, url)
    assert len(ids) == 2
    assert all(account_id in message for account_id in ids)
    assert "Keep one and delete the others in the Firmtrace app" in message
    assert engine.state == {}
