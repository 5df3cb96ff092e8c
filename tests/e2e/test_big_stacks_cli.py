"""Big stacks on a realistic API (issue 11), under the real Pulumi CLI.

Each scenario runs ``pulumi`` against an emulator of its own, in its own process, on a port of
its own with its data in a SQLite file (so it can be killed and started again as the same
server), with latency and worse:

1. 500 keys in 25 Accounts, a rate limit that answers 429 and 2 % of requests answered 500:
   ``up --parallel 16``, every ``end_date`` changed, ``up --refresh``, ``destroy``;
2. the API killed (SIGKILL) and started again in the middle of an ``up`` of 100 keys;
3. the password changed during an ``up`` of 200 keys that signs in with email + password.

Each ends with the same check, ``check_api_matches_state``: the emulator holds exactly what state
says, no full key that state had is lost, and every full key in state works. What each phase
took and the API calls it made are printed (``make test-slow`` shows them with ``-rP``, and
leaves out the captured INFO logs, which the leak scanner still reads).

Slow (minutes): marked ``slow``, so ``pytest`` and ``make test`` leave them out; ``make
test-slow`` runs them.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from firmtrace_pulumi import contract
from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.contract import Endpoints
from firmtrace_pulumi.emulator import FaultConfig, FaultStep
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration
from firmtrace_pulumi.emulator.process import EmulatorProcess
from firmtrace_pulumi.errors import FirmtraceError
from firmtrace_pulumi.testing import PulumiCli

from .conftest import ACCOUNT, API_KEY, Run, Stack, write_project
from .test_interrupted_cli import orphans

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


# --- the emulator in a process of its own -------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Emulator:
    """``python -m firmtrace_pulumi.emulator`` on a fixed port with its data in ``db``: killed
    and started again, it is the same server to every client (same URL, Users, tokens, keys).
    Its faults (the rate limit among them) are set again after every start."""

    db: Path
    log: Path
    port: int = field(default_factory=free_port)
    faults: FaultConfig = field(default_factory=FaultConfig)
    process: EmulatorProcess | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def admin(self) -> EmulatorAdmin:
        return EmulatorAdmin(self.url)

    def set_faults(self, faults: FaultConfig) -> None:
        """These faults from now on, and after every restart."""
        self.faults = faults
        with self.admin() as admin:
            admin.set_faults(faults)

    def start(self) -> None:
        with self.log.open("a") as log:
            args = ("--port", str(self.port), "--rate-limit", "0")
            self.process = EmulatorProcess(db=self.db, args=args, stderr=log.fileno()).start()
        assert self.process.url == self.url
        with self.admin() as admin:
            admin.set_faults(self.faults)

    def kill(self) -> None:
        """SIGKILL, as a crash: no graceful shutdown, the requests in flight get no answer."""
        assert self.process is not None and self.process.pid is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.stop()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Emulator]:
    """This test's own emulator, in its own process: rate limit off, no faults until set."""
    emulator = Emulator(tmp_path / "emulator.sqlite3", tmp_path / "emulator.log")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def make_stack(
    tmp_path: Path, program: str, url: str, sign_in: dict[str, str], **config: str
) -> Stack:
    """A stack of a new project running ``program`` against the API at ``url``: the
    ``firmtrace:*`` settings in ``sign_in`` (stored as secrets), and program ``config``."""
    cli = PulumiCli.local(tmp_path / "pulumi")
    project = write_project(tmp_path / "big", "big", program)
    stack = Stack(cli, project, "dev", "big")
    cli.run("stack", "init", "dev", cwd=project)
    stack.pulumi("config", "set", "firmtrace:apiUrl", url)
    for key, value in sign_in.items():
        stack.set_secret(key, value)
    stack.config(**config)
    return stack


# --- the check every scenario ends with ---------------------------------------------------------


def in_state(stack: Stack) -> dict[str, dict[str, Any]]:
    """URN -> type and outputs of every ApiKey and Account in the stack's state, the full keys
    revealed."""
    return {
        r["urn"]: {"type": r["type"], **r["outputs"]}
        for r in stack.revealed()
        if r["type"] in (API_KEY, ACCOUNT)
    }


KEY_FIELDS = ("account_id", "name", "end_date", "active", "created_at")
ACCOUNT_FIELDS = ("name", "url")


def _same(kind: str, live: dict[str, Any], state: dict[str, Any], fields: tuple[str, ...]) -> None:
    assert set(live) == set(state), (
        f"{kind} live but not in state: {sorted(set(live) - set(state))}; "
        f"in state but not live: {sorted(set(state) - set(live))}"
    )
    differ = sorted(i for i, o in state.items() if any(o.get(f) != live[i][f] for f in fields))
    assert not differ, f"{kind} whose {'/'.join(fields)} differ between state and API: {differ}"


def check_api_matches_state(
    stack: Stack, admin: EmulatorAdmin, user: Registration, before: dict[str, str] | None = None
) -> dict[str, str]:
    """The check every scenario ends with; returns the full keys in state by URN.

    - the emulator holds exactly what state says: every Account and key in state exists with the
      same fields, and no Account (but the User's default one) and no key that state does not
      know is live among the Accounts the User reaches;
    - no full key is lost: each URN of ``before`` still in state holds the same full key;
    - each full key in state is that of its ``api_key_part``, and an active one works: a list
      call made with it answers.
    """
    state, live = in_state(stack), admin.state()
    reached = set(next(u["roles"] for u in live["users"] if u["email"] == user.email))
    _same(
        "Accounts",
        {
            a["account_id"]: a
            for a in live["accounts"]
            if a["account_id"] in reached - {user.account_id}
        },
        {o["account_id"]: o for o in state.values() if o["type"] == ACCOUNT},
        ACCOUNT_FIELDS,
    )
    _same(
        "keys",
        {k["api_key_part"]: k for k in live["api_keys"] if k["account_id"] in reached},
        {o["api_key_part"]: o for o in state.values() if o["type"] == API_KEY},
        KEY_FIELDS,
    )

    full = {urn: o.get("api_key") for urn, o in state.items() if o["type"] == API_KEY}
    wrong = sorted(
        urn
        for urn, key in full.items()
        if not (isinstance(key, str) and contract.key_has_part(key, state[urn]["api_key_part"]))
    )
    assert not wrong, f"ApiKeys whose full key in state is missing or not theirs: {wrong}"
    lost = sorted(urn for urn, key in (before or {}).items() if urn in full and full[urn] != key)
    assert not lost, f"ApiKeys whose full key state lost (it holds another): {lost}"

    active = [key for urn, key in full.items() if state[urn]["active"]]
    with ThreadPoolExecutor(8) as pool:
        works = list(pool.map(lambda key: _works(admin.url, key), active))
    assert all(works), f"{works.count(False)} of {len(active)} active full keys in state fail"
    return {urn: key for urn, key in full.items() if isinstance(key, str)}


def _works(url: str, key: str) -> bool:
    with FirmtraceClient(url, key) as client:
        try:
            return any(contract.key_has_part(key, k.api_key_part) for k in client.list_api_keys())
        except FirmtraceError:
            return False


# --- what a command cost ------------------------------------------------------------------------


@dataclass
class Phase:
    """One ``pulumi`` command: how long it took, what it did, and the API calls it made (the
    emulator's request log): ``ok`` counts those answered 2xx by endpoint (``"POST /api_key"``),
    ``refused`` the others by status. 429 and 5xx answers are retried, so each shows as a
    refusal and, once retried, as a success."""

    name: str
    seconds: float
    run: Run
    requests: list[dict[str, Any]]

    @property
    def ok(self) -> Counter[str]:
        return Counter(_endpoint(r) for r in self.requests if _succeeded(r))

    @property
    def refused(self) -> Counter[int | None]:
        return Counter(r["status"] for r in self.requests if not _succeeded(r))

    def answered(self, endpoint: str, status: int) -> int:
        """How many requests to ``endpoint`` got ``status``."""
        return sum(_endpoint(r) == endpoint and r["status"] == status for r in self.requests)

    @property
    def errors(self) -> list[str]:
        """The error messages of Firmtrace resources (not the engine's own "update failed")."""
        events = (e["diagnosticEvent"] for e in self.run.events if "diagnosticEvent" in e)
        return [
            d["message"]
            for d in events
            if d.get("severity") == "error" and "dynamic/firmtrace:" in d.get("urn", "")
        ]

    def __str__(self) -> str:
        ok = ", ".join(f"{e} x{n}" for e, n in sorted(self.ok.items())) or "-"
        refused = ", ".join(f"{s} x{n}" for s, n in sorted(self.refused.items(), key=str)) or "-"
        errors = "".join(f"\n    {line}" for line in sorted({_last_line(e) for e in self.errors}))
        return (
            f"{self.name}: {self.seconds:.0f} s, {self.run.changes}; answered: {ok}; "
            f"refused: {refused}" + errors
        )


def _endpoint(request: dict[str, Any]) -> str:
    return f"{request['method']} {request['path'].removeprefix(contract.API_PREFIX)}"


def _succeeded(request: dict[str, Any]) -> bool:
    return request["status"] is not None and 200 <= request["status"] < 300


def _last_line(error: str) -> str:
    """Our sentence: the last line of what the engine prints for a resource's error."""
    return error.strip().splitlines()[-1]


def phase(
    name: str,
    api: Emulator,
    command: Callable[..., Run],
    *args: str,
    fails: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> Phase:
    """``command(*args)`` (a ``Stack`` method) from a clear request log, and what it cost; it
    must succeed unless it ``fails``. ``meanwhile`` runs in this thread while the command runs
    in another (and may restart ``api``)."""
    with api.admin() as admin:
        admin.clear_requests()
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        running: Future[Run] = pool.submit(command, *args, check=False)
        if meanwhile is not None:
            meanwhile()
        run = running.result()
    seconds = time.monotonic() - started
    with api.admin() as admin:
        done = Phase(name, seconds, run, admin.requests())
    print(done)
    if not fails:
        errors = run.diagnostics()
        assert not errors, f"`pulumi {run.command}` failed:\n" + "\n".join(errors)
        assert any("summaryEvent" in e for e in run.events), run.output[-3000:]
    return done


def wait_until(what: str, condition: Callable[[], bool], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(0.02)


def creates(admin: EmulatorAdmin) -> list[dict[str, Any]]:
    """The emulator's log of ``POST /api_key`` requests."""
    return admin.requests(method="POST", path="/api_key")


# --- 1. 500 keys, 25 Accounts: latency, 429s, random 5xx --------------------------------------

ACCOUNTS, KEYS_PER_ACCOUNT = 25, 20
KEYS = ACCOUNTS * KEYS_PER_ACCOUNT

BIG_PROGRAM = """
import pulumi
from firmtrace_pulumi import Account, ApiKey

config = pulumi.Config()
for a in range(config.require_int("accounts")):
    site = Account(
        f"site-{a}", name=f"Site {a}", url=f"https://site-{a}.example", deletion_protection=False
    )
    for k in range(config.require_int("keysPerAccount")):
        ApiKey(f"key-{a}-{k}", account_id=site.account_id, end_date=config.require("endDate"))
"""

REALISTIC = FaultConfig(latency_ms=20, rate_limit=10, error_rate=0.02, error_status=500, seed=11)
"""20 ms per call; 10 requests/s per credential, fewer than the engine asks for, so the API
answers 429 with Retry-After; 2 % of requests answered 500, which for a create means "it may have
happened": the provider must look before it mints again."""


def test_500_keys_in_25_accounts_on_a_slow_rate_limited_flaky_api(
    api: Emulator, tmp_path: Path
) -> None:
    with api.admin() as admin:
        user = admin.register()
    api.set_faults(REALISTIC)
    stack = make_stack(
        tmp_path,
        BIG_PROGRAM,
        api.url,
        {"firmtrace:token": user.token},
        accounts=str(ACCOUNTS),
        keysPerAccount=str(KEYS_PER_ACCOUNT),
        endDate="2031-01-01",
    )
    resources = ACCOUNTS + KEYS + 1  # and the stack

    # up: each Account and key created once. A create answered 500 is looked up (one list call
    # each) before it is sent again; the 500 committed nothing, so nothing is revoked.
    up = phase("up --parallel 16", api, stack.up, "--parallel", "16")
    assert up.run.changes == {"create": resources}
    expected = Counter(
        {
            "POST /accounts": ACCOUNTS,
            "POST /api_key": KEYS,
            "GET /accounts": up.answered("POST /accounts", 500),
            "GET /api_key": up.answered("POST /api_key", 500),
        }
    )
    assert up.ok == +expected  # (+ drops the zero counts)
    assert set(up.refused) <= {429, 500}, up.refused
    with api.admin() as admin:
        keys = check_api_matches_state(stack, admin, user)
    assert len(keys) == KEYS

    # every end_date moved: one PATCH per key, the same keys
    stack.config(endDate="2032-06-30")
    update = phase("up, every end_date changed", api, stack.up)
    assert update.run.changes == {"update": KEYS, "same": ACCOUNTS + 1}
    assert update.ok == Counter({"PATCH /api_key": KEYS})
    assert set(update.refused) <= {429, 500}, update.refused
    with api.admin() as admin:
        assert check_api_matches_state(stack, admin, user, keys) == keys

    # up --refresh: one list call per Account (keys) or User (Accounts) in each of its two
    # refreshes (the preview's and the update's), not one per resource; nothing to change
    refresh = phase("up --refresh", api, stack.up, "--refresh")
    assert refresh.run.changes == {"same": resources}
    assert refresh.ok == Counter({"GET /accounts": 2, "GET /api_key": 2 * ACCOUNTS})
    with api.admin() as admin:
        assert check_api_matches_state(stack, admin, user, keys) == keys

    # destroy: each key and Account deleted once
    destroy = phase("destroy", api, stack.destroy)
    assert destroy.run.changes == {"delete": resources}
    assert destroy.ok == Counter({"DELETE /api_key": KEYS, "DELETE /accounts": ACCOUNTS})
    with api.admin() as admin:
        assert check_api_matches_state(stack, admin, user, keys) == {}

    refused = sum((p.refused for p in (up, update, refresh, destroy)), Counter[int | None]())
    assert refused[429] > 0, f"the rate limit was never hit: {refused}"
    assert refused[500] > 0, f"no 500 was drawn: {refused}"


# --- 2. the API restarted in the middle of an up ---------------------------------------------

KEYS_PROGRAM = """
import pulumi
from firmtrace_pulumi import ApiKey

config = pulumi.Config()
for k in range(config.require_int("keys")):
    ApiKey(f"key-{k}", account_id=config.require("accountId"))
"""


def keys_stack(
    api: Emulator, tmp_path: Path, count: int, sign_in: str
) -> tuple[Registration, Stack]:
    """A new User, and a stack of ``count`` keys in its default Account that signs in with the
    User's ``"token"``, or with its ``"password"`` (and email)."""
    with api.admin() as admin:
        user = admin.register()
    secret = "token" if sign_in == "token" else "password"
    stack = make_stack(
        tmp_path,
        KEYS_PROGRAM,
        api.url,
        {f"firmtrace:{secret}": getattr(user, secret)},
        keys=str(count),
        accountId=user.account_id,
    )
    if sign_in == "password":  # in plain text: the engine masks a secret in all it prints
        stack.pulumi("config", "set", "firmtrace:email", user.email)
    return user, stack


ACTIONABLE = (
    "run `pulumi up` again",  # a create that got no answer and could not be looked up
    "and that the API is running there",  # nothing answered at all
)

NAMED_ORPHAN = re.compile(r"A key named '([^']+)' may now exist|delete key (ftk_[0-9a-f]{8})")


ORPHAN_PART = re.compile(r"\bftk_[0-9a-f]{8}\b")


def follow_orphan_advice(errors: list[str], url: str, user: Registration) -> list[str]:
    """What the errors tell a person to do about keys that may exist without state: delete
    each key they name (by name or by ``api_key_part``), if it exists. Returns those deleted."""
    named = {n for e in errors for m in NAMED_ORPHAN.finditer(e) for n in m.groups() if n}
    deleted = []
    with FirmtraceClient(url, user.token) as client:
        for key in client.list_api_keys(user.account_id):
            if key.name in named or key.api_key_part in named:
                client.delete_api_key(user.account_id, key.api_key_part)
                deleted.append(key.api_key_part)
    return deleted


@pytest.mark.parametrize("down", [0.0, 5.0], ids=["restarted-at-once", "down-5s"])
def test_the_api_killed_and_restarted_in_the_middle_of_an_up(
    api: Emulator, tmp_path: Path, down: float
) -> None:
    user, stack = keys_stack(api, tmp_path, 100, sign_in="token")
    # 30 keys are created, then one is committed but its answer held back for 10 s: the crash
    # comes in that window, so that key exists and its full value is lost for good.
    held = [FaultStep.pass_(times=30), FaultStep.slow(10_000)]
    api.set_faults(FaultConfig(latency_ms=100, scripts={Endpoints.CREATE_API_KEY: held}))
    live_at_crash: set[str] = set()

    def crash() -> None:
        with api.admin() as admin:
            wait_until(
                "a create committed, its answer held back",
                lambda: any(r.get("fault") == "slow" and r["status"] for r in creates(admin)),
            )
            live_at_crash.update(k["api_key_part"] for k in admin.state()["api_keys"])
        api.faults = FaultConfig(latency_ms=100)  # after the restart: the script is used up
        api.kill()
        time.sleep(down)
        api.start()

    first = phase(f"up, API killed, down {down:g} s", api, stack.up, fails=True, meanwhile=crash)
    lost_answers = live_at_crash - {o["api_key_part"] for o in in_state(stack).values()}
    assert lost_answers, "the crash should have lost the answer of a create"

    if first.errors:
        # failed cleanly: every error says what to do, and doing it is all it takes
        vague = [e for e in first.errors if not any(advice in e for advice in ACTIONABLE)]
        assert not vague, "errors that do not say what to do:\n" + "\n".join(vague)
        # README's orphan finder names exactly the lost keys that still exist
        with api.admin() as admin:
            still_live = lost_answers & {k["api_key_part"] for k in admin.state()["api_keys"]}
        listed = orphans(stack).stdout
        print(listed)
        assert set(ORPHAN_PART.findall(listed)) == still_live
        deleted = follow_orphan_advice(first.errors, api.url, user)
        print(f"keys the errors named that existed, deleted as they say: {deleted}")
        assert set(deleted) <= lost_answers
    else:
        # rode it out: the provider found the key whose answer was lost and revoked it
        assert first.run.changes == {"create": 101}
    with api.admin() as admin:
        before = check_api_matches_state(stack, admin, user)

    rerun = phase("up again", api, stack.up)
    assert rerun.ok == +Counter({"POST /api_key": 100 - len(before)})
    with api.admin() as admin:
        assert len(check_api_matches_state(stack, admin, user, before)) == 100


# --- 3. the password changed while an up that signs in with it runs --------------------------


def test_the_password_changed_during_an_up_that_signs_in_with_it(
    api: Emulator, tmp_path: Path
) -> None:
    user, stack = keys_stack(api, tmp_path, 200, sign_in="password")
    api.set_faults(FaultConfig(latency_ms=50))
    new_password = f"pw-{uuid.uuid4().hex}"

    def change_password() -> None:
        with api.admin() as admin:
            wait_until("50 keys created", lambda: sum(_succeeded(r) for r in creates(admin)) >= 50)
        with FirmtraceClient(api.url, user.token) as client:
            client.change_password(user.password, new_password)

    # The change ends every token of the User, the provider's too, and signing in again with
    # the configured (now old) password is refused: the run stops, naming the setting to change.
    # The refused calls changed nothing, and every key created before is in state.
    first = phase("up, password changed", api, stack.up, fails=True, meanwhile=change_password)
    assert first.errors, "the run went on although its password no longer signs in"
    for error in first.errors:
        assert "the password was changed while the run went on" in error, error
        assert "`pulumi config set --secret firmtrace:password`" in error, error
    with api.admin() as admin:
        before = check_api_matches_state(stack, admin, user)
    assert 50 <= len(before) < 200

    # Again with the old password: refused at the first sign-in, with the same advice.
    again = phase("up, old password", api, stack.up, fails=True)
    assert again.ok == Counter() and set(again.refused) == {401}
    assert again.errors
    for error in again.errors:
        assert f"Signing in as {user.email} was refused" in error, error
        assert "`pulumi config set --secret firmtrace:password`" in error, error

    # Do what it says: the new password in the stack config, then up.
    stack.set_secret("firmtrace:password", new_password)
    rerun = phase("up, new password", api, stack.up)
    assert rerun.ok == Counter({"POST /login": 1, "POST /api_key": 200 - len(before)})
    with api.admin() as admin:
        assert len(check_api_matches_state(stack, admin, user, before)) == 200
