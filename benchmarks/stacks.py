"""Stacks under the real ``pulumi`` CLI for section 7: one project running ``engine_program.py``
on this virtualenv, stacks of it pointed at the emulator, commands timed.

``PulumiCli.local`` gives the file backend, the passphrase and a ``PULUMI_HOME`` of their own,
all in a temporary directory. ``pulumi`` comes from PATH; without it section 7 is skipped, or
fails with ``FIRMTRACE_REQUIRE_PULUMI=1`` (as the real-CLI tests do).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from firmtrace_pulumi.testing import PulumiCli, PulumiFailed, PulumiNotFound
from tests.harness.provider_process import REPO

from . import fixtures as f
from .report import Section

REQUIRE = os.environ.get("FIRMTRACE_REQUIRE_PULUMI") == "1"
PROGRAM = Path(__file__).with_name("engine_program.py")
ENV = {"PYTHONPATH": str(REPO)}
"""The program and the provider process import ``benchmarks.trivial`` (the do-nothing key)."""
DESTROY = ("destroy", "--yes", "--skip-preview", "--remove")
"""Destroy the stack's resources, then remove the stack."""


def write_project(directory: Path) -> Path:
    """The benchmark project: ``engine_program.py`` on this repository's virtualenv."""
    directory.mkdir(parents=True)
    (directory / "__main__.py").write_text(PROGRAM.read_text())
    (directory / "Pulumi.yaml").write_text(
        "name: firmtrace-bench\nruntime:\n  name: python\n  options:\n"
        f"    toolchain: pip\n    virtualenv: {sys.prefix}\n"
    )
    return directory


@dataclass(frozen=True)
class Took:
    seconds: float
    cpu: float
    """CPU seconds of ``pulumi`` and every process it waited for: the engine, the language
    host, the program, the provider process (``getrusage`` of reaped children)."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Stack:
    """A stack of the benchmark project; ``env`` is added to every command on it."""

    cli: PulumiCli
    project: Path
    name: str
    env: Mapping[str, str] = field(default_factory=dict)

    def run(self, *args: str, input: str | None = None) -> Took:
        """``pulumi ARGS`` on this stack: what it took. On failure, raises with what ``pulumi``
        printed (its last lines)."""
        cpu, started = _children_cpu(), time.perf_counter()
        try:
            self.cli.run(
                *args,
                "--stack", self.name,
                cwd=self.project, env={**ENV, **self.env}, input=input, timeout=1800,
            )  # fmt: skip
        except PulumiFailed as failed:
            tail = "\n".join(failed.output.splitlines()[-30:])
            raise RuntimeError(f"{failed} on stack {self.name}:\n{tail}") from None
        return Took(time.perf_counter() - started, _children_cpu() - cpu)

    def up(self, *args: str) -> Took:
        return self.run("up", "--yes", *args)

    def destroy(self) -> Took:
        return self.run(*DESTROY)


def new_stack(
    cli: PulumiCli,
    project: Path,
    name: str,
    emu: f.Emulator,
    user: f.User,
    *,
    kind: str,
    keys: int,
    accounts: list[str],
    env: Mapping[str, str] | None = None,
) -> Stack:
    """A new stack, configured as a user would: the API URL, the token as a secret."""
    stack = Stack(cli, project, name, env or {})
    cli.run("stack", "init", name, cwd=project, env=ENV)
    stack.run(
        "config", "set-all",
        "--plaintext", f"firmtrace:apiUrl={emu.url}",
        "--plaintext", f"bench:kind={kind}",
        "--plaintext", f"bench:keys={keys}",
        "--plaintext", f"bench:accounts={','.join(accounts)}",
    )  # fmt: skip
    stack.run("config", "set", "--secret", "firmtrace:token", input=user.token)
    return stack


def api_calls(emu: f.Emulator) -> Counter[str]:
    """The API calls the emulator logged since it was last cleared, as ``"METHOD /path"``."""
    return Counter(f"{r['method']} {r['path'].removeprefix('/v1.3')}" for r in emu.admin.requests())


def calls_text(calls: Counter[str]) -> str:
    return ", ".join(f"{k} x{n}" for k, n in sorted(calls.items())) or "none"


def cli_missing(section: Section) -> bool:
    """Whether there is no ``pulumi`` on PATH; if so, ``section`` says so (a failure with
    FIRMTRACE_REQUIRE_PULUMI=1, else skipped)."""
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
        return True
    return False
