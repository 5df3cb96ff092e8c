"""examples/key-rotation and ``firmtrace_pulumi.components``: the rotation plan (a pure function
of inputs and date) and its no-downtime invariants over many days. The example program runs
day by day under the real CLI in tests/e2e/test_examples_cli.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from firmtrace_pulumi.components import KeyRole, RotationError, RotationPlan, plan_rotation

D = dt.date.fromisoformat


def roles(plan: RotationPlan) -> dict[str, str]:
    return {k.starts_on.isoformat(): k.role.value for k in plan.keys}


def ends(plan: RotationPlan) -> dict[str, str | None]:
    return {k.starts_on.isoformat(): k.end_date and k.end_date.isoformat() for k in plan.keys}


SCHEDULE: dict[str, Any] = {
    "rotations": ["2027-01-01"],
    "period_days": 30,
    "lead_days": 5,
    "overlap_days": 5,
    "grace_days": 5,
}


# --- the plan ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected", "rotates_on"),
    [
        ("2026-12-01", {"2027-01-01": "current"}, "2027-01-31"),  # before the first day
        ("2027-01-10", {"2027-01-01": "current"}, "2027-01-31"),
        ("2027-01-26", {"2027-01-01": "current", "2027-01-31": "next"}, "2027-01-31"),
        ("2027-01-31", {"2027-01-01": "retiring", "2027-01-31": "current"}, "2027-03-02"),
        ("2027-02-05", {"2027-01-01": "retired", "2027-01-31": "current"}, "2027-03-02"),
        ("2027-02-10", {"2027-01-31": "current"}, "2027-03-02"),
    ],
)
def test_a_generation_lives_next_current_retiring_retired(
    today: str, expected: dict[str, str], rotates_on: str
) -> None:
    plan = plan_rotation(**SCHEDULE, today=today)
    assert roles(plan) == expected
    assert plan.rotates_on == D(rotates_on)


def test_end_dates_only_once_superseded() -> None:
    plan = plan_rotation(**SCHEDULE, today="2027-01-26")
    assert ends(plan) == {"2027-01-01": None, "2027-01-31": None}
    plan = plan_rotation(**SCHEDULE, today="2027-02-01")
    assert ends(plan) == {"2027-01-01": "2027-02-05", "2027-01-31": None}
    (old,) = [k for k in plan.keys if k.role is KeyRole.RETIRING]
    assert old.deleted_on == D("2027-02-10")


def test_an_appended_day_rotates_then_and_restarts_the_calendar() -> None:
    rotations = ["2027-01-01", "2027-02-12"]
    plan = plan_rotation(**{**SCHEDULE, "rotations": rotations}, today="2027-02-12")
    # The periodic generation that was current (01-31) is kept and retires: nothing vanishes.
    assert roles(plan) == {"2027-01-31": "retiring", "2027-02-12": "current"}
    assert ends(plan)["2027-01-31"] == "2027-02-17"
    assert plan.rotates_on == D("2027-03-14")  # 30 days after the appended day


def test_an_entry_with_its_own_period_changes_the_period_from_then_on() -> None:
    rotations = ["2027-01-01", {"date": "2027-02-12", "period_days": 10}]
    plan = plan_rotation(**{**SCHEDULE, "rotations": rotations}, today="2027-02-20")
    assert roles(plan)["2027-02-12"] == "current"
    assert plan.rotates_on == D("2027-02-22")


def test_explicit_rotations_only() -> None:
    plan = plan_rotation(["2027-01-01", "2027-03-01"], today="2027-02-26", lead_days=3)
    assert roles(plan) == {"2027-01-01": "current", "2027-03-01": "next"}
    plan = plan_rotation(["2027-01-01", "2027-03-01"], today="2027-04-01")
    assert roles(plan) == {"2027-03-01": "current"} and plan.rotates_on is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rotations": []}, "non-empty list"),
        ({"rotations": "2027-01-01"}, "non-empty list"),
        ({"rotations": ["2027-02-01", "2027-01-01"]}, "increasing order"),
        ({"rotations": ["first of may"]}, "rotations[0] is 'first of may'"),
        ({"rotations": [{"day": "2027-01-01"}]}, "a map with 'date'"),
        ({"rotations": ["2027-01-01"], "period_days": 0}, "period_days must be"),
        ({"rotations": ["2027-01-01"], "overlap_days": -1}, "overlap_days must be"),
    ],
)
def test_bad_inputs_say_what_to_do(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(RotationError) as err:
        plan_rotation(**kwargs, today="2027-01-01")
    assert message in str(err.value)


@pytest.mark.parametrize(
    "schedule",
    [
        SCHEDULE,
        {"rotations": ["2027-01-01"], "period_days": 7, "lead_days": 2, "overlap_days": 3},
        {"rotations": ["2027-01-01"], "period_days": 3, "overlap_days": 10, "grace_days": 2},
        {
            "rotations": ["2027-01-01", "2027-01-20", {"date": "2027-02-03", "period_days": 9}],
            "period_days": 11,
            "lead_days": 4,
            "overlap_days": 6,
            "grace_days": 1,
        },
    ],
)
def test_no_downtime_when_run_daily(schedule: dict[str, Any]) -> None:
    """Day by day for a year: the published key works; every key published within the last
    ``overlap_days`` still works (consumers switch at their pace); a key is never given an
    end_date before it has been superseded, and it is deleted only after its grace period."""
    overlap = dt.timedelta(days=schedule.get("overlap_days", 7))
    grace = dt.timedelta(days=schedule.get("grace_days", 7))
    published: dict[dt.date, dt.date] = {}  # day → starts_on of the key published that day
    start = D("2026-12-20")
    previous: RotationPlan | None = None
    for n in range(365):
        today = start + dt.timedelta(days=n)
        plan = plan_rotation(**schedule, today=today)
        kept = {k.starts_on: k for k in plan.keys}
        current = plan.current
        assert current.end_date is None
        published[today] = current.starts_on
        for back in range(overlap.days + 1):
            earlier = published.get(today - dt.timedelta(days=back))
            if earlier is not None and earlier != current.starts_on:
                key = kept[earlier]
                assert key.end_date is not None and today < key.end_date, (today, earlier)
        for key in plan.keys:
            if key.end_date is not None:
                assert key.starts_on < current.starts_on  # only superseded keys end
        if previous is not None:
            for gone in {k.starts_on for k in previous.keys} - set(kept):
                old = next(k for k in previous.keys if k.starts_on == gone)
                assert old.end_date is not None and today >= old.end_date + grace
        previous = plan


@pytest.mark.parametrize("offset", range(0, 70, 3))
def test_appending_a_rotation_on_any_day_is_safe(offset: int) -> None:
    """Appending today's date (an explicit rotation) keeps every key that was kept, with the
    same end_date, except a next key not yet published; the key that was published keeps
    working for the overlap."""
    today = D("2027-01-01") + dt.timedelta(days=offset)
    before = plan_rotation(**SCHEDULE, today=today)
    if before.current.starts_on == today:
        return  # a generation starts today anyway: appending it changes nothing
    after = plan_rotation(
        **{**SCHEDULE, "rotations": [*SCHEDULE["rotations"], today.isoformat()]}, today=today
    )
    kept = {k.starts_on: k for k in after.keys}
    assert after.current.starts_on == today
    for key in before.keys:
        if key.role is KeyRole.NEXT:
            continue
        assert key.starts_on in kept, f"{key.starts_on} vanished"
        if key.role is KeyRole.CURRENT:
            end = kept[key.starts_on].end_date
            assert end == today + dt.timedelta(days=SCHEDULE["overlap_days"])
        else:
            assert kept[key.starts_on].end_date == key.end_date
