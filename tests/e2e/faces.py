"""The two faces of the provider, for suites that run the same program under both.

- ``dynamic``: ``firmtrace_pulumi.ApiKey`` / ``Account``, the Python dynamic resources;
- ``plugin``: ``firmtrace:index:ApiKey`` / ``Account`` served by ``pulumi-resource-firmtrace``.

A program is written once, as a Python program with snake_case names (``ApiKey("k",
account_id=...)``, ``key.api_key``). For the plugin face its prelude declares ``ApiKey`` and
``Account`` as plain custom resources of the plugin's types, with the names translated to the
schema's (``accountId``) the way generated Pulumi SDKs do it; both are derived from the
declarations, so nothing is listed twice.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from firmtrace_pulumi.plugin.package import wire_name

__all__ = ["DYNAMIC", "FACES", "PLUGIN", "Face"]

_PLUGIN_PRELUDE = """
import pulumi
from firmtrace_pulumi.plugin.package import RESOURCES, wire_name
from firmtrace_pulumi.providers.schema import output_names


class _PluginResource(pulumi.CustomResource):
    _token = ""

    def __init__(self, resource_name, opts=None, **inputs):
        declared = RESOURCES[self._token].props
        props = {**dict.fromkeys(output_names(declared)), **inputs}
        super().__init__(self._token, resource_name, props, opts)

    def translate_input_property(self, prop):
        return wire_name(prop)

    def translate_output_property(self, prop):
        return RESOURCES[self._token].python_name(prop)


class ApiKey(_PluginResource):
    _token = "firmtrace:index:ApiKey"


class Account(_PluginResource):
    _token = "firmtrace:index:Account"
"""


@dataclass(frozen=True)
class Face:
    name: str
    api_key_type: str
    account_type: str
    prelude: str
    engine_protects: bool
    """Whether ``deletion_protection`` also sets Pulumi's ``protect`` (the dynamic Account does:
    the engine refuses the delete; under the plugin the provider refuses it)."""

    def __str__(self) -> str:
        return self.name

    def program(self, body: str) -> str:
        """``body`` (which uses ``ApiKey`` and ``Account``) after this face's imports."""
        return self.prelude + textwrap.dedent(body)

    def prop(self, name: str) -> str:
        """A property's name in this face's state and diffs (``end_date`` or ``endDate``)."""
        return wire_name(name) if self.name == "plugin" else name


DYNAMIC = Face(
    "dynamic",
    "pulumi-python:dynamic/firmtrace:ApiKey",
    "pulumi-python:dynamic/firmtrace:Account",
    "import pulumi\nfrom firmtrace_pulumi import Account, ApiKey\n",
    engine_protects=True,
)
PLUGIN = Face(
    "plugin",
    "firmtrace:index:ApiKey",
    "firmtrace:index:Account",
    _PLUGIN_PRELUDE,
    engine_protects=False,
)
FACES = (DYNAMIC, PLUGIN)
