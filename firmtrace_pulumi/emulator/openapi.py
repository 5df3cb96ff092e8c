"""The emulator's OpenAPI document: the ``/v1.3`` routes only, as the contract shapes them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from firmtrace_pulumi.contract import API_VERSION

__all__ = ["DESCRIPTION", "build"]

DESCRIPTION = (
    "Local emulator of the Firmtrace API v1.3 (see docs/api-contract.md in firmtrace-pulumi). "
    "Every error answers {error, user_message[, field]}. Admin routes under /_emulator are "
    "not part of the API and not listed here."
)


def _response_schema_names(document: dict[str, Any]) -> set[str]:
    names = set()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    ref = media.get("schema", {}).get("$ref", "")
                    names.add(ref.rsplit("/", 1)[-1])
    return names


def build(app: FastAPI) -> dict[str, Any]:
    """Generate once; secrets in answers are not ``writeOnly`` (pydantic marks SecretStr so)."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title="Firmtrace API (local emulator)",
        version=API_VERSION,
        description=DESCRIPTION,
        routes=app.routes,
    )
    schemas = document.get("components", {}).get("schemas", {})
    for name in _response_schema_names(document):
        for prop in schemas.get(name, {}).get("properties", {}).values():
            prop.pop("writeOnly", None)
    app.openapi_schema = document
    return document
