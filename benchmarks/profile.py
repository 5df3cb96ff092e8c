"""``--profile``: where the CPU of the provider and emulator processes goes, sampled by py-spy.

py-spy (the ``dev`` extra) attaches to a running process and samples it from outside, so the
process under test runs unchanged. Only samples of the thread holding the GIL count
(``--gil``): that is Python CPU time, not time spent waiting on a socket. Each sample goes to
the first bucket found walking from the innermost frame outwards, so a stdlib frame (json,
asyncio, socket) counts for the library that called it.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

PROVIDER_BUCKETS = (
    ("httpx/httpcore/h11 (the HTTP call)", ("httpx/", "httpcore/", "h11/")),
    ("firmtrace_pulumi + pydantic (ours)", ("firmtrace_pulumi/", "pydantic/", "pydantic_core/")),
    ("pulumi SDK (dynamic provider, rpc)", ("pulumi/",)),
    ("grpc + protobuf", ("grpc/", "google/protobuf/")),
)
EMULATOR_BUCKETS = (
    ("emulator code + pydantic", ("firmtrace_pulumi/", "pydantic/", "pydantic_core/")),
    ("fastapi + starlette", ("fastapi/", "starlette/")),
    ("uvicorn + h11 (HTTP server)", ("uvicorn/", "h11/")),
    ("asyncio event loop", ("asyncio/", "selectors.py")),
)


def available() -> bool:
    return _py_spy() is not None


def _py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


class Samples:
    def __init__(self) -> None:
        self.raw = ""

    def breakdown(self, buckets: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
        counts: Counter[str] = Counter()
        for line in self.raw.splitlines():
            stack, _, n = line.rpartition(" ")
            if not stack or not n.isdigit():
                continue
            counts[_bucket(stack.split(";"), buckets)] += int(n)
        total = sum(counts.values())
        if not total:
            return "no samples"
        shares = ", ".join(f"{name} {n / total:.0%}" for name, n in counts.most_common())
        return f"{shares} ({total} samples)"


def _bucket(frames: list[str], buckets: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    for frame in reversed(frames):
        where = frame.rpartition("(")[2]
        for name, markers in buckets:
            if any(marker in where for marker in markers):
                return name
    return "other (threads, stdlib)"


@contextlib.contextmanager
def sampling(pid: int, rate: int = 400) -> Iterator[Samples]:
    """Sample ``pid`` while the block runs; ``Samples.raw`` holds py-spy's collapsed stacks."""
    samples = Samples()
    exe = _py_spy()
    if exe is None:
        raise RuntimeError("--profile needs py-spy: pip install -e '.[dev]'")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        out = Path(tmp, "raw.txt")
        command = [exe, "record", "-p", str(pid), "--gil", "--nonblocking"]
        command += ["-r", str(rate), "-f", "raw", "-o", str(out)]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield samples
        finally:
            spy.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
            spy.wait(timeout=30)
            samples.raw = out.read_text() if out.exists() else ""
