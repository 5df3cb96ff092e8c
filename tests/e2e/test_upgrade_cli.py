"""Upgrading this package under an existing stack: a stack made by the previous release (0.1.0,
git commit 4f5d8e9, run from its own source) is previewed, updated, refreshed and destroyed by
the current code. No key is replaced, none is lost, and ``api_key`` still decrypts to the key
the API minted. The pickled ``__provider`` in such a state names
``firmtrace_pulumi.providers.api_key.ApiKeyProvider`` (and ``...account.AccountProvider``):
those paths must keep importing."""

from __future__ import annotations

import subprocess
import tarfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import ACCOUNT, API_KEY, Stack

pytestmark = pytest.mark.timeout(600)

REPO = Path(__file__).resolve().parents[2]
PREVIOUS_RELEASE = "4f5d8e9"

PROGRAM = """
import pulumi
from firmtrace_pulumi import Account, ApiKey

config = pulumi.Config()
site = Account("site", name="Upgrade Co", url="https://upgrade.example",
               deletion_protection=config.get_bool("deletionProtection"))
live = ApiKey("live", account_id=site.account_id)
staged = ApiKey("staged", account_id=site.account_id, end_date="2020-01-01")
pulumi.export("parts", {"live": live.api_key_part, "staged": staged.api_key_part})
pulumi.export("live_api_key", live.api_key)
pulumi.export("staged_api_key", staged.api_key)
"""


def previous_release(directory: Path) -> Path:
    """The previous release's package source, from git history, in ``directory``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", PREVIOUS_RELEASE, "firmtrace_pulumi"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.skip(f"git history without the previous release ({PREVIOUS_RELEASE})")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(directory, filter="data")
    return directory


def test_the_provider_classes_keep_their_import_paths() -> None:
    from firmtrace_pulumi.providers.account import AccountProvider
    from firmtrace_pulumi.providers.api_key import ApiKeyProvider

    assert callable(ApiKeyProvider) and callable(AccountProvider)


def test_a_stack_of_the_previous_release_upgrades_without_replacing_or_losing_keys(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    old_source = previous_release(tmp_path / "previous")
    stack = new_stack(PROGRAM)
    old = {"PYTHONPATH": str(old_source)}  # the program and its provider import 0.1.0

    made = stack.cli.run("up", "--yes", "--stack", stack.name, cwd=stack.project_dir, env=old)
    stack.printed.append(made.stdout + made.stderr)
    assert "+ 4 created" in made.stdout, made.stdout + made.stderr
    before = stack.outputs(secrets=True)
    # (0.1.0 did not set Pulumi's protect from deletion_protection: proof that it made this)
    assert not stack.resources(ACCOUNT)[0].get("protect")
    ids = {r["urn"]: r["id"] for r in stack.resources() if r["type"] in (API_KEY, ACCOUNT)}

    # the current code: nothing to replace, nothing lost
    preview = stack.preview()
    assert not {"replace", "create", "delete"} & set(preview.changes), preview.changes
    up = stack.up()
    assert not {"replace", "create", "delete"} & set(up.changes), up.changes
    assert stack.outputs(secrets=True) == before
    assert stack.resources(ACCOUNT)[0].get("protect") is True
    assert {r["urn"]: r["id"] for r in stack.resources() if r["type"] in (API_KEY, ACCOUNT)} == ids

    refreshed = stack.refresh("--skip-preview")
    assert set(refreshed.changes) <= {"same"}, refreshed.changes
    stack.command("up", "--yes", "--expect-no-changes")
    assert stack.outputs(secrets=True) == before
    live = {k["api_key_part"] for k in emulator.state()["api_keys"]}
    assert set(before["parts"].values()) <= live

    # and it tears down as the current docs say
    stack.config(deletionProtection="false")
    stack.up()
    assert stack.destroy().changes == {"delete": 4}
    assert not set(before["parts"].values()) & {
        k["api_key_part"] for k in emulator.state()["api_keys"]
    }
