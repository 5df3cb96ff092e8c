"""``ApiKey`` and ``Account`` for Python programs, served by the ``firmtrace`` provider plugin.

    from firmtrace_pulumi.native import Account, ApiKey

The same classes as ``firmtrace_pulumi.ApiKey`` and ``Account`` (arguments, ``*Args``, typed
outputs, ``deletion_protection`` setting Pulumi's ``protect``), registered as the plugin's
``firmtrace:index:ApiKey`` and ``firmtrace:index:Account`` instead of as dynamic resources: so a
Python program gets what only the plugin gives (``pulumi import``, detailed diffs,
``replace_on_changes``, secrets the engine keeps as secrets, no four-call ceiling). Property
names are translated to the schema's (``account_id`` ↔ ``accountId``) as a generated SDK does.
The plugin, ``pulumi-resource-firmtrace``, must be on ``PATH`` (README, "Two faces").
"""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi

from . import account, api_key
from .plugin.package import PACKAGE, RESOURCES, wire_name

__all__ = ["Account", "ApiKey"]


class _OnThePlugin(pulumi.CustomResource):
    _token: ClassVar[str]

    def _register(
        self, resource_name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None
    ) -> None:
        # The engine's own names (the auto-name's stem, the stack's tag) the plugin reads from
        # the resource's URN.
        inputs = {k: v for k, v in props.items() if not k.startswith("__")}
        pulumi.CustomResource.__init__(self, self._token, resource_name, inputs, opts)

    def translate_input_property(self, prop: str) -> str:
        return wire_name(prop)

    def translate_output_property(self, prop: str) -> str:
        return RESOURCES[self._token].python_name(prop)


class ApiKey(_OnThePlugin, api_key.ApiKey):
    """A Firmtrace API key, scoped to one Account: ``firmtrace_pulumi.ApiKey`` served by the
    plugin. Type token ``firmtrace:index:ApiKey``; id ``<account_id>/<api_key_part>``."""

    _token = f"{PACKAGE}:index:ApiKey"


class Account(_OnThePlugin, account.Account):
    """A Firmtrace Account: ``firmtrace_pulumi.Account`` served by the plugin. Type token
    ``firmtrace:index:Account``; id the Account's id."""

    _token = f"{PACKAGE}:index:Account"
