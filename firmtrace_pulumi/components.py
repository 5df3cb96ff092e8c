"""Reusable components built on ``ApiKey``.

``RotatingApiKey``: zero-downtime rotation of an Account's API key, with an overlap window.

    rotating = RotatingApiKey(
        "warehouse-sync",
        account_id=site.account_id,
        rotations=["2026-01-01"],  # days a new key takes over; append one to rotate that day
        period_days=90,            # ...and every 90 days after the last listed day
        lead_days=14, overlap_days=14, grace_days=30,
    )
    pulumi.export("api_key", rotating.api_key)  # the key to use today, a secret

Time is cut into *generations*, each with one key. A generation's key is minted ``lead_days``
before the generation starts (*next*: it works, and ``next_api_key`` hands it out early), is
published as ``api_key`` from the day it starts (*current*, no ``end_date``), gets an
``end_date`` of its successor's start + ``overlap_days`` once the successor has taken over
(*retiring*: it still works, so consumers can switch at their pace), is then kept disabled for
``grace_days`` (*retired*: raising ``overlap_days`` moves the ``end_date`` forward again and
brings the same key back), and is finally deleted.

Generations start on every day listed in ``rotations`` and, with a period, every ``period_days``
after each listed day until the next one (a listed day restarts the calendar). Which keys exist,
and each one's ``end_date``, is a pure function of these inputs and the date (``plan_rotation``):
a program can be re-run at any time, any number of times, and converges to the same keys.

Why no step has downtime: a key gets an ``end_date`` only after its successor has been minted
(``depends_on``) and published, and that date is ``overlap_days`` after the successor took over.
The published key never has an ``end_date``. Run ``pulumi up`` at least once every
``min(lead_days, overlap_days)`` days (a daily CI job); if runs stop, rotation pauses and the
current key keeps working.

An appended rotation day is the zero-downtime form of a ``keepers`` change: changing an
``ApiKey``'s ``keepers`` mints a new key and revokes the old one in the same ``pulumi up`` (a
hard cut, no overlap), because a program cannot know the keepers its previous run used. The
dates in ``rotations`` are that memory, kept in the program's inputs.

Two edits to avoid on a live stack, because they rewrite generations that already started:
removing or changing a past entry of ``rotations``, and changing ``period_days`` (or an
entry's ``period_days``). To change the period, append an entry with its own period instead:
``{"date": "2026-07-01", "period_days": 30}`` rotates on that day and every 30 days after.

The plan cannot tell a stack's first run from a later one: a first ``pulumi up`` inside a
generation's overlap or grace window also mints that superseded generation's key (which then
retires on schedule), and raising ``overlap_days`` after a key was deleted mints a new key for
its generation (nobody holds it). Start ``rotations`` on the day you first deploy.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .api_key import ApiKey

__all__ = [
    "KeyRole",
    "PlannedKey",
    "RotatingApiKey",
    "RotationError",
    "RotationPlan",
    "plan_rotation",
    "utc_today",
]

DateLike = str | dt.date
Rotation = DateLike | Mapping[str, Any]
"""An entry of ``rotations``: a date, or ``{"date": ..., "period_days": N}``."""


class RotationError(pulumi.RunError, ValueError):
    """The rotation inputs do not describe a schedule (shown by Pulumi without a stack trace)."""


class KeyRole(str, enum.Enum):
    """Where a generation's key is in its life."""

    NEXT = "next"
    """Minted ahead of its generation's start; works, not yet published."""
    CURRENT = "current"
    """Published as ``api_key``; no ``end_date``."""
    RETIRING = "retiring"
    """Superseded; still works until its ``end_date`` (the successor's start + overlap)."""
    RETIRED = "retired"
    """Past its ``end_date``: disabled but kept for the grace period, and can be brought back."""


@dataclass(frozen=True)
class PlannedKey:
    """One generation's key as the plan wants it today."""

    starts_on: dt.date
    """The day this generation's key becomes the published one."""
    role: KeyRole
    end_date: dt.date | None
    """None while next or current; the successor's start + ``overlap_days`` after that."""
    deleted_on: dt.date | None
    """The first day the key is no longer kept (``end_date`` + ``grace_days``), if known."""


@dataclass(frozen=True)
class RotationPlan:
    """Which keys exist on ``today``: oldest first, the current one always among them."""

    today: dt.date
    keys: tuple[PlannedKey, ...]
    rotates_on: dt.date | None
    """When the next generation takes over; None if no further generation is scheduled."""

    @property
    def current(self) -> PlannedKey:
        return next(k for k in self.keys if k.role is KeyRole.CURRENT)

    @property
    def next(self) -> PlannedKey | None:
        return next((k for k in self.keys if k.role is KeyRole.NEXT), None)


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RotationError(f"{what} is {value!r}, which is not a YYYY-MM-DD date.") from None


def _days(value: Any, what: str, *, minimum: int) -> dt.timedelta:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RotationError(f"{what} must be a whole number of days, at least {minimum}.")
    return dt.timedelta(days=value)


def utc_today() -> dt.date:
    """Today's date in UTC: the day the Firmtrace API compares ``end_date`` against."""
    return dt.datetime.now(dt.timezone.utc).date()


@dataclass(frozen=True)
class _Anchor:
    on: dt.date
    period: dt.timedelta | None


def _anchors(rotations: Sequence[Rotation], period_days: int | None) -> list[_Anchor]:
    if isinstance(rotations, (str, dt.date, Mapping)) or not rotations:
        raise RotationError(
            "rotations must be a non-empty list of YYYY-MM-DD dates: the days generations start "
            "(e.g. ['2026-01-01']). Append a date to rotate on that day."
        )
    default = _days(period_days, "period_days", minimum=1) if period_days is not None else None
    anchors = []
    for i, entry in enumerate(rotations):
        what = f"rotations[{i}]"
        if isinstance(entry, Mapping):
            unknown = set(entry) - {"date", "period_days"}
            if "date" not in entry or unknown:
                raise RotationError(
                    f"{what} must be a date, or a map with 'date' and optionally 'period_days' "
                    f"(got keys {sorted(map(str, entry))})."
                )
            own = entry.get("period_days")
            period = default if own is None else _days(own, f"{what}.period_days", minimum=1)
            anchors.append(_Anchor(_date(entry["date"], f"{what}.date"), period))
        else:
            anchors.append(_Anchor(_date(entry, what), default))
    for i, (a, b) in enumerate(itertools.pairwise(anchors)):
        if b.on <= a.on:
            raise RotationError(
                f"rotations must be in increasing order: rotations[{i + 1}] ({b.on}) is not "
                f"after rotations[{i}] ({a.on}). Never edit past rotations; append new ones."
            )
    return anchors


def _starts(anchors: list[_Anchor], day: dt.date, lookback: dt.timedelta) -> list[dt.date]:
    """Generation starts, in order, from a little before ``day - lookback`` up to and including
    the first start after ``day``. Each anchor starts a generation and restarts the calendar:
    its period runs until the next anchor."""
    starts: list[dt.date] = []
    low = day - lookback
    for anchor, following in itertools.zip_longest(anchors, anchors[1:]):
        if starts and starts[-1] > day:
            break
        stop = following.on if following else None
        if anchor.period is None or anchor.on > day:
            starts.append(anchor.on)
            continue
        k = max(0, (low - anchor.on) // anchor.period - 1)  # skip what is long gone
        while True:
            start = anchor.on + anchor.period * k
            if stop is not None and start >= stop:
                break
            starts.append(start)
            if start > day:
                break
            k += 1
    return starts


def plan_rotation(
    rotations: Sequence[Rotation],
    *,
    period_days: int | None = None,
    today: DateLike | None = None,
    lead_days: int = 7,
    overlap_days: int = 7,
    grace_days: int = 7,
) -> RotationPlan:
    """The keys a ``RotatingApiKey`` keeps on ``today`` (default: today in UTC).

    Each entry of ``rotations`` is a day a generation starts (``"2026-01-01"``, a ``date``, or
    ``{"date": ..., "period_days": N}``), oldest first. With a period (the entry's own, else
    ``period_days``), a new generation also starts every that many days after the entry, until
    the next entry: an entry restarts the calendar. Before the first entry, the first
    generation is already current (there is always a key to use).
    """
    anchors = _anchors(rotations, period_days)
    lead = _days(lead_days, "lead_days", minimum=0)
    overlap = _days(overlap_days, "overlap_days", minimum=0)
    grace = _days(grace_days, "grace_days", minimum=0)
    day = utc_today() if today is None else _date(today, "today")

    # Before the first entry, the first generation is current: plan as on its first day.
    starts = _starts(anchors, max(day, anchors[0].on), overlap + grace)
    current = max((i for i, s in enumerate(starts) if s <= day), default=0)
    keys: list[PlannedKey] = []
    for i in range(current - 1, -1, -1):  # superseded generations, newest first
        end = starts[i + 1] + overlap
        if day >= end + grace:
            break  # deleted, and so is every older one
        role = KeyRole.RETIRING if day < end else KeyRole.RETIRED
        keys.insert(0, PlannedKey(starts[i], role, end, end + grace))
    keys.append(PlannedKey(starts[current], KeyRole.CURRENT, None, None))
    upcoming = starts[current + 1] if current + 1 < len(starts) else None
    if upcoming is not None and day >= upcoming - lead:
        keys.append(PlannedKey(upcoming, KeyRole.NEXT, None, None))
    return RotationPlan(day, tuple(keys), upcoming)


class RotatingApiKey(pulumi.ComponentResource):
    """An API key that rotates on a schedule without downtime (see the module docstring).

    Child resources: one ``ApiKey`` per generation still kept, named
    ``<resource_name>-<YYYY-MM-DD>`` after the day its generation starts (also its key name in
    Firmtrace, unless ``key_name`` gives another stem).

    Outputs: ``api_key`` (secret: the key to use today), ``api_key_part``, ``next_api_key``
    (secret, empty until the next key is minted: hand it out early), ``next_api_key_part``,
    ``current_since``, ``rotates_on`` and ``keys`` (per generation: role, api_key_part,
    end_date, and active as of the planned day; no secrets).
    """

    api_key: pulumi.Output[str]
    api_key_part: pulumi.Output[str]
    next_api_key: pulumi.Output[str | None]
    next_api_key_part: pulumi.Output[str | None]
    current_since: pulumi.Output[str]
    rotates_on: pulumi.Output[str | None]
    keys: pulumi.Output[dict[str, dict[str, Any]]]
    plan: RotationPlan
    """The plan this run applied (plain values, for printing or tests)."""

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        rotations: Sequence[Rotation],
        account_id: pulumi.Input[str] | None = None,
        period_days: int | None = None,
        lead_days: int = 7,
        overlap_days: int = 7,
        grace_days: int = 7,
        today: DateLike | None = None,
        key_name: str | None = None,
    ) -> None:
        """
        :param resource_name: The component's name; its keys are named after it.
        :param opts: Options for the component (its keys are its children).
        :param rotations: The days generations start, oldest first: ``"YYYY-MM-DD"``, a
               ``date``, or ``{"date": ..., "period_days": N}``. Append a day to rotate on it
               (an explicit rotation); never edit or remove past entries.
        :param account_id: The Account of the keys (implicit when the provider signs in with an
               API key).
        :param period_days: Also start a generation every this many days after each entry of
               ``rotations`` that names no period of its own, until the next entry.
        :param lead_days: Mint the next key this many days before its generation starts.
        :param overlap_days: A superseded key keeps working this many days after its successor
               took over. Raising it re-enables a retired key that is still kept (same key).
        :param grace_days: A retired key is kept (disabled) this many days before deletion.
        :param today: The date to plan for; default today in UTC. Set it to preview a day.

        ``rotations``, ``period_days``, the day counts and ``today`` are plain values, not
        Outputs: they decide which keys exist, which Pulumi must know before it registers them.
        """
        super().__init__("firmtrace:index:RotatingApiKey", resource_name, None, opts)
        self.plan = plan_rotation(
            rotations,
            period_days=period_days,
            today=today,
            lead_days=lead_days,
            overlap_days=overlap_days,
            grace_days=grace_days,
        )
        stem = key_name or resource_name
        made: dict[dt.date, ApiKey] = {}
        successor: ApiKey | None = None
        for planned in reversed(self.plan.keys):  # newest first: a retiring key waits for its
            key = ApiKey(  # successor, so its end_date is set only once the successor exists
                f"{resource_name}-{planned.starts_on.isoformat()}",
                account_id=account_id,
                name=f"{stem}-{planned.starts_on.isoformat()}",
                end_date=planned.end_date.isoformat() if planned.end_date else None,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[successor] if planned.end_date and successor else None,
                ),
            )
            made[planned.starts_on] = key
            successor = key

        current = made[self.plan.current.starts_on]
        upcoming = self.plan.next
        nxt = made[upcoming.starts_on] if upcoming else None
        self.api_key = pulumi.Output.secret(current.api_key)
        self.api_key_part = current.api_key_part
        self.next_api_key = pulumi.Output.secret(nxt.api_key if nxt else None)
        self.next_api_key_part = nxt.api_key_part if nxt else pulumi.Output.from_input(None)
        self.current_since = pulumi.Output.from_input(self.plan.current.starts_on.isoformat())
        rotates_on = self.plan.rotates_on.isoformat() if self.plan.rotates_on else None
        self.rotates_on = pulumi.Output.from_input(rotates_on)
        self.keys = pulumi.Output.all(
            *[_key_row(p, made[p.starts_on]) for p in self.plan.keys]
        ).apply(_key_table(self.plan.today))
        self.register_outputs(
            {
                "api_key": self.api_key,
                "api_key_part": self.api_key_part,
                "next_api_key": self.next_api_key,
                "next_api_key_part": self.next_api_key_part,
                "current_since": self.current_since,
                "rotates_on": self.rotates_on,
                "keys": self.keys,
            }
        )


def _key_row(planned: PlannedKey, key: ApiKey) -> pulumi.Output[tuple[PlannedKey, str]]:
    return key.api_key_part.apply(lambda part: (planned, part))


def _key_table(
    today: dt.date,
) -> Callable[[list[tuple[PlannedKey, str]]], dict[str, dict[str, Any]]]:
    def table(rows: list[tuple[PlannedKey, str]]) -> dict[str, dict[str, Any]]:
        # ``active`` from the plan's date, as Firmtrace computes it: an ApiKey's own ``active``
        # output is as of its last write, and a key switches off on its end_date by itself.
        return {
            planned.starts_on.isoformat(): {
                "role": planned.role.value,
                "api_key_part": part,
                "end_date": planned.end_date.isoformat() if planned.end_date else None,
                "active": planned.end_date is None or today < planned.end_date,
            }
            for planned, part in rows
        }

    return table
