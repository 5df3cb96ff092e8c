"""Per-credential rate limiting with token buckets."""

from __future__ import annotations

import math
import threading
import time

__all__ = ["RateLimiter"]

_MAX_BUCKETS = 10_000


class RateLimiter:
    """``rate`` requests per second per key, in bursts of up to ``max(rate, 1)``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def check(self, key: str, rate: float) -> int | None:
        """Take one token. ``None`` if allowed, else the seconds to wait (Retry-After, >= 1)."""
        if rate <= 0:
            return None
        capacity = max(rate, 1.0)
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > _MAX_BUCKETS:
                self._buckets.clear()
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1 - tokens) / rate))

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
