"""2. Overhead: Create/Update/Delete through the provider process vs. the same httpx call.

Both sides are warm: the provider process has unpickled and configured the provider and its
client holds a keep-alive connection; the direct ``httpx.Client`` has one too and parses the
JSON answer as any client would. Calls alternate (provider, direct, no-op; the order of the
first two flips every round) so drift on a noisy machine hits both sides alike. The no-op
provider in the same process shows the floor that gRPC and the dynamic-provider SDK cost
before our code runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from firmtrace_pulumi.emulator.faults import FaultConfig

from . import fixtures as f
from .report import Section, median, ms, percentile

TARGET = 1.2
LATENCY_MS = 20
WARMUP = 10
OPS = ("Create", "Update", "Delete")
LATER = "2031-01-01"


def run(iterations: int) -> Section:
    section = Section(2, "Overhead: provider process vs. direct httpx, same emulator")
    sides = ("provider", "httpx", "noop")
    with f.emulator() as emu:
        user = f.register(emu)
        account = user.account_id
        with (
            f.provider(emu, user) as process,
            f.direct_client(emu, user) as http,
        ):
            noop_inputs = {f.PROVIDER_KEY: f.serialized("noop")}

            def direct(method: str, **kw: Any) -> dict[str, Any]:
                response = http.request(method, "api_key", **kw)
                response.raise_for_status()
                answer: dict[str, Any] = response.json()
                return answer

            def selector(s: dict[str, Any]) -> dict[str, Any]:
                return {"account_id": account, "api_key_part": s["part"]}

            calls: dict[str, dict[str, Callable[[dict[str, Any]], Any]]] = {
                "provider": {
                    "Create": lambda s: s.update(
                        res=f.create(
                            process, f.key_urn(s["name"]), f.key_inputs(s["name"], account)
                        )
                    ),
                    "Update": lambda s: s.update(res=f.update(process, s["res"], end_date=LATER)),
                    "Delete": lambda s: f.delete(process, s["res"]),
                },
                "httpx": {
                    "Create": lambda s: s.update(
                        part=direct("POST", json={"account_id": account, "name": s["name"]})[
                            "api_key_part"
                        ]
                    ),
                    "Update": lambda s: direct("PATCH", json={**selector(s), "end_date": LATER}),
                    "Delete": lambda s: direct("DELETE", params=selector(s)),
                },
                "noop": {
                    "Create": lambda s: s.update(res=f.create(process, "urn:noop", noop_inputs)),
                    "Update": lambda s: f.update(process, s["res"], x=1),
                    "Delete": lambda s: f.delete(process, s["res"]),
                },
            }

            def measure(rounds: int) -> dict[str, dict[str, list[float]]]:
                times: dict[str, dict[str, list[float]]] = {
                    side: {op: [] for op in OPS} for side in sides
                }
                for i in range(-WARMUP, rounds):
                    order = ("provider", "httpx") if i % 2 else ("httpx", "provider")
                    state = {side: {"name": f"ovh-{rounds}-{i}-{side}"} for side in sides}
                    for op in OPS:
                        for side in (*order, "noop"):
                            started = time.perf_counter()
                            calls[side][op](state[side])
                            if i >= 0:
                                times[side][op].append(time.perf_counter() - started)
                return times

            loopback = measure(iterations)
            emu.admin.set_faults(FaultConfig(latency_ms=LATENCY_MS))
            latency_rounds = max(2, iterations // 5)
            remote = measure(latency_rounds)

    for op in OPS:
        p, d, n = (loopback[side][op] for side in sides)
        ratio = median(p) / median(d)
        section.add(
            f"{op}: provider / httpx, median (p90)",
            f"{ratio:.2f} ({ms(median(p))} / {ms(median(d))}); p90 "
            f"{percentile(p, 90) / percentile(d, 90):.2f} "
            f"({ms(percentile(p, 90))} / {ms(percentile(d, 90))})",
            f"<= {TARGET}",
            ratio <= TARGET,
        )
        section.add(
            "  of the difference: no-op provider (gRPC + SDK) / ours",
            f"{ms(median(n))} / {ms(median(p) - median(d) - median(n))}",
        )
        p, d = remote["provider"][op], remote["httpx"][op]
        section.add(
            f"  same with {LATENCY_MS} ms API latency",
            f"{median(p) / median(d):.2f} ({ms(median(p))} / {ms(median(d))})",
        )
    section.note(
        f"{iterations} rounds on loopback, {latency_rounds} with {LATENCY_MS} ms injected "
        f"latency, each after {WARMUP} warm-up rounds; every round makes one key per side. "
        "'ours' = provider - httpx - no-op: our code plus the SDK's work on our (larger) "
        "property maps."
    )
    return section
