"""Remove secret values from text before it reaches a person, a log or an exception.

Two layers:

- known secrets: the exact values this process holds (the credential, passwords it sent, full
  API keys it received), kept per client in a ``KnownSecrets`` set for as long as it lives;
- patterns: anything shaped like a Firmtrace token or API key (``SECRET_PATTERNS``, the one place
  these shapes live), so a secret this process never saw is scrubbed too.

Both are replaced with ``[REDACTED]``.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

__all__ = [
    "API_KEY_PREFIX",
    "REDACTED",
    "SECRET_PATTERNS",
    "TOKEN_PREFIX",
    "Hidden",
    "KnownSecrets",
    "Secret",
    "redact",
    "reveal",
]

REDACTED = "[REDACTED]"

TOKEN_PREFIX = "ftt_"
API_KEY_PREFIX = "ftk_"
"""[assumed] How Firmtrace credentials begin, as the emulator issues them: tokens ``ftt_…``,
full API keys ``ftk_…``. The API's real shapes are not published; correct them here."""

SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"(?<![A-Za-z0-9])(?:{re.escape(TOKEN_PREFIX)}|{re.escape(API_KEY_PREFIX)})"
        r"[A-Za-z0-9_\-]{16,}"
    ),
    # Whatever follows "Bearer " is a credential, whatever its shape.
    re.compile(r"(?i)(?<=bearer )[^\s\"',;]+"),
)
"""Shapes of secrets, scrubbed wherever they appear. ``api_key_part`` (a short, non-secret prefix
of a key) is deliberately too short to match."""


@runtime_checkable
class Hidden(Protocol):
    """A secret holder that shows its value only when asked: a ``Secret``, or pydantic's
    ``SecretStr``."""

    def get_secret_value(self) -> str: ...


class Secret:
    """A secret value (a credential, a full API key): ``repr`` and ``str`` never show it, and
    ``get_secret_value()`` does, as on pydantic's ``SecretStr``. The settings hold their credential
    in one, and the wire models (``contract``) every token and full key."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"


SHORT_SECRET = 8
"""Secrets shorter than this are redacted only where they stand as a whole word: replacing every
occurrence of a three-letter password inside other words would garble the text and point at it."""


def _forms(secret: str) -> set[str]:
    """The secret as it may appear in text: plain, JSON-escaped, URL-encoded."""
    forms = {secret, json.dumps(secret)[1:-1]}
    # Lone surrogates cannot be URL-encoded, so they cannot appear that way either.
    with contextlib.suppress(UnicodeEncodeError):
        forms |= {urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret, safe="")}
    return {f for f in forms if f}


def reveal(secret: str | Hidden | None) -> str:
    """The plain text of ``secret`` (``""`` for None), whatever holds it."""
    if secret is None or isinstance(secret, str):
        return secret or ""
    return secret.get_secret_value()


def redact(text: str, secrets: Iterable[str | Hidden | None] = ()) -> str:
    """``text`` with every given secret and every secret-shaped substring replaced.

    Longer secrets are replaced first, so a secret that contains another is removed whole.
    """
    values = sorted(
        {f for s in secrets if (p := reveal(s)) for f in _forms(p)}, key=len, reverse=True
    )
    for value in values:
        if len(value) < SHORT_SECRET:
            text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", REDACTED, text)
        else:
            text = text.replace(value, REDACTED)
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class KnownSecrets:
    """The secret values one client has held or seen. Thread-safe; ``repr`` shows only how
    many there are.

    Credentials (``add(..., credential=True)``: the token or API key signed in with, passwords
    sent) are kept for the life of the object. Other values (full keys received) are kept too,
    up to ``limit`` of them (about 100 bytes each), the oldest dropped first.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._limit = limit
        self._credentials: set[str] = set()
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, secret: str | Hidden | None, *, credential: bool = False) -> None:
        """Remember a secret (empty values are ignored)."""
        value = reveal(secret)
        if not value:
            return
        with self._lock:
            if credential:
                self._credentials.add(value)
                return
            self._values[value] = None
            self._values.move_to_end(value)
            while len(self._values) > self._limit:
                self._values.popitem(last=False)

    def redact(self, text: str) -> str:
        """``text`` without any known secret or secret-shaped value."""
        with self._lock:
            values = [*self._credentials, *self._values]
        return redact(text, values)

    def __len__(self) -> int:
        return len(self._credentials) + len(self._values)

    def __repr__(self) -> str:
        return f"KnownSecrets({len(self)} values)"
