"""8. The two faces under the real engine: ``pulumi up`` of N ApiKeys with ``--parallel 32``,
the dynamic resources against the ``firmtrace`` plugin, side by side in one run.

The same program (``engine_program.py``, ``bench:kind`` ``ours`` for the dynamic ``ApiKey``,
``plugin`` for ``firmtrace_pulumi.native.ApiKey``, ``noop`` for the do-nothing provider) against
the same emulator: the dynamic host serves 4 calls at once, the plugin as many as the engine
sends. Three settings, each face after the other (the order alternating per round):

- 20 ms an answer, the engine as it comes (it saves the whole state after every step);
- 20 ms, engine checkpoints off (``PULUMI_SKIP_CHECKPOINTS``), with the do-nothing floor;
- 200 ms an answer, checkpoints off: a slow API, where four calls at once is the limit.

Then a preview of each unchanged stack, which must make no API call.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.testing import PulumiCli

from . import fixtures as f
from .report import Section, median
from .stacks import Stack, api_calls, calls_text, cli_missing, new_stack, write_project

PARALLEL = 32
TARGET = 3.0
"""Plugin throughput / dynamic throughput, ``pulumi up`` of N keys at 20 ms."""
KINDS = {"dynamic": "ours", "plugin": "plugin", "do-nothing": "noop"}
"""Face → ``bench:kind`` of the program."""
PROCESSES = {"dynamic": "pulumi.dynamic", "plugin": "pulumi-resource-firmtrace"}
SKIP_CHECKPOINTS = {"PULUMI_SKIP_CHECKPOINTS": "true", "PULUMI_EXPERIMENTAL": "true"}


@dataclass
class Bench:
    cli: PulumiCli
    project: Path
    emu: f.Emulator
    user: f.User
    accounts: list[str]
    keys: int
    path: Mapping[str, str]
    wrong: list[str]
    peak_kib: dict[str, int]

    def up(self, face: str, name: str, env: Mapping[str, str]) -> tuple[Stack, float]:
        """A new stack of ``face``, ``pulumi up``: it and the seconds the up took."""
        stack = new_stack(
            self.cli, self.project, name, self.emu, self.user,
            kind=KINDS[face], keys=self.keys, accounts=self.accounts, env={**self.path, **env},
        )  # fmt: skip
        self.emu.admin.clear_requests()
        with f.ProcessWatch({face: PROCESSES.get(face, "-")}) as watch:
            took = stack.up("--skip-preview", "--parallel", str(PARALLEL))
        self.peak_kib[face] = max(self.peak_kib.get(face, 0), watch.peak_kib[face])
        calls = api_calls(self.emu)
        expected = {} if face == "do-nothing" else {"POST /api_key": self.keys}
        if calls != expected:
            self.wrong.append(f"{face}: {calls_text(calls)}")
        return stack, took.seconds

    def compare(
        self, faces: tuple[str, ...], rounds: int, latency_ms: int, env: Mapping[str, str]
    ) -> tuple[dict[str, float], dict[str, Stack]]:
        """Median seconds per face over ``rounds``; the last round's stacks are kept."""
        self.emu.admin.set_faults({"latency_ms": latency_ms})
        seconds: dict[str, list[float]] = {face: [] for face in faces}
        kept: dict[str, Stack] = {}
        for i in range(rounds):
            for face in faces if i % 2 == 0 else faces[::-1]:
                stack, took = self.up(face, f"{face}-{latency_ms}-{len(env)}-{i}", env)
                seconds[face].append(took)
                if i == rounds - 1:
                    kept[face] = stack
                else:
                    self.destroy(stack)
        return {face: median(s) for face, s in seconds.items()}, kept

    def destroy(self, stack: Stack) -> None:
        self.emu.admin.set_faults({"latency_ms": 0})
        stack.destroy()


def run(keys: int, accounts: int, rounds: int) -> Section:
    section = Section(
        8,
        f"Two faces: pulumi up of {keys} ApiKeys with --parallel {PARALLEL}, the dynamic "
        "resources vs the firmtrace plugin",
    )
    if cli_missing(section):
        return section
    section.note(f"load average {f.load_average()} at the start of this section")
    path = {"PATH": f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    with f.emulator() as emu, tempfile.TemporaryDirectory(prefix="bench-faces-") as tmp:
        user = f.register(emu)
        with FirmtraceClient(emu.url, user.token) as client:
            ids = [
                client.create_account(f"faces-{i}", f"https://faces-{i}.example").account_id
                for i in range(accounts)
            ]
        cli = PulumiCli.local(Path(tmp, "pulumi"))
        project = write_project(Path(tmp, "project"))
        bench = Bench(cli, project, emu, user, ids, keys, path, [], {})
        _measure(section, bench, rounds)
    section.note(
        f"`pulumi up --yes --skip-preview --parallel {PARALLEL}`, a new stack per face and "
        "round. The plugin runs as `pulumi-resource-firmtrace` from this virtualenv (on PATH) "
        "and serves up to FIRMTRACE_MAX_CALLS (64) calls at once; the dynamic host serves 4. "
        "Bound: N x latency / 32."
    )
    section.note(f"load average {f.load_average()} at the end of this section")
    return section


def _row(section: Section, what: str, times: Mapping[str, float], keys: int, ms: int) -> None:
    bound = keys * ms / 1000 / PARALLEL
    figures = ", ".join(f"{face} {s:.1f} s" for face, s in times.items())
    section.add(f"{what}: up", f"{figures} (bound {bound:.2f} s)")


def _measure(section: Section, bench: Bench, rounds: int) -> None:
    keys, faces = bench.keys, ("dynamic", "plugin")

    times, kept = bench.compare(faces, rounds, 20, {})
    _row(section, f"20 ms, median of {rounds}", times, keys, 20)
    ratio = times["dynamic"] / times["plugin"]
    section.add(
        "  throughput, plugin / dynamic", f"{ratio:.2f}x", f">= {TARGET:.0f}x", ratio >= TARGET
    )
    for face, stack in kept.items():
        bench.emu.admin.clear_requests()
        took = stack.run("preview")
        calls = api_calls(bench.emu)
        section.add(
            f"preview, unchanged {keys}-key stack, {face}",
            f"{took.seconds:.1f} s, API calls: {calls_text(calls)}",
            "none",
            not calls,
        )
        bench.destroy(stack)

    times, kept = bench.compare((*faces, "do-nothing"), 1, 20, SKIP_CHECKPOINTS)
    _row(section, "20 ms, checkpoints off", times, keys, 20)
    section.add("  throughput, plugin / dynamic", f"{times['dynamic'] / times['plugin']:.2f}x")
    section.add(
        "  plugin / do-nothing floor (time)", f"{times['plugin'] / times['do-nothing']:.2f}x"
    )
    for stack in kept.values():
        bench.destroy(stack)

    times, kept = bench.compare(faces, 1, 200, SKIP_CHECKPOINTS)
    _row(section, "200 ms, checkpoints off", times, keys, 200)
    section.add("  throughput, plugin / dynamic", f"{times['dynamic'] / times['plugin']:.2f}x")
    for stack in kept.values():
        bench.destroy(stack)

    section.add(
        "API calls of those ups",
        "; ".join(bench.wrong) or "1 POST /api_key per key, both faces (do-nothing: none)",
        "1 per key",
        not bench.wrong,
    )
    for face in faces:
        kib = bench.peak_kib.get(face, 0)
        section.add(f"provider process peak RSS (VmHWM), {face}", f"{kib / 1024:.1f} MiB")
