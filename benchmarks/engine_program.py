"""The Pulumi program of section 7's stacks (copied into the project as ``__main__.py``).

``bench:keys`` keys, spread round-robin over the Accounts in ``bench:accounts``: each an
``ApiKey`` when ``bench:kind`` is ``ours``, the plugin's (``firmtrace_pulumi.native``) when it is
``plugin``, else the do-nothing ``NoopKey``. Only the class in
use is imported, so the do-nothing program loads nothing of ``firmtrace_pulumi``.
"""

from __future__ import annotations

import sys
from typing import Any

import pulumi


def key_class(kind: str) -> Any:
    if kind == "ours":
        from firmtrace_pulumi import ApiKey

        return ApiKey
    if kind == "plugin":
        from firmtrace_pulumi.native import ApiKey as PluginApiKey

        return PluginApiKey
    from benchmarks.trivial import NoopKey

    return NoopKey


config = pulumi.Config("bench")
accounts = config.require("accounts").split(",")
keys = config.require_int("keys")
# Every resource declared nests pickle's dict writer one level deeper (pulumi.dynamic's
# serialize_provider). Ours once walked all the levels (RecursionError near 970 ApiKeys, section
# 7's first row); the runs in BENCHMARKS.md were made with the depth allowed, kept for the same
# conditions.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * keys + 1000))
Key = key_class(config.require("kind"))
for i in range(keys):
    Key(f"key-{i}", account_id=accounts[i % len(accounts)])
