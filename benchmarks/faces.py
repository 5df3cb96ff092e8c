"""8. The two faces under the real engine: ``pulumi up`` of N ApiKeys with ``--parallel 32``,
the dynamic resources against the ``firmtrace`` plugin, side by side in one run.

The same program (``engine_program.py``, ``bench:kind`` ``ours`` for the dynamic ``ApiKey``,
``plugin`` for ``firmtrace_pulumi.native.ApiKey``) against the same emulator at 20 ms an
answer: the dynamic host serves 4 calls at once, the plugin as many as the engine sends. Then a
preview of each unchanged stack, which must make no API call. The order alternates per round.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.testing import PulumiCli, PulumiNotFound

from . import fixtures as f
from .report import Section, median
from .stacks import REQUIRE, Stack, api_calls, calls_text, new_stack, write_project

LATENCY_MS = 20
PARALLEL = 32
TARGET = 3.0
"""Plugin throughput / dynamic throughput, ``pulumi up`` of the largest N."""
FACES = {"dynamic": "ours", "plugin": "plugin"}
"""Face → ``bench:kind`` of the program."""
PROCESSES = {"dynamic": "pulumi.dynamic", "plugin": "pulumi-resource-firmtrace"}


def run(keys: int, accounts: int, rounds: int) -> Section:
    section = Section(
        8,
        f"Two faces: pulumi up of {keys} ApiKeys, --parallel {PARALLEL}, {LATENCY_MS} ms "
        "latency: the dynamic resources vs the firmtrace plugin",
    )
    try:
        PulumiCli.executable()
    except PulumiNotFound as missing:
        section.add(
            "pulumi CLI on PATH",
            "missing: FIRMTRACE_REQUIRE_PULUMI=1" if REQUIRE else "missing: section skipped",
            "required" if REQUIRE else "",
            False if REQUIRE else None,
        )
        section.note(str(missing))
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
        emu.admin.set_faults({"latency_ms": LATENCY_MS})
        cli = PulumiCli.local(Path(tmp, "pulumi"))
        project = write_project(Path(tmp, "project"))
        seconds: dict[str, list[float]] = {face: [] for face in FACES}
        wrong: list[str] = []
        kept: dict[str, Stack] = {}
        peak: dict[str, int] = dict.fromkeys(FACES, 0)
        for i in range(rounds):
            for face in FACES if i % 2 == 0 else reversed(FACES):
                stack = new_stack(
                    cli, project, f"{face}-{i}", emu, user,
                    kind=FACES[face], keys=keys, accounts=ids, env=path,
                )  # fmt: skip
                emu.admin.clear_requests()
                with f.ProcessWatch({face: PROCESSES[face]}) as watch:
                    took = stack.up("--skip-preview", "--parallel", str(PARALLEL))
                seconds[face].append(took.seconds)
                peak[face] = max(peak[face], watch.peak_kib[face])
                calls = api_calls(emu)
                if calls != {"POST /api_key": keys}:
                    wrong.append(f"{face}: {calls_text(calls)}")
                if i == rounds - 1:
                    kept[face] = stack
                else:
                    stack.destroy()
        times = {face: median(s) for face, s in seconds.items()}
        bound = keys * LATENCY_MS / 1000 / PARALLEL
        for face, took_s in times.items():
            section.add(
                f"up, {keys} keys, {face} (median of {rounds})",
                f"{took_s:.1f} s ({keys / took_s:.0f} keys/s; bound {bound:.2f} s)",
            )
        ratio = times["dynamic"] / times["plugin"]
        section.add(
            "throughput, plugin / dynamic", f"{ratio:.2f}x", f">= {TARGET:.0f}x", ratio >= TARGET
        )
        section.add(
            "API calls of those ups",
            "; ".join(wrong) or "1 POST /api_key per key, both faces",
            "1 per key",
            not wrong,
        )
        for face in FACES:
            section.add(
                f"provider process peak RSS (VmHWM), {face}", f"{peak[face] / 1024:.1f} MiB"
            )
        for face, stack in kept.items():
            emu.admin.clear_requests()
            took = stack.run("preview")
            calls = api_calls(emu)
            section.add(
                f"preview, unchanged {keys}-key stack, {face}",
                f"{took.seconds:.1f} s, API calls: {calls_text(calls)}",
                "none",
                not calls,
            )
        for stack in kept.values():
            emu.admin.set_faults({"latency_ms": 0})
            stack.destroy()
    section.note(
        f"`pulumi up --yes --skip-preview --parallel {PARALLEL}`, one stack per face and round; "
        "the plugin runs as `pulumi-resource-firmtrace` from this virtualenv (on PATH), serving "
        "up to FIRMTRACE_MAX_CALLS (64) calls at once; the dynamic host serves 4."
    )
    section.note(f"load average {f.load_average()} at the end of this section")
    return section
