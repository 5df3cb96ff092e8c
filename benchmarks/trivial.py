"""A do-nothing dynamic provider: the baseline for cold start and per-call overhead.

Pickled by reference like ours (dill stores ``benchmarks.trivial.NoopProvider``), so the
provider process pays the same unpickling path but imports only this module, which needs
nothing the process has not already loaded.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, ResourceProvider, UpdateResult


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("noop", {})

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None
