"""``make up`` / ``make down``: the quickstart against a local Firmtrace emulator.

    python -m examples.quickstart.run up [--staged-end-date YYYY-MM-DD]    # make up
    python -m examples.quickstart.run down                                 # make down

``up`` starts the emulator (its SQLite file in ``.firmtrace/quickstart/``), registers a demo
user the first time, selects stack ``quickstart`` of the root project (``Pulumi.yaml``) on a
local file backend with a generated passphrase, sets ``firmtrace:apiUrl`` and
``firmtrace:token`` (a secret), runs the real ``pulumi up --yes`` (its output as it comes,
secrets masked) and stops the emulator. It also writes ``.firmtrace/quickstart/env.sh``:
source it to run ``pulumi`` on that stack yourself.

``down`` turns the Account's ``deletion_protection`` off (config + ``pulumi up``), runs
``pulumi destroy``, removes the stack and deletes ``.firmtrace/quickstart/``.

``pulumi`` comes from PATH: ``make`` puts ``scripts/ensure-pulumi``'s directory there.
Exit codes: 0 done, 1 failed (the reason is printed), 3 no ``pulumi`` on PATH.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.process import EmulatorProcess
from firmtrace_pulumi.errors import ConflictError, CredentialsError, FirmtraceError
from firmtrace_pulumi.testing import PulumiCli, PulumiFailed, PulumiNotFound

REPO = Path(__file__).resolve().parents[2]
PROJECT = "firmtrace-quickstart"
STACK = "quickstart"
DEMO_DOMAIN = "quickstart-demo.example"
PRE_STAGED = "2020-01-01"

EXIT_OK, EXIT_FAILED, EXIT_NO_CLI = 0, 1, 3

Out = Callable[[str], None]


class QuickstartError(Exception):
    """A failure with a sentence for the user; printed without a stack trace."""


def _show(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


@contextlib.contextmanager
def running_emulator(home: Path, out: Out) -> Iterator[str]:
    """The emulator on loopback with the quickstart's database, stopped on exit. It gets the
    port it had last time when that is free (so the stack config stays as it is), else any."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    port_file = home / "emulator-port"
    last = port_file.read_text().strip() if port_file.exists() else "0"
    with (home / "emulator.log").open("a") as log:
        for port in dict.fromkeys([last, "0"]):
            process = EmulatorProcess(
                db=home / "emulator.sqlite3",
                args=["--port", port, "--rate-limit", "0"],
                stderr=log.fileno(),
            )
            with contextlib.suppress(RuntimeError):
                emulator = process.start()
                break
        else:
            raise QuickstartError(f"The emulator did not start; see {_show(home)}/emulator.log.")
    try:
        port_file.write_text(emulator.url.rsplit(":", 1)[-1] + "\n")
        out(f"==> Firmtrace emulator at {emulator.url} (data: {_show(home)})")
        yield emulator.url
    finally:
        emulator.stop()


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str = field(repr=False)
    token: str = field(repr=False)


def demo_user(api_url: str, home: Path, out: Out) -> DemoUser:
    """The demo user: registered once, then signed in with the saved credentials (0600)."""
    saved_file = home / "demo-user.json"
    with FirmtraceClient(api_url) as client:
        if saved_file.exists():
            saved = json.loads(saved_file.read_text())
            with contextlib.suppress(CredentialsError):
                session = client.login(saved["email"], saved["password"])
                out(f"==> Demo user {saved['email']} signed in")
                return DemoUser(saved["email"], saved["password"], session.token.get_secret_value())
        email, password = f"demo@{DEMO_DOMAIN}", secrets.token_urlsafe(18)
        try:
            session = client.register(
                email, password, name="Quickstart Demo", url=f"https://www.{DEMO_DOMAIN}"
            )
        except ConflictError:
            raise QuickstartError(
                f"The emulator data in {_show(home)} has a demo user whose credentials are "
                "gone. Run `make down` to start the quickstart over."
            ) from None
    _write_private(saved_file, json.dumps({"email": email, "password": password}) + "\n")
    out(f"==> Demo user {email} registered (credentials: {_show(saved_file)}, 0600)")
    return DemoUser(email, password, session.token.get_secret_value())


@dataclass
class Quickstart:
    home: Path = REPO / ".firmtrace" / "quickstart"
    out: Out = print
    stack: str = STACK

    @functools.cached_property
    def cli(self) -> PulumiCli:
        return PulumiCli.local(self.home)

    def pulumi(self, *args: str) -> None:
        """A pulumi command on the quickstart's stack, its output straight to the terminal."""
        self.out(f"==> pulumi {' '.join(args)}")
        self.cli.run(*args, "--stack", self.stack, cwd=REPO, capture=False)

    def configure(self, api_url: str, user: DemoUser, **program: str) -> None:
        """The stack's config: set what differs from what it has (a rerun changes nothing)."""
        self.cli.run("stack", "select", "--create", self.stack, cwd=REPO)
        current = self.cli.json("config", "--show-secrets", "--stack", self.stack, cwd=REPO)
        wanted = {"firmtrace:apiUrl": api_url, "firmtrace:token": user.token}
        wanted |= {f"{PROJECT}:{k}": v for k, v in program.items()}
        for key, value in wanted.items():
            if (current.get(key) or {}).get("value") != value:
                secret = ["--secret"] if key == "firmtrace:token" else []
                # The value goes in on stdin: never on a command line others can list.
                self.cli.run(
                    "config", "set", *secret, key, "--stack", self.stack, cwd=REPO, input=value
                )

    def staged_is_active(self) -> bool:
        active = self.cli.json("stack", "output", "active", "--stack", self.stack, cwd=REPO)
        return bool(active.get("staged"))

    def report_left(self, api_url: str, user: DemoUser) -> None:
        """What the demo user still has in Firmtrace (the default Account of its sign-up)."""
        with FirmtraceClient(api_url, user.token) as client:
            accounts = client.list_accounts()
            keys = sum(len(client.list_api_keys(str(a.account_id))) for a in accounts)
        names = ", ".join(a.name for a in accounts) or "none"
        self.out(f"==> Left in Firmtrace: Accounts: {names}; API keys: {keys}")

    def write_env(self) -> Path:
        env = self.home / "env.sh"
        header = "# `. this-file`: pulumi on the quickstart's stack, as make up runs it\n"
        _write_private(env, header + self.cli.shell_exports())
        return env

    def up(self, staged_end_date: str | None = None) -> int:
        program = {}
        if staged_end_date is not None:
            _check_date(staged_end_date)
            program["stagedEndDate"] = staged_end_date
        with running_emulator(self.home, self.out) as api_url:
            self.configure(api_url, demo_user(api_url, self.home, self.out), **program)
            self.pulumi("up", "--yes")
        staged_active = self.staged_is_active()
        env = self.write_env()
        self.out(
            f"Run pulumi on this stack yourself: `. {_show(env)}`, then e.g. "
            "`pulumi preview --diff` or `pulumi stack output live_api_key --show-secrets`."
        )
        if staged_active:
            self.out(f"The staged key is live. Back off: make up STAGED_END_DATE={PRE_STAGED}")
        else:
            future = (dt.date.today() + dt.timedelta(days=365)).isoformat()
            self.out(f"Flip the staged key live: make up STAGED_END_DATE={future}")
        return EXIT_OK

    def down(self) -> int:
        if not self.home.exists():
            self.out(f"Nothing to tear down: {_show(self.home)} does not exist.")
            return EXIT_OK
        stacks = self.cli.json("stack", "ls", cwd=REPO)
        if any(s["name"] == self.stack for s in stacks):
            with running_emulator(self.home, self.out) as api_url:
                user = demo_user(api_url, self.home, self.out)
                self.configure(api_url, user, deletionProtection="false")
                self.pulumi("up", "--yes")  # protection off: a state-only change
                self.pulumi("destroy", "--yes")
                self.pulumi("stack", "rm", "--yes")
                self.report_left(api_url, user)
        shutil.rmtree(self.home)
        self.out(f"==> Removed {_show(self.home)} (emulator data, demo user, stack state).")
        return EXIT_OK


def _check_date(value: str) -> None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise QuickstartError(
            f"STAGED_END_DATE is {value!r}; use a date as YYYY-MM-DD (e.g. 2030-01-01)."
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m examples.quickstart.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("command", choices=["up", "down"])
    parser.add_argument(
        "--staged-end-date",
        default=os.environ.get("STAGED_END_DATE") or None,
        help="up: the staged key's end_date (default: leave as is; env STAGED_END_DATE)",
    )
    args = parser.parse_args(argv)
    quickstart = Quickstart(out=lambda line: print(line, flush=True))
    # Tests run the quickstart on data and a stack of their own.
    if home := os.environ.get("FIRMTRACE_QUICKSTART_HOME"):
        quickstart.home = Path(home).resolve()
    quickstart.stack = os.environ.get("FIRMTRACE_QUICKSTART_STACK") or STACK
    try:
        return quickstart.up(args.staged_end_date) if args.command == "up" else quickstart.down()
    except PulumiNotFound as exc:
        print(f"quickstart: {exc}", file=sys.stderr)
        return EXIT_NO_CLI
    except PulumiFailed as exc:
        print(exc.output or "", end="", file=sys.stderr)
        print(f"quickstart: {exc}.", file=sys.stderr)
    except QuickstartError as exc:
        print(f"quickstart: {exc}", file=sys.stderr)
    except FirmtraceError as exc:
        print(f"quickstart: the emulator refused a call: {exc}", file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
