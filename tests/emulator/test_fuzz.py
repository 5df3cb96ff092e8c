"""Fuzz the emulator's OpenAPI document with schemathesis (bounded: a few hundred requests).

With a valid token, schema-valid and schema-violating requests must never get a 5xx, every
answer must match the documented status codes, content types and schemas, schema-violating
requests must be refused with a 4xx, and every 4xx must be ``{error, user_message[, field]}``
(``field`` on 400). Runs against a private emulator so the fuzzer's Users stay out of the
shared one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration
from firmtrace_pulumi.emulator.server import EmulatorServer

EXAMPLES = {GenerationMode.POSITIVE: 100, GenerationMode.NEGATIVE: 100}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def target() -> Iterator[tuple[str, Any, dict[str, str]]]:
    """``(url, schema, credentials)``: a token, and an API key (whose Account is implicit, so
    the fuzzer reaches the success paths of /api_key too)."""
    with EmulatorServer() as server, EmulatorAdmin(server.url) as admin:
        schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
        owner: Registration = admin.register()
        minted = httpx.post(
            admin.api_url + "/api_key",
            json={"account_id": owner.account_id, "name": "fuzz"},
            headers={"Authorization": f"Bearer {owner.token}"},
        )
        credentials = {"token": owner.token, "api_key": minted.json()["api_key"]}
        yield server.url, schema, credentials


def check_error_shape(response: Any) -> None:
    if not 400 <= response.status_code < 500:
        return
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) <= {"error", "user_message", "field"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["user_message"], str) and body["user_message"], body
    if response.status_code == 400:
        assert isinstance(body.get("field"), str), body  # may be "" for an unknown "" key


def test_openapi_document_lists_only_the_api(target: tuple[str, Any, dict[str, str]]) -> None:
    _, schema, _ = target
    document = schema.raw_schema
    assert all(path.startswith("/v1.3/") for path in document["paths"])
    assert "422" not in str(document)


@pytest.mark.parametrize("credential", ["token", "api_key"])
@pytest.mark.parametrize("mode", list(EXAMPLES), ids=str)
def test_fuzz(target: tuple[str, Any, dict[str, str]], mode: GenerationMode, credential: str):
    url, schema, credentials = target
    headers = {"Authorization": f"Bearer {credentials[credential]}"}
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=schema.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=url, headers=headers)
        case.validate_response(response, checks=checks)
        check_error_shape(response)

    run()
