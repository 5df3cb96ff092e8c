"""When to send a request again, and how long to wait first.

The docs page sorts failures into buckets: wrong credentials and rejections stop at once;
network errors, 5xx and 429 are transient and are retried with exponential backoff, honouring
``Retry-After`` on 429. A 429 that says when to come back is waited out within the call's time
budget without using up its attempts: under a busy rate limit one call can lose the race for a
token several times in a row, and giving up then would fail a big ``pulumi up`` for nothing.

A request that creates something (``Endpoint.idempotent`` is False: POST /register, /accounts,
/api_key and PATCH /user) is sent again ONLY when the server certainly did not act on it:

- it answered 429, 502, 503 or 504 (it refused, or a gateway never handed the request on), or
- the connection failed before the request left this process (``httpx.ConnectError``,
  ``ConnectTimeout``, ``PoolTimeout``, ``ProxyError``).

If the request may have reached the server (a read timeout, a dropped connection, a 500 answer)
the verdict is ``UNCERTAIN``: the client raises ``UncertainWriteError`` at once and never resends,
because a second POST could mint a second key or Account. The caller must look the object up by
its unique attributes (an API key's name, an Account's name and url) before creating it again.

This is a small hand-written loop rather than tenacity or stamina: the rules above depend on the
endpoint *and* on exactly which failure happened, ``Retry-After`` must be honoured within a total
time budget, and the message on giving up must say why. Expressed as a retry library's predicates
and wait strategies this reads worse than the thirty lines it replaces, and it would be one more
dependency for the provider plugin.
"""

from __future__ import annotations

import email.utils
import enum
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ._httpx import httpx

__all__ = [
    "RetriesExhausted",
    "RetryPolicy",
    "RetrySchedule",
    "Verdict",
    "parse_retry_after",
    "verdict_for_error",
    "verdict_for_status",
]

RETRY_STATUSES_SAFE_FOR_WRITES = frozenset({429, 502, 503, 504})
"""Answers that prove the request was not carried out: safe to resend even a create."""

NEVER_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
)
"""Transport failures that happen before any byte of the request reaches the server."""

LOCAL_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
"""Transport failures caused by this process; sending again cannot help."""


class Verdict(enum.Enum):
    """What to do after one failed attempt."""

    RETRY = "retry"
    """Transient, and sending again cannot cause a second effect."""
    UNCERTAIN = "uncertain"
    """A non-idempotent request may have been carried out: never resend it."""
    STOP = "stop"
    """The answer is final (4xx other than 429, or a local error)."""


def verdict_for_status(status: int, *, idempotent: bool) -> Verdict:
    """Classify an HTTP error answer."""
    if status in RETRY_STATUSES_SAFE_FOR_WRITES:
        return Verdict.RETRY
    if status >= 500:
        return Verdict.RETRY if idempotent else Verdict.UNCERTAIN
    return Verdict.STOP


def verdict_for_error(error: httpx.TransportError, *, idempotent: bool) -> Verdict:
    """Classify a transport failure (no HTTP answer arrived)."""
    if isinstance(error, NEVER_SENT_ERRORS):
        return Verdict.RETRY
    if isinstance(error, LOCAL_ERRORS):
        return Verdict.STOP
    # ReadTimeout, WriteTimeout, ReadError, WriteError, RemoteProtocolError, ...:
    # the request may have been read and acted on by the server.
    return Verdict.RETRY if idempotent else Verdict.UNCERTAIN


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date).

    Returns None when the header is absent or unreadable; never a negative number.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP-date is always GMT
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How persistently one call is retried.

    ``sleep`` and ``clock`` are injectable so tests can record the waits without waiting:
    the total budget is measured with ``clock``, so a fake ``sleep`` should advance a fake
    ``clock`` when a test exercises the budget.
    """

    max_attempts: int = 5
    """Attempts in all, the first one included, not counting those made after a wait the API
    asked for (429 with ``Retry-After``): a rate-limited call keeps waiting as told for as long
    as ``max_total`` allows, because the API has said when it will answer."""
    base_delay: float = 0.2
    """Backoff ceiling before the first retry; doubles for each further retry."""
    max_delay: float = 5.0
    """Largest backoff between two attempts (not applied to ``Retry-After``)."""
    max_total: float = 30.0
    """Time budget for one call, attempts and waits included; no wait may overrun it."""
    max_retry_after: float = 30.0
    """Longest ``Retry-After`` waited out. A longer one ends the call at once: waiting less than
    the API asked would only earn another 429."""
    jitter: bool = True
    """Full jitter: wait a random time between 0 and the backoff ceiling."""
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        for name in ("base_delay", "max_delay", "max_total", "max_retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    @classmethod
    def none(cls) -> RetryPolicy:
        """Send each request once; every failure is raised at once."""
        return cls(max_attempts=1)

    def backoff_ceiling(self, retry_number: int) -> float:
        """Upper bound of the wait before retry ``retry_number`` (1 for the first retry)."""
        return min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))

    def backoff(self, retry_number: int) -> float:
        """The wait before retry ``retry_number``: the ceiling, or full jitter below it."""
        ceiling = self.backoff_ceiling(retry_number)
        return self.random() * ceiling if self.jitter else ceiling

    def start(self) -> RetrySchedule:
        """Begin one call: the attempt count and the time budget start now."""
        return RetrySchedule(self, started=self.clock())


class RetriesExhausted(Exception):
    """No further attempt is allowed; ``reason`` says why, for a person to read."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _attempts(n: int) -> str:
    return f"{n} attempt{'' if n == 1 else 's'}"


@dataclass
class RetrySchedule:
    """The attempts of one call under a policy."""

    policy: RetryPolicy
    started: float
    attempts: int = 0
    paced: int = 0
    """Retries made after waiting out a ``Retry-After``; they do not count toward the cap."""

    @property
    def counted(self) -> int:
        """The attempts that count toward ``max_attempts``: all but the paced retries."""
        return self.attempts - self.paced

    def next_attempt(self) -> int:
        """Count an attempt about to be made; returns its number (1 for the first)."""
        self.attempts += 1
        return self.attempts

    def elapsed(self) -> float:
        """Seconds since the call began."""
        return self.policy.clock() - self.started

    def wait_before_retry(self, retry_after: float | None = None) -> None:
        """Sleep before the next attempt, or raise ``RetriesExhausted`` if there is none.

        ``retry_after`` is the server's ``Retry-After`` in seconds (429); without it the wait is
        exponential backoff with jitter.
        """
        policy = self.policy
        paced = retry_after is not None and retry_after > 0
        if not paced and self.counted >= policy.max_attempts:
            raise RetriesExhausted(
                f"gave up after {_attempts(self.attempts)} in {self.elapsed():.1f} s"
            )
        elapsed = self.elapsed()
        if retry_after is not None:
            if retry_after > policy.max_retry_after:
                raise RetriesExhausted(
                    f"the API asked to wait {retry_after:g} s before trying again (Retry-After), "
                    f"longer than the {policy.max_retry_after:g} s this client waits "
                    f"({_attempts(self.attempts)} made)"
                )
            delay = retry_after
        else:
            delay = policy.backoff(self.counted)
        if elapsed + delay > policy.max_total:
            if retry_after is not None:
                raise RetriesExhausted(
                    f"the API asked to wait {retry_after:g} s before trying again (Retry-After), "
                    f"which would pass the {policy.max_total:g} s budget for one call "
                    f"({elapsed:.1f} s already spent, {self.attempts} attempts made)"
                )
            raise RetriesExhausted(
                f"gave up after {self.attempts} attempts: the {policy.max_total:g} s time budget "
                f"for one call ran out ({elapsed:.1f} s spent)"
            )
        if paced:
            self.paced += 1
        policy.sleep(delay)
