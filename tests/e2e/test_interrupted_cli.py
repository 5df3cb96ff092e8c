"""Interrupted deployments under the real CLI, and the way back.

Each scenario starts a real `pulumi up`, waits until the emulator has carried out the request of
the operation under test (the emulator answers it only seconds later, a scripted ``slow``
fault), and interrupts it at that moment: Ctrl-C once (the engine's graceful cancel), Ctrl-C
twice, SIGKILL of `pulumi`, or SIGKILL of the provider process. Then it does what README's
"Recovering from an interrupted update" tells a user:

    firmtrace-pulumi orphans --revoke            # revoke what the run created but never recorded
    pulumi refresh --clear-pending-creates --yes
    pulumi cancel --yes                          # only if that says the stack is locked
    pulumi up --yes

and checks: the emulator holds exactly what state says, no full key that state had is lost,
and no live key or Account exists that no state knows about.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from firmtrace_pulumi import contract
from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.contract import Endpoint, Endpoints
from firmtrace_pulumi.emulator import FaultStep
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from tests import leaks

from .conftest import Stack

pytestmark = pytest.mark.timeout(300)

PROGRAM = """
import pulumi
from firmtrace_pulumi import Account, ApiKey

cfg = pulumi.Config()
if cfg.get_bool("withAccount"):
    Account("site", name=cfg.require("siteName"), url="https://interrupted.example",
            deletion_protection=False)
if cfg.get_bool("withKey"):
    ApiKey("partner", account_id=cfg.require("accountId"), end_date=cfg.get("endDate"),
           keepers={"generation": cfg.get("generation") or "1"})
"""

SLOW_MS = 4000
SIGNALS = ["sigint-once", "sigint-twice", "sigkill-pulumi", "sigkill-provider"]


@dataclass
class Op:
    """One operation to interrupt: the stack before it, the change, the request it makes, and
    how to see in the emulator that the request was carried out."""

    name: str
    endpoint: Endpoint
    before: dict[str, str]
    change: dict[str, str | None]
    done: Callable[[EmulatorAdmin, Scene], bool]


@dataclass
class Scene:
    """One test's own names: its User's Account, the keys there before, its site's name."""

    account_id: str
    site: str
    before: set[str]


def _keys(emulator: EmulatorAdmin, account_id: str) -> dict[str, dict[str, Any]]:
    return {
        k["api_key_part"]: k
        for k in emulator.state()["api_keys"]
        if str(k["account_id"]) == account_id
    }


def _sites(emulator: EmulatorAdmin, prefix: str) -> list[dict[str, Any]]:
    return [a for a in emulator.state()["accounts"] if str(a["name"]).startswith(prefix)]


KEY = {"withKey": "true"}
SITE = {"withAccount": "true"}
OPS = [
    Op("create-key", Endpoints.CREATE_API_KEY, {}, KEY,
       lambda e, s: bool(set(_keys(e, s.account_id)) - s.before)),
    Op("update-key", Endpoints.UPDATE_API_KEY, KEY, {"endDate": "2031-01-01"},
       lambda e, s: any(k["end_date"] == "2031-01-01" for k in _keys(e, s.account_id).values())),
    Op("delete-key", Endpoints.DELETE_API_KEY, KEY, {"withKey": None},
       lambda e, s: not _keys(e, s.account_id)),
    Op("replace-key", Endpoints.CREATE_API_KEY, KEY, {"generation": "2"},
       lambda e, s: bool(set(_keys(e, s.account_id)) - s.before)),
    Op("create-account", Endpoints.CREATE_ACCOUNT, {}, SITE,
       lambda e, s: bool(_sites(e, s.site))),
    Op("update-account", Endpoints.UPDATE_ACCOUNT, SITE, {"siteName": "{site} Renamed"},
       lambda e, s: bool(_sites(e, f"{s.site} Renamed"))),
    Op("delete-account", Endpoints.DELETE_ACCOUNT, SITE, {"withAccount": None},
       lambda e, s: not _sites(e, s.site)),
]  # fmt: skip


# --- processes ----------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def strays() -> Iterator[list[int]]:
    """Processes a scenario leaves behind on purpose (the children of a killed `pulumi`);
    killed when the test ends."""
    left: list[int] = []
    yield left
    kill(left)


# --- the scenario ---------------------------------------------------------------------------


def interrupted_up(
    stack: Stack, emulator: EmulatorAdmin, op: Op, how: str, scene: Scene, strays: list[int]
) -> str:
    """`pulumi up` of ``op``'s change, interrupted ``how`` once its request was carried out.
    Returns what `pulumi` printed."""
    emulator.script(op.endpoint, FaultStep.slow(SLOW_MS))
    run = subprocess.Popen(
        [stack.cli.executable(), "up", "--yes", "--skip-preview", "--stack", stack.name],
        cwd=stack.project_dir,
        env={**os.environ, **stack.cli.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not op.done(emulator, scene):
            assert run.poll() is None, f"`pulumi up` ended before the request: {run.stdout}"
            assert time.monotonic() < deadline, "the request never reached the emulator"
            time.sleep(0.05)
        below = descendants(run.pid)
        if how == "sigint-once":
            run.send_signal(signal.SIGINT)
        elif how == "sigint-twice":
            run.send_signal(signal.SIGINT)
            time.sleep(0.5)
            run.send_signal(signal.SIGINT)
        elif how == "sigkill-pulumi":
            strays.extend(below)
            run.send_signal(signal.SIGKILL)
        else:
            providers = [p for p in below if "pulumi.dynamic" in cmdline(p)]
            assert providers, "no provider process found"
            kill(providers)
        output, _ = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
        emulator.clear_faults()
    leaks.OBSERVED.text("interrupted pulumi up output", output)
    stack.printed.append(output)
    return output


def recover(stack: Stack) -> list[str]:
    """README's steps after an interrupted update. Returns what the orphan finder printed."""
    finder = orphans(stack, "--revoke")
    printed = finder.stdout + finder.stderr
    assert finder.returncode in (0, 1), printed
    refreshed = stack.pulumi("refresh", "--clear-pending-creates", "--yes", check=False)
    if "currently locked" in refreshed:  # `pulumi` was killed: its lock is left behind
        stack.pulumi("cancel", "--yes")
        stack.pulumi("refresh", "--clear-pending-creates", "--yes")
    stack.pulumi("up", "--yes")
    return printed.splitlines()


def orphans(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    """``firmtrace-pulumi orphans`` on this stack, as a user runs it in the project directory."""
    done = subprocess.run(
        [sys.executable, "-m", "firmtrace_pulumi", "orphans", "--stack", stack.name, *args],
        cwd=stack.project_dir,
        env={**os.environ, **stack.cli.env()},
        capture_output=True,
        text=True,
        check=False,
    )
    printed = done.stdout + done.stderr
    leaks.OBSERVED.text("firmtrace-pulumi orphans output", printed)
    stack.printed.append(printed)
    return done


def full_keys(stack: Stack) -> dict[str, str]:
    """api_key_part -> full key, of every ApiKey in state (never printed, never scanned)."""
    return {
        r["outputs"]["api_key_part"]: r["outputs"]["api_key"]
        for r in stack.revealed()
        if r["type"].endswith("firmtrace:ApiKey") and r["outputs"].get("api_key")
    }


def in_state(stack: Stack, kind: str) -> dict[str, dict[str, Any]]:
    return {
        r["id"]: r["outputs"]
        for r in stack.resources()
        if r["type"].endswith(f"firmtrace:{kind}") and r.get("id")
    }


def assert_state_matches(stack: Stack, emulator: EmulatorAdmin, scene: Scene) -> None:
    """The emulator holds exactly what state says: every key and Account of state is live, with
    the same name, and no live key or test Account exists that state does not know."""
    keys = {o["api_key_part"]: o for o in in_state(stack, "ApiKey").values()}
    live = _keys(emulator, scene.account_id)
    assert set(live) == set(keys), f"live {sorted(live)} != state {sorted(keys)}"
    for part, outputs in keys.items():
        assert live[part]["name"] == outputs.get("name")
        assert live[part]["end_date"] == outputs.get("end_date")
    sites = {a["account_id"]: a for a in _sites(emulator, scene.site)}
    assert set(sites) == set(in_state(stack, "Account")), "an Account no state knows"


def scenarios() -> list[Any]:
    """Every operation under every interruption. ``make test`` runs the create of a key under
    all four (the create that can lose a full key) and each other operation under one; the
    rest are marked slow (``make test-slow``)."""
    params = []
    for index, op in enumerate(OPS):
        for how in SIGNALS:
            everyday = op.name == "create-key" or how == SIGNALS[index % len(SIGNALS)]
            marks = () if everyday else (pytest.mark.slow,)
            params.append(pytest.param(op, how, marks=marks, id=f"{op.name}-{how}"))
    return params


@pytest.mark.parametrize(("op", "how"), scenarios())
def test_an_interrupted_up_recovers_with_nothing_lost_and_no_orphan(
    emulator: EmulatorAdmin,
    new_stack: Callable[..., Stack],
    strays: list[int],
    op: Op,
    how: str,
) -> None:
    user = emulator.register()
    site = f"Interrupted {secrets.token_hex(4)}"
    stack = new_stack(PROGRAM, token=user.token, project="interrupted")
    stack.config(accountId=user.account_id, siteName=site, **op.before)
    if op.before:
        stack.up()
    kept = full_keys(stack)
    scene = Scene(user.account_id, site, set(_keys(emulator, user.account_id)))

    stack.config(**{k: v.format(site=site) if v else v for k, v in op.change.items()})
    output = interrupted_up(stack, emulator, op, how, scene, strays)
    if how == "sigint-once":
        assert "cancelling" in output or "canceling" in output, output[-2000:]

    found = [line for line in recover(stack) if line.startswith("  revoked ")]
    if how != "sigint-once" and op.name in ("create-key", "replace-key"):
        assert len(found) == 1, "the key the engine never recorded was found and revoked"
    if how == "sigint-once":
        assert not found, "a graceful cancel waits for the answer: nothing is lost"

    # The last step: the finder again. It may name an Account to check by hand (a create whose
    # answer died with the provider: the API shows no time to tie it to the failed update).
    last = orphans(stack)
    if op.name == "create-account" and how == "sigkill-provider":
        assert "To check by hand" in last.stdout and scene.site in last.stdout, last.stdout
        [extra] = [
            a
            for a in _sites(emulator, scene.site)
            if a["account_id"] not in in_state(stack, "Account")
        ]
        with FirmtraceClient(emulator.url, user.token) as app:  # the user deletes it in the app
            app.delete_account(extra["account_id"])
    else:
        assert last.returncode == 0 and "No orphans" in last.stdout, last.stdout
    assert_state_matches(stack, emulator, scene)
    after = full_keys(stack)
    if op.name == "delete-key":
        assert after == {}
    elif op.name != "replace-key":
        assert {p: k for p, k in after.items() if p in kept} == kept, "a full key was lost"
    for part, key in after.items():
        assert contract.key_has_part(key, part)
    assert stack.outputs() is not None
    # The way back left no work: the next up changes nothing.
    assert stack.preview().changes.get("same", 0) >= 1
    assert set(stack.preview().changes) <= {"same"}


def test_the_lost_key_is_found_after_another_up_dropped_the_pending_create(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack], strays: list[int]
) -> None:
    """The user ran `pulumi up` first: it warns about the pending create and mints a new key.
    The finder still tells the lost key from the new one."""
    user = emulator.register()
    stack = new_stack(PROGRAM, token=user.token, project="interrupted")
    stack.config(accountId=user.account_id, siteName="unused", **KEY)
    scene = Scene(user.account_id, "unused", set())
    interrupted_up(stack, emulator, OPS[0], "sigint-twice", scene, strays)
    stack.pulumi("up", "--yes")
    assert len(_keys(emulator, user.account_id)) == 2, "the lost key and the new one"

    found = orphans(stack, "--revoke")
    assert found.stdout.count("revoked API key") == 1, found.stdout
    stack.pulumi("refresh", "--clear-pending-creates", "--yes")
    assert_state_matches(stack, emulator, scene)
    assert "No orphans" in orphans(stack).stdout
