"""The main job as a user runs it: ``make up`` (the quickstart runner with the real CLI), again
(no changes), with ``STAGED_END_DATE`` (one in-place update), ``pulumi`` from a shell on the
stack (``env.sh``), then ``make down`` (nothing left in Firmtrace, local data gone)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from examples.quickstart import run
from tests import leaks

pytestmark = pytest.mark.timeout(600)

FUTURE = (dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=365)).isoformat()
FULL_KEY = re.compile(r"ftk_[0-9a-f]{8}_[A-Za-z0-9_\-]{20,}")


@pytest.fixture
def quickstart(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The runner's environment: data under tmp_path and a stack name of its own (its settings
    file goes to the project's stackConfigDir and is removed with the stack)."""
    stack = f"e2e-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "FIRMTRACE_QUICKSTART_HOME": str(tmp_path / "qs"),
        "FIRMTRACE_QUICKSTART_STACK": stack,
    }
    env.pop("STAGED_END_DATE", None)
    yield env
    settings = run.REPO / ".firmtrace" / "quickstart" / "stacks" / f"Pulumi.{stack}.yaml"
    settings.unlink(missing_ok=True)


def runner(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "examples.quickstart.run", *args],
        cwd=run.REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    leaks.OBSERVED.text(f"quickstart {' '.join(args)}", output)
    assert done.returncode == 0, output
    return output


def shell(env: dict[str, str], command: str) -> str:
    """``command`` in a shell that sourced the quickstart's env.sh, as the runner suggests."""
    env_sh = Path(env["FIRMTRACE_QUICKSTART_HOME"]) / "env.sh"
    done = subprocess.run(
        ["bash", "-c", f". {env_sh} && {command}"],
        cwd=run.REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_make_up_then_down(quickstart: dict[str, str]) -> None:
    stack = quickstart["FIRMTRACE_QUICKSTART_STACK"]

    # make up: the real `pulumi up` creates the Account and both keys
    first = runner(quickstart, "up")
    assert "Updating (" in first and "+ 4 created" in first
    assert "live_api_key   : [secret]" in first and "staged_api_key : [secret]" in first
    assert "Flip the staged key live: make up STAGED_END_DATE=" in first
    assert not FULL_KEY.search(first), "a full key was printed"
    parts = re.search(r'live  : "(ftk_[0-9a-f]{8})"\n\s+staged: "(ftk_[0-9a-f]{8})"', first)
    assert parts, first

    # make up again: nothing to do
    assert "4 unchanged" in runner(quickstart, "up")

    # the staged key goes live: one in-place update of the same key
    staged = runner(quickstart, "up", "--staged-end-date", FUTURE)
    assert "~ 1 updated" in staged and "3 unchanged" in staged
    assert f'staged: "{parts.group(2)}"' in staged and "staged: false => true" in staged
    assert "The staged key is live." in staged

    # pulumi from a shell, on the same stack, as the runner says
    preview = shell(quickstart, f"pulumi preview --diff --stack {stack}")
    leaks.OBSERVED.text("pulumi preview --diff from a shell", preview)
    assert "4 unchanged" in preview
    revealed = shell(quickstart, f"pulumi stack output live_api_key --show-secrets --stack {stack}")
    leaks.register(revealed.strip(), "full API key")
    assert revealed.startswith(parts.group(1) + "_")

    # make down: destroyed, nothing left in Firmtrace but the sign-up's default Account
    down = runner(quickstart, "down")
    assert "- 4 deleted" in down
    assert "==> Left in Firmtrace: Accounts: Quickstart Demo; API keys: 0" in down
    assert not Path(quickstart["FIRMTRACE_QUICKSTART_HOME"]).exists()
