"""What the API echoes reaches a person only after redaction.

The client builds every error from the answer's ``error``, ``user_message`` and ``field`` and the
HTTP reason phrase; each of them may quote what the request carried. These tests make the API
echo secrets in every one of those places and check the error a person reads.

Why the harness: the API must echo secrets in exact answers of exact calls.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pulumi
import pytest

from firmtrace_pulumi import ApiKey
from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.errors import FirmtraceError, NotFoundError
from firmtrace_pulumi.redact import REDACTED
from firmtrace_pulumi.retry import RetryPolicy
from tests.harness import wire
from tests.harness.engine import Engine
from tests.harness.program import run_program
from tests.harness.provider_process import ProviderError, ProviderProcess

TOKEN = "ftt_" + "e" * 43  # the client's own credential: a known secret
OTHER_KEY = "ftk_0badc0de_" + "S" * 32  # never seen by the client: redacted by its shape


def echoing(status: int, **extra: Any) -> httpx.MockTransport:
    """An API that quotes both secrets in every field of its error answer."""
    echo = f"{TOKEN} / {OTHER_KEY}"

    def answer(request: httpx.Request) -> httpx.Response:
        body = {"error": f"bad_{OTHER_KEY}", "user_message": f"Got {echo}.", "field": echo}
        return httpx.Response(
            status, json=body, extensions={"reason_phrase": echo.encode()}, **extra
        )

    return httpx.MockTransport(answer)


@pytest.fixture(autouse=True)
def _quiet_httpx(caplog: pytest.LogCaptureFixture) -> None:
    """These tests plant secrets in URLs and reason phrases, which httpx's own INFO request
    log prints verbatim. That log is off unless a program turns it on; here it is kept off so
    the leak scanner (tests/leaks.py) judges only what this package shows."""
    caplog.set_level(logging.WARNING, logger="httpx")


def error_of(transport: httpx.MockTransport, call: str) -> FirmtraceError:
    client = FirmtraceClient(
        "https://api.example.test",
        TOKEN,
        retry=RetryPolicy(max_attempts=2, base_delay=0),
        transport=transport,
    )
    with pytest.raises(FirmtraceError) as caught:
        if call == "create":
            client.create_api_key("acc_1", name="n")
        else:
            client.list_api_keys("acc_1")
    return caught.value


@pytest.mark.parametrize(
    ("status", "call"),
    [
        (400, "read"),  # ValidationError: quotes ``field`` in the message and the hint
        (401, "read"),
        (403, "read"),
        (404, "read"),
        (409, "read"),
        (418, "read"),  # an unexpected 4xx
        (500, "create"),  # UncertainWriteError
        (503, "read"),  # retried, then TransientError
        (429, "read"),
    ],
)
def test_no_echoed_secret_reaches_the_error(status: int, call: str) -> None:
    error = error_of(echoing(status, headers={"Retry-After": "0"}), call)
    seen = " ".join(
        str(part)
        for part in (
            str(error),
            repr(error),
            error.message,
            error.user_message,
            error.code,
            getattr(error, "field", None),
            error.args,
        )
    )
    assert TOKEN not in seen and OTHER_KEY not in seen
    assert "eeeeeeeeeeee" not in seen and "SSSSSSSSSSSS" not in seen, "no fragment either"
    assert REDACTED in str(error), "the reader sees that something was removed"


def test_reason_phrase_is_redacted_when_there_is_no_error_body() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, content=b"<html>", extensions={"reason_phrase": TOKEN.encode()})

    error = error_of(httpx.MockTransport(answer), "read")
    assert TOKEN not in str(error) and "502" in str(error)


def test_an_emulator_echo_of_the_token_is_redacted(emulator: Any) -> None:
    """The emulator quotes the path of an unknown endpoint; a token pasted into the base URL
    comes back in ``user_message``."""
    token = emulator.register().token
    client = FirmtraceClient(f"{emulator.url}/{token}", token)
    with pytest.raises(NotFoundError) as caught:
        client.list_accounts()
    text = str(caught.value)
    assert token not in text
    assert f"/{REDACTED}/v1.3/accounts" in text, text


def test_the_provider_passes_on_only_the_redacted_echo(emulator: Any) -> None:
    """The same echo through the provider process: the engine's error shows no secret."""
    owner = emulator.register()
    with ProviderProcess() as process:
        engine = Engine(
            process,
            {
                # A URL carrying a secret is kept as a secret in the stack config too.
                "firmtrace:apiUrl": wire.secret(f"{emulator.url}/{owner.token}"),
                "firmtrace:token": wire.secret(owner.token),
            },
        )

        def program() -> None:
            ApiKey("echo", account_id=owner.account_id)
            pulumi.export("n", 1)

        with pytest.raises(ProviderError) as caught:
            run_program(engine, program)
    details = caught.value.details
    assert "404 not_found" in details
    assert owner.token not in details
    assert f"/{REDACTED}/v1.3/api_key" in details
    assert owner.token not in process.output
