"""Every error the API can answer becomes an error class of ``errors`` with advice: the table in
``error_map`` covers every code of the contract, and an answer with that code, through the
client, raises that class with that advice."""

from __future__ import annotations

import httpx
import pytest

from firmtrace_pulumi import error_map
from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.contract import ErrorCode
from firmtrace_pulumi.errors import (
    ConflictError,
    CredentialsError,
    FirmtraceError,
    NotFoundError,
    RejectedError,
    TransientError,
    ValidationError,
)
from firmtrace_pulumi.retry import RetryPolicy

STATUS_OF: dict[type[FirmtraceError], int] = {
    ValidationError: 400,
    CredentialsError: 401,
    RejectedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    TransientError: 503,
}
"""The status that goes with each bucket, as the docs page sorts them."""


def answer_with(status: int, body: dict[str, str]) -> FirmtraceClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    return FirmtraceClient(
        "https://api.example.test",
        "ftt_" + "T" * 43,
        retry=RetryPolicy.none(),
        transport=httpx.MockTransport(handler),
    )


def test_every_error_code_has_a_class_a_reason_and_a_hint() -> None:
    assert set(error_map.CODES) == set(ErrorCode)
    for code, reading in error_map.CODES.items():
        assert issubclass(reading.error, FirmtraceError), code
        assert reading.error in STATUS_OF, f"{code}: {reading.error} is not a bucket of the docs"
        assert reading.reason and reading.hint, code


@pytest.mark.parametrize("code", list(ErrorCode), ids=lambda c: c.value)
def test_an_answer_with_the_code_raises_its_class_with_its_hint(code: ErrorCode) -> None:
    reading = error_map.CODES[code]
    body = {"error": code.value, "user_message": "Said by the API.", "field": "name"}
    client = answer_with(STATUS_OF[reading.error], body)
    with client, pytest.raises(FirmtraceError) as raised:
        client.list_api_keys("42")
    error = raised.value
    assert type(error) is reading.error
    assert error.code == code.value and error.user_message == "Said by the API."
    assert reading.hint.format(field="'name'", account="'42'") in str(error)


@pytest.mark.parametrize(("status", "error"), [(s, e) for e, s in STATUS_OF.items()])
def test_an_unknown_code_falls_back_to_its_status(status: int, error: type[FirmtraceError]) -> None:
    client = answer_with(status, {"error": "new_in_v2", "user_message": "Hm."})
    with client, pytest.raises(FirmtraceError) as raised:
        client.list_accounts()
    assert type(raised.value) is error
    assert raised.value.hint, "every fallback gives advice too"


def test_an_endpoint_reading_names_the_account() -> None:
    body = {"error": ErrorCode.FORBIDDEN.value, "user_message": "No."}
    with answer_with(403, body) as client, pytest.raises(RejectedError) as raised:
        client.create_api_key("acc_7")
    assert "no access to Account 'acc_7'" in str(raised.value)
    assert "Administrator" not in str(raised.value), "any role may mint keys"
