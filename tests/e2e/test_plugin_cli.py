"""What only the ``firmtrace`` provider plugin can do, under the real Pulumi CLI: its schema,
``pulumi import``, detailed diffs with ``replace_on_changes`` and ``ignore_changes``, and as
many calls at once as the engine's ``--parallel`` asks. (The lifecycle both faces share is in
test_api_key_cli and test_account_cli, run once per face.)"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.faults import FaultConfig
from firmtrace_pulumi.plugin.package import RESOURCES, schema, wire_name
from firmtrace_pulumi.testing import PulumiCli

from .conftest import Stack, assert_keys_encrypted, calls, firmtrace_pulumi_command, keys_in
from .faces import DYNAMIC, PLUGIN, Face

pytestmark = pytest.mark.timeout(600)

PLUGIN_BINARY = Path(sys.prefix) / "bin" / "pulumi-resource-firmtrace"
FUTURE = (dt.date.today() + dt.timedelta(days=365)).isoformat()


def test_the_cli_reads_the_schema_generated_from_the_declarations(
    cli: PulumiCli, tmp_path: Path
) -> None:
    done = cli.run("package", "get-schema", str(PLUGIN_BINARY), cwd=tmp_path)
    got = json.loads(done.stdout)
    assert got == schema()
    assert set(got["resources"]) == {"firmtrace:index:ApiKey", "firmtrace:index:Account"}
    for token, resource in RESOURCES.items():
        spec = got["resources"][token]
        for p in resource.props:
            if p.output:
                assert spec["properties"][wire_name(p.name)]["type"] == p.type
            if p.input:
                assert spec["inputProperties"][wire_name(p.name)].get(
                    "replaceOnChanges", False
                ) is (p.replaces)
    key = got["resources"]["firmtrace:index:ApiKey"]["properties"]
    assert key["apiKey"]["secret"] is True and "secret" not in key["apiKeyPart"]
    config = got["config"]["variables"]
    assert {k for k, v in config.items() if v.get("secret")} == {"token", "apiKey", "password"}


IMPORT_PROGRAM = """
config = pulumi.Config()
if config.get_bool("declared"):
    site = Account("site", name="Imported Co", url="https://imported.example")
    key = ApiKey(
        "legacy",
        account_id=config.require("accountId"),
        name="legacy-partner",
        end_date=config.require("endDate"),
        keepers=config.get_object("keepers"),
    )
    pulumi.export("api_key", key.api_key)
    pulumi.export("api_key_part", key.api_key_part)
"""


def test_import_an_existing_key_and_account_then_rotate_the_key(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    with FirmtraceClient(emulator.url, user.token) as client:
        legacy = client.create_api_key(
            user.account_id, name="legacy-partner", end_date=dt.date.fromisoformat(FUTURE)
        )
        site = client.create_account("Imported Co", "https://imported.example")
    old_full = legacy.api_key.get_secret_value()
    stack = new_stack(PLUGIN.program(IMPORT_PROGRAM), token=user.token)
    stack.config(accountId=user.account_id, endDate=FUTURE)

    # import: one list call each, nothing written; the key has no full value, and says so
    emulator.clear_requests()
    key_id = f"{user.account_id}/{legacy.api_key_part}"
    imported = stack.pulumi(
        "import", "firmtrace:index:ApiKey", "legacy", key_id, "--yes", "--generate-code=false"
    )
    assert "= 1 imported" in imported
    assert "the `apiKey` output of this resource is empty" in " ".join(imported.split())
    stack.pulumi(
        "import",
        "firmtrace:index:Account",
        "site",
        site.account_id,
        "--yes",
        "--generate-code=false",
    )
    assert set(calls(emulator)) <= {"GET /api_key", "GET /accounts"}
    (key_state,) = stack.resources(PLUGIN.api_key_type)
    assert key_state["id"] == key_id and "apiKey" not in key_state["outputs"]
    assert key_state["outputs"]["endDate"] == FUTURE

    # the program declares them as they are: nothing to do
    stack.config(declared="true")
    emulator.clear_requests()
    stack.command("up", "--yes", "--expect-no-changes")
    assert set(calls(emulator)) <= {"GET /api_key", "GET /accounts"}

    # rotation gives a key Pulumi holds: minted, then the imported one revoked
    stack.pulumi("config", "set", "--path", "keepers.rotation", "1")
    emulator.clear_requests()
    assert stack.up().ops == {"legacy": "replace"}
    assert [r["method"] for r in emulator.requests()] == ["POST", "DELETE"]
    revealed = stack.outputs(secrets=True)
    assert revealed["api_key"].startswith(revealed["api_key_part"] + "_")
    assert list(keys_in(emulator, user.account_id)) == [revealed["api_key_part"]]
    assert_keys_encrypted(stack, {revealed["api_key"]}, PLUGIN)
    for secret in (old_full, revealed["api_key"], user.token):
        assert secret not in stack.all_printed


OPTIONS_PROGRAM = """
config = pulumi.Config()
key = ApiKey(
    "partner",
    account_id=config.require("accountId"),
    name=config.require("name"),
    end_date=config.get("endDate"),
    keepers={"rotation": config.get("rotation") or "1"},
    opts=pulumi.ResourceOptions(
        replace_on_changes=config.get_object("replaceOnChanges") or [],
        ignore_changes=config.get_object("ignoreChanges") or [],
    ),
)
"""


def test_detailed_diffs_name_each_change_and_how_it_applies(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    stack = new_stack(PLUGIN.program(OPTIONS_PROGRAM), token=user.token)
    stack.config(accountId=user.account_id, name="partner-key")
    stack.up()

    # an in-place change: the property, its old and new value, "update"
    stack.config(endDate=FUTURE)
    diff = stack.pulumi("preview", "--diff")
    assert "~ firmtrace:index:ApiKey: (update)" in diff and f'+ endDate: "{FUTURE}"' in diff
    (step,) = [s for s in stack.preview().documents[0]["steps"] if s["op"] != "same"]
    assert step["op"] == "update" and step["detailedDiff"] == {
        "endDate": {"kind": "add", "inputDiff": False}
    }
    stack.up()

    # a replacing change: the property marked as the reason for the replace
    stack.config(rotation="2")
    diff = stack.pulumi("preview", "--diff")
    assert "+-firmtrace:index:ApiKey: (replace)" in diff
    assert re.search(r"~ keepers\s*: \{", diff), diff
    (step,) = [s for s in stack.preview().documents[0]["steps"] if s["op"] != "same"]
    assert step["op"] == "replace" and step["replaceReasons"] == ["keepers"]
    stack.config(rotation="1")

    # replace_on_changes: a rename, normally in place, replaces
    stack.pulumi("config", "set", "--path", "replaceOnChanges[0]", "name")
    stack.config(name="renamed-key")
    assert stack.preview().ops == {"partner": "replace"}
    stack.pulumi("config", "rm", "replaceOnChanges")
    assert stack.preview().ops == {"partner": "update"}

    # ignore_changes: a change of end_date is not applied
    stack.config(name="partner-key", endDate="2020-01-01")
    assert stack.preview().ops == {"partner": "update"}
    stack.pulumi("config", "set", "--path", "ignoreChanges[0]", "end_date")
    emulator.clear_requests()
    stack.command("up", "--yes", "--expect-no-changes")
    assert "PATCH /api_key" not in calls(emulator)
    assert stack.resources(PLUGIN.api_key_type)[0]["outputs"]["endDate"] == FUTURE


PARALLEL_PROGRAM = """
config = pulumi.Config()
for i in range(12):
    ApiKey(f"key{i}", account_id=config.require("accountId"))
"""


def test_calls_at_once(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    """12 creates with ``--parallel 12`` at 300 ms an answer: the dynamic host serves four
    calls at once, the plugin all twelve (the emulator counts requests in flight)."""
    user = emulator.register()
    stack = new_stack(face.program(PARALLEL_PROGRAM), token=user.token)
    stack.config(accountId=user.account_id)
    emulator.set_faults(FaultConfig(latency_ms=300))
    emulator.clear_requests()
    try:
        stack.up("--parallel", "12")
    finally:
        emulator.clear_faults()
    creates = emulator.requests(method="POST", path="/api_key")
    assert len(creates) == 12 and calls(emulator) == Counter({"POST /api_key": 12})
    most = max(r["in_flight"] for r in creates)
    if face is PLUGIN:
        assert most >= 8, most  # all 12 at once, give or take the engine's start-up
    else:
        assert most == 4, most


MIGRATED_PROGRAM = """
config = pulumi.Config()
site = Account(
    "site",
    name="Northwind",
    url="https://northwind.example",
    deletion_protection=config.get_bool("deletionProtection"),
)
key = ApiKey(
    "partner",
    account_id=site.account_id,
    end_date=config.get("endDate"),
    keepers={"rotation": config.get("rotation") or "1"},
)
pulumi.export("api_key", key.api_key)
pulumi.export("api_key_part", key.api_key_part)
"""


def test_a_stack_moves_to_the_plugin_with_its_keys(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    """``firmtrace-pulumi migrate-to-plugin``, then the program on the plugin: the same key, its
    full value kept, no API call to move; then it updates and rotates as the plugin's."""
    user = emulator.register()
    stack = new_stack(DYNAMIC.program(MIGRATED_PROGRAM), token=user.token)
    stack.up()
    revealed = stack.outputs(secrets=True)
    part, full = revealed["api_key_part"], revealed["api_key"]

    emulator.clear_requests()
    moved = firmtrace_pulumi_command(
        stack.cli, "migrate-to-plugin", "--stack", stack.name, cwd=stack.project_dir
    )
    assert "Moved 2 resources to the firmtrace plugin" in moved and full not in moved
    assert not stack.resources(DYNAMIC.api_key_type) and not stack.resources(DYNAMIC.account_type)
    (key_state,) = stack.resources(PLUGIN.api_key_type)
    assert key_state["outputs"]["apiKeyPart"] == part
    assert_keys_encrypted(stack, {full}, PLUGIN)

    (stack.project_dir / "__main__.py").write_text(PLUGIN.program(MIGRATED_PROGRAM))
    assert stack.preview().ops == {}
    stack.command("up", "--yes", "--expect-no-changes")
    assert set(calls(emulator)) <= {"GET /api_key", "GET /accounts"}
    revealed = stack.outputs(secrets=True)
    assert (revealed["api_key_part"], revealed["api_key"]) == (part, full)

    # the plugin's from now on: end_date in place, keepers rotate
    stack.config(endDate=FUTURE)
    emulator.clear_requests()
    assert stack.up().ops == {"partner": "update"}
    assert calls(emulator) == Counter({"PATCH /api_key": 1})
    assert stack.outputs(secrets=True)["api_key"] == full
    stack.config(rotation="2")
    assert stack.up().ops == {"partner": "replace"}
    account = key_state["outputs"]["accountId"]
    assert list(keys_in(emulator, account)) == [stack.outputs()["api_key_part"]]


def test_the_plugin_installed_in_pulumis_cache_runs_without_path(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack], plugin_in_cache: None
) -> None:
    """``firmtrace-pulumi install-plugin``: the engine takes the plugin from its cache, and with
    ambient plugins ignored it no longer warns about one from PATH."""
    user = emulator.register()
    stack = new_stack(PLUGIN.program(PARALLEL_PROGRAM), token=user.token)
    stack.config(accountId=user.account_id)
    run = stack.up()
    assert run.changes == {"create": 13}
    assert not [w for w in run.diagnostics("warning") if "from $PATH" in w]
    assert len(keys_in(emulator, user.account_id)) == 12
