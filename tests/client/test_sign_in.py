"""Signing in with email + password, as the providers' Connection does it, against the emulator:
a refused sign-in names the setting that fixes it, never the password."""

from __future__ import annotations

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.config import AuthMethod, ProviderSettings, Secret
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.errors import CredentialsError
from firmtrace_pulumi.providers.connection import Connection


def signed_in_as(emulator: EmulatorAdmin, email: str, password: str) -> Connection:
    settings = ProviderSettings(emulator.url, AuthMethod.PASSWORD, Secret(password), email)
    return Connection(settings)


def test_a_password_changed_during_the_run_says_to_set_the_new_one(
    emulator: EmulatorAdmin,
) -> None:
    user = emulator.register()
    conn = signed_in_as(emulator, user.email, user.password)
    assert conn.api_keys(user.account_id) == []
    with FirmtraceClient(emulator.url, user.token) as other:
        other.change_password(user.password, "An0ther-passw0rd!")
    with pytest.raises(CredentialsError) as refused:
        conn.api_keys(user.account_id, fresh=True)
    text = str(refused.value)
    assert "the password was changed while the run went on" in text
    assert "`pulumi config set --secret firmtrace:password`" in text
    assert user.password not in text and "An0ther-passw0rd!" not in text


def test_a_wrong_password_at_the_first_sign_in_names_the_settings(
    emulator: EmulatorAdmin,
) -> None:
    user = emulator.register()
    conn = signed_in_as(emulator, user.email, "Not-the-passw0rd!")
    with pytest.raises(CredentialsError) as refused:
        conn.api_keys(user.account_id)
    text = str(refused.value)
    assert f"Signing in as {user.email} was refused" in text
    assert "Check firmtrace:email" in text and "firmtrace:password" in text
    assert "Not-the-passw0rd!" not in text
