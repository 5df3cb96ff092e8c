"""UTC time as the emulator sees it."""

from __future__ import annotations

import datetime as dt

__all__ = ["is_active", "timestamp", "today", "utc_now"]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def today() -> dt.date:
    """Today's date in UTC: the day ``end_date`` is compared against."""
    return utc_now().date()


def timestamp() -> str:
    """An ISO 8601 UTC timestamp such as ``2025-01-31T12:00:00Z``."""
    return utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")


def is_active(end_date: dt.date | None) -> bool:
    """A key is active while there is no end_date or today (UTC) is before it."""
    return end_date is None or today() < end_date
