"""7. The real engine: ``pulumi up``, ``preview``, ``refresh`` and ``destroy`` of N ApiKeys
under the real CLI, each against the same stack with a do-nothing provider.

The do-nothing stack (``benchmarks.trivial.NoopKey``) runs the same program with the same
number of resources, the same inputs and outputs (the full key a secret) under the same engine;
its provider answers at once without HTTP. Its time is the floor the engine and the SDK impose;
ours minus the floor is what our provider and the API add. The emulator is its own process
with ``latency_ms: 20`` and no rate limit; the API calls of every command are counted at its
request log. Ours and the do-nothing stack run one after the other, the order alternating.
"""

from __future__ import annotations

import itertools
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.testing import PulumiCli

from . import fixtures as f
from .cold_start import run_python
from .report import Section, median, ms
from .stacks import (
    DESTROY,
    Stack,
    Took,
    api_calls,
    calls_text,
    cli_missing,
    new_stack,
    write_project,
)

LATENCY_MS = 20
TARGET = 1.15
"""ours / do-nothing, ``pulumi up`` of the largest N."""
COLD_TARGET_MS = 100
KINDS = ("ours", "noop")
PROCESSES = {"provider": "pulumi.dynamic", "program": "pulumi-language-python-exec"}
"""What their command lines hold: ``python -u -m pulumi.dynamic``, and the SDK's exec shim
that runs the program."""
CPU_OF = (*PROCESSES, "all")
CPU_NOTE = (
    "CPU: 'provider' is the `python -m pulumi.dynamic` process, 'program' the Python program, "
    "both sampled from /proc every 0.1 s; 'all' is getrusage of everything `pulumi` ran "
    "(engine, language host, program, provider)."
)
SKIP_PREVIEW = "--skip-preview"
SKIP_CHECKPOINTS = {"PULUMI_SKIP_CHECKPOINTS": "true", "PULUMI_EXPERIMENTAL": "true"}
"""The engine saves state only at the end, not after every step (experimental)."""
CHECKPOINTS_OFF = "engine checkpoints off (PULUMI_SKIP_CHECKPOINTS)"
DECLARED = 5000
PROVIDER_CLASS = {
    "ours": ("firmtrace_pulumi.providers.api_key", "ApiKeyProvider"),
    "noop": ("benchmarks.trivial", "NoopKeyProvider"),
}
PICKLING = """
from pulumi.dynamic.dynamic import serialize_provider
from {module} import {name} as Provider
done = 0
try:
    for done in range({calls}):
        serialize_provider(Provider())  # what declaring one resource does
    done = {calls}
except RecursionError:
    pass
print(done)
"""


@dataclass
class Measured:
    """One command: its wall time, CPU (``provider``, ``program``, and ``all`` its processes),
    the provider process's peak memory and the API calls it made."""

    seconds: float
    cpu: dict[str, float]
    provider_kib: int
    calls: Counter[str]


@dataclass
class Bench:
    """The emulator, its User and Accounts, and the project whose stacks are measured."""

    cli: PulumiCli
    project: Path
    emu: f.Emulator
    user: f.User
    accounts: list[str]
    _names: Iterator[int] = field(default_factory=itertools.count)

    def stack(self, kind: str, keys: int, env: Mapping[str, str] | None = None) -> Stack:
        name = f"{kind}-{keys}-{next(self._names)}"
        return new_stack(
            self.cli, self.project, name, self.emu, self.user,
            kind=kind, keys=keys, accounts=self.accounts, env=env,
        )  # fmt: skip

    def measure(self, command: Callable[[], Took]) -> Measured:
        self.emu.admin.clear_requests()
        with f.ProcessWatch(PROCESSES) as watch:
            took = command()
        cpu = {**watch.cpu, "all": took.cpu}
        return Measured(took.seconds, cpu, watch.peak_kib["provider"], api_calls(self.emu))


def order(i: int) -> tuple[str, ...]:
    """Ours first in even rounds, the do-nothing stack first in odd ones."""
    return KINDS if i % 2 == 0 else KINDS[::-1]


def run(sizes: Sequence[int], accounts: int, cold_rounds: int, rounds: int) -> Section:
    largest = max(sizes)
    section = Section(
        7,
        f"Real engine: pulumi up/preview/refresh/destroy, ours vs a do-nothing provider, "
        f"up to {largest} ApiKeys over {accounts} Accounts, {LATENCY_MS} ms latency",
    )
    if cli_missing(section):
        return section
    section.note(f"load average {f.load_average()} at the start of this section")
    with f.emulator() as emu, tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        user = f.register(emu)
        with FirmtraceClient(emu.url, user.token) as client:
            ids = [
                client.create_account(f"bench-{i}", f"https://bench-{i}.example").account_id
                for i in range(accounts)
            ]
        emu.admin.set_faults({"latency_ms": LATENCY_MS})
        cli = PulumiCli.local(Path(tmp, "pulumi"))
        bench = Bench(cli, write_project(Path(tmp, "project")), emu, user, ids)
        _declarations(section)
        _scale(section, bench, sorted(sizes), rounds)
        _cold(section, bench, cold_rounds)
    section.note(
        f"`pulumi up --yes {SKIP_PREVIEW}`, `pulumi preview`, `pulumi refresh --yes "
        f"{SKIP_PREVIEW}`, `pulumi destroy --yes {SKIP_PREVIEW} --remove`: one engine pass each "
        "(the cold-start rows also time a plain `pulumi up --yes`, which previews first). "
        "`--parallel` at its default (8); the provider process serves 4 calls at once. "
        "File backend, passphrase secrets, PULUMI_HOME, stacks: all in a temporary directory."
    )
    section.note(
        "The programs raise Python's recursion limit to 2 x keys + 1000, else ours fails past "
        "about 970 keys (the first row; the do-nothing provider pickles no dict, so it does not)."
    )
    section.note(CPU_NOTE)
    section.note(f"load average {f.load_average()} at the end of this section")
    return section


def _declarations(section: Section) -> None:
    """How many resources one program can declare: each pickles its provider, and the SDK's
    pickler nests one level deeper on every call (a fresh interpreter, default limits)."""
    done = {
        kind: int(run_python(PICKLING.format(module=m, name=n, calls=DECLARED))[0])
        for kind, (m, n) in PROVIDER_CLASS.items()
    }
    said = {
        kind: f"all {DECLARED}" if n == DECLARED else f"{n}, then RecursionError"
        for kind, n in done.items()
    }
    section.add(
        "resources one program can declare (serialize_provider calls)",
        f"ours {said['ours']}; do-nothing {said['noop']}",
        f"{DECLARED}",
        done["ours"] == DECLARED,
    )


def _bound(keys: int) -> float:
    """N x latency / 4 (the provider process's four workers), in seconds."""
    return keys * LATENCY_MS / 1000 / f.CONCURRENCY


def _versus(ours: float, noop: float) -> str:
    return f"{ours / noop:.2f} ({ours:.2f} s / {noop:.2f} s; ours adds {ours - noop:.2f} s)"


def _cpu(cpu: dict[str, dict[str, float]], per: int = 1) -> str:
    """CPU of ours vs the do-nothing run (kind -> process -> seconds), divided by ``per``."""
    return ", ".join(
        f"{name} {ms(cpu['ours'][name] / per)} vs {ms(cpu['noop'][name] / per)}"
        for name in CPU_OF
        if cpu["ours"][name] or cpu["noop"][name]  # no program runs in a refresh or destroy
    )


def _ups(
    bench: Bench, keys: int, first: int, env: Mapping[str, str] | None = None
) -> dict[str, tuple[Stack, Measured]]:
    """``pulumi up`` of a new ``keys``-key stack, ours and the do-nothing one (``order(first)``)."""
    done = {}
    for kind in order(first):
        stack = bench.stack(kind, keys, env)
        done[kind] = stack, bench.measure(partial(stack.up, SKIP_PREVIEW))
    return done


def _up_rows(
    section: Section, what: str, ups: dict[str, Measured], keys: int, target: bool
) -> None:
    ours, noop = ups["ours"].seconds, ups["noop"].seconds
    section.add(
        f"{what}: ours / do-nothing",
        _versus(ours, noop),
        f"<= {TARGET}" if target else "",
        ours / noop <= TARGET if target else None,
    )
    bound = _bound(keys)
    section.add(
        f"  wall / bound (N x {LATENCY_MS} ms / 4 = {bound:.2f} s)",
        f"ours {ours / bound:.2f}, do-nothing {noop / bound:.2f}; "
        f"what ours adds / bound {(ours - noop) / bound:.2f}",
    )
    if target:
        section.add(
            "  CPU per key, ours vs do-nothing", _cpu({k: m.cpu for k, m in ups.items()}, keys)
        )


def _wrong_calls(ups: dict[str, Measured], keys: int) -> list[str]:
    wrong = []
    for kind, m in ups.items():
        if m.calls != Counter({"POST /api_key": keys} if kind == "ours" else {}):
            wrong.append(f"{kind}, {keys} keys: {calls_text(m.calls)}")
    return wrong


def _repeated_ups(
    bench: Bench, keys: int, first: int, rounds: int, env: Mapping[str, str] | None = None
) -> tuple[list[dict[str, Measured]], dict[str, Stack]]:
    """``rounds`` rounds of ``_ups``: every round's measures, and the last round's stacks (the
    earlier rounds' are destroyed)."""
    done: list[dict[str, Measured]] = []
    kept: dict[str, Stack] = {}
    for r in range(rounds):
        for stack in kept.values():
            stack.destroy()
        ups = _ups(bench, keys, first + r, env)
        done.append({kind: m for kind, (_, m) in ups.items()})
        kept = {kind: stack for kind, (stack, _) in ups.items()}
    return done, kept


def _ratio(ups: dict[str, Measured]) -> float:
    return ups["ours"].seconds / ups["noop"].seconds


def _rounds_rows(
    section: Section, what: str, done: list[dict[str, Measured]], keys: int, target: bool
) -> dict[str, Measured]:
    """The rows of the round with the median ratio, and every round's ratio: single runs of the
    same pair move by 0.1 or more on a shared machine. Returns that round."""
    middle = sorted(done, key=_ratio)[len(done) // 2]
    _up_rows(section, what, middle, keys, target)
    if len(done) > 1:
        section.add(
            f"  each of {len(done)} rounds (the rows above: the median one)",
            ", ".join(f"{_ratio(ups):.2f}" for ups in done),
        )
    return middle


def _scale(section: Section, bench: Bench, sizes: list[int], rounds: int) -> None:
    largest = sizes[-1]
    wrong_calls: list[str] = []
    for i, keys in enumerate(sizes):  # the largest comes last; its last round's stacks are kept
        done, kept = _repeated_ups(bench, keys, i, rounds if keys == largest else 1)
        wrong_calls += [text for ups in done for text in _wrong_calls(ups, keys)]
        last = _rounds_rows(section, f"up, {keys} keys", done, keys, keys == largest)
        if keys != largest:
            for stack in kept.values():
                stack.destroy()
    # The file backend saves the whole state after every step (O(N^2) in all): the same ups
    # with that turned off show what is left of the floor, and how much of it is ours.
    unsaved, unsaved_stacks = _repeated_ups(bench, largest, len(sizes), rounds, SKIP_CHECKPOINTS)
    wrong_calls += [text for ups in unsaved for text in _wrong_calls(ups, largest)]
    _rounds_rows(section, f"up, {largest} keys, {CHECKPOINTS_OFF}", unsaved, largest, True)
    for stack in unsaved_stacks.values():
        stack.destroy()
    section.add(
        "API calls of those ups",
        "; ".join(wrong_calls) or "1 POST /api_key per key (do-nothing: none)",
        "1 per key",
        not wrong_calls,
    )
    peak = {kind: m.provider_kib / 1024 for kind, m in last.items()}
    section.add(
        f"provider process peak RSS (VmHWM), {largest}-key up: ours / do-nothing",
        f"{peak['ours'] / peak['noop']:.2f} ({peak['ours']:.1f} MiB / {peak['noop']:.1f} MiB)",
    )
    n_accounts = min(largest, len(bench.accounts))
    steps: tuple[tuple[str, tuple[str, ...], Counter[str], str], ...] = (
        (f"preview, unchanged {largest}-key stack", ("preview",), Counter(), "none"),
        (
            f"refresh, {largest} keys over {n_accounts} Accounts",
            ("refresh", "--yes", SKIP_PREVIEW),
            Counter({"GET /api_key": n_accounts}),
            f"1 list per Account ({n_accounts})",
        ),
        (f"destroy, {largest} keys", DESTROY, Counter({"DELETE /api_key": largest}), "1 per key"),
    )
    for i, (what, args, expected, target) in enumerate(steps):
        done: dict[str, Measured] = {}
        for kind in order(i + 1):
            done[kind] = bench.measure(partial(kept[kind].run, *args))
        section.add(
            f"{what}: ours / do-nothing", _versus(done["ours"].seconds, done["noop"].seconds)
        )
        section.add(
            "  CPU per key, ours vs do-nothing", _cpu({k: m.cpu for k, m in done.items()}, largest)
        )
        calls = done["ours"].calls
        section.add("  API calls (ours)", calls_text(calls), target, calls == expected)


def _cold(section: Section, bench: Bench, rounds: int) -> None:
    variants = ((), (SKIP_PREVIEW,))
    runs: dict[tuple[str, tuple[str, ...]], list[Measured]] = {
        (kind, args): [] for kind in KINDS for args in variants
    }
    for i in range(rounds):
        for kind in order(i):
            for args in variants:
                stack = bench.stack(kind, 1)
                runs[kind, args].append(bench.measure(partial(stack.up, *args)))
                stack.destroy()
    for args in variants:
        wall = {k: median([m.seconds for m in runs[k, args]]) for k in KINDS}
        added = (wall["ours"] - wall["noop"]) * 1000
        # Each round runs both back to back: its difference shows how much single runs move.
        pairs = zip(runs["ours", args], runs["noop", args], strict=True)
        per_round = [(ours.seconds - noop.seconds) * 1000 for ours, noop in pairs]
        figure = (
            f"{added:.0f} ms ({ms(wall['ours'])} vs {ms(wall['noop'])}, {rounds} rounds each; "
            f"single rounds {min(per_round):+.0f} to {max(per_round):+.0f} ms)"
        )
        if args:
            section.add(f"  the same with {SKIP_PREVIEW} (one engine pass)", figure)
        else:
            section.add(
                "one-key `pulumi up --yes`, fresh stack: ours - do-nothing, median",
                figure,
                f"<= {COLD_TARGET_MS} ms",
                added <= COLD_TARGET_MS,
            )
        cpu = {k: {p: median([m.cpu[p] for m in runs[k, args]]) for p in CPU_OF} for k in KINDS}
        section.add("    CPU, median, ours vs do-nothing", _cpu(cpu))
