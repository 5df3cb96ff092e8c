"""Secrets under the real Pulumi CLI: the full key (and every stack output built from it) stays
a secret in state, in stack outputs and in everything the CLI prints; the credentials in stack
config stay encrypted, signing in with a token or with email + password."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.contract import Endpoints
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.faults import FaultConfig, FaultStep

from .conftest import SECRET_SIG, Stack, assert_keys_encrypted, calls
from .faces import DYNAMIC, Face

pytestmark = pytest.mark.timeout(600)

BODY = """
config = pulumi.Config()
key = ApiKey(
    "partner",
    account_id=config.require("accountId"),
    keepers={"rotation": config.get("rotation") or "1"},
)
pulumi.export("api_key", key.api_key)
pulumi.export("api_key_hint", key.api_key.apply(lambda k: k[:20] + "..."))
pulumi.export("handoff", {"partner": "northwind", "key": key.api_key, "part": key.api_key_part})
"""
PROGRAM = DYNAMIC.program(BODY)


def is_ciphertext(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG[0]) == SECRET_SIG[1]


def stack_config_file(stack: Stack) -> dict[str, Any]:
    """``Pulumi.<stack>.yaml`` of the project: the stack's config as the CLI stored it."""
    return dict(yaml.safe_load((stack.project_dir / f"Pulumi.{stack.name}.yaml").read_text()))


def files_holding(roots: list[Path], secrets: set[str]) -> list[str]:
    """Files under ``roots`` (state, backups, history, logs, project) holding a secret as text.
    Names the files, never the secret."""
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_size < 50_000_000:
                text = path.read_bytes()
                if any(s.encode() in text for s in secrets):
                    found.append(str(path.relative_to(root)))
    return found


def test_the_full_key_stays_secret_through_its_lifecycle(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    stack = new_stack(PROGRAM, token=user.token)
    stack.config(accountId=user.account_id)

    # the diffs show the key unknown (preview), then masked (up)
    assert "api_key     : [unknown]" in stack.pulumi("preview", "--diff")
    shown = stack.pulumi("up", "--yes", "--diff")
    assert "api_key     : [secret]" in shown and "api_key_hint: [secret]" in shown

    # state: the full key only as ciphertext (in the ApiKey and in the stack's outputs)
    revealed = stack.outputs(secrets=True)
    part, full = revealed["handoff"]["part"], revealed["api_key"]
    assert full.startswith(part + "_")
    assert_keys_encrypted(stack, {full})
    [root] = stack.resources("pulumi:pulumi:Stack")
    outs = root["outputs"]
    assert is_ciphertext(outs["api_key"]) and is_ciphertext(outs["api_key_hint"])
    # a dict holding the key is not secret as a whole: the key in it is
    assert is_ciphertext(outs["handoff"]["key"])
    assert {k: v for k, v in outs["handoff"].items() if k != "key"} == {
        "partner": "northwind",
        "part": part,
    }

    # stack outputs: the key and the output derived from it are secret, and so is the key in
    # the dict; --show-secrets reveals them
    assert stack.outputs() == {
        "api_key": "[secret]",
        "api_key_hint": "[secret]",
        "handoff": {"partner": "northwind", "key": "[secret]", "part": part},
    }
    assert revealed == {
        "api_key": full,
        "api_key_hint": full[:20] + "...",
        "handoff": {"partner": "northwind", "key": full, "part": part},
    }

    # a rotation (mint a new key, revoke the old), a refresh and a destroy, all with --json
    stack.config(rotation="2")
    assert stack.up().ops == {"partner": "replace"}
    new_full = stack.outputs(secrets=True)["api_key"]
    assert new_full != full
    assert_keys_encrypted(stack, {full, new_full})
    assert stack.refresh().ops == {}
    assert stack.outputs(secrets=True)["api_key"] == new_full
    emulator.clear_requests()
    assert stack.destroy().changes == {"delete": 2}
    assert calls(emulator) == Counter({"DELETE /api_key": 1})

    # the token is encrypted in Pulumi.dev.yaml; no secret is in any file the CLI wrote, nor in
    # anything it printed
    assert set(stack_config_file(stack)["config"]["firmtrace:token"]) == {"secure"}
    secrets = {full, new_full, user.token}
    assert files_holding([stack.cli.root, stack.project_dir], secrets) == []
    assert not [s for s in secrets if s in stack.all_printed], "a secret was printed by the CLI"


def test_signing_in_with_email_and_password_keeps_the_password_encrypted(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    stack = new_stack(PROGRAM, token=user.token)
    stack.pulumi("config", "rm", "firmtrace:token")
    stack.pulumi("config", "set", "firmtrace:email", user.email)
    stack.set_secret("firmtrace:password", user.password)
    stack.config(accountId=user.account_id)

    # the password is stored encrypted and listed masked
    stored = stack_config_file(stack)["config"]
    assert set(stored["firmtrace:password"]) == {"secure"} and "firmtrace:token" not in stored
    listed = json.loads(stack.pulumi("config", "--json"))
    assert listed["firmtrace:password"] == {"secret": True}

    # up signs in once, mints the key
    emulator.clear_requests()
    assert stack.up().ops == {"e2e-dev": "create", "partner": "create"}
    assert calls(emulator) == Counter({"POST /login": 1, "POST /api_key": 1})
    full = stack.outputs(secrets=True)["api_key"]
    assert_keys_encrypted(stack, {full})
    assert user.password not in json.dumps(stack.export())

    # destroy signs in once more (a provider process of its own), revokes the key
    emulator.clear_requests()
    assert stack.destroy().changes == {"delete": 2}
    assert calls(emulator) == Counter({"POST /login": 1, "DELETE /api_key": 1})

    secrets = {full, user.password, user.token}
    assert files_holding([stack.cli.root, stack.project_dir], secrets) == []
    assert not [s for s in secrets if s in stack.all_printed], "a secret was printed by the CLI"


MANY_KEYS = """
import pulumi
from firmtrace_pulumi import ApiKey

config = pulumi.Config()
for n in range(config.require_int("keys")):
    ApiKey(f"key-{n}", account_id=config.require("accountId"))
"""


def test_the_signing_password_stays_redacted_after_many_keys(
    clean_faults: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    """One provider process mints 40 keys, then the API rejects its token and, on the sign-in
    that follows, echoes the request (the password in it): the password must not reach the
    terminal. (The credentials a client signs in with are kept for redaction for its whole
    life, whatever it saw since: tests/client/test_redaction.py.)"""
    emulator = clean_faults
    user = emulator.register()
    stack = new_stack(MANY_KEYS, token=user.token)
    stack.pulumi("config", "rm", "firmtrace:token")
    stack.pulumi("config", "set", "firmtrace:email", user.email)
    stack.set_secret("firmtrace:password", user.password)
    stack.config(accountId=user.account_id, keys="41")
    emulator.set_faults(
        FaultConfig(
            scripts={
                Endpoints.CREATE_API_KEY: [FaultStep.pass_(times=40), FaultStep.status(401)],
                Endpoints.LOGIN: [FaultStep.pass_(), FaultStep.echo(400)],
            }
        )
    )
    failed = stack.command("up", "--yes", "--skip-preview", check=False)
    assert sum(1 for k in emulator.state()["api_keys"] if k["account_id"] == user.account_id) == 40
    [message] = [m for m in failed.diagnostics() if "Invalid request" in m]
    assert "[REDACTED]" in message and user.email in message
    assert user.password not in stack.all_printed, "the signing password reached the terminal"


ADOPT = """
import pulumi
from firmtrace_pulumi import ApiKey

config = pulumi.Config()
ApiKey("legacy", account_id=config.require("accountId"), adopt=config.require("adopt"))
"""


def test_a_full_key_given_to_adopt_is_refused_and_never_repeated(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    with FirmtraceClient(emulator.url, user.token) as client:
        full = client.create_api_key(user.account_id, name="legacy-sync").api_key
    stack = new_stack(ADOPT, token=user.token)
    stack.config(accountId=user.account_id)
    stack.set_secret("e2e:adopt", full.get_secret_value())  # pasted by mistake
    for run in (stack.preview(check=False), stack.up(check=False)):
        [message] = [m for m in run.diagnostics() if "adopt" in m]
        assert "api_key_part" in message and "not the full key" in message
    assert stack.resources() == [] or not stack.resources("pulumi-python:dynamic/firmtrace:ApiKey")
    assert full.get_secret_value() not in stack.all_printed
    assert full.get_secret_value() not in json.dumps(stack.export())


def test_the_engines_verbose_and_debug_logs_hold_no_secret(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    """``-v=9 --logtostderr --logflow`` and ``--debug``, over a create, an update and a refresh:
    everything they print goes to the leak scanner (the engine's gRPC log does log plain values:
    README, "Secrets and the engine's logs"). Under both faces: the plugin accepts secrets, so
    the engine hands it the token and the full key as secrets."""
    user = emulator.register()
    stack = new_stack(face.program(BODY), token=user.token)
    stack.config(accountId=user.account_id)
    verbose = ("-v=9", "--logtostderr", "--logflow")
    stack.pulumi("up", "--yes", *verbose)
    stack.config(rotation="2")
    stack.pulumi("up", "--yes", "--debug")
    stack.pulumi("refresh", "--yes", *verbose)
    full = stack.outputs(secrets=True)["api_key"]
    assert "Registering resource" in stack.all_printed or "RegisterResource" in stack.all_printed
    assert full not in stack.all_printed and user.token not in stack.all_printed
