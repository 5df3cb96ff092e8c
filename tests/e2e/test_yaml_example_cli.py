"""examples/partner-onboarding-yaml under the real Pulumi CLI: the partner list as a Pulumi YAML
program on the ``firmtrace`` plugin, its README sequence as a user types it (up, a go-live, a
rotation, ``pulumi import`` with the YAML code it generates, the guarded destroy), with the API
calls of each step counted at the emulator."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import REQUIRE, Stack, assert_keys_encrypted, calls, keys_in
from .faces import PLUGIN

pytestmark = pytest.mark.timeout(600)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "partner-onboarding-yaml"


@pytest.fixture(autouse=True)
def _yaml_language_host() -> None:
    pulumi = shutil.which("pulumi")
    assert pulumi is not None  # conftest's autouse fixture checked it
    if not (Path(pulumi).parent / "pulumi-language-yaml").exists():
        reason = "no pulumi-language-yaml beside pulumi: scripts/ensure-pulumi builds it"
        if REQUIRE:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def edit(program: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change Pulumi.yaml as a pull request would (its comments are lost in this copy)."""
    settings = yaml.safe_load(program.read_text())
    change(settings)
    program.write_text(yaml.safe_dump(settings, sort_keys=False))


def test_partner_onboarding_in_yaml(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    user = emulator.register()
    directory = tmp_path / "partner-onboarding-yaml"
    shutil.copytree(EXAMPLE, directory, ignore=shutil.ignore_patterns("Pulumi.*.yaml"))
    program = directory / "Pulumi.yaml"
    stack = new_stack("", project="partner-onboarding-yaml", token=user.token, directory=directory)

    # preview, then up: two Accounts and two keys; Contoso's is pre-staged (off)
    emulator.clear_requests()
    assert stack.preview().changes == {"create": 5}
    assert calls(emulator) == Counter()
    stack.up()
    assert calls(emulator) == Counter({"POST /accounts": 2, "POST /api_key": 2})
    partners = stack.outputs()["partners"]
    assert (partners["northwind"]["active"], partners["contoso"]["active"]) == (True, False)
    full = stack.outputs(secrets=True)["apiKeys"]
    assert stack.outputs()["apiKeys"] == "[secret]"
    assert_keys_encrypted(stack, set(full.values()), PLUGIN)
    contoso = partners["contoso"]

    # go-live: Contoso's endDate moved forward, an update in place of that key only
    def go_live(settings: dict[str, Any]) -> None:
        settings["resources"]["contoso-key"]["properties"]["endDate"] = "2099-06-30"

    edit(program, go_live)
    diff = stack.pulumi("preview", "--diff")
    assert '~ endDate: "2020-01-01" => "2099-06-30"' in diff and "1 to update" in diff
    emulator.clear_requests()
    assert stack.up().ops == {"contoso-key": "update"}
    assert calls(emulator) == Counter({"PATCH /api_key": 1})
    assert stack.outputs()["partners"]["contoso"] == {**contoso, "active": True}
    assert stack.outputs(secrets=True)["apiKeys"] == full

    # rotation: keepers changed, a new key minted, then the old one revoked
    def rotate(settings: dict[str, Any]) -> None:
        settings["resources"]["contoso-key"]["properties"]["keepers"]["rotation"] = "2"

    edit(program, rotate)
    emulator.clear_requests()
    assert stack.up().ops == {"contoso-key": "replace"}
    assert [r["method"] for r in emulator.requests()] == ["POST", "DELETE"]
    rotated = stack.outputs()["partners"]["contoso"]["keyPart"]
    assert list(keys_in(emulator, contoso["accountId"])) == [rotated]

    # import an existing key: the CLI writes its YAML; pasted into the program, no changes
    with FirmtraceClient(emulator.url, user.token) as client:
        legacy = client.create_api_key(partners["northwind"]["accountId"], name="northwind-legacy")
    generated = tmp_path / "imported.yaml"
    key_id = f"{legacy.account_id}/{legacy.api_key_part}"
    imported = stack.pulumi(
        "import", "firmtrace:index:ApiKey", "northwind-legacy", key_id, "--yes",
        "--out", str(generated),
    )  # fmt: skip
    assert "= 1 imported" in imported and "`apiKey` output" in " ".join(imported.split())
    code = yaml.safe_load(generated.read_text())["resources"]
    assert code["northwind-legacy"]["properties"] == {
        "accountId": legacy.account_id,
        "name": "northwind-legacy",
    }
    edit(program, lambda settings: settings["resources"].update(code))
    stack.command("up", "--yes", "--expect-no-changes")

    # destroy: the imported key is protected by Pulumi, the Accounts by their provider
    def unprotect(settings: dict[str, Any]) -> None:
        settings["resources"]["northwind-legacy"]["options"]["protect"] = False

    edit(program, unprotect)
    stack.up()
    emulator.clear_requests()
    refused = stack.destroy(check=False)
    assert "has deletionProtection on" in " ".join(refused.output.split())
    assert "DELETE /accounts" not in calls(emulator)
    stack.config(deletionProtection="false")
    stack.up()
    stack.destroy()
    assert not stack.resources(PLUGIN.account_type)
    for account in (partners["northwind"]["accountId"], contoso["accountId"]):
        assert keys_in(emulator, account) == {}
    for secret in [*full.values(), user.token]:
        assert secret not in stack.all_printed
