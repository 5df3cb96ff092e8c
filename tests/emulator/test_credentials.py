"""Credential resolution: tokens vs API keys, scope and dead credentials."""

from __future__ import annotations

import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration

from .conftest import Connect
from .helpers import expect_error, expect_ok


def _mint(connect: Connect, owner: Registration, **fields: object) -> dict:
    body = {"account_id": owner.account_id, **fields}
    result: dict = expect_ok(connect(owner.token).post("/api_key", json=body))
    return result


NEEDS_ONE = "This call needs a credential: send 'Authorization: Bearer <token or API key>'."
NOT_BEARER = "The Authorization header must read 'Bearer <token or API key>'."
UNKNOWN = "The credential is unknown, revoked, ended or rotated. Sign in again or use a live key."


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, NEEDS_ONE),
        ("", NEEDS_ONE),
        ("Bearer", NOT_BEARER),
        ("Basic dXNlcjpwYXNz", NOT_BEARER),
        ("Bearer garbage", UNKNOWN),
        ("Bearer ftt_" + "A" * 43, UNKNOWN),  # token-shaped but unknown
        ("Bearer ftk_0123abcd_" + "A" * 32, UNKNOWN),  # key-shaped but unknown
    ],
)
def test_missing_or_garbage_authorization_is_401_saying_what_is_wrong(
    connect: Connect, authorization: str | None, message: str
):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = connect().get("/accounts", headers=headers)
    assert expect_error(response, 401, "invalid_credential")["user_message"] == message


def test_token_requires_account_id_on_account_scoped_calls(as_owner):
    expect_error(as_owner.get("/api_key"), 400, "validation_error", field="account_id")
    expect_error(as_owner.post("/api_key", json={}), 400, "validation_error", field="account_id")


def test_token_reaches_every_account_of_its_user(as_owner, owner: Registration):
    extra = expect_ok(
        as_owner.post("/accounts", json={"name": "Extra", "url": "https://x.example"})
    )
    for account_id in (owner.account_id, extra["account_id"]):
        expect_ok(as_owner.get("/api_key", params={"account_id": account_id}))


def test_token_for_an_account_without_a_role_is_403(
    emulator: EmulatorAdmin, as_owner, connect: Connect
):
    stranger = emulator.register()
    response = as_owner.get("/api_key", params={"account_id": stranger.account_id})
    expect_error(response, 403, "forbidden")


def test_unknown_account_is_404(as_owner):
    response = as_owner.get("/api_key", params={"account_id": "acc_doesnotexist"})
    expect_error(response, 404, "not_found")


def test_api_key_account_is_implicit(connect: Connect, owner: Registration):
    key = _mint(connect, owner)["api_key"]
    keys = expect_ok(connect(key).get("/api_key"))["api_keys"]
    assert {k["account_id"] for k in keys} == {owner.account_id}
    same = connect(key).get("/api_key", params={"account_id": owner.account_id})
    expect_ok(same)
    accounts = expect_ok(connect(key).get("/accounts"))["accounts"]
    assert [a["account_id"] for a in accounts] == [owner.account_id]


def test_api_key_used_for_another_account_is_403_account_scope(
    emulator: EmulatorAdmin, connect: Connect, owner: Registration
):
    key = _mint(connect, owner)["api_key"]
    other = emulator.register()
    response = connect(key).get("/api_key", params={"account_id": other.account_id})
    expect_error(response, 403, "account_scope")
    patch = connect(key).patch("/accounts", json={"account_id": other.account_id, "name": "X"})
    expect_error(patch, 403, "account_scope")


def test_api_key_acts_with_the_minting_users_role(
    emulator: EmulatorAdmin, connect: Connect, owner: Registration
):
    member = emulator.seed_user(owner.account_id, role=20)
    member_key = expect_ok(
        connect(member.token).post("/api_key", json={"account_id": owner.account_id})
    )["api_key"]
    denied = connect(member_key).patch(
        "/accounts", json={"account_id": owner.account_id, "name": "Renamed"}
    )
    expect_error(denied, 403, "forbidden")
    admin_key = _mint(connect, owner)["api_key"]
    renamed = connect(admin_key).patch(
        "/accounts", json={"account_id": owner.account_id, "name": "Renamed"}
    )
    assert expect_ok(renamed)["name"] == "Renamed"


def test_ended_deleted_and_pre_staged_keys_are_401(connect: Connect, owner: Registration):
    pre_staged = _mint(connect, owner, end_date="2000-01-01")
    expect_error(connect(pre_staged["api_key"]).get("/accounts"), 401, "invalid_credential")

    doomed = _mint(connect, owner)
    expect_ok(connect(doomed["api_key"]).get("/accounts"))
    expect_ok(
        connect(owner.token).delete(
            "/api_key",
            params={"account_id": owner.account_id, "api_key_part": doomed["api_key_part"]},
        )
    )
    expect_error(connect(doomed["api_key"]).get("/accounts"), 401, "invalid_credential")


def test_a_key_may_delete_itself_and_stops_working_at_once(connect: Connect, owner: Registration):
    key = _mint(connect, owner)
    client = connect(key["api_key"])
    expect_ok(client.delete("/api_key", params={"api_key_part": key["api_key_part"]}))
    expect_error(client.get("/api_key"), 401, "invalid_credential")
