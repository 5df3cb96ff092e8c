"""The ``firmtrace`` package: its resources, its config and the schema ``GetSchema`` returns.

Everything here is derived from the declarations in ``providers.schema`` and ``config``: the
plugin's property names are their Pulumi (camelCase) spellings, ``account_id`` → ``accountId``;
names the engine uses internally (``__name_prefix``) are kept as they are.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .._version import __version__
from ..config import CREDENTIALS, SETTINGS
from ..providers import AccountProvider, ApiKeyProvider
from ..providers.base import FirmtraceProvider
from ..providers.schema import ACCOUNT, API_KEY, Property

__all__ = [
    "CONFIG_DOCS",
    "PACKAGE",
    "RESOURCES",
    "ResourceType",
    "python_name",
    "schema",
    "schema_json",
    "wire_name",
]

PACKAGE = "firmtrace"


def wire_name(name: str) -> str:
    """A property's name in the plugin's schema and on the wire: ``end_date`` → ``endDate``."""
    if name.startswith("__"):
        return name
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True)
class ResourceType:
    token: str
    props: tuple[Property, ...]
    provider: type[FirmtraceProvider]
    description: str

    @functools.cached_property
    def _to_python(self) -> dict[str, str]:
        return {wire_name(p.name): p.name for p in self.props}

    def python_name(self, wire: str) -> str:
        return self._to_python.get(wire, wire)

    def renamed_in(self, text: str) -> str:
        """``text`` with each property name in its wire spelling (``end_date`` → ``endDate``):
        the providers' messages name properties as Python programs write them."""
        for p in self.props:
            if "_" in p.name:
                text = re.sub(rf"\b{p.name}\b", wire_name(p.name), text)
        return text


RESOURCES = {
    r.token: r
    for r in (
        ResourceType(
            f"{PACKAGE}:index:ApiKey",
            API_KEY,
            ApiKeyProvider,
            "An API key of a Firmtrace Account. The full key is returned by the API once, on "
            "create, and kept in state as a secret. `endDate` switches the key off from that "
            "day on (a past date creates it switched off); a change of `keepers` or `accountId` "
            "mints a replacement before the old key is revoked.",
        ),
        ResourceType(
            f"{PACKAGE}:index:Account",
            ACCOUNT,
            AccountProvider,
            "A Firmtrace Account (a tracked website). Deleting one is refused while "
            "`deletionProtection` is on (the default): it holds visitor data.",
        ),
    )
}

CONFIG_DOCS = {
    "api_url": "The Firmtrace API's base URL, without /v1.3 (FIRMTRACE_API_URL).",
    "token": "A User's token: reaches every Account the User manages (FIRMTRACE_TOKEN).",
    "api_key": "An Account's API key: reaches that Account only (FIRMTRACE_API_KEY).",
    "email": "Sign in with email and password instead of a token (FIRMTRACE_EMAIL).",
    "password": "The password for `email` (FIRMTRACE_PASSWORD).",
    "timeout": "Seconds one HTTP attempt may take, default 10 (FIRMTRACE_TIMEOUT).",
}


def python_name(token: str, wire: str) -> str:
    return RESOURCES[token].python_name(wire)


def _doc(text: str) -> str:
    return text.replace("``", "`")


def _spec(r: ResourceType, p: Property) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": p.type, "description": r.renamed_in(_doc(p.doc))}
    if p.type == "object":
        spec["additionalProperties"] = {"$ref": "pulumi.json#/Any"}
    if p.secret:
        spec["secret"] = True
    if p.replaces and p.input:
        spec["replaceOnChanges"] = True
    if p.default is not None:
        spec["default"] = p.default
    return spec


def _properties(r: ResourceType, props: Iterable[Property]) -> dict[str, Any]:
    return {wire_name(p.name): _spec(r, p) for p in props}


def _resource(r: ResourceType) -> dict[str, Any]:
    inputs = [p for p in r.props if p.input]
    required = [wire_name(p.name) for p in inputs if p.required]
    return {
        "description": r.description,
        "properties": _properties(r, (p for p in r.props if p.output)),
        "inputProperties": _properties(r, inputs),
        **({"requiredInputs": required} if required else {}),
    }


def _config() -> dict[str, Any]:
    return {
        wire_name(name): {
            "type": "string",
            "description": CONFIG_DOCS[name],
            **({"secret": True} if name in CREDENTIALS else {}),
        }
        for name in SETTINGS
    }


def schema() -> dict[str, Any]:
    """The Pulumi package schema of ``firmtrace``."""
    return {
        "name": PACKAGE,
        "displayName": "Firmtrace",
        "version": __version__,
        "description": "Firmtrace Accounts and API keys as code.",
        "keywords": ["firmtrace", "category/utility", "kind/native"],
        "license": "Apache-2.0",
        "config": {"variables": _config()},
        "provider": {
            "description": "The Firmtrace provider: where the API is and how to sign in.",
            "inputProperties": _config(),
        },
        "resources": {token: _resource(r) for token, r in RESOURCES.items()},
        "language": {
            "nodejs": {"packageName": "@firmtrace/pulumi", "respectSchemaVersion": True},
            "python": {"packageName": "firmtrace_pulumi_native", "respectSchemaVersion": True},
        },
    }


@functools.cache
def schema_json() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True)
