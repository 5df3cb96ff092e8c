"""The Account lifecycle under the real Pulumi CLI, with an ApiKey in it: step by step as a user
types it, the API calls each step makes counted at the emulator and the emulator's view checked
after each; once for each face of the provider."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import Stack, calls
from .faces import DYNAMIC, Face

pytestmark = pytest.mark.timeout(600)

PROGRAM = """
config = pulumi.Config()
site = Account(
    "site",
    name=config.require("name"),
    url=config.require("url"),
    deletion_protection=config.get_bool("deletionProtection"),
)
key = ApiKey("partner", account_id=site.account_id)
pulumi.export("account_id", site.account_id)
pulumi.export("role", site.role)
pulumi.export("api_key", key.api_key)
pulumi.export("api_key_part", key.api_key_part)
"""


def accounts_in(emulator: EmulatorAdmin) -> dict[str, dict[str, Any]]:
    """The emulator's Accounts by id."""
    return {a["account_id"]: a for a in emulator.state()["accounts"]}


def key_parts_in(emulator: EmulatorAdmin, account_id: str) -> list[str]:
    return [
        k["api_key_part"]
        for k in emulator.state()["api_keys"]
        if str(k["account_id"]) == account_id
    ]


def test_account_lifecycle(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    stack = new_stack(face.program(PROGRAM), token=user.token)
    stack.config(name="Northwind", url="https://northwind.example")

    # preview: an Account and a key to create, not one API call
    emulator.clear_requests()
    assert stack.preview().changes == {"create": 3}
    assert calls(emulator) == Counter()

    # up: one POST each; the signed-in User is Administrator of the new Account
    emulator.clear_requests()
    assert stack.up().ops == {"e2e-dev": "create", "site": "create", "partner": "create"}
    assert calls(emulator) == Counter({"POST /accounts": 1, "POST /api_key": 1})
    revealed = stack.outputs(secrets=True)
    account, part, full = revealed["account_id"], revealed["api_key_part"], revealed["api_key"]
    assert revealed["role"] == 10 and full.startswith(part + "_")
    assert accounts_in(emulator)[account] == {
        "account_id": account,
        "name": "Northwind",
        "url": "https://northwind.example",
        "default_of": None,
    }
    assert key_parts_in(emulator, account) == [part]

    # rename: previewed without an API call (what the preview shows for the key: see
    # test_preview_of_an_account_rename_leaves_its_key_alone), then one PATCH; the key stays
    stack.config(name="Northwind Traders")
    emulator.clear_requests()
    diff = stack.pulumi("preview", "--diff")
    assert re.search(r'~ name\s*: "Northwind" => "Northwind Traders"', diff), diff
    assert calls(emulator) == Counter()
    assert stack.up().ops == {"site": "update"}
    assert calls(emulator) == Counter({"PATCH /accounts": 1})
    revealed = stack.outputs(secrets=True)
    assert (revealed["account_id"], revealed["api_key_part"]) == (account, part)
    assert revealed["api_key"] == full
    assert accounts_in(emulator)[account]["name"] == "Northwind Traders"
    assert key_parts_in(emulator, account) == [part]

    # url: in place too, one PATCH, same key
    stack.config(url="https://northwind-traders.example")
    emulator.clear_requests()
    assert stack.up().ops == {"site": "update"}
    assert calls(emulator) == Counter({"PATCH /accounts": 1})
    assert accounts_in(emulator)[account]["url"] == "https://northwind-traders.example"
    assert stack.outputs(secrets=True)["api_key"] == full

    # refresh: one list of Accounts and one of the Account's keys per pass (`pulumi refresh`
    # reads in its preview too), no drift
    emulator.clear_requests()
    assert stack.refresh("--skip-preview").ops == {}
    assert calls(emulator) == Counter({"GET /accounts": 1, "GET /api_key": 1})
    emulator.clear_requests()
    assert stack.refresh().ops == {}
    assert calls(emulator) == Counter({"GET /accounts": 2, "GET /api_key": 2})

    # renamed outside Pulumi: refresh sees it, the next up renames it back
    with FirmtraceClient(emulator.url, user.token) as client:
        client.update_account(account, name="Renamed In The App")
    assert stack.refresh("--skip-preview").ops == {"site": "update"}
    assert stack.resources(face.account_type)[0]["outputs"]["name"] == "Renamed In The App"
    emulator.clear_requests()
    assert stack.up().ops == {"site": "update"}
    assert calls(emulator) == Counter({"PATCH /accounts": 1})
    assert accounts_in(emulator)[account]["name"] == "Northwind Traders"
    assert stack.outputs(secrets=True)["api_key"] == full

    # destroy with deletion protection on (the default): refused by the engine before any
    # API call (deletion_protection sets Pulumi's protect), so the key stays live too
    emulator.clear_requests()
    refused = stack.destroy(check=False)
    assert "because it is protected" in refused.output and "site" in refused.output
    assert calls(emulator) == Counter()
    assert key_parts_in(emulator, account) == [part]
    assert len(stack.resources(face.account_type)) == 1
    assert len(stack.resources(face.api_key_type)) == 1
    # ... and so is a replacement the engine is asked for: nothing is created
    urn = stack.resources(face.account_type)[0]["urn"]
    assert "marked for protection" in stack.up("--replace", urn, check=False).output
    assert calls(emulator) == Counter() and list(accounts_in(emulator)).count(account) == 1

    # protection off: a state-only change (no API call), the key untouched
    stack.config(deletionProtection="false")
    emulator.clear_requests()
    assert stack.up().ops == {"site": "update"}
    assert calls(emulator) == Counter()
    outputs = stack.resources(face.account_type)[0]["outputs"]
    assert outputs[face.prop("deletion_protection")] is False
    assert stack.outputs(secrets=True)["api_key"] == full

    # deleted outside Pulumi (its keys go with it): refresh drops both from state
    with FirmtraceClient(emulator.url, user.token) as client:
        client.delete_account(account)
    assert stack.refresh().ops == {"site": "delete", "partner": "delete"}
    assert not stack.resources(face.account_type) and not stack.resources(face.api_key_type)

    # the next up makes a new Account and key; destroy deletes both, key first
    emulator.clear_requests()
    assert stack.up().ops == {"site": "create", "partner": "create"}
    assert calls(emulator) == Counter({"POST /accounts": 1, "POST /api_key": 1})
    account = stack.outputs()["account_id"]
    emulator.clear_requests()
    assert stack.destroy().changes == {"delete": 3}
    assert [r["method"] + " " + r["path"].removeprefix("/v1.3") for r in emulator.requests()] == [
        "DELETE /api_key",
        "DELETE /accounts",
    ]
    assert account not in accounts_in(emulator) and key_parts_in(emulator, account) == []

    for secret in (full, user.token):
        assert secret not in stack.all_printed, "a secret was printed by the CLI"


def test_preview_of_an_account_rename_leaves_its_key_alone(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    stack = new_stack(DYNAMIC.program(PROGRAM))
    stack.config(name="Contoso", url="https://contoso.example", deletionProtection="false")
    stack.up()
    stack.config(name="Contoso Ltd")
    assert stack.preview().ops == {"site": "update"}


UNPROTECTED = """
site = Account(
    "site",
    name="Fabrikam",
    url="https://fabrikam.example",
    opts=pulumi.ResourceOptions(protect=False),
)
"""


def test_deletion_protection_holds_without_pulumis_protect(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    """With ``protect=False`` (or a program that cannot set it, as in YAML) the provider itself
    refuses to delete an Account whose deletion_protection is on, before any API call."""
    stack = new_stack(face.program(UNPROTECTED))
    stack.up()
    account = stack.resources(face.account_type)[0]["id"]
    emulator.clear_requests()
    refused = stack.destroy(check=False)
    name = face.prop("deletion_protection")
    assert f"has {name} on" in " ".join(refused.output.split()), refused.output
    assert calls(emulator) == Counter() and account in accounts_in(emulator)
