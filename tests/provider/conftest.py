"""Fixtures that run programs through the real provider process against the emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.program import RunResult, run_program
from tests.harness.provider_process import ProviderProcess


@dataclass
class User:
    token: str
    account_id: str
    email: str
    password: str


@dataclass
class Stack:
    """One stack: an engine with its own provider process, plus ways to look at the API."""

    engine: Engine
    process: ProviderProcess
    emulator: Any
    user: User

    def up(self, program: Callable[[], Any], **kw: Any) -> RunResult:
        return run_program(self.engine, program, **kw)

    def preview(self, program: Callable[[], Any], **kw: Any) -> RunResult:
        return run_program(self.engine, program, preview=True, **kw)

    def refresh(self) -> None:
        self.engine.refresh()

    def destroy(self) -> None:
        self.engine.destroy()

    def api(self) -> FirmtraceClient:
        """A client of the user's own, for changes made outside Pulumi."""
        return FirmtraceClient(self.emulator.url, self.user.token)

    def live_keys(self, account_id: str | None = None) -> dict[str, Any]:
        """The emulator's view: api_key_part → key, for the user's default Account."""
        account_id = account_id or self.user.account_id
        keys = self.emulator.state()["api_keys"]
        return {k["api_key_part"]: k for k in keys if str(k["account_id"]) == account_id}

    def api_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.emulator.requests() if r["path"].startswith("/v1.3")]


@pytest.fixture
def user(emulator: Any) -> User:
    token, account_id, email, password = emulator.register()
    return User(token, str(account_id), email, password)


def _stack(emulator: Any, user: User, config: dict[str, Any]) -> Iterator[Stack]:
    with ProviderProcess() as process:
        engine = Engine(process, {"firmtrace:apiUrl": emulator.url, **config})
        stack = Stack(engine, process, emulator, user)
        yield stack
        for secret in _secrets_in_state(engine) | {user.token, user.password}:
            assert secret not in process.output, "a secret reached the provider's output"


def _secrets_in_state(engine: Engine) -> set[str]:
    found = set()
    for res in engine.state.values():
        for value in res.outputs.values():
            if wire.is_secret(value) and isinstance(value["value"], str) and value["value"]:
                found.add(value["value"])
    return found


@pytest.fixture
def stack(emulator: Any, user: User) -> Iterator[Stack]:
    """A stack whose provider signs in with the user's token (stack config, secret)."""
    yield from _stack(emulator, user, {"firmtrace:token": wire.secret(user.token)})


@pytest.fixture
def stack_factory(emulator: Any, user: User) -> Iterator[Callable[[dict[str, Any]], Stack]]:
    """Stacks with a provider configured as the test says (``{"firmtrace:apiKey": ...}``)."""
    opened: list[Iterator[Stack]] = []

    def make(config: dict[str, Any]) -> Stack:
        gen = _stack(emulator, user, config)
        opened.append(gen)
        return next(gen)

    yield make
    for gen in opened:
        for _ in gen:
            pass
