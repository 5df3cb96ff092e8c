"""``make up`` / ``make down``: the quickstart against a local Firmtrace emulator.

    python -m examples.quickstart.run up [--staged-end-date YYYY-MM-DD]    # make up
    python -m examples.quickstart.run down                                 # make down
    python -m examples.quickstart.run demo     # without the Pulumi CLI (see below)

``up`` starts the emulator on a free loopback port with its SQLite file in
``.firmtrace/quickstart/``, registers a demo user the first time (later runs sign in with the
saved credentials), points stack ``quickstart`` of the root project (``Pulumi.yaml``) at the
emulator through stack config (``firmtrace:apiUrl``, ``firmtrace:token`` as a secret) on a local
file backend with a generated passphrase, runs ``pulumi up --yes`` through the Automation API,
prints the outputs (secrets masked) and stops the emulator. Running it again changes nothing.
``STAGED_END_DATE=2030-01-01`` (or ``--staged-end-date``) moves the staged key's end_date.

``down`` turns the Account's ``deletion_protection`` off (config + ``pulumi up``), runs
``pulumi destroy``, removes the stack and deletes ``.firmtrace/quickstart/``.

Without the Pulumi CLI, ``up`` does everything up to running it, then says how to install it
(exit code 3, nothing deployed). ``demo`` runs the same program through this repository's
provider-protocol test harness instead of the Pulumi engine: not a deployment, no state kept.

Exit codes: 0 done, 1 failed (the reason is printed), 3 the Pulumi CLI is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.process import EmulatorProcess
from firmtrace_pulumi.errors import ConflictError, CredentialsError, FirmtraceError

REPO = Path(__file__).resolve().parents[2]
PROGRAM = Path(__file__).resolve().parent / "__main__.py"
PROJECT = "firmtrace-quickstart"
STACK = "quickstart"
DEMO_DOMAIN = "quickstart-demo.example"
PRE_STAGED = "2020-01-01"
INSTALL_URL = "https://www.pulumi.com/docs/install/"
INSTALL_PROBE = "https://get.pulumi.com/install.sh"
INSTALL_TIMEOUT_S = 300.0

EXIT_OK, EXIT_FAILED, EXIT_NO_CLI = 0, 1, 3

Out = Callable[[str], None]


class QuickstartError(Exception):
    """A failure with a sentence for the user; printed without a stack trace."""


# --- local data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    """The quickstart's machine-local data (``.firmtrace/quickstart/``; ``make down`` deletes
    it). The stack's settings file goes where ``Pulumi.yaml`` says (``stackConfigDir``), which
    is inside the default home."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "emulator.sqlite3"

    @property
    def emulator_log(self) -> Path:
        return self.root / "emulator.log"

    @property
    def emulator_file(self) -> Path:
        return self.root / "emulator.json"

    @property
    def user_file(self) -> Path:
        return self.root / "demo-user.json"

    @property
    def passphrase_file(self) -> Path:
        return self.root / "passphrase"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def backend_url(self) -> str:
        return f"file://{self.state}"

    def has_stack_state(self) -> bool:
        """Whether the file backend holds a stack (whose resources ``down`` must destroy)."""
        return any(self.state.glob(".pulumi/stacks/**/*.json*"))


DEFAULT_HOME = Home(REPO / ".firmtrace" / "quickstart")


def _show(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    path = Path(path)
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600), whatever its mode was."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def ensure_passphrase(home: Home) -> str:
    """The stack's secrets passphrase: generated once, kept in ``passphrase`` (0600)."""
    if home.passphrase_file.exists():
        return home.passphrase_file.read_text().strip()
    passphrase = secrets.token_urlsafe(32)
    _write_private(home.passphrase_file, passphrase + "\n")
    return passphrase


# --- the emulator ----------------------------------------------------------------------------


@contextlib.contextmanager
def running_emulator(home: Home, out: Out) -> Iterator[EmulatorProcess]:
    """The emulator on loopback with the quickstart's database, stopped on exit. It gets the
    port it had last time when that is free (so the stack config does not change), else any."""
    home.root.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        port = int(json.loads(home.emulator_file.read_text())["port"])
    except (OSError, ValueError, KeyError, TypeError):
        port = 0
    with home.emulator_log.open("a") as log:
        emulator = None
        for candidate in dict.fromkeys([port, 0]):  # last time's port, then any free one
            process = EmulatorProcess(
                db=home.db,
                args=["--port", str(candidate), "--rate-limit", "0"],
                stderr=log.fileno(),
            )
            try:
                emulator = process.start()
                break
            except RuntimeError:
                continue
        if emulator is None:
            raise QuickstartError(
                f"The Firmtrace emulator did not start; its log is {_show(home.emulator_log)}."
            )
        try:
            port = int(emulator.url.rsplit(":", 1)[-1])
            _write_private(home.emulator_file, json.dumps({"port": port}) + "\n")
            out(f"==> Firmtrace emulator at {emulator.url} (data: {_show(home.db)})")
            yield emulator
        finally:
            emulator.stop()
            out("==> Emulator stopped.")


# --- the demo user ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str = field(repr=False)
    token: str = field(repr=False)
    account_id: str


def _save_user(home: Home, user: DemoUser) -> None:
    data = {
        "email": user.email,
        "password": user.password,
        "token": user.token,
        "account_id": user.account_id,
    }
    _write_private(home.user_file, json.dumps(data, indent=2) + "\n")


def _load_user(home: Home) -> DemoUser | None:
    try:
        data = json.loads(home.user_file.read_text())
        return DemoUser(data["email"], data["password"], data["token"], data["account_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ensure_demo_user(base_url: str, home: Home, out: Out) -> DemoUser:
    """The demo user, registered once (company domain ``quickstart-demo.example``).

    Later runs reuse the saved token while it works, else sign in with the saved password;
    a second registration of the domain would be refused (409), so it is never attempted
    while the credentials are known.
    """
    saved = _load_user(home)
    with FirmtraceClient(base_url) as client:
        if saved is not None:
            client.credential = saved.token
            try:
                client.list_accounts()
                out(f"==> Demo user {saved.email} (saved credentials: {_show(home.user_file)})")
                return saved
            except CredentialsError:
                pass
            try:
                session = client.login(saved.email, saved.password)
                user = DemoUser(
                    saved.email,
                    saved.password,
                    session.token.get_secret_value(),
                    str(session.default_account_id),
                )
                _save_user(home, user)
                out(f"==> Demo user {saved.email} signed in again")
                return user
            except CredentialsError:
                pass  # not in this database (it was deleted): register the same user again
        email = saved.email if saved else f"demo@{DEMO_DOMAIN}"
        password = saved.password if saved else secrets.token_urlsafe(18)
        try:
            session = client.register(
                email, password, name="Quickstart Demo", url=f"https://www.{DEMO_DOMAIN}"
            )
        except ConflictError:
            raise QuickstartError(
                f"The emulator data in {_show(home.root)} already has a user for {DEMO_DOMAIN}, "
                f"but its credentials ({_show(home.user_file)}) are gone. Run `make down` to "
                "start the quickstart over."
            ) from None
        user = DemoUser(
            email, password, session.token.get_secret_value(), str(session.default_account_id)
        )
        _save_user(home, user)
        out(f"==> Demo user {email} registered (credentials: {_show(home.user_file)}, 0600)")
        return user


# --- stack config ----------------------------------------------------------------------------


def stack_config(
    api_url: str, user: DemoUser, *, staged_end_date: str | None = None, **program: str
) -> dict[str, auto.ConfigValue]:
    """The config ``up`` sets: the provider's (namespace ``firmtrace``, token secret) and, when
    given, the program's (namespace ``firmtrace-quickstart``)."""
    config = {
        "firmtrace:apiUrl": auto.ConfigValue(api_url),
        "firmtrace:token": auto.ConfigValue(user.token, secret=True),
    }
    if staged_end_date is not None:
        program = {**program, "stagedEndDate": staged_end_date}
    for key, value in program.items():
        config[f"{PROJECT}:{key}"] = auto.ConfigValue(value)
    return config


def describe_config(config: Mapping[str, auto.ConfigValue]) -> str:
    return ", ".join(f"{k}={'[secret]' if v.secret else v.value}" for k, v in config.items())


def apply_config(stack: auto.Stack, config: Mapping[str, auto.ConfigValue]) -> None:
    """Set only what differs from the stack's config, so a rerun leaves it untouched."""
    current = stack.get_all_config()
    changed = {
        key: value
        for key, value in config.items()
        if key not in current
        or current[key].value != value.value
        or current[key].secret != value.secret
    }
    if changed:
        stack.set_all_config(changed)


def check_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise QuickstartError(
            f"STAGED_END_DATE is {value!r}; use a date as YYYY-MM-DD (e.g. 2030-01-01)."
        ) from None
    return value


# --- the Pulumi CLI --------------------------------------------------------------------------


def _network_allows_install(timeout: float = 5.0) -> bool:
    try:
        request = urllib.request.Request(INSTALL_PROBE, method="HEAD")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status) < 400
    except (OSError, ValueError):
        return False


def _installed_root() -> Path:
    """Where ``PulumiCommand.install()`` puts the CLI matching this SDK."""
    from pulumi._version import version

    return Path.home() / ".pulumi" / "versions" / str(version)


def install_command(root: Path) -> list[str]:
    """``PulumiCommand.install(root=...)`` in a child Python (it downloads get.pulumi.com's
    installer and runs it; neither has a time limit of its own)."""
    code = (
        "import sys; from pulumi.automation import PulumiCommand; "
        "PulumiCommand.install(root=sys.argv[1])"
    )
    return [sys.executable, "-c", code, str(root)]


def find_pulumi(out: Out, *, allow_install: bool = True) -> auto.PulumiCommand | None:
    """The Pulumi CLI: on PATH, installed earlier by the Automation API, or installed now by
    ``PulumiCommand.install`` when the network allows it (in a child process with a time
    limit). None when there is none."""
    root = _installed_root()
    try:
        if shutil.which("pulumi"):
            return auto.PulumiCommand()
        if (root / "bin" / "pulumi").exists():
            return auto.PulumiCommand(root=str(root))
    except auto.InvalidVersionError as exc:
        raise QuickstartError(f"{exc} See {INSTALL_URL}.") from None
    if not allow_install or not _network_allows_install():
        return None
    out(f"==> Pulumi CLI not found; installing it into {root} (PulumiCommand.install) ...")
    timeout = float(os.environ.get("FIRMTRACE_QUICKSTART_INSTALL_TIMEOUT", INSTALL_TIMEOUT_S))
    # A child in its own process group: on timeout the installer script it runs dies with it.
    child = subprocess.Popen(
        install_command(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if child.wait(timeout=timeout) == 0:
            return auto.PulumiCommand(root=str(root))
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    except auto.InvalidVersionError:
        pass
    out("==> Installing the Pulumi CLI did not work.")
    return None


def no_cli_message(verb: str, ready: str) -> str:
    """The one message for a machine without the Pulumi CLI."""
    again = "up" if verb == "up" else "down"
    lines = [
        f"The Pulumi CLI is not installed, so `pulumi {verb}` did NOT run: nothing was "
        f"{'deployed' if verb == 'up' else 'destroyed'}.",
        f"Ready for it, and kept for the next run: {ready}.",
        f"Install the Pulumi CLI: {INSTALL_URL} (for example `curl -fsSL "
        f"https://get.pulumi.com | sh`), then run `make {again}` again.",
    ]
    if verb == "up":
        lines.append(
            "Without the CLI: `.venv/bin/python -m examples.quickstart.run demo` runs this "
            "program through the provider-protocol test harness (tests/harness), NOT the Pulumi "
            "engine: it shows the keys on the emulator, keeps no state and removes them again."
        )
    return "\n".join(lines)


def stack_config_dir(work_dir: Path) -> Path:
    """Where the CLI keeps ``Pulumi.<stack>.yaml`` for the project in ``work_dir``."""
    settings = yaml.safe_load((work_dir / "Pulumi.yaml").read_text())
    return work_dir / str(settings.get("stackConfigDir") or ".")


def open_stack(
    command: auto.PulumiCommand,
    home: Home,
    *,
    work_dir: Path = REPO,
    stack_name: str = STACK,
) -> auto.Stack:
    """Stack ``stack_name`` of the project in ``work_dir``, on the local file backend."""
    passphrase = ensure_passphrase(home)
    home.state.mkdir(parents=True, exist_ok=True)
    stack_config_dir(work_dir).mkdir(parents=True, exist_ok=True)
    env = {
        "PULUMI_BACKEND_URL": home.backend_url,
        # The value itself wins over any PULUMI_CONFIG_PASSPHRASE the user has set.
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    options = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        env_vars=env,
        secrets_provider="passphrase",
        pulumi_command=command,
    )
    return auto.create_or_select_stack(stack_name, work_dir=str(work_dir), opts=options)


def managed_resources(stack: auto.Stack) -> list[str]:
    """URNs of the resources the stack's state holds (the stack itself and providers aside)."""
    resources = (stack.export_stack().deployment or {}).get("resources") or []
    return [
        r["urn"]
        for r in resources
        if r.get("type") != "pulumi:pulumi:Stack"
        and not str(r.get("type", "")).startswith("pulumi:providers:")
    ]


def print_outputs(outputs: Mapping[str, Any], out: Out) -> None:
    """Stack outputs, secrets masked (``auto.OutputValue``s or plain values)."""
    out(f"Outputs of stack {STACK!r}:")
    width = max((len(k) for k in outputs), default=0)
    for name, value in sorted(outputs.items()):
        secret = bool(getattr(value, "secret", False))
        plain = getattr(value, "value", value)
        shown = "[secret]" if secret else json.dumps(plain, sort_keys=True)
        out(f"  {name:<{width}}  {shown}")


def reveal_hint(home: Home, stack_name: str) -> str:
    return (
        "Secrets are masked. To print one: PULUMI_BACKEND_URL="
        f"{home.backend_url} PULUMI_CONFIG_PASSPHRASE_FILE={_show(home.passphrase_file)} "
        f"pulumi stack output live_api_key --show-secrets --stack {stack_name}"
    )


def flip_hint(staged_active: bool) -> str:
    if staged_active:
        return (
            f"The staged key is live. Switch it off again: make up STAGED_END_DATE={PRE_STAGED} "
            "(end_date back into the past: one in-place update, same key)."
        )
    future = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    return (
        f"Flip the staged key live: make up STAGED_END_DATE={future} (moves its end_date "
        "forward: one in-place update, the same key, now active)."
    )


# --- the commands ----------------------------------------------------------------------------


@dataclass
class Quickstart:
    home: Home = DEFAULT_HOME
    out: Out = print
    work_dir: Path = REPO
    stack_name: str = STACK
    allow_install: bool = True

    def _prepare(self, emulator: EmulatorProcess) -> DemoUser:
        user = ensure_demo_user(emulator.url, self.home, self.out)
        ensure_passphrase(self.home)
        return user

    def _ready(self, user: DemoUser, config: Mapping[str, auto.ConfigValue]) -> str:
        """What ``up`` prepared before it needed the CLI."""
        return (
            f"the emulator data ({_show(self.home.db)}), the demo user {user.email} "
            f"({_show(self.home.user_file)}), and stack {self.stack_name!r} on "
            f"{self.home.backend_url} with its passphrase ({_show(self.home.passphrase_file)}, "
            f"0600) and this config: {describe_config(config)}"
        )

    def up(self, staged_end_date: str | None = None) -> int:
        if staged_end_date is not None:
            check_date(staged_end_date)
        message = ""
        with running_emulator(self.home, self.out) as emulator:
            user = self._prepare(emulator)
            config = stack_config(emulator.url, user, staged_end_date=staged_end_date)
            command = find_pulumi(self.out, allow_install=self.allow_install)
            if command is None:
                message = no_cli_message("up", self._ready(user, config))
            else:
                stack = open_stack(
                    command, self.home, work_dir=self.work_dir, stack_name=self.stack_name
                )
                apply_config(stack, config)
                self.out(f"==> pulumi up --yes (stack {self.stack_name!r})")
                result = stack.up(on_output=self.out)
                print_outputs(result.outputs, self.out)
                self.out(reveal_hint(self.home, self.stack_name))
                active = result.outputs.get("active")
                staged_active = bool(active and active.value and active.value.get("staged"))
                message = flip_hint(staged_active)
        self.out(message)  # last, after the emulator stopped: the line to read
        return EXIT_NO_CLI if command is None else EXIT_OK

    def down(self) -> int:
        if not self.home.root.exists():
            self.out(f"Nothing to tear down: {_show(self.home.root)} does not exist.")
            return EXIT_OK
        if self.home.has_stack_state():
            command = find_pulumi(self.out, allow_install=self.allow_install)
            if command is None:
                ready = f"the stack state ({_show(self.home.state)}) and the emulator data"
                self.out(no_cli_message("destroy", ready))
                return EXIT_NO_CLI
            with running_emulator(self.home, self.out) as emulator:
                user = self._prepare(emulator)
                stack = open_stack(
                    command, self.home, work_dir=self.work_dir, stack_name=self.stack_name
                )
                if managed_resources(stack):
                    config = stack_config(emulator.url, user, deletionProtection="false")
                    apply_config(stack, config)
                    self.out("==> pulumi up --yes (deletion_protection off: state only)")
                    stack.up(on_output=self.out)
                    self.out("==> pulumi destroy --yes")
                    stack.destroy(on_output=self.out)
                self.out(f"==> pulumi stack rm {self.stack_name}")
                stack.workspace.remove_stack(self.stack_name)
        shutil.rmtree(self.home.root)
        self.out(f"==> Removed {_show(self.home.root)} (emulator data, demo user, stack, state).")
        return EXIT_OK

    def _firmtrace_view(self, base_url: str, user: DemoUser, account_id: str) -> None:
        with FirmtraceClient(base_url, user.token) as client:
            keys = client.list_api_keys(account_id)
        self.out(f"Firmtrace's view of Account {account_id}:")
        for key in keys:
            state = "active" if key.active else f"inactive (end_date {key.end_date})"
            self.out(f"  {key.api_key_part}  {key.name or '-':<20} {state}")

    def demo(self) -> int:
        """The program through the provider-protocol harness (no Pulumi CLI, no state kept)."""
        try:
            from tests.harness import wire
            from tests.harness.engine import Engine
            from tests.harness.program import run_program
            from tests.harness.provider_process import ProviderProcess
        except ImportError:
            raise QuickstartError(
                "`demo` needs this repository's tests/harness: run it from the repository root."
            ) from None
        self.out(
            "DEMO, not a Pulumi deployment: the program runs through tests/harness (the real "
            "provider process driven over gRPC the way the engine drives it); nothing is kept."
        )
        with running_emulator(self.home, self.out) as emulator:
            user = self._prepare(emulator)
            provider_config = {
                "firmtrace:apiUrl": emulator.url,
                "firmtrace:token": wire.secret(user.token),
            }
            base = {f"{PROJECT}:deletionProtection": "false"}
            future = (dt.date.today() + dt.timedelta(days=365)).isoformat()
            steps = [
                ("up", base),
                (f"up with stagedEndDate={future}", {**base, f"{PROJECT}:stagedEndDate": future}),
            ]
            with ProviderProcess() as provider:
                engine = Engine(provider, provider_config)
                try:
                    for title, config in steps:
                        self.out(f"==> {title}")
                        result = run_program(
                            engine, PROGRAM, project=PROJECT, stack=STACK, config=config
                        )
                        for resource, op in result.ops().items():
                            kind, name = resource.split("::")
                            self.out(f"    {op:<7} {kind.split('/')[-1]:<18} {name}")
                        print_outputs(
                            {
                                k: auto.OutputValue(wire.reveal(v), wire.is_secret(v))
                                for k, v in result.outputs.items()
                            },
                            self.out,
                        )
                        account_id = str(wire.reveal(result.outputs["account_id"]))
                        self._firmtrace_view(emulator.url, user, account_id)
                finally:
                    self.out("==> destroy")
                    engine.destroy()
                    for step in engine.take_steps():
                        kind, name = step.urn.split("::")[-2:]
                        self.out(f"    {step.op:<7} {kind.split('/')[-1]:<18} {name}")
        return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m examples.quickstart.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("command", choices=["up", "down", "demo"])
    parser.add_argument(
        "--staged-end-date",
        default=os.environ.get("STAGED_END_DATE") or None,
        help="up: the staged key's end_date (default: leave as is; env STAGED_END_DATE)",
    )
    args = parser.parse_args(argv)
    home = os.environ.get("FIRMTRACE_QUICKSTART_HOME")
    quickstart = Quickstart(
        home=Home(Path(home).resolve()) if home else DEFAULT_HOME,
        out=lambda line: print(line, flush=True),
        allow_install=not os.environ.get("FIRMTRACE_QUICKSTART_NO_INSTALL"),
    )
    try:
        if args.command == "up":
            return quickstart.up(args.staged_end_date)
        if args.command == "down":
            return quickstart.down()
        return quickstart.demo()
    except QuickstartError as exc:
        print(f"quickstart: {exc}", file=sys.stderr)
    except FirmtraceError as exc:
        print(f"quickstart: the emulator refused a call: {exc}", file=sys.stderr)
    except auto.CommandError:
        # Not the error's text: it repeats the command line, which can hold a config secret.
        print("quickstart: a Pulumi command failed; its output is above.", file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
