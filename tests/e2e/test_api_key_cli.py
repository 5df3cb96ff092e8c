"""The ApiKey lifecycle under the real Pulumi CLI (Automation API, a local program in tmp_path):
preview, create pre-staged, end_date forward (in place), refresh, keepers change (replace,
create before delete), destroy; the emulator's view and the state's encryption after each."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import assert_state_keeps_keys_encrypted, backend_env, ops, requires_cli

pytestmark = [requires_cli, pytest.mark.timeout(600)]

PROJECT = "firmtrace-e2e-api-key"
FUTURE = (dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=365)).isoformat()

PROGRAM = textwrap.dedent(
    """
    import pulumi
    from firmtrace_pulumi import ApiKey

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
)


def keys_of(emulator: EmulatorAdmin, account_id: str) -> dict[str, Any]:
    return {
        k["api_key_part"]: k
        for k in emulator.state()["api_keys"]
        if str(k["account_id"]) == account_id
    }


def test_api_key_lifecycle_under_the_cli(emulator: EmulatorAdmin, tmp_path: Path) -> None:
    token, account_id, _, _ = emulator.register()
    project = tmp_path / "project"
    project.mkdir()
    (project / "__main__.py").write_text(PROGRAM)
    (project / "Pulumi.yaml").write_text(
        f"name: {PROJECT}\nruntime:\n  name: python\n  options:\n"
        f"    toolchain: pip\n    virtualenv: {sys.prefix}\n"
    )
    stack = auto.create_or_select_stack(
        "e2e",
        work_dir=str(project),
        opts=auto.LocalWorkspaceOptions(
            env_vars=backend_env(tmp_path), secrets_provider="passphrase"
        ),
    )
    printed: list[str] = []

    def config(**values: str) -> None:
        stack.set_all_config({f"{PROJECT}:{k}": auto.ConfigValue(v) for k, v in values.items()})

    stack.set_all_config(
        {
            "firmtrace:apiUrl": auto.ConfigValue(emulator.url),
            "firmtrace:token": auto.ConfigValue(token, secret=True),
        }
    )
    config(accountId=str(account_id), endDate="2020-01-01")

    # preview: one key to create, nothing on the API
    preview = stack.preview(on_output=printed.append)
    assert ops(preview.change_summary) == {"create": 2}
    assert keys_of(emulator, str(account_id)) == {}

    # up: created pre-staged, the full key a secret output and encrypted in state
    up = stack.up(on_output=printed.append)
    assert ops(up.summary.resource_changes) == {"create": 2}
    part, full = up.outputs["api_key_part"].value, up.outputs["api_key"].value
    assert up.outputs["api_key"].secret and full.startswith(part)
    assert up.outputs["active"].value is False
    assert keys_of(emulator, str(account_id))[part]["active"] is False
    assert_state_keeps_keys_encrypted(stack, {full})

    # end_date forward: an in-place update of the same key, full key kept
    config(endDate=FUTURE)
    up = stack.up(on_output=printed.append)
    assert ops(up.summary.resource_changes) == {"same": 1, "update": 1}
    assert (up.outputs["api_key_part"].value, up.outputs["api_key"].value) == (part, full)
    assert up.outputs["active"].value is True
    assert keys_of(emulator, str(account_id))[part]["end_date"] == FUTURE

    # refresh: no drift, the full key survives it; the next up has nothing to do
    refresh = stack.refresh(on_output=printed.append)
    assert set(ops(refresh.summary.resource_changes)) == {"same"}
    assert stack.outputs()["api_key"].value == full
    up = stack.up(on_output=printed.append)
    assert ops(up.summary.resource_changes) == {"same": 2}

    # keepers change: a new key is minted, then the old one revoked
    config(rotation="2")
    up = stack.up(on_output=printed.append)
    assert ops(up.summary.resource_changes) == {"same": 1, "replace": 1}
    new_part, new_full = up.outputs["api_key_part"].value, up.outputs["api_key"].value
    assert new_part != part and new_full != full
    assert list(keys_of(emulator, str(account_id))) == [new_part]
    assert_state_keeps_keys_encrypted(stack, {new_full})

    # destroy: nothing left
    destroyed = stack.destroy(on_output=printed.append)
    assert ops(destroyed.summary.resource_changes) == {"delete": 2}
    assert keys_of(emulator, str(account_id)) == {}
    stack.workspace.remove_stack("e2e")

    output = "\n".join(printed)
    for secret in (full, new_full, token):
        assert secret not in output, "a secret was printed by the CLI"
