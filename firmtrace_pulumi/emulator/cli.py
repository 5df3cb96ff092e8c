"""``firmtrace-emulator`` / ``python -m firmtrace_pulumi.emulator``: serve the emulator.

With ``--port 0`` a free port is picked; the FIRST line on stdout is always the base URL
(``http://127.0.0.1:43123``), flushed at once, and the socket already accepts connections.
Logs go to stderr. Every flag has an environment variable (``FIRMTRACE_EMULATOR_<FLAG>``);
a flag wins over its variable. Fault flags override the matching fields of ``--faults``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn

from .app import create_app
from .faults import FaultConfig
from .server import base_url, bind_socket, uvicorn_config
from .settings import DEFAULT_DB, DEFAULT_RATE_LIMIT, EmulatorSettings
from .store import Store

ENV_PREFIX = "FIRMTRACE_EMULATOR_"


def _env(name: str, default: Any = None) -> Any:
    return os.environ.get(ENV_PREFIX + name, default)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="firmtrace-emulator",
        description="Local emulator of the Firmtrace API v1.3 (see the emulator README).",
    )
    p.add_argument("--host", default=_env("HOST", "127.0.0.1"), help="default 127.0.0.1")
    p.add_argument("--port", type=int, default=int(_env("PORT", 8765)), help="0 picks a free port")
    p.add_argument(
        "--db", default=_env("DB", DEFAULT_DB), help=f"SQLite file or :memory: ({DEFAULT_DB})"
    )
    p.add_argument(
        "--rate-limit",
        type=float,
        default=float(_env("RATE_LIMIT", DEFAULT_RATE_LIMIT)),
        help="requests/s per credential, 0 = off (default 100)",
    )
    p.add_argument(
        "--faults", default=_env("FAULTS"), help="fault configuration as JSON, or @file.json"
    )
    p.add_argument("--latency-ms", type=int, default=_env("LATENCY_MS"))
    p.add_argument("--error-rate", type=float, default=_env("ERROR_RATE"))
    p.add_argument("--error-status", type=int, default=_env("ERROR_STATUS"))
    p.add_argument("--seed", type=int, default=_env("SEED"))
    return p


def fault_config(args: argparse.Namespace) -> FaultConfig:
    """``--faults`` (JSON or @file) with the single-value fault flags laid over it."""
    data: dict[str, Any] = {}
    if args.faults:
        raw = args.faults
        if raw.startswith("@"):
            raw = Path(raw[1:]).read_text()
        data = json.loads(raw)
    for field in ("latency_ms", "error_rate", "error_status", "seed"):
        value = getattr(args, field)
        if value is not None:
            data[field] = value
    return FaultConfig.model_validate(data)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = EmulatorSettings(rate_limit=args.rate_limit, faults=fault_config(args))
    except (ValueError, OSError) as exc:
        print(f"firmtrace-emulator: bad fault configuration: {exc}", file=sys.stderr)
        return 2
    store = Store(args.db)
    sock = bind_socket(args.host, args.port)
    url = base_url(sock)
    print(url, flush=True)
    print(f"Firmtrace emulator at {url}/v1.3 (db: {args.db})", file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn_config(create_app(store, settings), log_config=True))
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
    return 0
