"""The Account lifecycle, through the real provider process against the emulator.

Why the harness: fine-grained protocol checks (what each call sends, stores and marks secret) in
seconds. The same lifecycle runs under the real CLI in tests/e2e/test_account_cli.py, which wins
where the two disagree.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from firmtrace_pulumi import Account, ApiKey
from tests.harness.engine import CheckFailed
from tests.harness.provider_process import ProviderError

from .conftest import Stack

ACCOUNT = "Account::site"


def site_program(**inputs: Any):
    inputs.setdefault("name", "Northwind")
    inputs.setdefault("url", "https://northwind.example")

    def program() -> None:
        site = Account("site", **inputs)
        pulumi.export("account_id", site.account_id)

    return program


def live_accounts(stack: Stack) -> dict[str, Any]:
    return {str(a["account_id"]): a for a in stack.emulator.state()["accounts"]}


def test_create_makes_one_request_and_the_user_is_administrator(stack: Stack) -> None:
    stack.emulator.clear_requests()
    result = stack.up(site_program())
    assert [(r["method"], r["path"]) for r in stack.api_requests()] == [("POST", "/v1.3/accounts")]
    out = stack.engine.outputs(ACCOUNT)
    assert result.plain("account_id") == out["account_id"]
    assert out["role"] == 10
    assert out["deletion_protection"] is True
    assert live_accounts(stack)[out["account_id"]]["name"] == "Northwind"


def test_name_and_url_update_in_place(stack: Stack) -> None:
    stack.up(site_program())
    account_id = stack.engine.outputs(ACCOUNT)["account_id"]
    result = stack.up(site_program(name="Northwind AG", url="https://northwind-ag.example"))
    assert set(result.ops().values()) == {"update"}
    live = live_accounts(stack)[account_id]
    assert (live["name"], live["url"]) == ("Northwind AG", "https://northwind-ag.example")


def test_deletion_protection_refuses_destroy_with_the_way_out(stack: Stack) -> None:
    stack.up(site_program())
    account_id = stack.engine.outputs(ACCOUNT)["account_id"]
    with pytest.raises(ProviderError) as err:
        stack.destroy()
    assert "deletion_protection=False" in err.value.details
    assert account_id in live_accounts(stack)


def test_turning_protection_off_is_state_only_then_destroy_deletes(stack: Stack) -> None:
    stack.up(site_program())
    account_id = stack.engine.outputs(ACCOUNT)["account_id"]
    stack.emulator.clear_requests()
    stack.up(site_program(deletion_protection=False))
    assert stack.api_requests() == [], "deletion_protection lives in state only"
    stack.destroy()
    assert account_id not in live_accounts(stack)


def test_account_and_its_keys_in_one_program(stack: Stack) -> None:
    def program() -> None:
        site = Account("site", name="Contoso", url="https://contoso.example")
        ApiKey("live", account_id=site.account_id)
        ApiKey("staged", account_id=site.account_id, end_date="2020-01-01")

    stack.up(program)
    account_id = stack.engine.outputs(ACCOUNT)["account_id"]
    keys = {
        k["name"]: k
        for k in stack.emulator.state()["api_keys"]
        if str(k["account_id"]) == account_id
    }
    assert sorted(k.split("-")[0] for k in keys) == ["live", "staged"]
    assert sorted(k["active"] for k in keys.values()) == [False, True]


def test_account_deleted_out_of_band_is_gone_after_refresh(stack: Stack) -> None:
    stack.up(site_program(deletion_protection=False))
    account_id = stack.engine.outputs(ACCOUNT)["account_id"]
    stack.api().delete_account(account_id)
    stack.refresh()
    assert stack.engine.state == {}


@pytest.mark.parametrize(
    ("inputs", "prop"),
    [
        ({"url": "http://northwind.example"}, "url"),
        ({"url": "https://"}, "url"),
        ({"name": "  "}, "name"),
        ({"deletion_protection": "yes"}, "deletion_protection"),
    ],
)
def test_bad_input_fails_at_preview_naming_the_property(
    stack: Stack, inputs: dict[str, Any], prop: str
) -> None:
    stack.emulator.clear_requests()
    with pytest.raises(CheckFailed) as err:
        stack.preview(site_program(**inputs))
    assert [p for p, _ in err.value.failures] == [prop]
    assert stack.api_requests() == []


def test_preview_of_an_account_with_keys_accepts_the_unknown_account_id(stack: Stack) -> None:
    def program() -> None:
        site = Account("site", name="Fabrikam", url="https://fabrikam.example")
        ApiKey("live", account_id=site.account_id, end_date="2030-01-01")

    stack.emulator.clear_requests()
    result = stack.preview(program)
    assert result.ops() == {
        "pulumi-python:dynamic/firmtrace:Account::site": "create",
        "pulumi-python:dynamic/firmtrace:ApiKey::live": "create",
    }
    assert stack.api_requests() == []
