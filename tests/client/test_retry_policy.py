"""RetryPolicy, RetrySchedule and the verdicts, without any HTTP."""

from __future__ import annotations

import email.utils

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmtrace_pulumi.retry import (
    RetriesExhausted,
    RetryPolicy,
    Verdict,
    parse_retry_after,
    verdict_for_error,
    verdict_for_status,
)

from .conftest import FakeTime

REQUEST = httpx.Request("POST", "https://api.firmtrace.ai/v1.3/api_key")


def test_defaults_match_the_brief() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.base_delay, policy.max_delay) == (5, 0.2, 5.0)
    assert (policy.max_total, policy.max_retry_after, policy.jitter) == (30.0, 30.0, True)


def test_none_means_a_single_attempt() -> None:
    assert RetryPolicy.none().max_attempts == 1


def test_backoff_doubles_up_to_max_delay() -> None:
    policy = RetryPolicy(jitter=False, base_delay=0.5, max_delay=3.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@given(st.integers(min_value=1, max_value=60), st.floats(min_value=0.0, max_value=0.999))
def test_full_jitter_stays_between_zero_and_the_ceiling(retry_number: int, draw: float) -> None:
    policy = RetryPolicy(random=lambda: draw)
    delay = policy.backoff(retry_number)
    assert 0.0 <= delay <= policy.backoff_ceiling(retry_number) <= policy.max_delay


def test_schedule_sleeps_backoff_then_gives_up_after_max_attempts(fake_time: FakeTime) -> None:
    schedule = fake_time.policy(max_attempts=4).start()
    for _ in range(3):
        schedule.next_attempt()
        schedule.wait_before_retry()
    schedule.next_attempt()
    with pytest.raises(RetriesExhausted, match="after 4 attempts"):
        schedule.wait_before_retry()
    assert fake_time.slept == [0.2, 0.4, 0.8]


def test_retry_after_is_honoured_up_to_the_cap(fake_time: FakeTime) -> None:
    schedule = fake_time.policy(max_retry_after=2.0, max_total=100).start()
    schedule.next_attempt()
    schedule.wait_before_retry(1.0)
    schedule.next_attempt()
    schedule.wait_before_retry(2.0)
    schedule.next_attempt()
    with pytest.raises(RetriesExhausted, match=r"asked to wait 50 s .*longer than the 2 s"):
        schedule.wait_before_retry(50.0)
    assert fake_time.slept == [1.0, 2.0]


def test_waits_the_api_asked_for_do_not_use_up_the_attempts(fake_time: FakeTime) -> None:
    schedule = fake_time.policy(max_attempts=2, max_total=10.0).start()
    for _ in range(6):  # six 429s in a row with Retry-After: 1, past a cap of 2 attempts
        schedule.next_attempt()
        schedule.wait_before_retry(1.0)
    schedule.next_attempt()
    schedule.wait_before_retry()  # then a 503: the first failure that counts
    schedule.next_attempt()
    with pytest.raises(RetriesExhausted, match="after 8 attempts"):
        schedule.wait_before_retry()  # a second 503 reaches the cap of 2
    assert fake_time.slept == [1.0] * 6 + [0.2]


def test_a_rate_limited_call_still_ends_with_the_time_budget(fake_time: FakeTime) -> None:
    schedule = fake_time.policy(max_total=10.0).start()
    with pytest.raises(RetriesExhausted, match=r"asked to wait 2 s.*10 s budget"):
        while True:
            schedule.next_attempt()
            schedule.wait_before_retry(2.0)
    assert fake_time.slept == [2.0] * 5  # 10 s spent; another 2 s would pass the budget


def test_a_zero_retry_after_counts_as_an_attempt(fake_time: FakeTime) -> None:
    schedule = fake_time.policy(max_attempts=3).start()
    with pytest.raises(RetriesExhausted, match="after 3 attempts"):
        while True:
            schedule.next_attempt()
            schedule.wait_before_retry(0.0)
    assert fake_time.slept == [0.0, 0.0]


def test_retry_after_beyond_the_budget_gives_up_saying_how_long(fake_time: FakeTime) -> None:
    schedule = fake_time.policy(max_total=10.0).start()
    schedule.next_attempt()
    fake_time.now += 3.0  # the first attempt took 3 s
    with pytest.raises(RetriesExhausted, match=r"asked to wait 8 s.*10 s budget.*3.0 s already"):
        schedule.wait_before_retry(8.0)
    assert fake_time.slept == []


def test_total_budget_bounds_backoff(fake_time: FakeTime) -> None:
    schedule = fake_time.policy(max_attempts=100, base_delay=1.0, max_delay=4.0, max_total=10.0)
    run = schedule.start()
    with pytest.raises(RetriesExhausted, match="time budget"):
        while True:
            run.next_attempt()
            run.wait_before_retry()
    assert fake_time.slept == [1.0, 2.0, 4.0]  # 7 s spent; another 4 s would pass 10 s
    assert sum(fake_time.slept) <= 10.0


@pytest.mark.parametrize(
    ("bad", "message"), [({"max_attempts": 0}, "max_attempts"), ({"max_total": -1}, "max_total")]
)
def test_nonsense_settings_are_refused(bad: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**bad)  # type: ignore[arg-type]


# --- Retry-After ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("1", 1.0),
        (" 2 ", 2.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_retry_after_seconds(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 7, usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(7.0)
    past = email.utils.formatdate(now - 60, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0


# --- verdicts --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
@pytest.mark.parametrize("idempotent", [True, False])
def test_refusals_are_retried_even_for_creates(status: int, idempotent: bool) -> None:
    assert verdict_for_status(status, idempotent=idempotent) is Verdict.RETRY


@pytest.mark.parametrize("status", [500, 501, 599])
def test_other_5xx_retried_only_when_idempotent(status: int) -> None:
    assert verdict_for_status(status, idempotent=True) is Verdict.RETRY
    assert verdict_for_status(status, idempotent=False) is Verdict.UNCERTAIN


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_4xx_other_than_429_stop(status: int) -> None:
    assert verdict_for_status(status, idempotent=True) is Verdict.STOP
    assert verdict_for_status(status, idempotent=False) is Verdict.STOP


@pytest.mark.parametrize(
    "error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError]
)
def test_never_sent_errors_are_retried_even_for_creates(error: type[httpx.TransportError]) -> None:
    exc = error("boom", request=REQUEST)
    assert verdict_for_error(exc, idempotent=False) is Verdict.RETRY


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout,
        httpx.WriteTimeout,
        httpx.ReadError,
        httpx.WriteError,
        httpx.RemoteProtocolError,
    ],
)
def test_maybe_sent_errors_are_uncertain_for_creates(error: type[httpx.TransportError]) -> None:
    exc = error("boom", request=REQUEST)
    assert verdict_for_error(exc, idempotent=False) is Verdict.UNCERTAIN
    assert verdict_for_error(exc, idempotent=True) is Verdict.RETRY


def test_local_errors_stop() -> None:
    exc = httpx.UnsupportedProtocol("ftp", request=REQUEST)
    assert verdict_for_error(exc, idempotent=True) is Verdict.STOP
