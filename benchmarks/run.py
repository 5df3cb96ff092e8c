"""``python -m benchmarks [--quick] [--only 1,3] [--profile] [--markdown FILE] [--strict]``."""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import (
    api_calls,
    cold_start,
    engine,
    faces,
    overhead,
    pickle_size,
    profile,
    scale,
    throughput,
)
from . import fixtures as f
from .report import Section, markdown, text, verdicts


@dataclass(frozen=True)
class Sizes:
    refresh_keys: int
    overhead_rounds: int
    scale_keys: int
    scale_accounts: int
    cold_starts: int
    throughput_requests: int
    engine_keys: tuple[int, ...]
    engine_accounts: int
    engine_cold_rounds: int
    """Rounds of the one-key cold ``pulumi up``: single runs of about 2 s move by a few hundred
    ms, so the figure is a median."""
    engine_rounds: int
    """``pulumi up`` rounds of the largest N (the target row shows the median)."""
    faces_keys: int
    faces_rounds: int


FULL = Sizes(20, 200, 1000, 50, 7, 4000, (10, 100, 1000), 10, 10, 3, 1000, 3)
QUICK = Sizes(3, 5, 20, 2, 1, 200, (3,), 2, 1, 2, 3, 1)

START, END = "<!-- results:start -->", "<!-- results:end -->"


def sections(sizes: Sizes, profile: bool) -> dict[int, Callable[[], Section]]:
    return {
        1: lambda: api_calls.run(sizes.refresh_keys),
        2: lambda: overhead.run(sizes.overhead_rounds),
        3: lambda: scale.run(sizes.scale_keys, sizes.scale_accounts, profile),
        4: lambda: cold_start.run(sizes.cold_starts),
        5: pickle_size.run,
        6: lambda: throughput.run(sizes.throughput_requests),
        7: lambda: engine.run(
            sizes.engine_keys, sizes.engine_accounts, sizes.engine_cold_rounds, sizes.engine_rounds
        ),
        8: lambda: faces.run(sizes.faces_keys, sizes.engine_accounts, sizes.faces_rounds),
    }


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average {f.load_average()} at the start"
    )


def write_markdown(path: Path, done: list[Section], header: str) -> None:
    block = f"{START}\n{header}\n\n{markdown(done)}\n{END}"
    old = path.read_text() if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in old:
        old = old.rstrip("\n") + f"\n\n{START}\n{END}\n"
    path.write_text(
        re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, old, flags=re.S)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks that it runs")
    parser.add_argument("--only", help="comma-separated section numbers, e.g. 1,5")
    parser.add_argument("--markdown", type=Path, help="write the table into this file")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the provider and emulator in section 3"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)

    sizes = QUICK if args.quick else FULL
    measures = sections(sizes, args.profile)
    wanted = sorted(int(n) for n in args.only.split(",")) if args.only else list(measures)
    command = " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])
    header = f"`{command}`, {time.strftime('%Y-%m-%d')}, on {machine()}."
    print(f"firmtrace-pulumi benchmarks: {header}", flush=True)
    if args.quick:
        print("--quick: tiny sizes; the figures only show that every section runs.", flush=True)

    done: list[Section] = []
    started = time.perf_counter()
    if args.profile and not profile.available():
        parser.error("--profile needs py-spy: pip install -e '.[dev]'")
    for number, measure in measures.items():
        if number not in wanted:
            continue
        t = time.perf_counter()
        section = measure()
        section.seconds = time.perf_counter() - t
        done.append(section)
        print(text([section]), flush=True)

    met, checked = verdicts(done)
    took = time.perf_counter() - started
    end = f"load average {f.load_average()} at the end"
    print(f"\n{met} of {checked} targets met, in {took:.0f} s ({end}).")
    if args.markdown:
        write_markdown(args.markdown, done, header)
        print(f"Results written to {args.markdown}.")
    return 1 if args.strict and met < checked else 0


if __name__ == "__main__":
    sys.exit(main())
