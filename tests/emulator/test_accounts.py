"""GET, POST, PATCH and DELETE /accounts."""

from __future__ import annotations

from firmtrace_pulumi.contract import Account, AccountList
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration

from .conftest import Connect
from .helpers import expect_error, expect_ok, fits


def _create(client, name: str = "Extra", url: str = "https://extra.example") -> dict:
    result: dict = expect_ok(client.post("/accounts", json={"name": name, "url": url}))
    return result


def test_any_user_may_create_an_account_and_administers_it(
    emulator: EmulatorAdmin, connect: Connect, owner: Registration
):
    member = emulator.seed_user(owner.account_id, role=20)
    created = _create(connect(member.token), name="Side project")
    account = fits(Account, created)
    assert set(created) == {"account_id", "name", "url", "role"}
    assert (account.name, account.url, account.role) == (
        "Side project",
        "https://extra.example",
        10,
    )
    listed = fits(AccountList, expect_ok(connect(member.token).get("/accounts")))
    roles = {a.account_id: a.role for a in listed.accounts}
    assert roles == {owner.account_id: 20, account.account_id: 10}


def test_an_api_key_may_not_create_accounts(connect: Connect, owner: Registration):
    key = expect_ok(connect(owner.token).post("/api_key", json={"account_id": owner.account_id}))
    response = connect(key["api_key"]).post("/accounts", json={"name": "X", "url": "https://x.io"})
    expect_error(response, 403, "forbidden")


def test_patch_changes_only_the_given_fields(as_owner):
    account = _create(as_owner)
    renamed = expect_ok(
        as_owner.patch("/accounts", json={"account_id": account["account_id"], "name": "New"})
    )
    assert (renamed["name"], renamed["url"]) == ("New", account["url"])
    moved = expect_ok(
        as_owner.patch(
            "/accounts", json={"account_id": account["account_id"], "url": "https://new.example"}
        )
    )
    assert (moved["name"], moved["url"], moved["role"]) == ("New", "https://new.example", 10)
    cleared = as_owner.patch("/accounts", json={"account_id": account["account_id"], "name": None})
    expect_error(cleared, 400, "validation_error", field="name")


def test_role_20_cannot_patch_or_delete_an_account(
    emulator: EmulatorAdmin, connect: Connect, as_owner
):
    account = _create(as_owner)
    member = connect(emulator.seed_user(account["account_id"], role=20).token)
    patch = member.patch("/accounts", json={"account_id": account["account_id"], "name": "X"})
    expect_error(patch, 403, "forbidden")
    delete = member.delete("/accounts", params={"account_id": account["account_id"]})
    expect_error(delete, 403, "forbidden")


def test_the_default_account_cannot_be_deleted(as_owner, owner: Registration):
    response = as_owner.delete("/accounts", params={"account_id": owner.account_id})
    expect_error(response, 409, "default_account")


def test_deleting_an_account_deletes_its_keys(emulator: EmulatorAdmin, connect: Connect, as_owner):
    account = _create(as_owner)
    key = expect_ok(as_owner.post("/api_key", json={"account_id": account["account_id"]}))
    expect_ok(connect(key["api_key"]).get("/accounts"))

    deleted = as_owner.delete("/accounts", params={"account_id": account["account_id"]})
    assert expect_ok(deleted) == {"deleted": True}

    expect_error(connect(key["api_key"]).get("/accounts"), 401, "invalid_credential")
    state = emulator.state()
    assert account["account_id"] not in {a["account_id"] for a in state["accounts"]}
    assert key["api_key_part"] not in {k["api_key_part"] for k in state["api_keys"]}
    again = as_owner.delete("/accounts", params={"account_id": account["account_id"]})
    expect_error(again, 404, "not_found")


def test_an_api_key_may_not_delete_accounts(connect: Connect, as_owner):
    account = _create(as_owner)
    key = expect_ok(as_owner.post("/api_key", json={"account_id": account["account_id"]}))
    response = connect(key["api_key"]).delete(
        "/accounts", params={"account_id": account["account_id"]}
    )
    expect_error(response, 403, "forbidden")


def test_unknown_account_is_404(as_owner):
    response = as_owner.patch("/accounts", json={"account_id": "acc_nope", "name": "X"})
    expect_error(response, 404, "not_found")
