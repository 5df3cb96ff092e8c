"""What each change of an input does, written out by hand: update in place, replace, or nothing.

The providers derive these rules from the declaration (``replaces``, ``keep_if_absent``, the
map type); this table is the user's view of them, so a slip in the declaration shows here.
Through the engine's flow, in process: Check against the old inputs, Diff against the outputs
Create returned.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from firmtrace_pulumi import contract
from firmtrace_pulumi.providers import AccountProvider, ApiKeyProvider
from firmtrace_pulumi.providers import account as account_module
from firmtrace_pulumi.providers import api_key as api_key_module
from firmtrace_pulumi.providers.api_key import NAME_PREFIX
from tests.inputs.test_check_diff_properties import CONFIG, checked, configured

KEY = {"account_id": "acc_1", "name": "sync", "end_date": "2027-01-31", "keepers": {"v": 1}}
ADOPTED = {"account_id": "acc_1", "adopt": "ftk_0123abcd"}
OWN_KEY = "ftk_00000000_" + "o" * 32
SITE = {"name": "Northwind", "url": "https://nw.example", "deletion_protection": True}

NO_CHANGE: tuple[bool, list[str]] = (False, [])
IN_PLACE: tuple[bool, list[str]] = (True, [])


def replaces(*props: str) -> tuple[bool, list[str]]:
    return True, list(props)


def signed_in_with_an_api_key() -> ApiKeyProvider:
    """``account_id`` is implicit: the key's own Account."""
    provider = ApiKeyProvider()
    config = {"firmtrace:apiUrl": CONFIG["firmtrace:apiUrl"], "firmtrace:apiKey": OWN_KEY}
    provider.configure(ConfigureRequest(Config(config, "firmtrace-test")))
    return provider


def key_diff(
    before: dict[str, Any], after: dict[str, Any], provider: Any = None
) -> tuple[bool, list[str]]:
    provider = provider or configured(ApiKeyProvider)
    first = checked(provider, {}, {**before, NAME_PREFIX: "k"})
    live = contract.ApiKey(
        api_key_part="ftk_0123abcd",
        account_id=first["account_id"],
        name=first.get("name") or "adopted",
        end_date=first.get("end_date"),
        active=True,
        created_at="2027-01-01T00:00:00Z",
    )
    olds = api_key_module.outputs(live, api_key=None, props=first)
    diff = provider.diff("acc_1/ftk_0123abcd", olds, checked(provider, first, after))
    assert diff.delete_before_replace is False
    return diff.changes, diff.replaces


@pytest.mark.parametrize(
    ("before", "after", "effect"),
    [
        pytest.param(KEY, {**KEY, "name": "sync-2"}, IN_PLACE, id="rename"),
        pytest.param(KEY, {**KEY, "end_date": "2028-01-31"}, IN_PLACE, id="move-end-date"),
        pytest.param(
            KEY, {k: v for k, v in KEY.items() if k != "end_date"}, IN_PLACE, id="clear-end-date"
        ),
        pytest.param(
            KEY, {**KEY, "account_id": "acc_2"}, replaces("account_id"), id="move-account"
        ),
        pytest.param(KEY, {**KEY, "account_id": 7}, replaces("account_id"), id="account-number"),
        pytest.param(KEY, {**KEY, "keepers": {"v": 2}}, replaces("keepers"), id="rotate"),
        pytest.param(KEY, {**KEY, "keepers": {"v": 1.0}}, NO_CHANGE, id="keepers-same-number"),
        pytest.param(KEY, {**KEY, "keepers": {}}, replaces("keepers"), id="keepers-emptied"),
        pytest.param(
            {**KEY, "keepers": {}},
            {k: v for k, v in KEY.items() if k != "keepers"},
            NO_CHANGE,
            id="empty-keepers-dropped",
        ),
        pytest.param(KEY, {**KEY, "adopt": "ftk_89abcdef"}, replaces("adopt"), id="start-adopting"),
        pytest.param(
            ADOPTED, {**ADOPTED, "adopt": "ftk_89abcdef"}, replaces("adopt"), id="adopt-another"
        ),
        # Without adopt and name, the key gets an auto-name: a rename, never a replacement.
        pytest.param(ADOPTED, {"account_id": "acc_1"}, IN_PLACE, id="stop-adopting"),
        pytest.param(ADOPTED, {**ADOPTED, "name": "adopted"}, NO_CHANGE, id="adopted-name-given"),
        pytest.param(
            KEY,
            {**KEY, "account_id": "acc_2", "keepers": {"v": 2}, "name": "x"},
            replaces("account_id", "keepers"),
            id="replace-wins",
        ),
    ],
)
def test_api_key_change_effects(
    before: dict[str, Any], after: dict[str, Any], effect: tuple[bool, list[str]]
) -> None:
    assert key_diff(before, after) == effect


@pytest.mark.parametrize(
    ("after", "effect"),
    [
        pytest.param({**SITE, "name": "Northwind AG"}, IN_PLACE, id="rename"),
        pytest.param({**SITE, "url": "https://northwind.example"}, IN_PLACE, id="move-url"),
        pytest.param({**SITE, "deletion_protection": False}, IN_PLACE, id="unprotect"),
        pytest.param(
            {k: v for k, v in SITE.items() if k != "deletion_protection"},
            NO_CHANGE,
            id="protection-default",
        ),
    ],
)
def test_account_change_effects(after: dict[str, Any], effect: tuple[bool, list[str]]) -> None:
    provider = configured(AccountProvider)
    first = checked(provider, {}, SITE)
    live = contract.Account(account_id="acc_1", name=first["name"], url=first["url"], role=10)
    diff = provider.diff(
        "acc_1", account_module.outputs(live, first), checked(provider, first, after)
    )
    assert (diff.changes, diff.replaces) == effect


def test_api_key_account_id_left_out_keeps_the_key_where_it_is() -> None:
    """Signed in with an API key, ``account_id`` is implicit: dropping it moves nothing."""
    after = {k: v for k, v in KEY.items() if k != "account_id"}
    assert key_diff(KEY, after, signed_in_with_an_api_key()) == NO_CHANGE
