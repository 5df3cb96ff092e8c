"""5. Size of the pickled ``__provider`` that every resource carries in its inputs and state.

Measured with the SDK's own ``serialize_provider`` (dill, recurse=True), as ``Resource`` calls
it. The target is on the stored value (base64 text); the raw pickle is shown beside it. A
provider that went through ``configure`` (a token in its settings) must pickle to the very
same bytes: nothing is captured.
"""

from __future__ import annotations

import base64

from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from firmtrace_pulumi.providers.account import AccountProvider
from firmtrace_pulumi.providers.api_key import ApiKeyProvider

from .report import Section

TARGET = 300
SECRET = "ftt_" + "x" * 43


def run() -> Section:
    section = Section(5, "Size of the pickled __provider")
    config = Config({"firmtrace:apiUrl": "http://127.0.0.1:1", "firmtrace:token": SECRET}, "p")
    for cls in (ApiKeyProvider, AccountProvider):
        stored = serialize_provider(cls())
        raw = base64.b64decode(stored)
        configured = cls()
        configured.configure(ConfigureRequest(config))
        same = serialize_provider(configured) == stored and SECRET.encode() not in raw
        section.add(
            f"{cls.__name__}: __provider (base64, as stored)",
            f"{len(stored)} bytes ({len(raw)} bytes of pickle)",
            f"< {TARGET} bytes",
            len(stored) < TARGET,
        )
        section.add(
            f"{cls.__name__}: configured instance pickles the same",
            "yes: class reference only" if same else "NO: state captured",
            "nothing captured",
            same,
        )
    return section
