"""Small assertions shared by the emulator tests."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import httpx

from firmtrace_pulumi import contract

W = TypeVar("W", bound=contract.WireModel)


def fits(model: type[W], body: Any) -> W:
    """``body`` (an answer's JSON) read as the client reads it: it must fit ``model``."""
    return contract.decode(model, json.dumps(body).encode())


def expect_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """Assert an error answer of the documented shape and return its body."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["error"] == code, body
    assert isinstance(body["user_message"], str) and body["user_message"], body
    assert set(body) <= {"error", "user_message", "field"}, body
    if field is not None:
        assert body.get("field") == field, body
    return body


def expect_ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()
