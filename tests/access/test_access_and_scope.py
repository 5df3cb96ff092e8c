"""API key scope, roles and dead credentials, through the provider process.

The emulator enforces them; each test checks what the user reads (the last line of the
provider's error), that the refusal was not retried, and that nothing changed on either side.

Why the harness: the provider's exact error text and that no call was retried, per refusal, in
seconds.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.provider_process import ProviderError, ProviderProcess
from tests.harness.resources import account, api_key

Connect = Callable[[dict[str, Any]], Engine]


@pytest.fixture
def owner(emulator: EmulatorAdmin) -> Registration:
    return emulator.register()


@pytest.fixture
def api(emulator: EmulatorAdmin, owner: Registration) -> Iterator[FirmtraceClient]:
    with FirmtraceClient(emulator.url, owner.token) as client:
        yield client


@pytest.fixture
def connect(emulator: EmulatorAdmin) -> Iterator[Connect]:
    """``connect(credentials)``: an engine whose own provider process signs in with them."""
    processes: list[ProviderProcess] = []

    def make(credentials: dict[str, Any]) -> Engine:
        process = ProviderProcess()
        processes.append(process)
        return Engine(process, {"firmtrace:apiUrl": emulator.url, **credentials})

    yield make
    for process in processes:
        process.close()


def token(value: str) -> dict[str, Any]:
    return {"firmtrace:token": wire.secret(value)}


def key_credential(value: str) -> dict[str, Any]:
    return {"firmtrace:apiKey": wire.secret(value)}


def refused(emulator: EmulatorAdmin, action: Callable[[], Any]) -> tuple[str, list[str]]:
    """Run ``action``, which must fail; the user's message and the requests it made."""
    emulator.clear_requests()
    with pytest.raises(ProviderError) as caught:
        action()
    return caught.value.summary, [f"{r['method']} {r['status']}" for r in emulator.requests()]


def test_a_key_used_for_another_account_is_refused_as_account_scope(
    emulator: EmulatorAdmin, owner: Registration, api: FirmtraceClient, connect: Connect
) -> None:
    home = api.create_api_key(owner.account_id, name="home-automation")
    other = api.create_account("Other site", f"https://other-{secrets.token_hex(4)}.example")
    engine = connect(key_credential(home.api_key.get_secret_value()))

    message, calls = refused(
        emulator, lambda: api_key("k", account_id=other.account_id).register(engine)
    )

    assert calls == ["POST 403"], "a refusal is not retried"
    assert message.startswith("RejectedError: POST /v1.3/api_key failed (403 account_scope)")
    assert "the API key belongs to another Account" in message
    assert "use that Account's key, or a User token with this account_id" in message
    assert "Retrying does not help" in message
    assert api.list_api_keys(other.account_id) == [] and engine.state == {}


def test_a_role_20_user_cannot_change_or_delete_an_account_but_can_manage_its_keys(
    emulator: EmulatorAdmin, owner: Registration, connect: Connect
) -> None:
    uid = secrets.token_hex(4)
    url = f"https://shared-{uid}.example"
    admin = connect(token(owner.token))
    site = account("site", name=f"Shared {uid}", url=url, deletion_protection=False)
    account_id, _ = site.register(admin)

    # The same stack, now run with the token of a User who has role 20 in the Account.
    member = emulator.seed_user(account_id, role=20)
    as_member = connect(token(member.token))
    as_member.state = copy.deepcopy(admin.state)
    before = copy.deepcopy(as_member.state)

    renamed = account("site", name=f"Renamed {uid}", url=url, deletion_protection=False)
    message, calls = refused(emulator, lambda: renamed.register(as_member))
    assert calls == ["PATCH 403"]
    assert message.startswith("RejectedError: PATCH /v1.3/accounts failed (403 forbidden)")
    assert "the credential's role in this Account is too low" in message
    assert "needs the Administrator role (10)" in message
    assert "use a token or API key of a User who administers it" in message

    message, calls = refused(emulator, as_member.destroy)
    assert calls == ["DELETE 403"]
    assert message.startswith("RejectedError: DELETE /v1.3/accounts failed (403 forbidden)")

    (live,) = [a for a in emulator.state()["accounts"] if a["account_id"] == account_id]
    assert live["name"] == f"Shared {uid}"
    assert as_member.state == before

    # Role 20 may use API keys: the same User mints one in that Account.
    api_key("member-key", account_id=account_id).register(as_member)
    parts = [k["api_key_part"] for k in emulator.state()["api_keys"]]
    assert as_member.outputs("ApiKey::member-key")["api_key_part"] in parts


def test_a_token_rotated_by_a_password_change_is_refused_and_nothing_is_lost(
    emulator: EmulatorAdmin, owner: Registration, api: FirmtraceClient, connect: Connect
) -> None:
    engine = connect(token(owner.token))
    api_key("k", account_id=owner.account_id, name="before").register(engine)
    full_key = wire.reveal(engine.outputs("ApiKey::k")["api_key"])

    api.change_password(owner.password, "a-new-password-" + secrets.token_hex(8))
    message, calls = refused(
        emulator, lambda: api_key("k", account_id=owner.account_id, name="after").register(engine)
    )

    assert calls == ["PATCH 401"]
    assert message.startswith(
        "CredentialsError: PATCH /v1.3/api_key failed (401 invalid_credential): "
        "the credentials were not accepted."
    )
    assert "unknown, revoked, ended or rotated" in message
    assert "Check firmtrace:token / firmtrace:apiKey" in message
    assert "a password change rotates the token" in message
    assert wire.reveal(engine.outputs("ApiKey::k")["api_key"]) == full_key
    assert [
        k["name"] for k in emulator.state()["api_keys"] if k["account_id"] == owner.account_id
    ] == ["before"]


def test_an_ended_key_used_as_credential_is_refused_as_invalid_credential(
    emulator: EmulatorAdmin, owner: Registration, api: FirmtraceClient, connect: Connect
) -> None:
    ended = api.create_api_key(owner.account_id, name="ended", end_date=dt.date(2020, 1, 1))
    engine = connect(key_credential(ended.api_key.get_secret_value()))

    message, calls = refused(emulator, lambda: api_key("k").register(engine))

    assert calls == ["POST 401"]
    assert message.startswith(
        "CredentialsError: POST /v1.3/api_key failed (401 invalid_credential)"
    )
    assert "an ended or deleted API key stops working" in message
    assert [
        k["name"] for k in emulator.state()["api_keys"] if k["account_id"] == owner.account_id
    ] == ["ended"]


def test_a_key_that_ends_while_in_use_is_refused_from_then_on(
    emulator: EmulatorAdmin, owner: Registration, api: FirmtraceClient, connect: Connect
) -> None:
    credential = api.create_api_key(
        owner.account_id, name="pipeline", end_date=dt.date.today() + dt.timedelta(days=30)
    )
    engine = connect(key_credential(credential.api_key.get_secret_value()))
    api_key("k").register(engine)  # works while the key is live
    kept = wire.reveal(engine.outputs("ApiKey::k")["api_key"])

    api.update_api_key(owner.account_id, credential.api_key_part, end_date=dt.date(2020, 1, 1))
    message, calls = refused(emulator, engine.refresh)

    assert calls == ["GET 401"]
    assert message.startswith("CredentialsError: GET /v1.3/api_key failed (401 invalid_credential)")
    assert wire.reveal(engine.outputs("ApiKey::k")["api_key"]) == kept
