"""What the client puts on the wire and how it reads answers, over httpx.MockTransport.

Only wire shapes and retry timing are tested here; behaviour against the API is tested against
the emulator over real loopback HTTP (test_client_emulator.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from firmtrace_pulumi import __version__, contract
from firmtrace_pulumi.client import UNSET, USER_AGENT, FirmtraceClient
from firmtrace_pulumi.errors import (
    ConfigurationError,
    ContractError,
    CredentialsError,
    FirmtraceError,
    TransientError,
    UncertainWriteError,
)
from firmtrace_pulumi.retry import RetryPolicy

from .conftest import FakeTime

BASE = "https://api.example.test"
TOKEN = "ftt_" + "T" * 43
KEY = "ftk_0123abcd_" + "K" * 32
KEY_JSON = {
    "api_key_part": "ftk_0123abcd",
    "account_id": 42,
    "name": "ci",
    "end_date": None,
    "active": True,
    "created_at": "2025-01-01T00:00:00Z",
    "surprise": "ignored",
}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers from a list and keeps the requests."""

    def __init__(self, *answers: httpx.Response | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request) if callable(answer) else answer

    def body(self, index: int = -1) -> object:
        return json.loads(self.requests[index].content)


def client_for(
    recorder: Recorder, credential: str | None = TOKEN, retry: RetryPolicy | None = None
) -> FirmtraceClient:
    return FirmtraceClient(
        BASE,
        credential,
        retry=retry or RetryPolicy.none(),
        transport=httpx.MockTransport(recorder),
    )


def ok(body: object) -> httpx.Response:
    return httpx.Response(200, json=body)


# --- base URL ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("https://api.firmtrace.ai", "https://api.firmtrace.ai/v1.3"),
        ("https://api.firmtrace.ai/", "https://api.firmtrace.ai/v1.3"),
        ("https://gw.example.com/firmtrace/", "https://gw.example.com/firmtrace/v1.3"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1.3"),
        ("http://127.5.6.7:8080", "http://127.5.6.7:8080/v1.3"),
        ("http://localhost:9/", "http://localhost:9/v1.3"),
        ("http://[::1]:9", "http://[::1]:9/v1.3"),
    ],
)
def test_base_url_gets_the_api_prefix(given: str, root: str) -> None:
    with FirmtraceClient(given) as client:
        assert client.base_url == root


@pytest.mark.parametrize(
    "url", ["http://api.firmtrace.ai", "http://10.0.0.5:8080", "http://localhost.evil.com"]
)
def test_plain_http_is_refused_off_loopback(url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        FirmtraceClient(url)
    text = str(info.value)
    assert url in text
    assert "https://" in text  # names the fix
    assert "loopback" in text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://api.firmtrace.ai/v1.3", "without the version"),
        ("ftp://api.firmtrace.ai", "http(s)"),
        ("https://user:hunter2secret@api.firmtrace.ai", "must not carry"),
        ("https://api.firmtrace.ai/?token=abc", "must not carry"),
    ],
)
def test_other_bad_base_urls_are_refused(url: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words) as info:
        FirmtraceClient(url)
    assert "hunter2secret" not in str(info.value)


@pytest.mark.parametrize("bad", ["", "   ", "has space", "line\nbreak", "nön-ascii"])
def test_unusable_credentials_are_refused_without_echoing_them(bad: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        FirmtraceClient(BASE, bad)
    if bad.strip():
        assert bad not in str(info.value)


# --- headers, bodies, queries ----------------------------------------------------------------


def test_headers_user_agent_and_bearer() -> None:
    recorder = Recorder(ok({"accounts": []}))
    with client_for(recorder) as client:
        assert client.list_accounts() == []
    request = recorder.requests[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith(f"firmtrace-pulumi/{__version__} httpx/{httpx.__version__}")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.url == f"{BASE}/v1.3/accounts"


def test_no_authorization_without_credential_or_on_register_and_login() -> None:
    session = {"token": TOKEN, "default_account_id": "1"}
    recorder = Recorder(ok(session))
    with client_for(recorder, credential=TOKEN) as client:
        client.login("a@acme.test", "pw-123456")
        client.register("a@acme.test", "pw-123456", "Acme", "https://acme.test")
        client.credential = None
        recorder.answers = [ok({"accounts": []})]
        client.list_accounts()
    assert all("Authorization" not in r.headers for r in recorder.requests)


def test_register_body_reveals_the_password_only_on_the_wire() -> None:
    recorder = Recorder(ok({"token": TOKEN, "default_account_id": 7}))
    with client_for(recorder, credential=None) as client:
        session = client.register(
            "a@acme.test", SecretStr("pw-123456"), "Acme", "https://acme.test"
        )
    assert recorder.body() == {
        "email": "a@acme.test",
        "password": "pw-123456",
        "name": "Acme",
        "url": "https://acme.test",
    }
    assert recorder.requests[0].headers["Content-Type"] == "application/json"
    assert session.default_account_id == "7"
    assert session.token.get_secret_value() == TOKEN
    assert TOKEN not in repr(session)


def test_change_password_switches_to_the_new_token() -> None:
    new = "ftt_" + "N" * 43
    recorder = Recorder(ok({"token": new}))
    with client_for(recorder) as client:
        returned = client.change_password("old-password", SecretStr("new-password"))
        assert returned.get_secret_value() == new
        assert client.credential is not None
        assert client.credential.get_secret_value() == new
    assert recorder.body() == {"password": "new-password", "current_password": "old-password"}
    assert recorder.requests[0].method == "PATCH"
    assert recorder.requests[0].url.path == "/v1.3/user"


def test_create_api_key_sends_only_given_fields_and_normalises_account_id() -> None:
    recorder = Recorder(ok({**KEY_JSON, "api_key": KEY}))
    with client_for(recorder) as client:
        key = client.create_api_key(None, name="ci")
        client.create_api_key("42", end_date=dt.date(2030, 1, 2))
    assert recorder.body(0) == {"name": "ci"}
    assert recorder.body(1) == {"account_id": "42", "end_date": "2030-01-02"}
    assert key.account_id == "42"
    assert key.api_key.get_secret_value() == KEY
    assert KEY not in repr(key)


def test_update_api_key_sends_null_only_when_asked() -> None:
    recorder = Recorder(ok(KEY_JSON))
    with client_for(recorder) as client:
        client.update_api_key("42", "ftk_0123abcd", end_date=None)
        client.update_api_key(None, "ftk_0123abcd", name="renamed")
        client.update_api_key(None, "ftk_0123abcd", name=UNSET, end_date=dt.date(2031, 5, 6))
    assert recorder.body(0) == {
        "account_id": "42",
        "api_key_part": "ftk_0123abcd",
        "end_date": None,
    }
    assert recorder.body(1) == {"api_key_part": "ftk_0123abcd", "name": "renamed"}
    assert recorder.body(2) == {"api_key_part": "ftk_0123abcd", "end_date": "2031-05-06"}
    assert {r.method for r in recorder.requests} == {"PATCH"}


def test_update_account_omits_fields_left_as_none() -> None:
    account = {"account_id": 5, "name": "New", "url": "https://acme.test", "role": 10}
    recorder = Recorder(ok(account))
    with client_for(recorder) as client:
        updated = client.update_account("5", name="New")
    assert recorder.body() == {"account_id": "5", "name": "New"}
    assert updated == contract.Account(account_id="5", name="New", url="https://acme.test", role=10)


def test_get_and_delete_use_query_parameters() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return ok({"deleted": True} if request.method == "DELETE" else {"api_keys": [KEY_JSON]})

    recorder = Recorder(answer)
    with client_for(recorder) as client:
        keys = client.list_api_keys("42")
        client.delete_api_key("42", "ftk_0123abcd")
        client.delete_api_key(None, "ftk_0123abcd")
        client.delete_account("9")
        client.list_api_keys()
    assert [k.account_id for k in keys] == ["42"]
    urls = [(r.method, str(r.url)) for r in recorder.requests]
    assert urls == [
        ("GET", f"{BASE}/v1.3/api_key?account_id=42"),
        ("DELETE", f"{BASE}/v1.3/api_key?account_id=42&api_key_part=ftk_0123abcd"),
        ("DELETE", f"{BASE}/v1.3/api_key?api_key_part=ftk_0123abcd"),
        ("DELETE", f"{BASE}/v1.3/accounts?account_id=9"),
        ("GET", f"{BASE}/v1.3/api_key"),
    ]
    assert all(not r.content for r in recorder.requests)


def test_unreadable_answer_names_fields_but_never_values() -> None:
    recorder = Recorder(ok({"api_key": KEY, "account_id": []}))
    with client_for(recorder) as client, pytest.raises(FirmtraceError) as info:
        client.create_api_key("1")
    text = str(info.value)
    assert "account_id" in text
    assert KEY not in text
    assert type(info.value) is ContractError


def test_error_body_text_is_redacted() -> None:
    body = {"error": "invalid_credential", "user_message": f"Token {TOKEN} is dead; pw hunter2-x"}
    recorder = Recorder(httpx.Response(401, json=body))
    with client_for(recorder) as client, pytest.raises(CredentialsError) as info:
        client.login("a@acme.test", "hunter2-x")
    error = info.value
    for text in (str(error), repr(error), error.user_message or "", error.message, *error.args):
        assert TOKEN not in text
        assert "hunter2-x" not in text
    assert "[REDACTED]" in str(error)


def test_error_without_json_body_uses_the_status_text() -> None:
    recorder = Recorder(httpx.Response(404, text="<html>nope</html>"))
    with client_for(recorder) as client, pytest.raises(FirmtraceError, match=r"\(404 Not Found\)"):
        client.delete_account("1")


# --- retry timing through the client ---------------------------------------------------------


def test_429_retry_after_is_waited_out(fake_time: FakeTime) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "1"}, json={"error": "rate_limited"})
    recorder = Recorder(limited, ok({"accounts": []}))
    with client_for(recorder, retry=fake_time.policy()) as client:
        client.list_accounts()
        assert client.request_count == 2
    assert fake_time.slept == [1.0]


def test_a_long_run_of_429s_is_waited_out_past_the_attempt_cap(fake_time: FakeTime) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "1"}, json={"error": "rate_limited"})
    recorder = Recorder(*[limited] * 8, ok({"accounts": []}))
    with client_for(recorder, retry=fake_time.policy(max_attempts=5)) as client:
        client.list_accounts()
        assert client.request_count == 9
    assert fake_time.slept == [1.0] * 8


def test_503_burst_backs_off_exponentially_then_succeeds(fake_time: FakeTime) -> None:
    down = httpx.Response(503, json={"error": "unavailable"})
    recorder = Recorder(down, down, down, ok({"accounts": []}))
    with client_for(recorder, retry=fake_time.policy()) as client:
        client.list_accounts()
        assert client.request_count == 4
    assert fake_time.slept == [0.2, 0.4, 0.8]


def test_429_on_a_create_is_retried_because_nothing_happened(fake_time: FakeTime) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "2"})
    recorder = Recorder(limited, ok({**KEY_JSON, "api_key": KEY}))
    with client_for(recorder, retry=fake_time.policy()) as client:
        client.create_api_key("42", name="ci")
    assert fake_time.slept == [2.0]


def test_500_on_a_create_is_uncertain_and_not_resent(fake_time: FakeTime) -> None:
    recorder = Recorder(httpx.Response(500, json={"error": "internal_error"}))
    with client_for(recorder, retry=fake_time.policy()) as client:
        with pytest.raises(UncertainWriteError, match="may have been") as info:
            client.create_api_key("42", name="ci")
        assert client.request_count == 1
    assert "name" in str(info.value)  # tells the caller how to look for it
    assert fake_time.slept == []


def test_500_on_a_read_is_retried(fake_time: FakeTime) -> None:
    recorder = Recorder(httpx.Response(500), ok({"accounts": []}))
    with client_for(recorder, retry=fake_time.policy()) as client:
        client.list_accounts()
    assert len(recorder.requests) == 2


def test_read_timeout_on_a_create_is_uncertain(fake_time: FakeTime) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    recorder = Recorder(timeout)
    with client_for(recorder, retry=fake_time.policy()) as client:
        with pytest.raises(UncertainWriteError, match="look for one with this name and url"):
            client.create_account("Acme", "https://acme.test")
        assert client.request_count == 1


def test_exhausted_retries_say_why(fake_time: FakeTime) -> None:
    recorder = Recorder(httpx.Response(503, json={"error": "unavailable", "user_message": "busy"}))
    with client_for(recorder, retry=fake_time.policy(max_attempts=3)) as client:
        with pytest.raises(TransientError) as info:
            client.list_accounts()
        assert client.request_count == 3
    error = info.value
    assert (error.status, error.code, error.user_message) == (503, "unavailable", "busy")
    assert "GET /v1.3/accounts failed (503 unavailable); gave up after 3 attempts" in str(error)
    assert type(error) is TransientError


def test_retry_after_beyond_budget_gives_up_at_once(fake_time: FakeTime) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "120"}, json={"error": "rate_limited"})
    recorder = Recorder(limited)
    with client_for(recorder, retry=fake_time.policy()) as client:
        with pytest.raises(TransientError, match="asked to wait 120 s"):
            client.list_accounts()
        assert client.request_count == 1
    assert fake_time.slept == []


# --- nothing secret in repr ------------------------------------------------------------------


def test_repr_of_client_hides_the_credential() -> None:
    with FirmtraceClient(BASE, TOKEN) as client:
        assert TOKEN not in repr(client)
        assert TOKEN not in str(client)
        assert "credential=set" in repr(client)
        assert client.redact(f"echo {TOKEN}") == "echo [REDACTED]"
        client.credential = SecretStr("opaque-credential-1")
        assert client.redact("x opaque-credential-1") == "x [REDACTED]"
        assert client.redact(f"old {TOKEN}") == "old [REDACTED]"  # old secrets stay known
