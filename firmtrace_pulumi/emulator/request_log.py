"""The ordered log of ``/v1.3`` requests that ``GET /_emulator/requests`` shows."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

__all__ = ["RequestLog"]

_LIMIT = 100_000


class RequestLog:
    """Entries ``{"method", "path", "status", "credential", "in_flight"[, "fault"]}`` in
    arrival order.

    ``status`` is what the app answered (``None`` while in flight or when the connection was
    reset before handling); ``credential`` is ``"token"``, ``"api_key"`` or ``None`` (never the
    value); ``in_flight`` is how many requests were being handled as this one arrived, itself
    included (how many calls at once a client makes); ``fault`` names an injected fault that
    changed the outcome.
    """

    def __init__(self, limit: int = _LIMIT) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._open = 0

    def start(self, method: str, path: str, credential: str | None) -> dict[str, Any]:
        """Record an arriving request; the caller fills in ``status`` (and ``fault``) later."""
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "status": None,
            "credential": credential,
        }
        with self._lock:
            self._open += 1
            entry["in_flight"] = self._open
            self._entries.append(entry)
        return entry

    def finish(self) -> None:
        """A request started with ``start`` has been answered (or dropped)."""
        with self._lock:
            self._open -= 1

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
