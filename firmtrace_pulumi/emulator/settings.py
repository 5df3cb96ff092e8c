"""Start-up settings of an emulator instance."""

from __future__ import annotations

from dataclasses import dataclass, field

from .faults import FaultConfig

__all__ = ["DEFAULT_DB", "DEFAULT_HOST", "DEFAULT_PORT", "DEFAULT_RATE_LIMIT", "EmulatorSettings"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
"""The CLI's port (``make emulator``); the docs' ``http://127.0.0.1:8765`` examples match it."""
DEFAULT_RATE_LIMIT = 100.0
DEFAULT_DB = ".firmtrace/emulator.sqlite3"


@dataclass(frozen=True)
class EmulatorSettings:
    """``rate_limit``: requests/s per credential (0 = off); ``faults``: the start-up faults,
    which ``DELETE /_emulator/faults`` and ``POST /_emulator/reset`` return to."""

    rate_limit: float = DEFAULT_RATE_LIMIT
    faults: FaultConfig = field(default_factory=lambda: FaultConfig())
