"""Ordinary mistakes and faults under the real CLI, and what `pulumi up` or `pulumi preview` does:
which Account, what is wrong, what to do; nothing retried that should not be, nothing left
behind. Under both faces of the provider: the same code decides, the plugin names properties
in its schema's spelling."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.contract import Endpoints
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.faults import FaultStep

from .conftest import Stack, calls, keys_in
from .faces import Face

pytestmark = pytest.mark.timeout(300)

KEY = """
ApiKey("partner", account_id=pulumi.Config().require("accountId"))
"""

ACCOUNT = """
Account("site", name="Second Site", url="https://second-site.example", deletion_protection=False)
"""


def error_of(run_output: list[str], needle: str) -> str:
    [message] = [m for m in run_output if needle in m]
    return message


def test_a_key_in_an_account_the_credential_cannot_reach(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    mine, theirs = emulator.register(), emulator.register()
    stack = new_stack(face.program(KEY), token=mine.token)
    stack.config(accountId=theirs.account_id)
    emulator.clear_requests()
    failed = stack.up(check=False)
    message = error_of(failed.diagnostics(), "no access to Account")
    assert f"the credential has no access to Account '{theirs.account_id}'" in message
    assert f"Check {face.prop('account_id')}" in message and "Administrator" not in message
    assert calls(emulator) == {"POST /api_key": 1}, "refused once, not retried"


def test_a_mistyped_account_id_is_named(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    stack = new_stack(face.program(KEY))
    stack.config(accountId="acc_d0esn0tex1st")
    failed = stack.up(check=False)
    message = error_of(failed.diagnostics(), "acc_d0esn0tex1st")
    assert "There is no Account 'acc_d0esn0tex1st' that this credential can see" in message
    assert f"check {face.prop('account_id')}" in message and "re-create" not in message


def test_an_account_cannot_be_created_with_an_api_key(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    with FirmtraceClient(emulator.url, user.token) as client:
        key = client.create_api_key(user.account_id).api_key.get_secret_value()
    stack = new_stack(face.program(ACCOUNT), token=user.token)
    stack.pulumi("config", "rm", "firmtrace:token")
    stack.set_secret("firmtrace:apiKey", key)
    emulator.clear_requests()
    message = error_of(stack.preview(check=False).diagnostics(), "An Account can only be")
    assert "sign in with a token (firmtrace:token)" in message
    assert "not with an Account's API key (firmtrace:apiKey)" in message
    assert calls(emulator) == {}
    assert key not in stack.all_printed


def test_a_create_whose_answer_is_lost_leaves_no_orphan(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    """The API makes the key but the answer never arrives: the provider finds the key by its
    name, revokes it (its full value is lost), and mints again."""
    user = emulator.register()
    stack = new_stack(face.program(KEY), token=user.token)
    stack.config(accountId=user.account_id)
    emulator.script(Endpoints.CREATE_API_KEY, FaultStep.drop_after_commit())
    emulator.clear_requests()
    try:
        stack.up()
    finally:
        emulator.clear_faults()
    assert calls(emulator) == {"POST /api_key": 2, "GET /api_key": 1, "DELETE /api_key": 1}
    [resource] = stack.resources(face.api_key_type)
    in_state = resource["outputs"][face.prop("api_key_part")]
    assert list(keys_in(emulator, user.account_id)) == [in_state]


OWN_KEY = """
ApiKey("self", adopt=pulumi.Config().require("part"), name="signing-key")
"""


def test_the_key_the_provider_signs_in_with_is_never_deleted(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    with FirmtraceClient(emulator.url, user.token) as client:
        signing = client.create_api_key(user.account_id, name="signing-key")
    stack = new_stack(face.program(OWN_KEY), token=user.token)
    stack.pulumi("config", "rm", "firmtrace:token")
    stack.set_secret("firmtrace:apiKey", signing.api_key.get_secret_value())
    stack.config(part=signing.api_key_part)
    stack.up()
    emulator.clear_requests()
    refused = stack.destroy(check=False)
    message = " ".join(refused.output.split())
    assert f"Refusing to delete API key {signing.api_key_part}" in message
    assert "DELETE /api_key" not in calls(emulator)
    assert signing.api_key_part in keys_in(emulator, user.account_id)
    assert signing.api_key.get_secret_value() not in stack.all_printed
