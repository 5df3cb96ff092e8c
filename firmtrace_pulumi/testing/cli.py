"""The real ``pulumi`` CLI, run the way our examples and tests run it: a local file backend and a
passphrase of its own, a ``PULUMI_HOME`` of its own, and nothing that reaches the network or
touches the user's own Pulumi login.

    cli = PulumiCli.local(Path(".firmtrace/mystack"))
    cli.run("stack", "select", "--create", "dev", cwd=project)
    cli.run("up", "--yes", cwd=project)

``pulumi`` is taken from PATH (``make`` puts ``scripts/ensure-pulumi``'s directory first).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PulumiCli", "PulumiFailed", "PulumiNotFound", "isolation_env"]

INSTALL_HINT = (
    "No `pulumi` on PATH: install the Pulumi CLI (https://www.pulumi.com/docs/install/). In the "
    "firmtrace-pulumi repository, `make up` and `make test` get one through scripts/ensure-pulumi "
    "(it builds the Pulumi CLI from Go modules once)."
)


class PulumiNotFound(RuntimeError):
    """There is no ``pulumi`` on PATH."""


class PulumiFailed(RuntimeError):
    """A ``pulumi`` command exited non-zero; ``output`` is what it printed."""

    def __init__(self, args: Sequence[str], returncode: int, output: str) -> None:
        super().__init__(f"`pulumi {' '.join(args[:2])}` exited {returncode}")
        self.returncode = returncode
        self.output = output


def isolation_env(home: Path) -> dict[str, str]:
    """What keeps a ``pulumi`` run local: its own PULUMI_HOME, no update check, no plugin
    downloads (a plugin the engine needs must be on PATH or in that home)."""
    return {
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }


@dataclass
class PulumiCli:
    """``pulumi`` against a file backend (``state``) with a passphrase in ``passphrase_file``.

    ``python``, when given, is the interpreter a program (and its dynamic providers) runs on if
    its ``Pulumi.yaml`` names no ``virtualenv`` (``PULUMI_PYTHON_CMD``); else ``python3`` on PATH.
    """

    root: Path
    python: str | None = None

    @classmethod
    def local(cls, root: Path, *, python: str | None = None) -> PulumiCli:
        """A CLI whose home, state and passphrase live under ``root`` (created, 0700)."""
        cli = cls(root.resolve(), python)
        cli.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not cli.passphrase_file.exists():
            fd = os.open(cli.passphrase_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(24) + "\n")
        return cli

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def home(self) -> Path:
        return self.root / "pulumi-home"

    @property
    def passphrase_file(self) -> Path:
        return self.root / "passphrase"

    @property
    def backend_url(self) -> str:
        return f"file://{self.state}"

    @staticmethod
    def executable() -> str:
        found = shutil.which("pulumi")
        if found is None:
            raise PulumiNotFound(INSTALL_HINT)
        return found

    def env(self) -> dict[str, str]:
        """The variables this CLI runs with (added to the current environment)."""
        env = {
            **isolation_env(self.home),
            "PULUMI_BACKEND_URL": self.backend_url,
            "PULUMI_CONFIG_PASSPHRASE_FILE": str(self.passphrase_file),
        }
        if self.python is not None:
            env["PULUMI_PYTHON_CMD"] = self.python
        return env

    def shell_exports(self) -> str:
        """``export`` lines that give a shell this CLI (PATH included)."""
        path = f"{Path(self.executable()).parent}:$PATH"
        lines = [f'export PATH="{path}"'] + [f"export {k}={v}" for k, v in self.env().items()]
        return "\n".join(lines) + "\n"

    def run(
        self,
        *args: str,
        cwd: Path,
        check: bool = True,
        capture: bool = True,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        timeout: float | None = 900,
    ) -> subprocess.CompletedProcess[str]:
        """``pulumi ARGS`` in ``cwd``, its output captured (``.stdout``, ``.stderr``) or, with
        ``capture=False``, straight to this process's own. Raises PulumiFailed if ``check``."""
        __tracebackhide__ = True  # pytest: a failure report does not show env and input here
        base = dict(os.environ)
        base.pop("PULUMI_CONFIG_PASSPHRASE", None)  # the file is ours; a user's value would win
        completed = subprocess.run(
            [self.executable(), *args],
            cwd=cwd,
            env={**base, **self.env(), **(env or {})},
            text=True,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
            timeout=timeout,
            check=False,
        )
        if check and completed.returncode != 0:
            output = (completed.stdout or "") + (completed.stderr or "")
            raise PulumiFailed(args, completed.returncode, output)
        return completed

    def json(self, *args: str, cwd: Path) -> Any:
        """``pulumi ARGS --json``, parsed."""
        return json.loads(self.run(*args, "--json", cwd=cwd).stdout)
