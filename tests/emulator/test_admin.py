"""The /_emulator admin routes."""

from __future__ import annotations

import httpx
import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration
from firmtrace_pulumi.emulator.faults import FaultConfig
from firmtrace_pulumi.emulator.server import EmulatorServer

from .conftest import Connect
from .helpers import expect_ok


def test_state_shows_accounts_keys_and_users_without_secrets(
    emulator: EmulatorAdmin, as_owner, owner: Registration
):
    key = expect_ok(
        as_owner.post(
            "/api_key", json={"account_id": owner.account_id, "name": "n", "end_date": "2000-01-01"}
        )
    )
    member = emulator.seed_user(owner.account_id, role=20)
    state = emulator.state()
    [account] = [a for a in state["accounts"] if a["account_id"] == owner.account_id]
    assert account == {
        "account_id": owner.account_id,
        "name": account["name"],
        "url": account["url"],
        "default_of": owner.email,
    }
    [stored] = [k for k in state["api_keys"] if k["api_key_part"] == key["api_key_part"]]
    assert stored == {k: v for k, v in key.items() if k != "api_key"}
    assert stored["active"] is False
    users = {u["email"]: u["roles"] for u in state["users"]}
    assert users[owner.email] == {owner.account_id: 10}
    assert users[member.email] == {owner.account_id: 20}
    text = str(state)
    for secret in (key["api_key"], owner.token, owner.password, member.token, member.password):
        assert secret not in text


def test_request_log_counts_requests(emulator: EmulatorAdmin, as_owner, owner: Registration):
    emulator.clear_requests()
    expect_ok(as_owner.post("/api_key", json={"account_id": owner.account_id}))
    as_owner.get("/api_key")
    assert emulator.requests() == [
        {
            "method": "POST",
            "path": "/v1.3/api_key",
            "status": 200,
            "credential": "token",
            "in_flight": 1,
        },
        {
            "method": "GET",
            "path": "/v1.3/api_key",
            "status": 400,
            "credential": "token",
            "in_flight": 1,
        },
    ]
    assert len(emulator.requests(method="POST", path="/api_key")) == 1
    emulator.health()
    emulator.state()
    assert len(emulator.requests()) == 2  # admin calls are not logged
    emulator.clear_requests()
    assert emulator.requests() == []


def test_seed_user_can_log_in_and_gets_the_role(emulator: EmulatorAdmin, connect: Connect, owner):
    member = emulator.seed_user(owner.account_id, role=20)
    login = expect_ok(
        connect().post("/login", json={"email": member.email, "password": member.password})
    )
    assert login["default_account_id"] == owner.account_id
    accounts = expect_ok(connect(member.token).get("/accounts"))["accounts"]
    assert [(a["account_id"], a["role"]) for a in accounts] == [(owner.account_id, 20)]
    promoted = emulator.seed_user(owner.account_id, role=10, email=member.email)
    accounts = expect_ok(connect(promoted.token).get("/accounts"))["accounts"]
    assert [a["role"] for a in accounts] == [10]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"account_id": "acc_nope"}, 404),
        ({"role": 30}, 400),
        ({"email": "not an email"}, 400),
    ],
)
def test_seed_user_refuses_bad_input(emulator: EmulatorAdmin, owner, body: dict, status: int):
    payload = {
        "email": "x@seed.example",
        "password": "pw",
        "account_id": owner.account_id,
        "role": 20,
        **body,
    }
    response = httpx.post(emulator.url + "/_emulator/users", json=payload)
    assert response.status_code == status
    assert set(response.json()) >= {"error", "user_message"}


def test_reset_wipes_everything():
    with EmulatorServer() as server, EmulatorAdmin(server.url) as admin:
        admin.register()
        admin.set_faults(FaultConfig(latency_ms=5))
        admin.reset()
        assert admin.state() == {"accounts": [], "api_keys": [], "users": []}
        assert admin.requests() == []
        assert admin.faults()["latency_ms"] == 0


def test_openapi_lists_only_the_api(emulator: EmulatorAdmin):
    document = httpx.get(emulator.url + "/openapi.json").json()
    assert sorted(document["paths"]) == [
        "/v1.3/accounts",
        "/v1.3/api_key",
        "/v1.3/login",
        "/v1.3/register",
        "/v1.3/user",
    ]
    assert "422" not in str(document)
