"""End-to-end tests under the real Pulumi CLI, through the Automation API (``pulumi.automation``).

They run only where ``pulumi`` is on PATH (skipped elsewhere, e.g. on our CI machines) and use
a local file backend and a passphrase under ``tmp_path``, never the user's Pulumi login.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

requires_cli = pytest.mark.skipif(
    shutil.which("pulumi") is None,
    reason="needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/)",
)

API_KEY_TYPE = "pulumi-python:dynamic/firmtrace:ApiKey"
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
"""How state marks a secret: {sig key: secret sig, "ciphertext": ...} (pulumi's resource/sig)."""


def backend_env(tmp_path: Path) -> dict[str, str]:
    """A file backend and passphrase of this test's own."""
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    return {
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase-not-a-secret",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }


def ops(changes: Mapping[Any, int] | None) -> dict[str, int]:
    """A change summary keyed by plain strings (``OpType`` members are str enums)."""
    return {str(getattr(k, "value", k)): v for k, v in (changes or {}).items()}


def api_keys_in_state(stack: auto.Stack) -> list[dict[str, Any]]:
    """The ApiKey resources of the stack's state (``pulumi stack export``), as stored: every
    ``api_key`` must be encrypted (a secret with ciphertext), never plain text."""
    deployment = stack.export_stack().deployment or {}
    return [r for r in deployment.get("resources", []) if r.get("type") == API_KEY_TYPE]


def assert_state_keeps_keys_encrypted(stack: auto.Stack, full_keys: set[str]) -> None:
    resources = api_keys_in_state(stack)
    assert resources, "no ApiKey in the state"
    for resource in resources:
        stored = resource["outputs"].get("api_key")
        assert isinstance(stored, dict) and stored.get(SECRET_SIG[0]) == SECRET_SIG[1], stored
        assert "ciphertext" in stored
    raw = json.dumps(stack.export_stack().deployment or {})
    for key in full_keys:
        assert key not in raw, "a full key is stored in plain text"
