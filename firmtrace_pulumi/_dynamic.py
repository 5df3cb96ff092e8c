"""What ``ApiKey`` and ``Account`` share as dynamic resources: how one is handed to the engine."""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource, ResourceProvider

__all__ = ["DynamicResource"]


class DynamicResource(Resource):
    _provider_class: ClassVar[type[ResourceProvider]]
    """The provider that serves the resource in the engine's dynamic provider process."""

    def _register(
        self, resource_name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        """Hand the resource to the engine: as a dynamic resource here (``native`` hands the
        same one to the ``firmtrace`` plugin)."""
        Resource.__init__(self, self._provider_class(), resource_name, props, opts)
