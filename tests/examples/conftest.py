"""Run the example programs (each example's ``__main__.py``, the root quickstart included)
through the provider-protocol harness against the session emulator.

``example(name)`` gives an ``Example``: one stack with its own provider process, signed in with
a freshly registered user's token (stack config, secret). After every ``up`` it checks that no
full key was lost (each ApiKey keeps ``api_key`` as a secret in state, unchanged for as long as
the key exists) and that stack outputs hold full keys only inside secrets. At teardown it checks
that no full key, token or password reached the provider process's output or the test's
captured output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.program import RunResult, run_program
from tests.harness.provider_process import REPO, ProviderProcess

EXAMPLES = REPO / "examples"
API_KEY_TYPE = "pulumi-python:dynamic/firmtrace:ApiKey"
ACCOUNT_TYPE = "pulumi-python:dynamic/firmtrace:Account"


def project_of(directory: Path) -> tuple[str, Path]:
    """(project name, program path) of the Pulumi project in ``directory``."""
    settings = yaml.safe_load((directory / "Pulumi.yaml").read_text())
    main = directory / settings.get("main", ".") / "__main__.py"
    return settings["name"], main.resolve()


def config_text(value: Any) -> str:
    """A config value as `pulumi config set` stores it: objects and lists as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def secrets_outside_wrappers(value: Any, full_keys: set[str]) -> list[str]:
    """Full keys that appear in ``value`` (wire form) outside a secret wrapper."""
    if wire.is_secret(value):
        return []
    if isinstance(value, dict):
        return [k for v in value.values() for k in secrets_outside_wrappers(v, full_keys)]
    if isinstance(value, list):
        return [k for v in value for k in secrets_outside_wrappers(v, full_keys)]
    return [value] if isinstance(value, str) and value in full_keys else []


@dataclass
class Example:
    directory: Path
    project: str
    program: Path
    engine: Engine
    process: ProviderProcess
    emulator: EmulatorAdmin
    token: str
    account_id: str
    password: str
    full_keys: dict[str, str] = field(default_factory=dict)
    """api_key_part → full key, for every key this stack has minted."""

    def up(self, **config: Any) -> RunResult:
        """One `pulumi up` with this program config (keys without the project namespace)."""
        namespaced = {f"{self.project}:{k}": config_text(v) for k, v in config.items()}
        result = run_program(self.engine, self.program, project=self.project, config=namespaced)
        self.check_keys_kept(result)
        return result

    def destroy(self) -> None:
        self.engine.destroy()

    def check_keys_kept(self, result: RunResult) -> None:
        for res in self.engine.state.values():
            if res.type != API_KEY_TYPE:
                continue
            part, value = res.outputs["api_key_part"], res.outputs.get("api_key")
            assert wire.is_secret(value), f"{res.urn}: api_key is not a secret in state"
            full = value["value"]
            assert isinstance(full, str) and full.startswith(part), f"{res.urn}: full key lost"
            assert self.full_keys.setdefault(part, full) == full, f"{part}: full key changed"
        leaked = secrets_outside_wrappers(result.outputs, set(self.full_keys.values()))
        assert not leaked, "a full key is in the stack outputs outside a secret"

    def state_of(self, name: str) -> dict[str, Any]:
        """Plain outputs of the resource named ``name`` (the last URN segment)."""
        matches = [r for u, r in self.engine.state.items() if u.endswith(f"::{name}")]
        assert len(matches) == 1, f"{len(matches)} resources named {name!r}"
        return wire.reveal(matches[0].outputs)

    def keys(self, account_id: str | None = None) -> dict[str, dict[str, Any]]:
        """The emulator's view: api_key_part → key, in one Account (default: the user's)."""
        account_id = account_id or self.account_id
        keys = self.emulator.state()["api_keys"]
        return {k["api_key_part"]: k for k in keys if str(k["account_id"]) == account_id}

    def accounts(self) -> dict[str, dict[str, Any]]:
        """The emulator's view: account_id → Account, for every Account this user has a role in
        (the default Account from registration included)."""
        state = self.emulator.state()
        mine = next(
            set(u["roles"])
            for u in state["users"]
            if any(str(a) == self.account_id for a in u["roles"])
        )
        return {str(a["account_id"]): a for a in state["accounts"] if str(a["account_id"]) in mine}

    def api_writes(self) -> list[tuple[str, str]]:
        return [
            (r["method"], r["path"])
            for r in self.emulator.requests()
            if r["path"].startswith("/v1.3") and r["method"] != "GET"
        ]


@pytest.fixture
def example(
    emulator: EmulatorAdmin, capfd: pytest.CaptureFixture[str]
) -> Iterator[Callable[[str], Example]]:
    """``example("staged-rollout")`` (a directory under examples/, or "." for the root project)."""
    opened: list[Example] = []

    def make(name: str) -> Example:
        directory = (EXAMPLES / name) if name != "." else REPO
        project, program = project_of(directory)
        token, account_id, _email, password = emulator.register()
        process = ProviderProcess()
        config = {"firmtrace:apiUrl": emulator.url, "firmtrace:token": wire.secret(token)}
        ex = Example(
            directory, project, program, Engine(process, config), process, emulator, token,
            str(account_id), password,
        )  # fmt: skip
        opened.append(ex)
        return ex

    yield make
    captured = capfd.readouterr()
    for ex in opened:
        ex.process.close()
        secrets = {*ex.full_keys.values(), ex.token, ex.password}
        for secret in secrets:
            assert secret not in ex.process.output, "a secret reached the provider's output"
            assert secret not in captured.out + captured.err, "a secret was printed"
