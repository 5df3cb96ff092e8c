"""``firmtrace-emulator`` / ``python -m firmtrace_pulumi.emulator``: serve the emulator.

With ``--port 0`` a free port is picked; the FIRST line on stdout is always the base URL
(``http://127.0.0.1:43123``), flushed at once, and the socket already accepts connections.
Logs go to stderr. Every flag has an environment variable (``FIRMTRACE_EMULATOR_<FLAG>``);
a flag wins over its variable. Fault flags override the matching fields of ``--faults``.
A start-up mistake (a port in use, a bad ``--faults``) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import socket
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError

from .app import create_app
from .faults import FaultConfig, FaultStep
from .problems import pydantic_message
from .server import base_url, bind_socket, uvicorn_config
from .settings import DEFAULT_DB, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_RATE_LIMIT, EmulatorSettings
from .store import Store

__all__ = ["ENV_PREFIX", "StartupError", "fault_config", "main", "parser"]

ENV_PREFIX = "FIRMTRACE_EMULATOR_"
_FAULT_FLAGS = ("latency_ms", "error_rate", "error_status", "seed")
"""Fields of the fault configuration that have a flag of their own (``--latency-ms``, ...)."""


class StartupError(Exception):
    """A mistake in how the emulator was started: its message is the one line the user reads."""


def _env(name: str, default: Any = None) -> Any:
    return os.environ.get(ENV_PREFIX + name, default)


def parser() -> argparse.ArgumentParser:
    # String defaults go through each flag's ``type``, so a bad variable is refused like a bad flag.
    p = argparse.ArgumentParser(
        prog="firmtrace-emulator",
        description="Local emulator of the Firmtrace API v1.3 (see the emulator README).",
    )
    p.add_argument("--host", default=_env("HOST", DEFAULT_HOST), help=f"default {DEFAULT_HOST}")
    p.add_argument(
        "--port",
        type=int,
        default=_env("PORT", str(DEFAULT_PORT)),
        help=f"default {DEFAULT_PORT}; 0 picks a free port",
    )
    p.add_argument(
        "--db", default=_env("DB", DEFAULT_DB), help=f"SQLite file or :memory: ({DEFAULT_DB})"
    )
    p.add_argument(
        "--rate-limit",
        type=float,
        default=_env("RATE_LIMIT", str(DEFAULT_RATE_LIMIT)),
        help=f"requests/s per credential, 0 = off (default {DEFAULT_RATE_LIMIT:g})",
    )
    p.add_argument("--faults", help="fault configuration as JSON, or @file.json")
    p.add_argument("--latency-ms", type=int, default=_env("LATENCY_MS"))
    p.add_argument("--error-rate", type=float, default=_env("ERROR_RATE"))
    p.add_argument("--error-status", type=int, default=_env("ERROR_STATUS"))
    p.add_argument("--seed", type=int, default=_env("SEED"))
    return p


def fault_config(args: argparse.Namespace) -> FaultConfig:
    """``--faults`` (JSON or @file) with the single-value fault flags laid over it.

    Raises ``StartupError`` naming the flag (or variable) and the field that is wrong.
    """
    source, raw = "--faults", args.faults
    if raw is None and _env("FAULTS") is not None:
        source, raw = ENV_PREFIX + "FAULTS", _env("FAULTS")
    data: Any = {}
    if raw:
        if raw.startswith("@"):
            try:
                raw = Path(raw[1:]).read_text()
            except OSError as exc:
                raise StartupError(f"{source}: cannot read {raw[1:]}: {exc.strerror}.") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            raise StartupError(f"{source} is not valid JSON ({exc.msg} at {where}).") from None
        if not isinstance(data, dict):
            raise StartupError(f'{source} must be a JSON object, like {{"latency_ms": 100}}.')
    for field in _FAULT_FLAGS:
        value = getattr(args, field)
        if value is not None:
            data[field] = value
    try:
        return FaultConfig.model_validate(data)
    except ValidationError as exc:
        raise StartupError(_fault_problem(exc, source, args)) from None


def _fault_problem(exc: ValidationError, source: str, args: argparse.Namespace) -> str:
    """One line for the first error of a fault configuration, naming where it is."""
    error = exc.errors()[0]
    loc = error["loc"]
    field = str(loc[0]) if loc else ""
    if field in _FAULT_FLAGS and getattr(args, field) is not None:
        source = f"--{field.replace('_', '-')} (or {ENV_PREFIX}{field.upper()})"
    message = pydantic_message(error, _location(loc))
    if error["type"] == "extra_forbidden":
        model = FaultConfig if len(loc) == 1 else FaultStep
        known = [info.alias or name for name, info in model.model_fields.items()]
        message += f" Known fields: {', '.join(known)}."
    return f"bad fault configuration in {source}: {message}"


def _location(loc: Sequence[int | str]) -> str:
    """``("scripts", "POST /api_key", 0, "fault")`` -> ``scripts["POST /api_key"][0].fault``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def _listen(host: str, port: int) -> socket.socket:
    try:
        return bind_socket(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} on {host} is already in use: stop what is listening there or"
                " pick another port with --port (--port 0 picks a free one)."
            ) from None
        raise StartupError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}): check --host and --port."
        ) from None


def _open_store(db: str) -> Store:
    try:
        return Store(db)
    except (OSError, sqlite3.Error) as exc:
        raise StartupError(
            f"cannot open the database {db} ({exc}): pick another with --db."
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = EmulatorSettings(rate_limit=args.rate_limit, faults=fault_config(args))
        sock = _listen(args.host, args.port)
        try:
            store = _open_store(args.db)
        except StartupError:
            sock.close()
            raise
    except StartupError as exc:
        print(f"firmtrace-emulator: {exc}", file=sys.stderr)
        return 2
    url = base_url(sock)
    print(url, flush=True)
    print(f"Firmtrace emulator at {url}/v1.3 (db: {args.db})", file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn_config(create_app(store, settings), log_config=True))
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
    return 0
