"""``EmulatorProcess``: the emulator CLI in a child process, for benchmarks and start-up tests.

with EmulatorProcess(db=":memory:", args=["--rate-limit", "0"]) as emulator:
    emulator.url   # the base URL the child printed as its first stdout line
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from firmtrace_pulumi.contract import API_PREFIX

__all__ = ["EmulatorProcess"]

_START_TIMEOUT_S = 15.0


class EmulatorProcess:
    """Run ``python -m firmtrace_pulumi.emulator --port 0`` and read its URL."""

    def __init__(
        self,
        *,
        db: str | Path = ":memory:",
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        stderr: int | None = None,
    ) -> None:
        self.command = [
            sys.executable, "-m", "firmtrace_pulumi.emulator",
            "--host", "127.0.0.1", "--port", "0", "--db", str(db), *args,
        ]  # fmt: skip
        self._env = {**os.environ, **(env or {})}
        # Let the child import this very package even when it is not installed.
        root = str(Path(__file__).resolve().parents[2])
        self._env["PYTHONPATH"] = os.pathsep.join(
            p for p in (root, self._env.get("PYTHONPATH", "")) if p
        )
        self._cwd = cwd
        self._stderr = stderr  # None: the child's logs go to our stderr
        self._process: subprocess.Popen[str] | None = None
        self.url = ""
        self.startup_seconds = 0.0

    def __repr__(self) -> str:
        return f"EmulatorProcess(url={self.url!r})"

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> EmulatorProcess:
        started = time.monotonic()
        process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=self._env,
            cwd=self._cwd,
        )
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], _START_TIMEOUT_S)
        line = process.stdout.readline().strip() if ready else ""
        if not line.startswith("http"):
            process.kill()
            process.wait(timeout=_START_TIMEOUT_S)
            raise RuntimeError(f"the Firmtrace emulator did not start (first line: {line!r})")
        self.url = line
        self.startup_seconds = time.monotonic() - started
        self._process = process
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
