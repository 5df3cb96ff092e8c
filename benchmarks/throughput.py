"""6. Emulator throughput on loopback: API key creations per second, with p50/p99 latency.

The emulator runs as its own process; ``THREADS`` threads here each keep one keep-alive
``httpx.Client`` connection busy minting keys (POST /v1.3/api_key) in the User's Account.
Blocking httpx in threads drives the emulator harder on 2 cores than ``httpx.AsyncClient``
does (its pool costs more CPU per request than the emulator spends). The emulator's CPU use
over the run shows whether it, not the client, was the bottleneck.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from . import fixtures as f
from .report import Section, ms, percentile

TARGET = 500
THREADS = 8
WARMUP = 100


def run(requests: int) -> Section:
    section = Section(6, "Emulator throughput on loopback: key creation")
    with f.emulator() as emu:
        user = f.register(emu)
        local = threading.local()
        clients: list[httpx.Client] = []

        def mint(i: int) -> float:
            http = getattr(local, "http", None)
            if http is None:
                http = local.http = f.direct_client(emu, user)
                clients.append(http)
            started = time.perf_counter()
            body = {"account_id": user.account_id, "name": f"t{i}"}
            http.post("api_key", json=body).raise_for_status()
            return time.perf_counter() - started

        try:
            with ThreadPoolExecutor(THREADS) as pool:  # the same threads (and connections)
                list(pool.map(mint, range(-WARMUP, 0)))
                cpu = f.cpu_seconds(emu.pid)
                started = time.perf_counter()
                latencies = list(pool.map(mint, range(requests)))
            wall = time.perf_counter() - started
            emulator_cpu = f.cpu_seconds(emu.pid) - cpu
        finally:
            for http in clients:
                http.close()
    rate = requests / wall
    section.add(
        "key creations per second",
        f"{rate:.0f} req/s ({requests} in {wall:.2f} s)",
        f">= {TARGET} req/s",
        rate >= TARGET,
    )
    section.add(
        "  latency p50 / p99 under that load",
        f"{ms(percentile(latencies, 50))} / {ms(percentile(latencies, 99))}",
    )
    section.add(
        "  emulator CPU during the run",
        f"{emulator_cpu / wall:.0%} of one core ({ms(emulator_cpu / requests)} per request)",
    )
    section.add(
        "  what one full core would serve (1 / CPU per request)",
        f"{requests / emulator_cpu:.0f} req/s (the emulator is one asyncio process)",
    )
    section.note(
        f"{THREADS} threads, one httpx.Client (keep-alive connection) each, after {WARMUP} "
        "warm-up requests; client and emulator share the machine's 2 cores."
    )
    return section
