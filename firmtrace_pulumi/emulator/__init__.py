"""A local Firmtrace API v1.3 emulator (FastAPI + uvicorn + SQLite), for tests and benchmarks.

Import explicitly: ``import firmtrace_pulumi`` never loads it. This package's ``__init__`` is
light so ``firmtrace_pulumi.emulator.admin_client`` works with only httpx installed; the server
parts need the ``emulator`` extra (fastapi, uvicorn).

- ``create_app(store, settings)``: the ASGI app (``app``)
- ``EmulatorServer``: serve it on a loopback port from a thread (``server``)
- ``EmulatorProcess``: serve it from a child process (``process``)
- ``EmulatorAdmin``: httpx client for the ``/_emulator`` admin routes (``admin_client``)
- ``FaultConfig``, ``FaultStep``: typed fault injection, e.g.
  ``admin.script(Endpoints.CREATE_API_KEY, FaultStep.status(503, times=2))`` (``faults``)

See README.md beside this file for the CLI, the admin routes and fault injection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .admin_client import EmulatorAdmin
    from .app import create_app
    from .faults import FaultConfig, FaultStep
    from .process import EmulatorProcess
    from .server import EmulatorServer
    from .settings import EmulatorSettings
    from .store import Store

_EXPORTS = {
    "create_app": "app",
    "EmulatorAdmin": "admin_client",
    "EmulatorProcess": "process",
    "EmulatorServer": "server",
    "EmulatorSettings": "settings",
    "FaultConfig": "faults",
    "FaultStep": "faults",
    "Store": "store",
}

__all__ = [
    "EmulatorAdmin",
    "EmulatorProcess",
    "EmulatorServer",
    "EmulatorSettings",
    "FaultConfig",
    "FaultStep",
    "Store",
    "create_app",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
