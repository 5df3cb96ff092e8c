"""Register Firmtrace resources with the engine rules directly, without a Pulumi program.

``program.run_program`` drives resources through the Python SDK, which keeps process-wide state:
one program runs at a time. Tests that drive many stacks at once from threads (the fault matrix)
or send inputs the SDK's classes cannot express (unknown properties, values of the wrong type)
build the registration here instead: the same type token, URN, inputs (with the pickled provider
under ``__provider``, as ``pulumi.dynamic.Resource`` adds it) and secret outputs as the program
would send, handed to ``Engine.register``.

    key = api_key("partner", account_id=account_id, end_date="2027-01-31")
    id_, outputs = key.register(engine)
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from firmtrace_pulumi.providers import AccountProvider, ApiKeyProvider
from firmtrace_pulumi.providers.api_key import NAME_PREFIX
from firmtrace_pulumi.providers.schema import ACCOUNT, API_KEY, Property, secret_names

from .engine import PROVIDER_KEY, Engine

API_KEY_TYPE = "pulumi-python:dynamic/firmtrace:ApiKey"
ACCOUNT_TYPE = "pulumi-python:dynamic/firmtrace:Account"
STACK_TYPE = "pulumi:pulumi:Stack"


@functools.cache
def pickled(provider_class: type) -> str:
    """``__provider`` as the SDK sends it (computed once: the SDK's pickler patches ``pickle``
    while it runs, so it must not run on several threads at once)."""
    return str(serialize_provider(provider_class()))


def urn(type_: str, name: str, *, project: str = "firmtrace-test", stack: str = "test") -> str:
    """The URN the mock monitor gives a resource whose parent is the stack."""
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}${type_}::{name}"


@dataclass
class DeclaredResource:
    """One resource as a program declares it (what `register` sends the engine)."""

    urn: str
    type: str
    inputs: dict[str, Any]
    additional_secret_outputs: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    def register(self, engine: Engine, *, preview: bool = False) -> tuple[str, dict[str, Any]]:
        return engine.register(
            self.urn, self.type, dict(self.inputs), self.additional_secret_outputs, preview=preview
        )


def _wire(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _declare(
    type_: str,
    declaration: tuple[Property, ...],
    provider_class: type,
    resource_name: str,
    inputs: dict[str, Any],
) -> DeclaredResource:
    """As the SDK registers a resource: ``None`` inputs left out (outputs-only ones too), the
    pickled provider added, the declared secret outputs marked. Other names are sent as given
    (a test of unknown properties sends them)."""
    props = {k: _wire(v) for k, v in inputs.items() if v is not None}
    props[PROVIDER_KEY] = pickled(provider_class)
    return DeclaredResource(urn(type_, resource_name), type_, props, secret_names(declaration))


def api_key(resource_name: str, /, **inputs: Any) -> DeclaredResource:
    """``ApiKey(resource_name, **inputs)``: ``None`` inputs are left out, dates become text."""
    inputs = {**inputs, NAME_PREFIX: resource_name}
    return _declare(API_KEY_TYPE, API_KEY, ApiKeyProvider, resource_name, inputs)


def account(resource_name: str, /, **inputs: Any) -> DeclaredResource:
    """``Account(resource_name, **inputs)``; ``None`` inputs are left out."""
    return _declare(ACCOUNT_TYPE, ACCOUNT, AccountProvider, resource_name, inputs)
