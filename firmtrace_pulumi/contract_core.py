"""The parts of the wire contract that need no models: the version, the default base URL, and
the two readers of the API's text (timestamps, key handles).

A program that only declares resources, and a provider process that only checks and diffs them
(a preview), import this and not ``contract`` (whose models load msgspec). ``contract``
re-exports every name here.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["API_PREFIX", "API_VERSION", "DEFAULT_BASE_URL", "key_has_part", "parse_timestamp"]

API_VERSION = "v1.3"
API_PREFIX = f"/{API_VERSION}"
DEFAULT_BASE_URL = "https://api.firmtrace.ai"  # [assumed]


def parse_timestamp(text: str) -> dt.datetime | None:
    """An ISO 8601 time such as ``created_at`` (``2026-12-02T00:59:45Z``), in UTC when it names
    no zone; None when it cannot be read."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def key_has_part(full_key: str, api_key_part: str) -> bool:
    """Whether ``api_key_part`` is the handle of ``full_key``.

    [assumed] ``api_key_part`` is a short, non-secret prefix of the full key.
    """
    return bool(api_key_part) and full_key.startswith(api_key_part)
