"""What the benchmarks stand on: an emulator process, a User, a configured provider process.

The emulator runs as its own process (``EmulatorProcess``) so it never shares a GIL with the
driver; the provider is the real ``python -u -m pulumi.dynamic`` from ``tests.harness``,
called over gRPC the way the engine calls it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
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


def load_average() -> str:
    """The 1-minute load average: other work on these shared machines shows up here."""
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "unknown"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(root: int) -> list[int]:
    """Every live process below ``root`` (from each ``/proc/<pid>/stat``'s parent pid)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry.name}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


class ProcessWatch:
    """While the ``with`` block runs, polls every process below this one whose command line
    holds one of ``markers`` (name -> marker): per name, the CPU seconds of its processes (as
    last seen, so the last ``interval`` of each may be missed) and their largest ``VmHWM``."""

    def __init__(self, markers: Mapping[str, str], interval: float = 0.1) -> None:
        self.markers = {name: marker.encode() for name, marker in markers.items()}
        self.interval = interval
        self._cpu: dict[str, dict[int, float]] = {name: {} for name in markers}
        self.peak_kib = dict.fromkeys(markers, 0)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    @property
    def cpu(self) -> dict[str, float]:
        return {name: sum(by_pid.values()) for name, by_pid in self._cpu.items()}

    def _poll(self) -> None:
        while not self._done.wait(self.interval):
            for pid in _descendants(os.getpid()):
                with contextlib.suppress(OSError, KeyError, IndexError):
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        command = f.read()
                    for name, marker in self.markers.items():
                        if marker in command:
                            self._cpu[name][pid] = cpu_seconds(pid)
                            self.peak_kib[name] = max(self.peak_kib[name], vm_kib(pid, "VmHWM"))

    def __enter__(self) -> ProcessWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
