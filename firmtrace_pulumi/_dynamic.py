"""What ``ApiKey`` and ``Account`` share as dynamic resources: how one is handed to the engine."""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource, ResourceProvider
from pulumi.dynamic.dynamic import PROVIDER_KEY, serialize_provider

__all__ = ["DynamicResource"]


class DynamicResource(Resource):
    _provider_class: ClassVar[type[ResourceProvider]]
    """The provider that serves the resource in the engine's dynamic provider process."""

    def _register(
        self, resource_name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        """Hand the resource to the engine: as a dynamic resource here (``native`` hands the
        same one to the ``firmtrace`` plugin).

        This is what ``pulumi.dynamic.Resource.__init__`` does for a provider that captures
        nothing (ours hold no attributes until the engine's Configure, so their pickle is a
        class reference and never a secret), without that constructor's frame on the stack.
        The SDK records a resource's source position, and its stack trace in state, from the
        first frame outside the resource's own constructors; through the dynamic constructor
        that frame would be this file, for every key. Called this way it is the line of the
        user's program that declared the resource, as for any resource of a generated SDK.
        """
        props = {**props, PROVIDER_KEY: serialize_provider(self._provider_class())}
        pulumi.CustomResource.__init__(
            self, f"pulumi-python:{self._resource_type_name}", resource_name, props, opts
        )
