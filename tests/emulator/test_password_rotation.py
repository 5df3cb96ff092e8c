"""PATCH /user: a password change rotates the token; API keys are unaffected."""

from __future__ import annotations

from firmtrace_pulumi.emulator.admin_client import Registration

from .conftest import Connect
from .helpers import expect_error, expect_ok


def test_password_change_rotates_the_token_and_keeps_api_keys(
    connect: Connect, owner: Registration
):
    old = connect(owner.token)
    login = expect_ok(
        connect().post("/login", json={"email": owner.email, "password": owner.password})
    )
    key = expect_ok(old.post("/api_key", json={"account_id": owner.account_id}))["api_key"]

    rotated = expect_ok(
        old.patch("/user", json={"password": "new secret 2", "current_password": owner.password})
    )
    assert set(rotated) == {"token"}
    new_token = rotated["token"]
    assert new_token not in (owner.token, login["token"])

    expect_error(old.get("/accounts"), 401, "invalid_credential")
    expect_error(connect(login["token"]).get("/accounts"), 401, "invalid_credential")
    expect_ok(connect(new_token).get("/accounts"))
    expect_ok(connect(key).get("/accounts"))

    stale = connect().post("/login", json={"email": owner.email, "password": owner.password})
    expect_error(stale, 401, "login_error")
    expect_ok(connect().post("/login", json={"email": owner.email, "password": "new secret 2"}))


def test_wrong_current_password_is_401_and_changes_nothing(connect: Connect, owner: Registration):
    client = connect(owner.token)
    response = client.patch("/user", json={"password": "x2", "current_password": "wrong"})
    expect_error(response, 401, "login_error")
    expect_ok(client.get("/accounts"))


def test_an_api_key_cannot_change_a_password(connect: Connect, owner: Registration):
    key = expect_ok(connect(owner.token).post("/api_key", json={"account_id": owner.account_id}))[
        "api_key"
    ]
    response = connect(key).patch(
        "/user", json={"password": "x2", "current_password": owner.password}
    )
    expect_error(response, 403, "forbidden")
