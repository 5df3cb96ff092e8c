"""Signing in with email + password, as the providers' Connection does it, against the emulator:
a refused sign-in names the setting that fixes it, never the password."""

from __future__ import annotations

import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.config import AuthMethod, ProviderSettings
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.errors import ConfigurationError, CredentialsError
from firmtrace_pulumi.providers.connection import Connection
from firmtrace_pulumi.redact import Secret


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


def test_the_settings_secret_is_a_credential_the_client_takes_as_it_is(
    emulator: EmulatorAdmin,
) -> None:
    """The settings hand the client their ``Secret`` (a token, or a password to sign in with):
    it works, is refused when blank, and the client never shows it."""
    user = emulator.register()
    with FirmtraceClient(emulator.url, Secret(user.token)) as client:
        assert [a.account_id for a in client.list_accounts()] == [user.account_id]
        assert user.token not in repr(client.credential)
    with FirmtraceClient(emulator.url) as client:
        session = client.login(user.email, Secret(user.password))
        assert session.default_account_id == user.account_id
    with pytest.raises(ConfigurationError, match="credential is empty"):
        FirmtraceClient(emulator.url, Secret("  "))
