"""3. Scale: N ApiKeys across M Accounts, created, updated (end_date) and deleted through the
provider process, four calls at a time, against the emulator with 20 ms injected latency.

The bound for a phase is N x latency / 4: four calls in flight, each waiting the latency once.
The emulator is its own process; the driver keeps four gRPC calls in flight, as the engine
does with the process's four workers. Peak memory is the provider process's ``VmHWM``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from firmtrace_pulumi.emulator.faults import FaultConfig

from . import fixtures as f
from .profile import EMULATOR_BUCKETS, PROVIDER_BUCKETS, sampling
from .report import Section, ms

LATENCY_MS = 20
TARGET = 1.3
LATER = "2031-01-01"


def run(keys: int, accounts: int, profile: bool = False) -> Section:
    section = Section(
        3, f"Scale: {keys} ApiKeys across {accounts} Accounts, {LATENCY_MS} ms latency, 4 at a time"
    )
    with f.emulator() as emu:
        user = f.register(emu)
        with f.provider(emu, user) as process:
            pid = process.proc.pid
            emu.admin.set_faults(FaultConfig(latency_ms=LATENCY_MS))
            emu.admin.clear_requests()
            started_rss = f.vm_kib(pid, "VmRSS")

            sites = f.parallel(
                [f"scale-{i}" for i in range(accounts)],
                lambda name: f.create(process, f.account_urn(name), f.account_inputs(name)),
            )
            names = [(f"k{i}", sites[i % accounts].id) for i in range(keys)]

            def phase(label: str, call: Callable[[Any], Any], items: list[Any]) -> list[Any]:
                profiling = profile and label == "Create"
                with contextlib.ExitStack() as spies:
                    if profiling:  # py-spy on both processes, from outside
                        label += " (py-spy attached)"
                        provider_cpu = spies.enter_context(sampling(pid))
                        emulator_cpu = spies.enter_context(sampling(emu.pid))
                        time.sleep(0.5)  # let py-spy attach
                    cpu = _cpu(emu, pid)
                    started = time.perf_counter()
                    results = f.parallel(items, call)
                    wall = time.perf_counter() - started
                if profiling:
                    section.note(
                        f"py-spy, provider CPU: {provider_cpu.breakdown(PROVIDER_BUCKETS)}"
                    )
                    section.note(
                        f"py-spy, emulator CPU: {emulator_cpu.breakdown(EMULATOR_BUCKETS)}"
                    )
                bound = _bound(len(items))
                used = {k: (v - cpu[k]) / len(items) for k, v in _cpu(emu, pid).items()}
                section.add(
                    f"{label} {len(items)} keys: wall / bound",
                    f"{wall / bound:.2f} ({wall:.2f} s / {bound:.2f} s; "
                    f"{len(items) / wall:.0f} calls/s)",
                    f"<= {TARGET}",
                    wall / bound <= TARGET,
                )
                section.add(
                    "  CPU per call: driver / provider / emulator",
                    " / ".join(ms(v) for v in used.values()),
                )
                return results

            created = phase(
                "Create",
                lambda nk: f.create(process, f.key_urn(nk[0]), f.key_inputs(*nk)),
                names,
            )
            updated = phase("Update", lambda res: f.update(process, res, end_date=LATER), created)
            phase("Delete", lambda res: f.delete(process, res), updated)
            peak = f.vm_kib(pid, "VmHWM")
            requests = len(emu.admin.requests())
            _direct_reference(section, emu, user, names)
            f.parallel(sites, lambda res: f.delete(process, res))
    section.add(
        "provider process peak RSS (VmHWM)",
        f"{peak / 1024:.1f} MiB (RSS {started_rss / 1024:.1f} MiB after Configure)",
    )
    expected = accounts + 3 * keys
    section.add(
        "API calls made, all phases + Accounts",
        f"{requests} (expected {expected}: no retries, no extra reads)",
        f"{expected}",
        requests == expected,
    )
    return section


def _cpu(emu: f.Emulator, provider_pid: int) -> dict[str, float]:
    """CPU seconds so far of the driver (this process), the provider and the emulator."""
    return {
        "driver": time.process_time(),
        "provider": f.cpu_seconds(provider_pid),
        "emulator": f.cpu_seconds(emu.pid),
    }


def _bound(calls: int) -> float:
    """N x latency / 4, in seconds."""
    return calls * LATENCY_MS / 1000 / f.CONCURRENCY


def _direct_reference(
    section: Section, emu: f.Emulator, user: f.User, names: list[tuple[str, str]]
) -> None:
    """The same creates made straight with httpx, four threads, one shared client: what this
    machine and the emulator allow before any provider is involved."""
    with f.direct_client(emu, user) as http:

        def create(nk: tuple[str, str]) -> None:
            body = {"account_id": nk[1], "name": nk[0] + "-direct"}
            http.post("api_key", json=body).raise_for_status()

        create(names[0])
        started = time.perf_counter()
        f.parallel(names[1:], create)
        wall = time.perf_counter() - started
    bound = _bound(len(names) - 1)
    section.add(
        "  reference: the same creates, direct httpx x4",
        f"{wall / bound:.2f} ({wall:.2f} s / {bound:.2f} s)",
    )
