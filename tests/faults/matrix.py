"""The fault matrix: every fault, operation and resource, through the real provider process.

Each *cell* is one fault injected by the emulator on the request of one operation (``POST
/api_key`` for an ApiKey create, ``GET /accounts`` for an Account refresh, ...) in one of two
*scenarios*:

- ``transient``: a short burst (two answers, one for the slow faults) that the retry policy is
  meant to ride out. The operation must complete.
- ``persistent``: the fault never stops. The operation must either still complete (where the
  provider can prove what happened, e.g. by looking the object up) or fail with a clear error
  that says what to do, once retries are exhausted.

In both, afterwards, the emulator must hold exactly the keys and Accounts that state says exist
(no orphan, no duplicate), state must still hold every full key it had, and each full key in
state must work as a credential. ``run_matrix`` runs every cell on a few *lanes* at once (each a
private emulator, one registered User and one provider process configured with
``firmtrace:timeout`` = ``TIMEOUT``), because retries sleep for real; ``render`` writes the table.

Resources are registered with the engine rules directly (``tests.harness.resources``): the
Python SDK keeps process-wide state, so programs cannot run on several threads at once.
"""

from __future__ import annotations

import copy
import datetime as dt
import queue
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmtrace_pulumi import contract, errors
from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.faults import FaultStep
from firmtrace_pulumi.emulator.server import EmulatorServer
from firmtrace_pulumi.errors import FirmtraceError, OrphanRiskError, TransientError
from firmtrace_pulumi.retry import RetryPolicy
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.provider_process import ProviderError, ProviderProcess
from tests.harness.resources import DeclaredResource, account, api_key

TIMEOUT = 1.0
"""``firmtrace:timeout`` of the matrix's provider processes, in seconds."""
SLOW_UNDER_MS = 600
SLOW_OVER_MS = 1500
PERSISTENT = 100
"""``times`` of a persistent fault: more requests than any operation makes."""
LANES = 6
FUTURE = dt.date.today() + dt.timedelta(days=400)


@dataclass(frozen=True)
class Fault:
    key: str
    title: str
    step: FaultStep
    burst: int
    cost: tuple[float, float]
    """Rough seconds (transient, persistent) for scheduling the longest cells first."""


FAULTS = (
    Fault(
        "429",
        "429 Too Many Requests, `Retry-After: 1`",
        FaultStep.status(429, retry_after=1),
        2,
        (2.2, 4.5),
    ),
    Fault("500", "500 Internal Server Error", FaultStep.status(500), 2, (0.8, 2.0)),
    Fault("502", "502 Bad Gateway", FaultStep.status(502), 2, (0.8, 2.0)),
    Fault("503", "503 Service Unavailable", FaultStep.status(503), 2, (0.8, 2.0)),
    Fault(
        "reset",
        "connection reset before the request is read",
        FaultStep.reset_before_read(),
        2,
        (0.8, 2.0),
    ),
    Fault(
        "drop",
        "server commits, then the answer is lost",
        FaultStep.drop_after_commit(),
        2,
        (0.8, 2.0),
    ),
    Fault(
        "slow-under",
        f"slow answer, {SLOW_UNDER_MS} ms (timeout {TIMEOUT:g} s)",
        FaultStep.slow(SLOW_UNDER_MS),
        1,
        (1.0, 1.5),
    ),
    Fault(
        "slow-over",
        f"slow answer, {SLOW_OVER_MS} ms: committed, answered after the timeout",
        FaultStep.slow(SLOW_OVER_MS),
        1,
        (1.8, 7.0),
    ),
)


@dataclass(frozen=True)
class Op:
    resource: str
    name: str
    method: str
    path: str

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def label(self) -> str:
        return f"{self.resource} {self.name}"


OPERATIONS = (("create", "POST"), ("update", "PATCH"), ("delete", "DELETE"), ("read", "GET"))
OPS = tuple(
    Op(resource, name, method, path)
    for resource, path in (("ApiKey", "/api_key"), ("Account", "/accounts"))
    for name, method in OPERATIONS
)
SCENARIOS = ("transient", "persistent")


@dataclass(frozen=True)
class Cell:
    fault: Fault
    op: Op
    scenario: str

    @property
    def id(self) -> str:
        return f"{self.op.resource}-{self.op.name}-{self.fault.key}-{self.scenario}"

    @property
    def times(self) -> int:
        return self.fault.burst if self.scenario == "transient" else PERSISTENT

    @property
    def cost(self) -> float:
        return self.fault.cost[SCENARIOS.index(self.scenario)]


CELLS = tuple(Cell(f, o, s) for f in FAULTS for o in OPS for s in SCENARIOS)


@dataclass
class Outcome:
    cell: Cell
    completed: bool = False
    message: str = ""
    """On failure: what the user reads (the last line of the provider's error)."""
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    faults_hit: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def verdict(self) -> str:
        if self.problems:
            return "❌"
        return "✅ ok" if self.completed else "✅ stop"

    def explain(self) -> str:
        lines = [
            f"{self.cell.id}: {'completed' if self.completed else 'failed'} "
            f"in {self.seconds:.1f} s; fault hit {self.faults_hit}x",
            "requests: " + " ".join(self.requests),
        ]
        if self.message:
            lines.append(f"message: {self.message}")
        lines += [f"PROBLEM: {p}" for p in self.problems]
        return "\n".join(lines)


# --- one lane: a private emulator, a User, a provider process ---------------------------------


class Lane:
    def __init__(self) -> None:
        self.server = EmulatorServer().start()
        self.admin = EmulatorAdmin(self.server.url)
        self.owner = self.admin.register()
        self.process = ProviderProcess()
        self.config = {
            "firmtrace:apiUrl": self.server.url,
            "firmtrace:token": wire.secret(self.owner.token),
            "firmtrace:timeout": str(TIMEOUT),
        }
        # For setting cells up and checking them, with faults off: one attempt, no retries.
        self.client = FirmtraceClient(self.server.url, self.owner.token, retry=RetryPolicy.none())

    def close(self) -> None:
        self.client.close()
        self.process.close()
        self.admin.close()
        self.server.stop()


@dataclass
class Plan:
    """How one operation is set up, run and checked on a lane."""

    engine: Engine
    before: list[DeclaredResource]
    run: Callable[[], Any]
    effect: Callable[[], list[str]]
    """Checks after success: the operation did what it should."""
    live: Callable[[], set[str]]
    """Ids the emulator holds, in the terms state uses (api_key_part or account_id)."""
    state: Callable[[], set[str]]
    prepare: Callable[[], Any] = lambda: None
    """Run after ``before`` is in state and before the fault is switched on."""


def _key_parts(engine: Engine) -> set[str]:
    return {res.outputs["api_key_part"] for res in engine.state.values()}


def _plan(lane: Lane, op: Op) -> Plan:
    engine = Engine(lane.process, lane.config)
    uid = secrets.token_hex(4)
    client, admin = lane.client, lane.admin

    if op.resource == "ApiKey":
        account_id = client.create_account(f"Cell {uid}", f"https://cell-{uid}.example").account_id
        key = api_key("k", account_id=account_id)

        def live() -> set[str]:
            keys = admin.state()["api_keys"]
            return {k["api_key_part"] for k in keys if k["account_id"] == account_id}

        def one_key() -> dict[str, Any]:
            (res,) = engine.state.values()
            return res.outputs

        if op.name == "create":
            return Plan(
                engine,
                [],
                lambda: key.register(engine),
                lambda: [],
                live,
                lambda: _key_parts(engine),
            )
        if op.name == "update":
            renamed = api_key("k", account_id=account_id, name=f"renamed-{uid}")

            def renamed_effect() -> list[str]:
                names = {
                    k["name"] for k in admin.state()["api_keys"] if k["api_key_part"] in live()
                }
                problems = [] if names == {f"renamed-{uid}"} else [f"API has names {names}"]
                if one_key()["name"] != f"renamed-{uid}":
                    problems.append(f"state has name {one_key()['name']!r}")
                return problems

            return Plan(
                engine,
                [key],
                lambda: renamed.register(engine),
                renamed_effect,
                live,
                lambda: _key_parts(engine),
            )
        if op.name == "delete":
            return Plan(
                engine,
                [key],
                engine.destroy,
                lambda: [] if not engine.state else ["state still holds the key"],
                live,
                lambda: _key_parts(engine),
            )

        def change_behind_pulumis_back() -> None:
            (part,) = _key_parts(engine)
            client.update_api_key(account_id, part, name=f"out-of-band-{uid}", end_date=FUTURE)

        def refreshed() -> list[str]:
            outs = one_key()
            seen = (outs.get("name"), outs.get("end_date"))
            expected = (f"out-of-band-{uid}", FUTURE.isoformat())
            return [] if seen == expected else [f"state shows {seen}, not {expected}"]

        return Plan(
            engine,
            [key],
            engine.refresh,
            refreshed,
            live,
            lambda: _key_parts(engine),
            change_behind_pulumis_back,
        )

    url = f"https://site-{uid}.example"
    site = account("site", name=f"Site {uid}", url=url, deletion_protection=False)

    def accounts() -> set[str]:
        return {a["account_id"] for a in admin.state()["accounts"] if a["url"] == url}

    def account_ids() -> set[str]:
        return {res.id for res in engine.state.values()}

    def named(name: str) -> Callable[[], list[str]]:
        def check() -> list[str]:
            live_names = {a["name"] for a in admin.state()["accounts"] if a["url"] == url}
            state_names = {res.outputs["name"] for res in engine.state.values()}
            if live_names == state_names == {name}:
                return []
            return [f"API has {live_names}, state has {state_names}, expected {name!r}"]

        return check

    if op.name == "create":
        return Plan(
            engine, [], lambda: site.register(engine), named(f"Site {uid}"), accounts, account_ids
        )
    if op.name == "update":
        renamed_site = account("site", name=f"Renamed {uid}", url=url, deletion_protection=False)
        return Plan(
            engine,
            [site],
            lambda: renamed_site.register(engine),
            named(f"Renamed {uid}"),
            accounts,
            account_ids,
        )
    if op.name == "delete":
        return Plan(
            engine,
            [site],
            engine.destroy,
            lambda: [] if not engine.state else ["state still holds the Account"],
            accounts,
            account_ids,
        )

    def rename_behind_pulumis_back() -> None:
        (account_id,) = account_ids()
        client.update_account(account_id, name=f"Out of band {uid}")

    return Plan(
        engine,
        [site],
        engine.refresh,
        named(f"Out of band {uid}"),
        accounts,
        account_ids,
        rename_behind_pulumis_back,
    )


ACTIONABLE = ("run the command again later", "run `pulumi up` again", "Run `pulumi up` again")
EXPECTED_ERRORS: tuple[type[FirmtraceError], ...] = (
    TransientError,  # CreateNotConfirmedError and UncertainWriteError among them
    OrphanRiskError,
)
"""What a fault may end in: the API stayed unreachable, or a create left something to look for."""


def _expected(kind: str) -> bool:
    """Whether the error class named ``kind`` is one of ``EXPECTED_ERRORS`` or a subclass."""
    found = getattr(errors, kind, None)
    return isinstance(found, type) and issubclass(found, EXPECTED_ERRORS)


def _full_keys(engine: Engine) -> dict[str, str]:
    return {
        urn: wire.reveal(res.outputs.get("api_key"))
        for urn, res in engine.state.items()
        if wire.reveal(res.outputs.get("api_key"))
    }


def run_cell(lane: Lane, cell: Cell) -> Outcome:
    outcome = Outcome(cell)
    admin, op = lane.admin, cell.op
    admin.clear_faults()
    plan = _plan(lane, op)
    for registration in plan.before:
        registration.register(plan.engine)
    plan.prepare()
    state_before = copy.deepcopy({u: r.outputs for u, r in plan.engine.state.items()})
    keys_before = _full_keys(plan.engine)

    admin.clear_requests()
    admin.script(op.endpoint, cell.fault.step.model_copy(update={"times": cell.times}))
    started = time.monotonic()
    try:
        plan.run()
        outcome.completed = True
    except ProviderError as exc:
        outcome.message = exc.summary
    finally:
        outcome.seconds = time.monotonic() - started
        left = admin.faults()["scripts"].get(op.endpoint, [])
        admin.clear_faults()
    outcome.faults_hit = cell.times - sum(step["times"] for step in left)
    outcome.requests = [
        f"{r['method']}:{r['status'] if r['status'] is not None else 'reset'}"
        + ("" if r.get("fault") in (None, "pass") else f"({r['fault']})")
        for r in admin.requests()
    ]
    outcome.problems = _problems(lane, cell, plan, outcome, state_before, keys_before)
    return outcome


def _problems(
    lane: Lane,
    cell: Cell,
    plan: Plan,
    outcome: Outcome,
    state_before: dict[str, dict[str, Any]],
    keys_before: dict[str, str],
) -> list[str]:
    problems = []
    engine, op = plan.engine, cell.op
    if outcome.faults_hit == 0:
        problems.append(f"the fault was never hit: no {op.endpoint} request was made")
    if cell.scenario == "transient" and not outcome.completed:
        problems.append("a short burst should be ridden out, but the operation failed")

    # No orphan, no duplicate: the API holds exactly what state says exists.
    live, in_state = plan.live(), plan.state()
    if live != in_state:
        problems.append(
            f"the API holds {len(live)} ({', '.join(sorted(live - in_state)) or '-'} not in "
            f"state), state holds {len(in_state)} "
            f"({', '.join(sorted(in_state - live)) or '-'} gone from the API)"
        )

    # State never loses a full key it had, and every full key in state works.
    keys_after = _full_keys(engine)
    for urn, key in keys_before.items():
        deleted = op.name == "delete" and outcome.completed
        if keys_after.get(urn) != key and not (deleted and urn not in engine.state):
            problems.append(f"state lost the full key of {urn.rsplit('::', 1)[-1]}")
    for urn, key in keys_after.items():
        part = engine.state[urn].outputs["api_key_part"]
        if not contract.key_has_part(key, part):
            problems.append(f"the full key in state is not the key {part}")
            continue
        with FirmtraceClient(lane.server.url, key, retry=RetryPolicy.none()) as as_key:
            try:
                works = part in {k.api_key_part for k in as_key.list_api_keys()}
            except FirmtraceError as exc:
                works = False
                part += f" ({exc.status} {exc.code})"
            if not works:
                problems.append(f"the full key in state for {part} does not work")
    if op.resource == "ApiKey" and op.name == "create" and outcome.completed and not keys_after:
        problems.append("the create completed without a full key in state")

    if outcome.completed:
        problems += plan.effect()
    else:
        kind = outcome.message.split(":", 1)[0]
        if not _expected(kind):
            problems.append(f"failed with an unexpected error: {outcome.message[:300]}")
        elif not any(phrase in outcome.message for phrase in ACTIONABLE):
            problems.append(f"the error does not say what to do: {outcome.message[:300]}")
        now = {u: r.outputs for u, r in engine.state.items()}
        if now != state_before:
            problems.append("a failed operation changed state")
    return problems


# --- the whole matrix ---------------------------------------------------------------------


def run_matrix(cells: Iterable[Cell] = CELLS, lanes: int = LANES) -> dict[str, Outcome]:
    """Run every cell, longest first, on ``lanes`` lanes in parallel."""
    todo: queue.Queue[Cell] = queue.Queue()
    for cell in sorted(cells, key=lambda c: c.cost, reverse=True):
        todo.put(cell)
    results: dict[str, Outcome] = {}
    errors: list[BaseException] = []

    def work() -> None:
        try:
            lane = Lane()
        except BaseException as exc:
            errors.append(exc)
            return
        try:
            while True:
                try:
                    cell = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[cell.id] = run_cell(lane, cell)
                except Exception as exc:  # a broken cell must not hide the others
                    results[cell.id] = Outcome(cell, problems=[f"{type(exc).__name__}: {exc}"])
        finally:
            lane.close()

    threads = [threading.Thread(target=work, name=f"lane-{i}") for i in range(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors and not results:
        raise errors[0]
    return results


def _normalise(message: str) -> str:
    message = re.sub(r"\b(GET|POST|PATCH|DELETE) /v1\.3/\w+ failed", "`<request>` failed", message)
    message = re.sub(r"\d+(\.\d+)? s\b", "… s", message)
    message = re.sub(r"\b(k|renamed)-[0-9a-f]{4,8}\b", r"\1-…", message)
    message = re.sub(r"\b(acc|ftk)_[0-9a-f]+\b", r"\1_…", message)
    return re.sub(r"\b(Site|Cell|Renamed) [0-9a-f]{8}\b|site-[0-9a-f]{8}", "…", message)


def render(results: dict[str, Outcome]) -> str:
    """The table committed as ``tests/faults/MATRIX.md``."""
    survived = sum(o.ok for o in results.values())
    columns = [op.label for op in OPS]
    lines = [
        "# Fault matrix",
        "",
        "Written by `make matrix`; `tests/faults/test_fault_matrix.py` checks it is current.",
        "Every cell runs through the real provider process (`python -m pulumi.dynamic`) against",
        "the emulator's fault injection, which faults the request of that operation only",
        f"(`firmtrace:timeout` = {TIMEOUT:g} s). Each cell has two scenarios:",
        "",
        f"- **transient**: a burst of {FAULTS[0].burst} faulty answers (1 for the slow faults);"
        " the operation must complete;",
        "- **persistent**: the fault never stops; the operation must complete anyway or fail with"
        " a clear error once retries are exhausted.",
        "",
        "`✅ ok` = completed correctly; `✅ stop` = failed with one of the errors listed below;"
        " `❌` = an invariant broke. Checked after every scenario: the emulator holds exactly the"
        " keys / Accounts that state says exist (no orphan, no duplicate); state kept every full"
        " key it had; every full key in state works as a credential; a completed operation had its"
        " effect (created once, renamed, deleted, refreshed); a failed one left state unchanged.",
        "",
        "| fault (transient · persistent) | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for fault in FAULTS:
        row = [fault.title]
        for op in OPS:
            verdicts = [
                results[Cell(fault, op, s).id].verdict if Cell(fault, op, s).id in results else "?"
                for s in SCENARIOS
            ]
            row.append(" · ".join(verdicts))
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        f"{survived} of {len(results)} scenarios survived "
        f"({sum(o.completed and o.ok for o in results.values())} completed,"
        f" {sum(not o.completed and o.ok for o in results.values())} failed cleanly).",
        "",
        "## What the user reads when an operation stops",
        "",
        "The last line of the provider's error, per cell (`<request>` is the operation's request,"
        " e.g. `PATCH /v1.3/api_key`):",
        "",
    ]
    messages: dict[str, list[str]] = {}
    for cell in CELLS:
        outcome = results.get(cell.id)
        if outcome and not outcome.completed and outcome.message:
            where = f"{cell.op.label} / {cell.fault.key}"
            messages.setdefault(_normalise(outcome.message), []).append(where)
    for message, cells in sorted(messages.items(), key=lambda item: (-len(item[1]), item[0])):
        lines += [f"- {', '.join(cells)}:", f"  > {message}", ""]
    problems = [o for o in results.values() if o.problems]
    if problems:
        lines += ["## Broken cells", ""]
        lines += [f"- `{o.cell.id}`: {'; '.join(o.problems)}" for o in problems]
        lines.append("")
    return "\n".join(lines)


MATRIX = Path(__file__).with_name("MATRIX.md")


def main() -> None:
    """``make matrix``: run every cell and write ``MATRIX.md``."""
    outcomes = run_matrix()
    MATRIX.write_text(render(outcomes))
    broken = [o.cell.id for o in outcomes.values() if not o.ok]
    print(f"{MATRIX}: {len(outcomes) - len(broken)} of {len(outcomes)} scenarios survived")
    raise SystemExit(1 if broken else 0)


if __name__ == "__main__":
    main()
