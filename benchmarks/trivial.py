"""Do-nothing dynamic providers: the baselines for cold start, per-call overhead and the real
engine's floor.

Pickled by reference like ours (dill stores ``benchmarks.trivial.NoopProvider``), so the
provider process pays the same unpickling path but imports only this module, which needs
nothing the process has not already loaded.

``NoopKey`` is an ``ApiKey`` look-alike for section 7: the same inputs, the same outputs (the
full key a secret), but its provider answers at once, with no HTTP. The same program with it
instead of ``ApiKey`` costs what the engine and the SDK cost, and nothing of ours.
"""

from __future__ import annotations

import secrets
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, ResourceProvider, UpdateResult


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("noop", {})

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


NAME_PREFIX = "__name_prefix"  # == firmtrace_pulumi.providers.api_key.NAME_PREFIX (import-light)
INPUTS = ("account_id", "name", "end_date", "keepers", "adopt")
OUTPUTS = ("api_key", "api_key_part", "active", "created_at")


class NoopKeyProvider(ResourceProvider):
    """Create makes up a key (an id and ApiKey's outputs); read gives back what state holds."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        part = secrets.token_hex(4)
        outputs = {
            "api_key": f"noop_{part}{secrets.token_hex(16)}",
            "api_key_part": part,
            "account_id": props.get("account_id"),
            "name": props.get("name") or props.get(NAME_PREFIX),
            "end_date": props.get("end_date"),
            "active": True,
            "created_at": "2026-01-01T00:00:00Z",
            "keepers": props.get("keepers"),
            "adopt": props.get("adopt"),
        }
        return CreateResult(f"{props.get('account_id')}/{part}", outputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props, {k: props.get(k) for k in INPUTS})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class NoopKey(Resource, module="bench", name="NoopKey"):
    """``ApiKey``'s inputs and outputs, ``NoopKeyProvider`` behind them."""

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        **inputs: Any,
    ) -> None:
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["api_key"])
        )
        props: dict[str, Any] = {k: inputs.get(k) for k in INPUTS}
        props |= {NAME_PREFIX: resource_name} | dict.fromkeys(OUTPUTS)
        super().__init__(NoopKeyProvider(), resource_name, props, opts)
