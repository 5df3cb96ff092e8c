"""The two faces of the provider, for suites that run the same program under both.

- ``dynamic``: ``firmtrace_pulumi.ApiKey`` / ``Account``, the Python dynamic resources;
- ``plugin``: ``firmtrace:index:ApiKey`` / ``Account`` served by ``pulumi-resource-firmtrace``.

A program is written once, as a Python program (``ApiKey("k", account_id=...)``,
``key.api_key``) that imports ``ApiKey`` and ``Account`` from ``firmtrace_pulumi`` under the
dynamic face and from ``firmtrace_pulumi.native`` (the same classes, registered with the plugin)
under the plugin face. State and diffs name properties as each face does (``prop``).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from firmtrace_pulumi.plugin.package import wire_name

__all__ = ["DYNAMIC", "FACES", "PLUGIN", "Face"]


@dataclass(frozen=True)
class Face:
    name: str
    api_key_type: str
    account_type: str
    module: str
    """Where the program imports ``ApiKey`` and ``Account`` from."""

    def __str__(self) -> str:
        return self.name

    def program(self, body: str) -> str:
        """``body`` (which uses ``pulumi``, ``ApiKey`` and ``Account``) after its imports."""
        imports = f"import pulumi\nfrom {self.module} import Account, ApiKey\n"
        return imports + textwrap.dedent(body)

    def prop(self, name: str) -> str:
        """A property's name in this face's state and diffs (``end_date`` or ``endDate``)."""
        return wire_name(name) if self.name == "plugin" else name


DYNAMIC = Face(
    "dynamic",
    "pulumi-python:dynamic/firmtrace:ApiKey",
    "pulumi-python:dynamic/firmtrace:Account",
    "firmtrace_pulumi",
)
PLUGIN = Face(
    "plugin",
    "firmtrace:index:ApiKey",
    "firmtrace:index:Account",
    "firmtrace_pulumi.native",
)
FACES = (DYNAMIC, PLUGIN)
