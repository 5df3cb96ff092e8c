"""Stack-config mistakes under the real CLI: `pulumi preview` stops with a sentence that names
the setting and the fix, before any API call, and never repeats a credential; under both faces
of the provider (the plugin gets the stack config as its provider inputs)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import Stack, calls
from .faces import Face

pytestmark = pytest.mark.timeout(300)

BODY = """
ApiKey("partner", account_id=pulumi.Config().get("accountId"))
"""


def test_a_mistyped_setting_gets_a_did_you_mean(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    stack = new_stack(face.program(BODY), token=user.token)
    stack.config(accountId=user.account_id)
    stack.set_secret("firmtrace:apikey", "whatever-it-is")  # lower-case k
    emulator.clear_requests()
    [message] = [m for m in stack.preview(check=False).diagnostics() if "firmtrace:apikey" in m]
    assert (
        "Unknown Firmtrace setting 'firmtrace:apikey' (did you mean 'firmtrace:apiKey'?)" in message
    )
    assert calls(emulator) == {}


@pytest.mark.parametrize("where", ["firmtrace:token", "firmtrace:apiKey"])
def test_a_credential_under_the_other_kinds_key_is_refused_naming_the_right_key(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack], where: str
) -> None:
    user = emulator.register()
    with FirmtraceClient(emulator.url, user.token) as client:
        key = client.create_api_key(user.account_id).api_key.get_secret_value()
    stack = new_stack(face.program(BODY), token=user.token)
    stack.config(accountId=user.account_id)
    if where == "firmtrace:token":
        stack.set_secret("firmtrace:token", key)  # an API key stored as the token
        right = "firmtrace:apiKey"
    else:
        stack.pulumi("config", "rm", "firmtrace:token")
        stack.set_secret("firmtrace:apiKey", user.token)  # a token stored as the API key
        right = "firmtrace:token"
    emulator.clear_requests()
    [message] = [m for m in stack.preview(check=False).diagnostics() if "holds what looks" in m]
    assert f"{where} holds what looks like" in message and f"store it as {right}" in message
    assert calls(emulator) == {}
    assert key not in stack.all_printed and user.token not in stack.all_printed


def test_a_credential_stored_in_plain_text_gets_a_warning_with_the_fix(
    face: Face, emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    user = emulator.register()
    stack = new_stack(face.program(BODY), token=user.token)
    stack.config(accountId=user.account_id)
    assert not [w for w in stack.preview().diagnostics("warning") if "plain text" in w]
    # The CLI asks for --secret or --plaintext (a hand-edited stack file asks for nothing).
    stack.pulumi("config", "set", "--plaintext", "firmtrace:token", input=user.token)
    # Not --json: that prints the stack's plain-text config back, the token included.
    printed = " ".join(stack.pulumi("preview").split())
    assert "firmtrace:token is stored in the stack config in plain text" in printed
    assert "`pulumi config set --secret firmtrace:token`" in printed
    assert "+ 2 to create" in printed, "a warning, not a refusal"
