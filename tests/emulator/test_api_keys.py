"""POST, GET, PATCH and DELETE /api_key, including the end_date rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import httpx
import pytest

from firmtrace_pulumi.contract import ApiKey, ApiKeyList, NewApiKey
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration

from .conftest import Connect
from .helpers import expect_error, expect_ok, fits

TODAY = dt.datetime.now(dt.timezone.utc).date()
YESTERDAY, TOMORROW = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
READ_FIELDS = {"api_key_part", "account_id", "name", "end_date", "active", "created_at"}


def _mint(client: httpx.Client, owner: Registration, **fields: object) -> dict:
    result: dict = expect_ok(
        client.post("/api_key", json={"account_id": owner.account_id, **fields})
    )
    return result


def _patch(client: httpx.Client, owner: Registration, part: str, **fields: object) -> dict:
    body = {"account_id": owner.account_id, "api_key_part": part, **fields}
    result: dict = expect_ok(client.patch("/api_key", json=body))
    return result


def test_full_key_appears_only_in_the_create_answer(as_owner, owner: Registration):
    created = _mint(as_owner, owner, name="n8n-prod")
    assert set(created) == READ_FIELDS | {"api_key"}
    key = fits(NewApiKey, created)
    full = key.api_key.get_secret_value()
    assert re.fullmatch(r"ftk_[0-9a-f]{8}_[A-Za-z0-9_-]{32}", full)
    assert full.startswith(key.api_key_part + "_")
    assert (key.name, key.end_date, key.active, key.account_id) == (
        "n8n-prod",
        None,
        True,
        owner.account_id,
    )
    assert dt.datetime.strptime(key.created_at, "%Y-%m-%dT%H:%M:%SZ")

    listed = expect_ok(as_owner.get("/api_key", params={"account_id": owner.account_id}))
    fits(ApiKeyList, listed)
    [read] = [k for k in listed["api_keys"] if k["api_key_part"] == key.api_key_part]
    assert set(read) == READ_FIELDS
    assert full not in str(listed)


def test_state_never_shows_full_keys(emulator: EmulatorAdmin, as_owner, owner: Registration):
    full = _mint(as_owner, owner)["api_key"]
    state = str(emulator.state())
    assert full not in state
    assert hashlib.sha256(full.encode()).hexdigest() not in state


def test_get_with_api_key_part_returns_that_key_or_404(as_owner, owner: Registration):
    part = _mint(as_owner, owner)["api_key_part"]
    one = expect_ok(
        as_owner.get("/api_key", params={"account_id": owner.account_id, "api_key_part": part})
    )
    assert [k["api_key_part"] for k in one["api_keys"]] == [part]
    missing = as_owner.get(
        "/api_key", params={"account_id": owner.account_id, "api_key_part": "ftk_00000000"}
    )
    expect_error(missing, 404, "not_found")


@pytest.mark.parametrize(
    ("end_date", "active"),
    [(None, True), (TOMORROW, True), (TODAY, False), (YESTERDAY, False)],
)
def test_active_while_today_is_before_end_date(
    as_owner, owner: Registration, end_date: dt.date | None, active: bool
):
    iso = end_date.isoformat() if end_date else None
    created = _mint(as_owner, owner, end_date=iso)
    assert (created["end_date"], created["active"]) == (iso, active)


def test_patching_end_date_forward_or_to_null_activates_a_pre_staged_key(
    connect: Connect, as_owner, owner: Registration
):
    created = _mint(as_owner, owner, end_date=YESTERDAY.isoformat(), name="partner")
    part, key = created["api_key_part"], created["api_key"]
    expect_error(connect(key).get("/accounts"), 401, "invalid_credential")

    forward = _patch(as_owner, owner, part, end_date=TOMORROW.isoformat())
    assert (forward["active"], forward["name"]) == (True, "partner")
    assert set(forward) == READ_FIELDS
    expect_ok(connect(key).get("/accounts"))

    ended = _patch(as_owner, owner, part, end_date=TODAY.isoformat())
    assert ended["active"] is False
    expect_error(connect(key).get("/accounts"), 401, "invalid_credential")

    cleared = _patch(as_owner, owner, part, end_date=None)
    assert (cleared["end_date"], cleared["active"]) == (None, True)
    expect_ok(connect(key).get("/accounts"))


def test_patch_absent_fields_are_unchanged_and_null_clears(as_owner, owner: Registration):
    part = _mint(as_owner, owner, name="old", end_date=TOMORROW.isoformat())["api_key_part"]
    renamed = _patch(as_owner, owner, part, name="new")
    assert fits(ApiKey, renamed).end_date == TOMORROW
    assert renamed["name"] == "new"
    untouched = _patch(as_owner, owner, part)
    assert (untouched["name"], untouched["end_date"]) == ("new", TOMORROW.isoformat())
    no_name = _patch(as_owner, owner, part, name=None)
    assert (no_name["name"], no_name["end_date"]) == (None, TOMORROW.isoformat())


def test_unknown_api_key_part_is_404(as_owner, owner: Registration):
    params = {"account_id": owner.account_id, "api_key_part": "ftk_ffffffff"}
    expect_error(as_owner.delete("/api_key", params=params), 404, "not_found")
    expect_error(as_owner.patch("/api_key", json=params), 404, "not_found")


def test_delete_answers_deleted_and_removes_the_key(as_owner, owner: Registration):
    part = _mint(as_owner, owner)["api_key_part"]
    params = {"account_id": owner.account_id, "api_key_part": part}
    assert expect_ok(as_owner.delete("/api_key", params=params)) == {"deleted": True}
    expect_error(as_owner.delete("/api_key", params=params), 404, "not_found")


def test_delete_needs_api_key_part(as_owner, owner: Registration):
    response = as_owner.delete("/api_key", params={"account_id": owner.account_id})
    expect_error(response, 400, "validation_error", field="api_key_part")


def test_a_role_20_user_may_manage_keys(
    emulator: EmulatorAdmin, connect: Connect, owner: Registration
):
    member = connect(emulator.seed_user(owner.account_id, role=20).token)
    part = _mint(member, owner, name="worker")["api_key_part"]
    assert _patch(member, owner, part, name="worker-2")["name"] == "worker-2"
    params = {"account_id": owner.account_id, "api_key_part": part}
    expect_ok(member.delete("/api_key", params=params))


def test_a_key_mints_keys_in_its_own_account(connect: Connect, as_owner, owner: Registration):
    key = _mint(as_owner, owner)["api_key"]
    child = expect_ok(connect(key).post("/api_key", json={"name": "child"}))
    assert child["account_id"] == owner.account_id
    expect_ok(connect(child["api_key"]).get("/accounts"))
