"""The quickstart end to end under the real Pulumi CLI: the runner's ``up`` (emulator, demo
user, stack config on a file backend with a passphrase, ``pulumi up``), a rerun, then through
the Automation API: refresh, end_date forward, up, protection off, destroy; then ``down``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from examples.quickstart import run
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import assert_state_keeps_keys_encrypted, ops, requires_cli

pytestmark = [requires_cli, pytest.mark.timeout(600)]

FUTURE = (dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=365)).isoformat()


@pytest.fixture
def quickstart(tmp_path: Path) -> Iterator[tuple[run.Quickstart, list[str]]]:
    """The runner on a home under tmp_path and a stack name of its own (its settings file goes
    to the project's stackConfigDir; it is removed with the stack)."""
    lines: list[str] = []
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    qs = run.Quickstart(home=run.Home(tmp_path / "qs"), out=lines.append, stack_name=name)
    yield qs, lines
    leftover = run.stack_config_dir(run.REPO) / f"Pulumi.{name}.yaml"
    leftover.unlink(missing_ok=True)


def test_quickstart_end_to_end(quickstart: tuple[run.Quickstart, list[str]]) -> None:
    qs, lines = quickstart

    # make up
    assert qs.up() == run.EXIT_OK, "\n".join(lines)
    text = "\n".join(lines)
    assert "live_api_key" in text and "[secret]" in text
    assert lines[-1].startswith("Flip the staged key live: make up STAGED_END_DATE=")

    # make up again: no changes
    lines.clear()
    assert qs.up() == run.EXIT_OK
    command = auto.PulumiCommand()
    with (
        run.running_emulator(qs.home, lines.append) as emulator,
        EmulatorAdmin(emulator.url) as admin,
    ):
        stack = run.open_stack(command, qs.home, stack_name=qs.stack_name)
        user = run.ensure_demo_user(emulator.url, qs.home, lines.append)
        run.apply_config(stack, run.stack_config(emulator.url, user))  # in case the port moved
        last = stack.info()  # the rerun's summary
        assert last is not None and last.kind == "update"
        assert set(ops(last.resource_changes)) == {"same"}, last.resource_changes

        outputs = stack.outputs()
        assert outputs["live_api_key"].secret and outputs["staged_api_key"].secret
        assert outputs["active"].value == {"live": True, "staged": False}
        parts = outputs["api_key_parts"].value
        full = {outputs["live_api_key"].value, outputs["staged_api_key"].value}
        assert all(key.startswith(("ftk_",)) for key in full)
        live = {k["api_key_part"]: k for k in admin.state()["api_keys"]}
        assert live[parts["live"]]["active"] is True
        assert live[parts["staged"]]["active"] is False
        assert_state_keeps_keys_encrypted(stack, full)
        printed = text + "\n".join(lines)
        assert not any(key in printed for key in full), "a full key was printed"

        # refresh: nothing drifts, the full keys stay
        refreshed = stack.refresh(on_output=lines.append)
        assert set(ops(refreshed.summary.resource_changes)) == {"same"}
        assert stack.outputs()["live_api_key"].value == outputs["live_api_key"].value

        # the staged key goes live: one in-place update, same key
        run.apply_config(stack, {f"{run.PROJECT}:stagedEndDate": auto.ConfigValue(FUTURE)})
        result = stack.up(on_output=lines.append)
        assert ops(result.summary.resource_changes) == {"same": 3, "update": 1}
        assert result.outputs["api_key_parts"].value == parts
        assert result.outputs["active"].value == {"live": True, "staged": True}
        assert result.outputs["staged_api_key"].value == outputs["staged_api_key"].value
        assert {k["api_key_part"]: k for k in admin.state()["api_keys"]}[parts["staged"]][
            "active"
        ] is True

        # protection off (state only), then destroy
        run.apply_config(stack, {f"{run.PROJECT}:deletionProtection": auto.ConfigValue("false")})
        stack.up(on_output=lines.append)
        account_id = outputs["account_id"].value
        destroyed = stack.destroy(on_output=lines.append)
        assert ops(destroyed.summary.resource_changes) == {"delete": 4}
        state = admin.state()
        assert account_id not in {a["account_id"] for a in state["accounts"]}
        assert not {parts["live"], parts["staged"]} & {k["api_key_part"] for k in state["api_keys"]}
        assert not any(key in "\n".join(lines) for key in full), "a full key was printed"

    # make down: nothing left to destroy; the stack and all local data are removed
    lines.clear()
    assert qs.down() == run.EXIT_OK, "\n".join(lines)
    assert not qs.home.root.exists()
    assert not (run.stack_config_dir(run.REPO) / f"Pulumi.{qs.stack_name}.yaml").exists()
