"""The main-job runner (``make up`` / ``make down``: examples/quickstart/run.py) as far as a
machine without the Pulumi CLI allows: the emulator, the demo user (registered once), the
passphrase and stack config it prepares, the one message about the missing CLI, its exit code,
the CLI installer's time limit, ``demo`` and ``down``. tests/e2e runs it with the real CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi import automation as auto

from examples.quickstart import run
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from tests.harness.provider_process import REPO

FULL_KEY = re.compile(r"ftk_[0-9a-f]{8}_")


@pytest.fixture
def no_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without the Pulumi CLI, even where one is installed."""
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))  # no ~/.pulumi/versions either
    if shutil.which("pulumi"):
        pytest.skip("a pulumi binary is in /usr/bin or /bin")


@pytest.fixture
def quickstart(tmp_path: Path) -> Iterator[tuple[run.Quickstart, list[str]]]:
    lines: list[str] = []
    yield (
        run.Quickstart(home=run.Home(tmp_path / "qs"), out=lines.append, allow_install=False),
        lines,
    )


def emulator_state(home: run.Home) -> dict[str, Any]:
    """What the quickstart's emulator database holds (the emulator is started for the look)."""
    with run.running_emulator(home, lambda _: None) as emulator, EmulatorAdmin(emulator.url) as a:
        return a.state()


def plain(config: dict[str, auto.ConfigValue]) -> dict[str, tuple[str, bool]]:
    return {k: (v.value, v.secret) for k, v in config.items()}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_up_without_the_cli_prepares_everything_then_says_how_to_install(
    no_cli: None, quickstart: tuple[run.Quickstart, list[str]]
) -> None:
    qs, lines = quickstart
    assert qs.up() == run.EXIT_NO_CLI
    text = "\n".join(lines)
    url = re.search(r"emulator at (http://127\.0\.0\.1:\d+)", text)
    assert url, text
    assert "demo@quickstart-demo.example registered" in text
    # The one message, last, after the emulator stopped:
    assert lines[-2] == "==> Emulator stopped."
    message = lines[-1]
    assert message.startswith("The Pulumi CLI is not installed, so `pulumi up` did NOT run")
    assert "https://www.pulumi.com/docs/install/" in message and "`make up` again" in message
    assert f"firmtrace:apiUrl={url.group(1)}" in message
    assert "firmtrace:token=[secret]" in message
    assert "python -m examples.quickstart.run demo" in message and "NOT the Pulumi" in message
    with pytest.raises(httpx.TransportError):
        httpx.get(url.group(1) + "/_emulator/health", timeout=2)

    # Prepared, private, and not printed:
    user = json.loads(qs.home.user_file.read_text())
    assert user["email"] == "demo@quickstart-demo.example"
    assert not user["email"].endswith(("gmail.com", "outlook.com"))
    assert mode(qs.home.user_file) == mode(qs.home.passphrase_file) == 0o600
    assert mode(qs.home.root) == 0o700
    assert len(qs.home.passphrase_file.read_text().strip()) >= 40
    for secret in (user["token"], user["password"], qs.home.passphrase_file.read_text().strip()):
        assert secret not in text
    config = plain(run.stack_config(url.group(1), run.DemoUser(**user)))
    assert config == {
        "firmtrace:apiUrl": (url.group(1), False),
        "firmtrace:token": (user["token"], True),
    }

    # Again: same port, same user (signed in with the saved token, no second registration).
    lines.clear()
    assert qs.up() == run.EXIT_NO_CLI
    assert f"emulator at {url.group(1)} " in lines[0]
    assert "saved credentials" in lines[1]
    assert json.loads(qs.home.user_file.read_text()) == user
    users = emulator_state(qs.home)["users"]
    assert [u["email"] for u in users] == ["demo@quickstart-demo.example"]


def test_the_demo_user_survives_a_dead_token_and_a_lost_database(
    no_cli: None, quickstart: tuple[run.Quickstart, list[str]]
) -> None:
    qs, lines = quickstart
    qs.up()
    user = json.loads(qs.home.user_file.read_text())

    # A token that no longer works: sign in again with the saved password.
    qs.home.user_file.write_text(json.dumps({**user, "token": "ftt_" + "x" * 43}))
    lines.clear()
    qs.up()
    assert "signed in again" in lines[1]
    again = json.loads(qs.home.user_file.read_text())
    assert again["token"] != user["token"] and again["password"] == user["password"]

    # The emulator database deleted: the same user is registered again.
    for path in qs.home.root.glob("emulator.sqlite3*"):
        path.unlink()
    lines.clear()
    qs.up()
    assert "registered" in lines[1]
    assert json.loads(qs.home.user_file.read_text())["email"] == user["email"]

    # Credentials lost while the domain is registered: a clear error (the 409 is not retried).
    qs.home.user_file.unlink()
    with pytest.raises(run.QuickstartError, match="already has a user for quickstart-demo"):
        qs.up()


def test_make_up_as_a_subprocess_without_the_cli(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path / "user-home"),
        "FIRMTRACE_QUICKSTART_HOME": str(tmp_path / "qs"),
        "FIRMTRACE_QUICKSTART_NO_INSTALL": "1",
    }
    if shutil.which("pulumi", path=env["PATH"]):
        pytest.skip("a pulumi binary is in /usr/bin or /bin")
    done = subprocess.run(
        [sys.executable, "-m", "examples.quickstart.run", "up"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == run.EXIT_NO_CLI, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.count("The Pulumi CLI is not installed") == 1
    assert done.stdout.strip().splitlines()[-4].startswith("The Pulumi CLI is not installed")
    token = json.loads((tmp_path / "qs" / "demo-user.json").read_text())["token"]
    assert token not in done.stdout + done.stderr

    bad = subprocess.run(
        [sys.executable, "-m", "examples.quickstart.run", "up"],
        cwd=REPO,
        env={**env, "STAGED_END_DATE": "next week"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == run.EXIT_FAILED
    assert bad.stderr.strip() == (
        "quickstart: STAGED_END_DATE is 'next week'; use a date as YYYY-MM-DD (e.g. 2030-01-01)."
    )


def test_demo_shows_a_live_and_a_staged_key_and_leaves_nothing(
    quickstart: tuple[run.Quickstart, list[str]],
) -> None:
    qs, lines = quickstart
    assert qs.demo() == run.EXIT_OK
    text = "\n".join(lines)
    assert lines[0].startswith("DEMO, not a Pulumi deployment")
    assert re.search(r"ftk_[0-9a-f]{8}  live-\w+ +active", text)
    assert re.search(r"ftk_[0-9a-f]{8}  staged-\w+ +inactive \(end_date 2020-01-01\)", text)
    assert re.search(r"ftk_[0-9a-f]{8}  staged-\w+ +active", text)  # after the flip
    assert "live_api_key     [secret]" in text
    assert not FULL_KEY.search(text), "a full key was printed"
    state = emulator_state(qs.home)
    assert state["api_keys"] == []
    assert [a["name"] for a in state["accounts"]] == ["Quickstart Demo"]  # the default only


def test_down_removes_the_data_and_needs_the_cli_only_when_there_is_a_stack(
    no_cli: None, quickstart: tuple[run.Quickstart, list[str]]
) -> None:
    qs, lines = quickstart
    assert qs.down() == run.EXIT_OK
    assert lines == [f"Nothing to tear down: {qs.home.root} does not exist."]

    qs.up()
    stack_file = qs.home.state / ".pulumi" / "stacks" / run.PROJECT / "quickstart.json"
    stack_file.parent.mkdir(parents=True)
    stack_file.write_text("{}")
    lines.clear()
    assert qs.down() == run.EXIT_NO_CLI
    assert "`pulumi destroy` did NOT run: nothing was destroyed" in lines[-1]
    assert qs.home.db.exists(), "emulator data kept while a stack still refers to it"

    stack_file.unlink()
    lines.clear()
    assert qs.down() == run.EXIT_OK
    assert not qs.home.root.exists()


def test_cli_install_is_skipped_offline_and_time_limited(
    no_cli: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines: list[str] = []
    assert run.find_pulumi(lines.append, allow_install=False) is None
    monkeypatch.setattr(run, "_network_allows_install", lambda: False)
    assert run.find_pulumi(lines.append) is None
    assert lines == [], "offline: no install attempt"

    monkeypatch.setattr(run, "_network_allows_install", lambda: True)
    monkeypatch.setenv("FIRMTRACE_QUICKSTART_INSTALL_TIMEOUT", "0.5")
    hang = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(run, "install_command", lambda root: hang)
    started = time.monotonic()
    assert run.find_pulumi(lines.append) is None
    assert time.monotonic() - started < 10
    assert lines[0].startswith("==> Pulumi CLI not found; installing it into ")
    assert lines[-1] == "==> Installing the Pulumi CLI did not work."


def test_apply_config_sets_only_what_changed() -> None:
    class FakeStack:
        def __init__(self, config: dict[str, auto.ConfigValue]) -> None:
            self.config, self.calls = config, []

        def get_all_config(self) -> dict[str, auto.ConfigValue]:
            return dict(self.config)

        def set_all_config(self, config: dict[str, auto.ConfigValue]) -> None:
            self.calls.append(config)
            self.config.update(config)

    user = run.DemoUser("demo@quickstart-demo.example", "pw", "ftt_token", "acc_1")
    wanted = run.stack_config("http://127.0.0.1:1234", user)
    stack = FakeStack({})
    run.apply_config(stack, wanted)  # type: ignore[arg-type]
    run.apply_config(stack, wanted)  # type: ignore[arg-type]
    assert [plain(c) for c in stack.calls] == [plain(wanted)], "a rerun sets nothing"
    moved = run.stack_config("http://127.0.0.1:4321", user, staged_end_date="2030-01-01")
    run.apply_config(stack, moved)  # type: ignore[arg-type]
    assert plain(stack.calls[-1]) == {
        "firmtrace:apiUrl": ("http://127.0.0.1:4321", False),
        "firmtrace-quickstart:stagedEndDate": ("2030-01-01", False),
    }
