"""The orphan finder's rules, against the emulator: which keys it takes for a stack's lost ones,
and which it never touches. (Under the real CLI: tests/e2e/test_interrupted_cli.py.)"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.key_names import auto_name, stack_tag
from firmtrace_pulumi.orphans import API_KEY_TYPE, PLUGIN_TYPES, StackView, find_orphans
from firmtrace_pulumi.plugin.package import wire_name

STACK = "urn:pulumi:dev::partners::pulumi:pulumi:Stack::partners-dev"


def export(*parts: str, pending: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    keys = [
        {"urn": f"urn:pulumi:dev::partners::{API_KEY_TYPE}::k{i}", "type": API_KEY_TYPE,
         "id": f"x/{p}", "outputs": {"api_key_part": p}}
        for i, p in enumerate(parts)
    ]  # fmt: skip
    resources = [{"urn": STACK, "type": "pulumi:pulumi:Stack"}, *keys]
    return {"deployment": {"resources": resources, "pending_operations": pending or []}}


def as_plugin(state: dict[str, Any]) -> dict[str, Any]:
    """The same state as the plugin face writes it: its types and property names."""
    text = json.dumps(state)
    for dynamic, token in PLUGIN_TYPES.items():
        text = text.replace(dynamic, token)
    for name in ("api_key_part", "account_id"):
        text = text.replace(f'"{name}"', f'"{wire_name(name)}"')
    return dict(json.loads(text))


def failed(start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    iso = "%Y-%m-%dT%H:%M:%S.000Z"
    return {"result": "failed", "startTime": start.strftime(iso), "endTime": end.strftime(iso)}


@pytest.mark.parametrize("face", ["dynamic", "plugin"])
def test_only_this_stacks_lost_keys_are_taken(emulator: EmulatorAdmin, face: str) -> None:
    """The same rules for a stack of either face of the provider."""
    state = as_plugin if face == "plugin" else dict
    user = emulator.register()
    ours, theirs = stack_tag("partners", "dev"), stack_tag("partners", "prod")
    now = dt.datetime.now(dt.timezone.utc)
    with FirmtraceClient(emulator.url, user.token) as client:
        lost = client.create_api_key(user.account_id, name=auto_name("partner", ours))
        kept = client.create_api_key(user.account_id, name=auto_name("partner", ours))
        other_stack = client.create_api_key(user.account_id, name=auto_name("partner", theirs))
        by_hand = client.create_api_key(user.account_id, name="partner-manual")
        pending = client.create_api_key(user.account_id, name="named-in-program")
        pending_op = {
            "type": "creating",
            "resource": {
                "urn": f"urn:pulumi:dev::partners::{API_KEY_TYPE}::p",
                "type": API_KEY_TYPE,
                "inputs": {"account_id": user.account_id, "name": "named-in-program"},
            },
        }
        view = StackView.read(
            state(export(kept.api_key_part, pending=[pending_op])),
            [failed(now - dt.timedelta(seconds=30), now + dt.timedelta(seconds=5))],
        )
        found = find_orphans(view, client, own_account=False)
        assert {f.api_key_part for f in found.keys} == {lost.api_key_part, pending.api_key_part}
        untouched = {other_stack.api_key_part, by_hand.api_key_part, kept.api_key_part}
        assert not untouched & {f.api_key_part for f in found.keys}

        # The same stack, with no failed update around the time the key was minted: not lost.
        quiet = StackView.read(
            state(export(kept.api_key_part)),
            [failed(now - dt.timedelta(hours=2), now - dt.timedelta(hours=1))],
        )
        assert find_orphans(quiet, client, own_account=False).keys == []
