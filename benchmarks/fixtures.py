"""What the benchmarks stand on: an emulator process, a User, a configured provider process.

The emulator runs as its own process (``EmulatorProcess``) so it never shares a GIL with the
driver; the provider is the real ``python -u -m pulumi.dynamic`` from ``tests.harness``,
called over gRPC the way the engine calls it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
from pulumi.dynamic.dynamic import serialize_provider

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.process import EmulatorProcess
from tests.harness import wire
from tests.harness.provider_process import ProviderProcess

PROVIDER_KEY = "__provider"
KEY_TYPE = "pulumi-python:dynamic/firmtrace:ApiKey"
ACCOUNT_TYPE = "pulumi-python:dynamic/firmtrace:Account"
CONCURRENCY = 4
"""What the provider process serves at once (``pulumi.dynamic``: four gRPC worker threads)."""


@dataclass
class Emulator:
    process: EmulatorProcess
    admin: EmulatorAdmin

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid


@contextlib.contextmanager
def emulator() -> Iterator[Emulator]:
    """A fresh emulator process: in-memory database, no rate limit, no faults."""
    with (
        EmulatorProcess(args=["--rate-limit", "0"], stderr=subprocess.DEVNULL) as process,
        EmulatorAdmin(process.url) as admin,
    ):
        yield Emulator(process, admin)


@dataclass
class User:
    token: str
    account_id: str


def register(emu: Emulator) -> User:
    token, account_id, _email, _password = emu.admin.register()
    return User(token, str(account_id))


def direct_client(emu: Emulator, user: User) -> httpx.Client:
    """A plain httpx client on the API, signed in as ``user``: the comparison without a
    provider."""
    headers = {"Authorization": f"Bearer {user.token}"}
    return httpx.Client(base_url=emu.process.api_url, headers=headers)


def provider_config(emu: Emulator, user: User) -> dict[str, Any]:
    """Stack config as the engine sends it to Configure (namespaced, the token secret)."""
    return {"firmtrace:apiUrl": emu.url, "firmtrace:token": wire.secret(user.token)}


@contextlib.contextmanager
def provider(
    emu: Emulator, user: User, env: Mapping[str, str] | None = None
) -> Iterator[ProviderProcess]:
    """A configured provider process signing in with ``user``'s token."""
    with ProviderProcess(env) as process:
        process.configure(provider_config(emu, user))
        yield process


@cache
def serialized(kind: str) -> str:
    """The ``__provider`` value a resource carries: ``api_key``, ``account`` or ``noop``."""
    if kind == "api_key":
        from firmtrace_pulumi.providers.api_key import ApiKeyProvider

        return serialize_provider(ApiKeyProvider())
    if kind == "account":
        from firmtrace_pulumi.providers.account import AccountProvider

        return serialize_provider(AccountProvider())
    from .trivial import NoopProvider

    return serialize_provider(NoopProvider())


def key_urn(name: str) -> str:
    return f"urn:pulumi:bench::firmtrace-bench::{KEY_TYPE}::{name}"


def account_urn(name: str) -> str:
    return f"urn:pulumi:bench::firmtrace-bench::{ACCOUNT_TYPE}::{name}"


def key_inputs(name: str, account_id: str, end_date: str | None = None) -> dict[str, Any]:
    """Checked ApiKey inputs, as the engine passes them to Create."""
    return {
        "account_id": account_id,
        "name": name,
        "end_date": end_date,
        "__name_prefix": name,
        PROVIDER_KEY: serialized("api_key"),
    }


def account_inputs(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "url": f"https://{name}.example",
        "deletion_protection": False,
        PROVIDER_KEY: serialized("account"),
    }


@dataclass
class Resource:
    urn: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


def create(process: ProviderProcess, urn: str, inputs: dict[str, Any]) -> Resource:
    id_, outputs = process.create(urn, inputs)
    return Resource(urn, id_, inputs, outputs)


def update(process: ProviderProcess, res: Resource, **changes: Any) -> Resource:
    news = {**res.inputs, **changes}
    outputs = process.update(res.urn, res.id, res.outputs, news, res.inputs)
    return Resource(res.urn, res.id, news, outputs)


def delete(process: ProviderProcess, res: Resource) -> None:
    process.delete(res.urn, res.id, res.outputs, res.inputs)


def parallel(items: list[Any], call: Any, workers: int = CONCURRENCY) -> list[Any]:
    """``call(item)`` for every item, ``workers`` at a time, results in order."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(call, items))


def vm_kib(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` figure in KiB (``VmHWM``: peak resident set; ``VmRSS``)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
