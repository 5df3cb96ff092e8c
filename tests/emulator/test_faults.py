"""Fault injection and rate limiting, observed from an httpx client."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from firmtrace_pulumi.contract import Endpoints
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration
from firmtrace_pulumi.emulator.faults import FaultConfig, FaultStep

from .conftest import Connect
from .helpers import expect_error, expect_ok

HANG_UP = (httpx.RemoteProtocolError, httpx.ReadError)
"""A closed connection reads as a clean EOF or, when the close races the client's read, as a
reset (``ReadError: [Errno 104]``): either way no answer came."""


def _keys_named(emulator: EmulatorAdmin, name: str) -> list[dict]:
    return [k for k in emulator.state()["api_keys"] if k["name"] == name]


def _create(client: httpx.Client, owner: Registration, name: str) -> httpx.Response:
    return client.post("/api_key", json={"account_id": owner.account_id, "name": name})


def test_latency_for_one_endpoint(clean_faults: EmulatorAdmin, as_owner):
    clean_faults.set_faults(FaultConfig(endpoint_latency_ms={Endpoints.LIST_ACCOUNTS: 300}))
    started = time.perf_counter()
    expect_ok(as_owner.get("/accounts"))
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    expect_ok(as_owner.post("/accounts", json={"name": "Fast", "url": "https://f.example"}))
    assert time.perf_counter() - started < 0.3


def test_latency_for_all_endpoints(clean_faults: EmulatorAdmin, as_owner):
    clean_faults.set_faults(FaultConfig(latency_ms=200))
    started = time.perf_counter()
    expect_ok(as_owner.get("/accounts"))
    assert time.perf_counter() - started >= 0.2


def test_error_rate_is_repeatable_with_a_seed(clean_faults: EmulatorAdmin, as_owner):
    def statuses() -> list[int]:
        clean_faults.set_faults(FaultConfig(error_rate=0.5, error_status=502, seed=7))
        return [as_owner.get("/accounts").status_code for _ in range(30)]

    first, second = statuses(), statuses()
    assert first == second
    assert set(first) == {200, 502}
    clean_faults.set_faults(FaultConfig(error_rate=1.0, error_status=500))
    expect_error(as_owner.get("/accounts"), 500, "internal_error")


def test_error_rate_can_target_endpoints(clean_faults: EmulatorAdmin, as_owner, owner):
    clean_faults.set_faults(FaultConfig(error_rate=1.0, error_endpoints=[Endpoints.CREATE_API_KEY]))
    expect_ok(as_owner.get("/accounts"))
    expect_error(_create(as_owner, owner, "x"), 503, "unavailable")


def test_typed_script_is_the_json_the_admin_api_shows(clean_faults: EmulatorAdmin):
    shown = clean_faults.script(
        Endpoints.CREATE_API_KEY, FaultStep.status(503, times=2), FaultStep.echo(400)
    )
    assert shown["scripts"] == {
        "POST /api_key": [
            {"fault": "status", "status": 503, "retry_after": None, "ms": 0, "times": 2},
            {"fault": "echo", "status": 400, "retry_after": None, "ms": 0, "times": 1},
        ]
    }
    with pytest.raises(ValueError, match="status"):
        FaultStep.status(700)  # refused before it is sent


def test_scripted_503s_then_success_commit_nothing(
    clean_faults: EmulatorAdmin, as_owner, owner: Registration
):
    clean_faults.set_faults(
        {"scripts": {"POST /v1.3/api_key": [{"fault": "status", "status": 503, "times": 2}]}}
    )
    name = uuid.uuid4().hex
    for _ in range(2):
        expect_error(_create(as_owner, owner, name), 503, "unavailable")
        assert _keys_named(clean_faults, name) == []
    expect_ok(_create(as_owner, owner, name))
    assert len(_keys_named(clean_faults, name)) == 1


def test_scripted_429_carries_retry_after(clean_faults: EmulatorAdmin, as_owner, owner):
    clean_faults.script(Endpoints.CREATE_API_KEY, FaultStep.status(429, retry_after=1))
    response = _create(as_owner, owner, "x")
    expect_error(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "1"
    expect_ok(_create(as_owner, owner, "x"))


def test_script_pass_steps_and_remaining_steps_are_shown(clean_faults: EmulatorAdmin, as_owner):
    clean_faults.set_faults(
        {"scripts": {"* /accounts": [{"fault": "pass"}, {"fault": "status", "status": 500}]}}
    )
    assert clean_faults.faults()["scripts"]["* /accounts"][0]["fault"] == "pass"
    expect_ok(as_owner.get("/accounts"))
    assert [s["fault"] for s in clean_faults.faults()["scripts"]["* /accounts"]] == ["status"]
    expect_error(as_owner.get("/accounts"), 500, "internal_error")
    assert clean_faults.faults()["scripts"] == {}
    expect_ok(as_owner.get("/accounts"))


def test_drop_after_commit_commits_then_closes_without_answer(
    clean_faults: EmulatorAdmin, as_owner, owner: Registration
):
    clean_faults.script(Endpoints.CREATE_API_KEY, FaultStep.drop_after_commit())
    name = uuid.uuid4().hex
    with pytest.raises(HANG_UP):
        _create(as_owner, owner, name)
    assert len(_keys_named(clean_faults, name)) == 1
    [entry] = clean_faults.requests(method="POST", path="/api_key")[-1:]
    assert (entry["status"], entry["fault"]) == (200, "drop_after_commit")
    expect_ok(as_owner.get("/accounts"))  # the client recovers on a new connection


def test_reset_before_read_commits_nothing(
    clean_faults: EmulatorAdmin, as_owner, owner: Registration
):
    clean_faults.script(Endpoints.CREATE_API_KEY, FaultStep.reset_before_read())
    name = uuid.uuid4().hex
    with pytest.raises(HANG_UP):
        _create(as_owner, owner, name)
    assert _keys_named(clean_faults, name) == []
    expect_ok(_create(as_owner, owner, name))


def test_slow_answers_late_but_commits(
    clean_faults: EmulatorAdmin, connect: Connect, owner: Registration
):
    clean_faults.script(Endpoints.CREATE_API_KEY, FaultStep.slow(600, times=2))
    impatient = connect(owner.token, timeout=0.2)
    name = uuid.uuid4().hex
    with pytest.raises(httpx.ReadTimeout):
        _create(impatient, owner, name)
    assert len(_keys_named(clean_faults, name)) == 1
    started = time.perf_counter()
    expect_ok(_create(connect(owner.token), owner, name))
    assert time.perf_counter() - started >= 0.6


def test_rate_limit_per_credential_answers_429_with_retry_after(
    clean_faults: EmulatorAdmin, connect: Connect, emulator: EmulatorAdmin
):
    first, second = emulator.register(), emulator.register()
    clean_faults.set_faults(FaultConfig(rate_limit=2))
    client = connect(first.token)
    statuses = [client.get("/accounts").status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and 429 in statuses[2:]
    limited = client.get("/accounts")
    expect_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    expect_ok(connect(second.token).get("/accounts"))  # another credential has its own budget
    clean_faults.clear_faults()
    expect_ok(client.get("/accounts"))


def test_faults_shown_can_be_put_back(clean_faults: EmulatorAdmin, as_owner):
    config = {"latency_ms": 1, "scripts": {"GET /accounts": [{"fault": "pass", "times": 2}]}}
    shown = clean_faults.set_faults(config)
    as_owner.get("/accounts")
    assert (
        clean_faults.set_faults(clean_faults.faults())["scripts"]["GET /accounts"][0]["times"] == 1
    )
    assert clean_faults.faults()["latency_ms"] == shown["latency_ms"] == 1


def test_admin_routes_are_never_faulted(clean_faults: EmulatorAdmin):
    clean_faults.set_faults(FaultConfig(error_rate=1.0, rate_limit=1))
    for _ in range(3):
        assert clean_faults.health() == {"status": "ok"}


def test_bad_fault_configuration_is_refused(clean_faults: EmulatorAdmin):
    for bad in (
        {"error_rate": 2},
        {"scripts": {"api_key": [{"fault": "status"}]}},
        {"scripts": {"POST /api_key": [{"fault": "explode"}]}},
        {"colour": "red"},
    ):
        with pytest.raises(httpx.HTTPStatusError) as caught:
            clean_faults.set_faults(bad)
        assert caught.value.response.status_code == 400
        assert caught.value.response.json()["error"] == "validation_error"
