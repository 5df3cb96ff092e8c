"""FirmtraceClient against the emulator over real loopback HTTP: every endpoint, every error
bucket, retries and uncertain writes (faults injected by the emulator)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import SecretStr

from firmtrace_pulumi import contract
from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.contract import Endpoints
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.faults import FaultConfig, FaultStep
from firmtrace_pulumi.errors import (
    ConflictError,
    CredentialsError,
    FirmtraceError,
    NotFoundError,
    RejectedError,
    TransientError,
    UncertainWriteError,
    ValidationError,
)
from firmtrace_pulumi.redact import Secret

from .conftest import FakeTime

MakeClient = Callable[..., FirmtraceClient]


@pytest.fixture
def emu(clean_faults: EmulatorAdmin) -> EmulatorAdmin:
    """The shared emulator (tests/conftest.py); faults are cleared after the test."""
    return clean_faults


@pytest.fixture
def make_client(emu: EmulatorAdmin, fake_time: FakeTime) -> Iterator[MakeClient]:
    """Clients on the emulator; retries wait on the fake clock (``fake_time.slept``)."""
    clients: list[FirmtraceClient] = []

    def make(credential: str | SecretStr | None = None, **kwargs: Any) -> FirmtraceClient:
        kwargs.setdefault("retry", fake_time.policy())
        client = FirmtraceClient(emu.url, credential, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def user(emu: EmulatorAdmin) -> Any:
    """A fresh registered User: ``token, account_id, email, password``."""
    return emu.register()


def unique_company() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:10]
    return f"owner@co-{tag}.example", f"https://co-{tag}.example"


def sent(emu: EmulatorAdmin, method: str, path: str) -> Callable[[], int]:
    """A counter of requests the emulator received for one endpoint from now on."""
    before = len(emu.requests(method=method, path=path))
    return lambda: len(emu.requests(method=method, path=path)) - before


# --- happy paths: users -----------------------------------------------------------------------


def test_register_then_use_the_token(make_client: MakeClient) -> None:
    email, url = unique_company()
    client = make_client()
    session = client.register(email, SecretStr("pw-correct-horse"), "Acme", url)
    assert isinstance(session.token, Secret)
    assert session.token.get_secret_value().startswith("ftt_")
    client.credential = session.token
    accounts = client.list_accounts()
    assert [(a.account_id, a.name, a.url, a.role) for a in accounts] == [
        (session.default_account_id, "Acme", url, contract.Role.ADMINISTRATOR)
    ]


def test_login_returns_a_fresh_token_and_the_default_account(
    make_client: MakeClient, user: Any
) -> None:
    client = make_client()
    session = client.login(user.email, user.password)
    assert session.default_account_id == user.account_id
    assert session.token.get_secret_value() != user.token
    client.credential = session.token
    assert [a.account_id for a in client.list_accounts()] == [user.account_id]


def test_change_password_rotates_the_token(make_client: MakeClient, user: Any) -> None:
    client = make_client(user.token)
    new_token = client.change_password(user.password, "pw-new-and-better")
    assert client.credential == new_token
    assert client.list_accounts()  # the client switched to the new token

    with pytest.raises(CredentialsError) as dead:
        make_client(user.token).list_accounts()
    assert dead.value.code == "invalid_credential"
    with pytest.raises(CredentialsError) as old:
        make_client().login(user.email, user.password)
    assert old.value.code == "login_error"
    assert make_client().login(user.email, "pw-new-and-better").default_account_id


# --- happy paths: accounts --------------------------------------------------------------------


def test_account_lifecycle(make_client: MakeClient, user: Any) -> None:
    client = make_client(user.token)
    _, url = unique_company()
    created = client.create_account("Extra", url)
    assert (created.name, created.url, created.role) == ("Extra", url, 10)
    assert created.account_id in {a.account_id for a in client.list_accounts()}

    renamed = client.update_account(created.account_id, name="Renamed")
    assert (renamed.name, renamed.url) == ("Renamed", url)
    moved = client.update_account(created.account_id, url=url + "/new")
    assert (moved.name, moved.url) == ("Renamed", url + "/new")

    client.delete_account(created.account_id)
    assert created.account_id not in {a.account_id for a in client.list_accounts()}
    with pytest.raises(NotFoundError):
        client.delete_account(created.account_id)


# --- happy paths: API keys --------------------------------------------------------------------


def test_api_key_lifecycle_with_a_token(make_client: MakeClient, user: Any) -> None:
    client = make_client(user.token)
    key = client.create_api_key(user.account_id, name="ci", end_date=dt.date(2999, 1, 1))
    full = key.api_key.get_secret_value()
    assert full.startswith(key.api_key_part)
    assert (key.account_id, key.name, key.end_date, key.active) == (
        user.account_id,
        "ci",
        dt.date(2999, 1, 1),
        True,
    )

    listed = client.list_api_keys(user.account_id)
    assert [k.api_key_part for k in listed] == [key.api_key_part]
    assert not hasattr(listed[0], "api_key")

    renamed = client.update_api_key(user.account_id, key.api_key_part, name="ci-2")
    assert (renamed.name, renamed.end_date) == ("ci-2", dt.date(2999, 1, 1))
    cleared = client.update_api_key(user.account_id, key.api_key_part, end_date=None)
    assert (cleared.name, cleared.end_date, cleared.active) == ("ci-2", None, True)

    client.delete_api_key(user.account_id, key.api_key_part)
    assert client.list_api_keys(user.account_id) == []
    with pytest.raises(NotFoundError):
        client.delete_api_key(user.account_id, key.api_key_part)
    with pytest.raises(CredentialsError):
        make_client(key.api_key).list_accounts()  # a deleted key stops working at once


def test_an_api_key_carries_its_account(make_client: MakeClient, user: Any) -> None:
    minted = make_client(user.token).create_api_key(user.account_id, name="worker")
    client = make_client(minted.api_key)
    assert [a.account_id for a in client.list_accounts()] == [user.account_id]
    second = client.create_api_key(name="made-by-key")  # account_id implicit
    assert second.account_id == user.account_id
    parts = {k.api_key_part for k in client.list_api_keys()}
    assert parts == {minted.api_key_part, second.api_key_part}
    client.update_api_key(None, second.api_key_part, name="renamed")
    client.delete_api_key(None, second.api_key_part)
    assert {k.api_key_part for k in client.list_api_keys()} == {minted.api_key_part}


def test_past_end_date_mints_an_inactive_key_and_patching_it_forward_activates_it(
    make_client: MakeClient, user: Any
) -> None:
    client = make_client(user.token)
    key = client.create_api_key(user.account_id, name="staged", end_date=dt.date(2000, 1, 1))
    assert key.active is False
    with pytest.raises(CredentialsError):
        make_client(key.api_key).list_accounts()
    client.update_api_key(user.account_id, key.api_key_part, end_date=None)
    assert make_client(key.api_key).list_accounts()


# --- error buckets ----------------------------------------------------------------------------


def test_401_login_error_stops_at_once(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    count = sent(emu, "POST", "/login")
    client = make_client()
    with pytest.raises(CredentialsError) as info:
        client.login(user.email, "pw-wrong-guess")
    error = info.value
    assert (error.status, error.code) == (401, "login_error")
    assert error.user_message == "Wrong email or password."
    assert "POST /v1.3/login failed (401 login_error)" in str(error)
    assert "pw-wrong-guess" not in str(error)
    assert (client.request_count, count(), fake_time.slept) == (1, 1, [])


def test_401_invalid_credential_stops_at_once(
    emu: EmulatorAdmin, make_client: MakeClient, fake_time: FakeTime
) -> None:
    dead = "ftt_" + "d" * 43
    client = make_client(dead)
    with pytest.raises(CredentialsError) as info:
        client.list_accounts()
    error = info.value
    assert (error.status, error.code, client.request_count, fake_time.slept) == (
        401,
        "invalid_credential",
        1,
        [],
    )
    assert dead not in str(error)
    assert "firmtrace:token" in str(error)  # what to do next


def test_403_email_format_register_surfaces_the_user_message(make_client: MakeClient) -> None:
    client = make_client()
    with pytest.raises(RejectedError) as info:
        client.register("someone@gmail.com", "pw-123456", "Acme", "https://acme.example")
    error = info.value
    assert (error.status, error.code) == (403, "email_format_register")
    assert error.user_message and "webmail" in error.user_message
    assert error.user_message in str(error)
    assert "trial was rejected" in str(error)
    assert client.request_count == 1


def test_403_forbidden_for_a_role_too_low(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any
) -> None:
    member = emu.seed_user(user.account_id, 20)
    client = make_client(member.token)
    with pytest.raises(RejectedError) as info:
        client.update_account(user.account_id, name="Not mine")
    assert (info.value.status, info.value.code) == (403, "forbidden")
    assert "role in this Account is too low" in str(info.value)
    assert "Administrator" in str(info.value)
    assert client.request_count == 1


def test_403_account_scope_for_a_key_used_elsewhere(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any
) -> None:
    other = emu.register()
    key = make_client(user.token).create_api_key(user.account_id, name="scoped")
    client = make_client(key.api_key)
    with pytest.raises(RejectedError) as info:
        client.create_api_key(other.account_id, name="sneaky")
    error = info.value
    assert (error.status, error.code) == (403, "account_scope")
    assert str(error).startswith("POST /v1.3/api_key failed (403 account_scope): ")
    assert "another Account" in str(error)
    assert key.api_key.get_secret_value() not in str(error)


def test_404_not_found(make_client: MakeClient, user: Any) -> None:
    client = make_client(user.token)
    with pytest.raises(NotFoundError) as info:
        client.delete_api_key(user.account_id, "ftk_00000000")
    assert (info.value.status, info.value.code) == (404, "not_found")
    assert "DELETE /v1.3/api_key failed (404 not_found)" in str(info.value)


def test_409_default_account(make_client: MakeClient, user: Any) -> None:
    with pytest.raises(ConflictError) as info:
        make_client(user.token).delete_account(user.account_id)
    assert (info.value.status, info.value.code) == (409, "default_account")
    assert "default Account" in str(info.value)


def test_409_domain_registered(make_client: MakeClient) -> None:
    email, url = unique_company()
    client = make_client()
    client.register(email, "pw-123456", "Acme", url)
    with pytest.raises(ConflictError) as info:
        client.register("second." + email, "pw-123456", "Acme again", url)
    assert (info.value.status, info.value.code) == (409, "domain_registered")
    assert "/login" in str(info.value)
    assert client.request_count == 2


def test_400_names_the_field(make_client: MakeClient, user: Any) -> None:
    client = make_client(user.token)
    with pytest.raises(ValidationError) as info:
        client.create_account("Acme", "not a url")
    error = info.value
    assert (error.status, error.code, error.field) == (400, "validation_error", "url")
    assert "'url'" in str(error)
    assert client.request_count == 1


# --- transient failures and retries -----------------------------------------------------------


def test_429_retry_after_is_waited_out(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.CREATE_API_KEY, FaultStep.status(429))
    count = sent(emu, "POST", "/api_key")
    client = make_client(user.token)
    key = client.create_api_key(user.account_id, name="after-429")
    assert fake_time.slept == [1.0]  # the emulator's Retry-After: 1
    assert (client.request_count, count()) == (2, 2)
    assert [k.name for k in client.list_api_keys(user.account_id)] == [key.name]


def test_a_create_refused_by_the_rate_limit_many_times_in_a_row_still_creates_once(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.CREATE_API_KEY, FaultStep.status(429, times=8))
    count = sent(emu, "POST", "/api_key")
    client = make_client(user.token)  # the default policy: 5 attempts for failures that count
    key = client.create_api_key(user.account_id, name="after-8-429s")
    assert fake_time.slept == [1.0] * 8
    assert count() == 9
    assert [k.name for k in client.list_api_keys(user.account_id)] == [key.name]


def test_503_burst_is_retried_with_growing_delays(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.LIST_ACCOUNTS, FaultStep.status(503, times=3))
    client = make_client(user.token)
    assert client.list_accounts()
    assert fake_time.slept == [0.2, 0.4, 0.8]
    assert client.request_count == 4


def test_503_on_a_create_is_retried_and_creates_once(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.CREATE_API_KEY, FaultStep.status(503, times=2))
    client = make_client(user.token)
    client.create_api_key(user.account_id, name="after-503")
    assert len(client.list_api_keys(user.account_id)) == 1
    assert client.request_count == 4  # 3 POSTs + 1 GET


def test_retries_exhausted_is_transient(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.LIST_API_KEYS, FaultStep.status(503, times=9))
    client = make_client(user.token, retry=fake_time.policy(max_attempts=3))
    with pytest.raises(TransientError) as info:
        client.list_api_keys(user.account_id)
    error = info.value
    assert type(error) is TransientError
    assert (error.status, error.code, client.request_count) == (503, "unavailable", 3)
    assert "gave up after 3 attempts" in str(error)
    assert "again later" in str(error)


def test_429_asking_for_too_long_gives_up_saying_how_long(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.LIST_ACCOUNTS, FaultStep.status(429, retry_after=45))
    client = make_client(user.token)
    with pytest.raises(TransientError, match="asked to wait 45 s") as info:
        client.list_accounts()
    assert (info.value.status, info.value.code) == (429, "rate_limited")
    assert (client.request_count, fake_time.slept) == (1, [])


def test_connection_reset_on_a_read_is_retried(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.LIST_ACCOUNTS, FaultStep.reset_before_read())
    client = make_client(user.token)
    assert client.list_accounts()
    assert client.request_count == 2
    assert len(fake_time.slept) == 1


# --- uncertain writes -------------------------------------------------------------------------


def test_create_with_dropped_answer_is_uncertain_and_sent_exactly_once(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.set_faults(
        FaultConfig(
            drop_hang_s=2.0, scripts={Endpoints.CREATE_API_KEY: [FaultStep.drop_after_commit()]}
        )
    )
    count = sent(emu, "POST", "/api_key")
    client = make_client(user.token, timeout=1.0)
    with pytest.raises(UncertainWriteError) as info:
        client.create_api_key(user.account_id, name="orphan")
    assert (client.request_count, count(), fake_time.slept) == (1, 1, [])
    text = str(info.value)
    assert "POST /v1.3/api_key failed" in text
    assert "may have been carried out" in text
    assert "look for one with this name" in text
    # It did happen: the caller finds it by its unique name, as the message says.
    assert [k.name for k in client.list_api_keys(user.account_id)] == ["orphan"]


def test_500_on_a_create_is_uncertain_and_not_resent(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.CREATE_ACCOUNT, FaultStep.status(500))
    count = sent(emu, "POST", "/accounts")
    client = make_client(user.token)
    with pytest.raises(UncertainWriteError) as info:
        client.create_account("Maybe", "https://maybe.example")
    assert (info.value.status, client.request_count, count()) == (500, 1, 1)
    assert "look for one with this name and url" in str(info.value)


def test_500_on_an_idempotent_update_is_retried(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any, fake_time: FakeTime
) -> None:
    emu.script(Endpoints.UPDATE_ACCOUNT, FaultStep.status(500))
    client = make_client(user.token)
    assert client.update_account(user.account_id, name="Patched").name == "Patched"
    assert client.request_count == 2


# --- secrets ----------------------------------------------------------------------------------


def test_no_secret_in_repr_or_errors(
    emu: EmulatorAdmin, make_client: MakeClient, user: Any
) -> None:
    client = make_client(user.token)
    key = client.create_api_key(user.account_id, name="secret-check")
    full = key.api_key.get_secret_value()
    keyed = make_client(key.api_key)
    errors: list[FirmtraceError] = []
    for call in (
        lambda: keyed.create_account("Nope", "https://nope.example"),  # 403: keys cannot
        lambda: keyed.list_api_keys(emu.register().account_id),  # 403 account_scope
        lambda: make_client().login(user.email, user.password + "-wrong"),  # 401
    ):
        with pytest.raises(FirmtraceError) as info:
            call()
        errors.append(info.value)
    texts = [repr(client), str(client), repr(keyed), repr(key)]
    texts += [t for e in errors for t in (str(e), repr(e), *map(str, e.args))]
    for text in texts:
        assert user.token not in text
        assert full not in text
        assert user.password not in text


def test_one_client_serves_concurrent_calls(make_client: MakeClient, user: Any) -> None:
    """The provider shares one client between up to four engine calls at a time."""
    client = make_client(user.token)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: client.list_accounts(), range(16)))
    assert all(r == results[0] for r in results)
    assert client.request_count == 16
