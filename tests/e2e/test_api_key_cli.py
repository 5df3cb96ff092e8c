"""The ApiKey lifecycle under the real Pulumi CLI, step by step as a user types it, with the API
calls each step makes counted at the emulator and the emulator's view checked after each; once
for each face of the provider (the dynamic resources, the plugin), the same steps and calls."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import Stack, assert_keys_encrypted, calls, keys_in
from .faces import Face

pytestmark = pytest.mark.timeout(600)

TODAY = dt.datetime.now(dt.timezone.utc).date()
FUTURE = (TODAY + dt.timedelta(days=365)).isoformat()
PAST = "2020-01-01"

PROGRAM = """
config = pulumi.Config()
key = ApiKey(
    "partner",
    account_id=config.require("accountId"),
    end_date=config.get("endDate"),
    keepers={"rotation": config.get("rotation") or "1"},
)
pulumi.export("api_key", key.api_key)
pulumi.export("api_key_part", key.api_key_part)
pulumi.export("active", key.active)
"""


def test_api_key_lifecycle(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    account = user.account_id
    stack = new_stack(face.program(PROGRAM), token=user.token)
    stack.config(accountId=account, endDate=PAST)

    # preview: a key to create, not one API call
    emulator.clear_requests()
    assert stack.preview().changes == {"create": 2}
    assert calls(emulator) == Counter()

    # up: one POST; the key is created inactive (past end_date), its full value a secret
    emulator.clear_requests()
    assert stack.up().ops == {"e2e-dev": "create", "partner": "create"}
    assert calls(emulator) == Counter({"POST /api_key": 1})
    shown, revealed = stack.outputs(), stack.outputs(secrets=True)
    part, full = revealed["api_key_part"], revealed["api_key"]
    assert shown["api_key"] == "[secret]" and full.startswith(part + "_")
    assert revealed["active"] is False and keys_in(emulator, account)[part]["active"] is False
    assert_keys_encrypted(stack, {full}, face)

    # state gives the program's own line as where the key was declared, not a line of ours
    (declared,) = stack.resources(face.api_key_type)
    line = face.program(PROGRAM).splitlines().index("key = ApiKey(") + 1
    assert declared["sourcePosition"] == f"project:///__main__.py#{line}"

    # end_date forward: previewed as an update of end_date, then one PATCH; same key, active
    stack.config(endDate=FUTURE)
    emulator.clear_requests()
    diff = stack.pulumi("preview", "--diff")
    assert re.search(rf'~ {face.prop("end_date")}\s*: "{PAST}" => "{FUTURE}"', diff), diff
    assert "1 to update" in diff
    assert calls(emulator) == Counter()
    assert stack.up().ops == {"partner": "update"}
    assert calls(emulator) == Counter({"PATCH /api_key": 1})
    revealed = stack.outputs(secrets=True)
    assert (revealed["api_key_part"], revealed["api_key"], revealed["active"]) == (part, full, True)
    assert keys_in(emulator, account)[part]["end_date"] == FUTURE

    # end_date back: switched off in place
    stack.config(endDate=PAST)
    assert stack.up().ops == {"partner": "update"}
    assert stack.outputs()["active"] is False
    assert keys_in(emulator, account)[part]["active"] is False

    # refresh: one list call per pass (`pulumi refresh` reads in its preview too), no drift,
    # the full key survives; nothing left to do after it
    emulator.clear_requests()
    assert stack.refresh().ops == {}
    assert calls(emulator) == Counter({"GET /api_key": 2})
    emulator.clear_requests()
    assert stack.refresh("--skip-preview").ops == {}
    assert calls(emulator) == Counter({"GET /api_key": 1})
    assert stack.outputs(secrets=True)["api_key"] == full
    stack.command("up", "--yes", "--expect-no-changes")

    # changed outside Pulumi: refresh sees it, the next up puts it back
    with FirmtraceClient(emulator.url, user.token) as client:
        client.update_api_key(account, part, end_date=dt.date.fromisoformat(FUTURE))
    assert stack.refresh().ops == {"partner": "update"}
    # (stack outputs keep the last `up`'s values: a refresh updates the resources' state)
    assert stack.resources(face.api_key_type)[0]["outputs"]["active"] is True
    assert stack.up().ops == {"partner": "update"}
    assert keys_in(emulator, account)[part]["end_date"] == PAST
    assert stack.outputs(secrets=True)["api_key"] == full

    # keepers change: replaced, the new key created before the old one is deleted
    stack.config(rotation="2")
    assert "+-" in stack.pulumi("preview", "--diff")
    emulator.clear_requests()
    assert stack.up().ops == {"partner": "replace"}
    assert [r["method"] for r in emulator.requests()] == ["POST", "DELETE"]
    revealed = stack.outputs(secrets=True)
    new_part, new_full = revealed["api_key_part"], revealed["api_key"]
    assert new_part != part and list(keys_in(emulator, account)) == [new_part]
    assert_keys_encrypted(stack, {new_full}, face)

    # account_id change: a key in the other Account, then the old one revoked
    with FirmtraceClient(emulator.url, user.token) as client:
        other = str(client.create_account("Second", "https://second.example").account_id)
    stack.config(accountId=other)
    assert stack.up().ops == {"partner": "replace"}
    moved = stack.outputs(secrets=True)["api_key_part"]
    assert keys_in(emulator, account) == {} and list(keys_in(emulator, other)) == [moved]

    # deleted outside Pulumi: refresh drops it from state, the next up mints a new one
    with FirmtraceClient(emulator.url, user.token) as client:
        client.delete_api_key(other, moved)
    assert stack.refresh().ops == {"partner": "delete"}
    assert not stack.resources(face.api_key_type)
    emulator.clear_requests()
    assert stack.up().ops == {"partner": "create"}
    assert calls(emulator) == Counter({"POST /api_key": 1})
    remade = stack.outputs(secrets=True)["api_key_part"]
    assert list(keys_in(emulator, other)) == [remade]

    # destroy: one DELETE, nothing left
    emulator.clear_requests()
    assert stack.destroy().changes == {"delete": 2}
    assert calls(emulator) == Counter({"DELETE /api_key": 1})
    assert keys_in(emulator, other) == {}

    for secret in (full, new_full, user.token):
        assert secret not in stack.all_printed, "a secret was printed by the CLI"
