"""Ordinary mistakes under the real CLI, and the advice `pulumi up` or `pulumi preview` gives:
which Account, what is wrong, what to do; nothing retried, nothing created."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import Stack, calls

pytestmark = pytest.mark.timeout(300)

KEY = """
import pulumi
from firmtrace_pulumi import ApiKey

ApiKey("partner", account_id=pulumi.Config().require("accountId"))
"""

ACCOUNT = """
from firmtrace_pulumi import Account

Account("site", name="Second Site", url="https://second-site.example", deletion_protection=False)
"""


def error_of(run_output: list[str], needle: str) -> str:
    [message] = [m for m in run_output if needle in m]
    return message


def test_a_key_in_an_account_the_credential_cannot_reach(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    mine, theirs = emulator.register(), emulator.register()
    stack = new_stack(KEY, token=mine.token)
    stack.config(accountId=theirs.account_id)
    emulator.clear_requests()
    failed = stack.up(check=False)
    message = error_of(failed.diagnostics(), "no access to Account")
    assert f"the credential has no access to Account '{theirs.account_id}'" in message
    assert "Check account_id" in message and "Administrator" not in message
    assert calls(emulator) == {"POST /api_key": 1}, "refused once, not retried"


def test_a_mistyped_account_id_is_named(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    stack = new_stack(KEY)
    stack.config(accountId="acc_d0esn0tex1st")
    failed = stack.up(check=False)
    message = error_of(failed.diagnostics(), "acc_d0esn0tex1st")
    assert "There is no Account 'acc_d0esn0tex1st' that this credential can see" in message
    assert "check account_id" in message and "re-create" not in message


def test_an_account_cannot_be_created_with_an_api_key(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    with FirmtraceClient(emulator.url, user.token) as client:
        key = client.create_api_key(user.account_id).api_key.get_secret_value()
    stack = new_stack(ACCOUNT, token=user.token)
    stack.pulumi("config", "rm", "firmtrace:token")
    stack.set_secret("firmtrace:apiKey", key)
    emulator.clear_requests()
    message = error_of(stack.preview(check=False).diagnostics(), "An Account can only be")
    assert "sign in with a token (firmtrace:token)" in message
    assert "not with an Account's API key (firmtrace:apiKey)" in message
    assert calls(emulator) == {}
    assert key not in stack.all_printed
