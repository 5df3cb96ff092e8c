"""Tests under the real Pulumi CLI: ``pulumi`` commands, as a user types them, against the
session's emulator, each test with its own file backend, passphrase and ``PULUMI_HOME``.

``pulumi`` comes from PATH (``make test`` puts ``scripts/ensure-pulumi``'s directory there).
Without it these tests skip, with the reason; with ``FIRMTRACE_REQUIRE_PULUMI=1`` (set by
``.ci/run``) they fail instead, so CI never goes green with the engine tests skipped.

Everything a CLI command prints (its ``--json`` events included) goes to the leak scanner.

- ``project(program, name=...)``: a Pulumi project in ``tmp_path`` whose ``__main__.py`` is
  ``program``, on this repository's virtualenv;
- ``Stack``: one stack of a project, with ``config``, ``preview``, ``up``, ``refresh``,
  ``destroy``, ``outputs`` and ``export``; ``Run`` is what one command did.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.testing import ApiAccess, PulumiCli
from tests import leaks

from .faces import DYNAMIC, FACES, Face

REQUIRE = os.environ.get("FIRMTRACE_REQUIRE_PULUMI") == "1"

SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
"""How state marks a secret: {sig key: secret sig, "ciphertext": ...} (pulumi's resource/sig)."""

API_KEY = "pulumi-python:dynamic/firmtrace:ApiKey"
ACCOUNT = "pulumi-python:dynamic/firmtrace:Account"


def require_pulumi() -> None:
    """Skip the test without a ``pulumi`` on PATH; fail it instead if CI requires one."""
    if shutil.which("pulumi") is None:
        reason = "needs the Pulumi CLI on PATH: `make test` gets it through scripts/ensure-pulumi"
        if REQUIRE:
            pytest.fail(f"FIRMTRACE_REQUIRE_PULUMI=1 and no pulumi: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _pulumi_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    require_pulumi()
    # The plugin, pulumi-resource-firmtrace, is where `pip install` put it, as for a user.
    monkeypatch.setenv("PATH", f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ['PATH']}")


def firmtrace_pulumi_command(cli: PulumiCli, *args: str, cwd: Path | None = None) -> str:
    """``firmtrace-pulumi ARGS`` (this package's command) with this CLI; what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "firmtrace_pulumi", *args],
        cwd=cwd,
        env={**os.environ, **cli.env()},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def plugin_in_cache(cli: PulumiCli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin installed into this CLI's plugin cache (``firmtrace-pulumi install-plugin``)
    and ambient plugins ignored, as README's quiet setup does."""
    firmtrace_pulumi_command(cli, "install-plugin")
    monkeypatch.setenv("PULUMI_IGNORE_AMBIENT_PLUGINS", "true")


@pytest.fixture(params=FACES, ids=str)
def face(request: pytest.FixtureRequest) -> Face:
    """Each face of the provider in turn: the dynamic resources, then the plugin."""
    return request.param  # type: ignore[no-any-return]


def json_documents(text: str) -> list[Any]:
    """The JSON documents printed one after another (``pulumi up --json`` prints several)."""
    decoder, index = json.JSONDecoder(), 0
    documents: list[Any] = []
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return documents
        document, index = decoder.raw_decode(text, index)
        documents.append(document)


@dataclass
class Run:
    """What one ``pulumi`` command did, from its ``--json`` output."""

    command: str
    output: str
    documents: list[Any]

    @property
    def events(self) -> list[dict[str, Any]]:
        return [d for d in self.documents if isinstance(d, dict) and "sequence" in d]

    @property
    def changes(self) -> dict[str, int]:
        """The change summary (``{"create": 2}``), of the operation or of the preview."""
        for event in self.events:
            if "summaryEvent" in event:
                return dict(event["summaryEvent"]["resourceChanges"])
        return dict(self.documents[0].get("changeSummary") or {})

    @property
    def ops(self) -> dict[str, str]:
        """Resource name → operation, for every resource that did not stay the same: the step
        (``create``, ``update``, ``replace`` for any of its three steps, ``delete``), and for a
        refresh what it found (``update``: drift, ``delete``: gone)."""
        if self.events:
            steps = [
                e["resourcePreEvent"]["metadata"] for e in self.events if "resourcePreEvent" in e
            ]
            found = [
                e["resOutputsEvent"]["metadata"] for e in self.events if "resOutputsEvent" in e
            ]
            steps = [s for s in steps if s["op"] != "refresh"] + [
                s for s in found if s["op"] in ("update", "delete") and "refresh" in self.command
            ]
        else:  # a preview: its plan
            steps = self.documents[0].get("steps") or [] if self.documents else []
        ops: dict[str, str] = {}
        for step in steps:
            name, op = step["urn"].rsplit("::", 1)[-1], step["op"]
            if op in ("create-replacement", "delete-replaced", "replace"):
                op = "replace"
            if op != "same":
                ops[name] = "replace" if ops.get(name) == "replace" else op
        return ops

    def diagnostics(self, severity: str = "error") -> list[str]:
        """The messages of that severity: from the events, or from a preview's document."""
        events = [e["diagnosticEvent"] for e in self.events if "diagnosticEvent" in e]
        if not self.events and self.documents:
            events = self.documents[0].get("diagnostics") or []
        return [e["message"] for e in events if e.get("severity") == severity]


@dataclass
class Stack:
    """A stack of a project in ``project_dir``, driven through the real CLI."""

    cli: PulumiCli
    project_dir: Path
    name: str
    project: str
    printed: list[str] = field(default_factory=list)

    def _run(
        self, args: tuple[str, ...], *, check: bool, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """One command on this stack; what it printed is kept and goes to the leak scanner."""
        done = self.cli.run(
            *args, "--stack", self.name, cwd=self.project_dir, check=False, input=input
        )
        output = done.stdout + done.stderr
        self.printed.append(output)
        leaks.OBSERVED.text(f"pulumi {' '.join(args[:2])} output", output)
        if check and done.returncode != 0:
            raise AssertionError(f"`pulumi {' '.join(args)}` exited {done.returncode}:\n{output}")
        return done

    def pulumi(self, *args: str, check: bool = True, input: str | None = None) -> str:
        done = self._run(args, check=check, input=input)
        return done.stdout + done.stderr

    def command(self, *args: str, check: bool = True) -> Run:
        """A command with ``--json``: its documents parsed."""
        done = self._run((*args, "--json"), check=check)
        return Run(" ".join(args), done.stdout + done.stderr, json_documents(done.stdout))

    def config(self, **values: str | None) -> None:
        """Program config (``<project>:<key>``); None removes a key."""
        for key, value in values.items():
            if value is None:
                self.pulumi("config", "rm", f"{self.project}:{key}", check=False)
            else:
                self.pulumi("config", "set", f"{self.project}:{key}", value)

    def set_secret(self, key: str, value: str) -> None:
        self.pulumi("config", "set", "--secret", key, input=value)

    def preview(self, *args: str, check: bool = True) -> Run:
        return self.command("preview", *args, check=check)

    def up(self, *args: str, check: bool = True) -> Run:
        return self.command("up", "--yes", *args, check=check)

    def refresh(self, *args: str, check: bool = True) -> Run:
        return self.command("refresh", "--yes", *args, check=check)

    def destroy(self, *args: str, check: bool = True) -> Run:
        return self.command("destroy", "--yes", *args, check=check)

    def outputs(self, *, secrets: bool = False) -> dict[str, Any]:
        args = ["stack", "output", "--json"] + (["--show-secrets"] if secrets else [])
        done = self.cli.run(*args, "--stack", self.name, cwd=self.project_dir)
        if not secrets:
            leaks.OBSERVED.text("pulumi stack output", done.stdout)
        return dict(json.loads(done.stdout))

    def export(self) -> dict[str, Any]:
        done = self.cli.run("stack", "export", "--stack", self.name, cwd=self.project_dir)
        leaks.OBSERVED.text("pulumi stack export", done.stdout)
        return dict(json.loads(done.stdout))

    def resources(self, type_: str | None = None) -> list[dict[str, Any]]:
        found = self.export()["deployment"].get("resources") or []
        return [r for r in found if type_ is None or r["type"] == type_]

    @property
    def all_printed(self) -> str:
        return "\n".join(self.printed)

    def revealed(self) -> list[dict[str, Any]]:
        """The resources of state with their secrets decrypted (``stack export
        --show-secrets``): for final checks that compare full keys. The full keys are registered
        with the leak scanner; the text itself is kept from it, as no one else sees it."""
        done = self.cli.run(
            "stack", "export", "--show-secrets", "--stack", self.name, cwd=self.project_dir
        )
        resources = json.loads(done.stdout)["deployment"].get("resources") or []
        for resource in resources:
            outputs = {k: _revealed(v) for k, v in (resource.get("outputs") or {}).items()}
            leaks.register(outputs.get("api_key"), "full API key")
            resource["outputs"] = outputs
        return list(resources)


def _revealed(value: Any) -> Any:
    """A secret in ``stack export --show-secrets`` is ``{<sig>: ..., "plaintext": "<json>"}``."""
    if isinstance(value, dict) and "plaintext" in value:
        return json.loads(value["plaintext"])
    return value


def write_project(directory: Path, name: str, program: str) -> Path:
    """A Pulumi project running ``program`` on this repository's virtualenv."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "__main__.py").write_text(textwrap.dedent(program))
    (directory / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n"
        f"    toolchain: pip\n    virtualenv: {sys.prefix}\n"
    )
    return directory


@pytest.fixture
def cli(pulumi_cli: PulumiCli) -> PulumiCli:
    """The real CLI with a file backend, passphrase and PULUMI_HOME of this test's own (the
    testing kit's ``pulumi_cli``)."""
    return pulumi_cli


@pytest.fixture
def new_stack(
    cli: PulumiCli, emulator: EmulatorAdmin, tmp_path: Path
) -> Iterator[Callable[..., Stack]]:
    """``new_stack(program, project=..., token=..., name="dev")``: a stack of a project made
    from ``program``, pointed at the emulator with ``token`` (a new User's when not given).
    Stacks left with resources are destroyed at the end (a test that failed half-way)."""
    made: list[Stack] = []

    def make(
        program: str,
        *,
        project: str = "e2e",
        token: str | None = None,
        name: str = "dev",
        directory: Path | None = None,
    ) -> Stack:
        project_dir = directory or write_project(tmp_path / project, project, program)
        stack = Stack(cli, project_dir, name, project)
        cli.run("stack", "init", name, cwd=project_dir)
        ApiAccess(emulator.url, token or emulator.register().token).configure(
            cli, project_dir, stack=name
        )
        made.append(stack)
        return stack

    yield make
    for stack in made:
        if stack.resources():
            stack.config(deletionProtection="false")
            stack.pulumi("destroy", "--yes", "--skip-preview", "--remove", check=False)


def api_calls(emulator: EmulatorAdmin) -> list[str]:
    """The API calls logged since the last ``clear_requests``, in order, as ``"METHOD /path"``."""
    return [f"{r['method']} {r['path'].removeprefix('/v1.3')}" for r in emulator.requests()]


def calls(emulator: EmulatorAdmin) -> Counter[str]:
    """The same calls, counted."""
    return Counter(api_calls(emulator))


def keys_in(emulator: EmulatorAdmin, account_id: str) -> dict[str, dict[str, Any]]:
    """The emulator's keys of one Account, by ``api_key_part``."""
    return {
        k["api_key_part"]: k
        for k in emulator.state()["api_keys"]
        if str(k["account_id"]) == account_id
    }


def assert_keys_encrypted(stack: Stack, full_keys: set[str], face: Face = DYNAMIC) -> None:
    """Every ``api_key`` in the stack's state is ciphertext; no full key is in it as text."""
    exported = stack.export()
    resources = exported["deployment"].get("resources") or []
    keys = [r for r in resources if r["type"] == face.api_key_type]
    assert keys, "no ApiKey in the state"
    for resource in keys:
        stored = resource["outputs"].get(face.prop("api_key"))
        assert isinstance(stored, dict) and stored.get(SECRET_SIG[0]) == SECRET_SIG[1], stored
        assert "ciphertext" in stored
    raw = json.dumps(exported)
    assert not [k for k in full_keys if k in raw], "a full key is stored in plain text"
