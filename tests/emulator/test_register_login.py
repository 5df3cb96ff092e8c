"""POST /register and POST /login."""

from __future__ import annotations

import uuid

import pytest

from firmtrace_pulumi.contract import Session
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import Connect
from .helpers import expect_error, expect_ok, fits


def _registration(domain: str, **overrides: str) -> dict[str, str]:
    return {
        "email": f"jane@{domain}",
        "password": "correct horse battery",
        "name": "Acme",
        "url": f"https://{domain}",
        **overrides,
    }


def _domain() -> str:
    return f"acme-{uuid.uuid4().hex[:10]}.example"


def test_register_returns_token_and_default_account(emulator: EmulatorAdmin, connect: Connect):
    domain = _domain()
    body = expect_ok(connect().post("/register", json=_registration(domain)))
    assert set(body) == {"token", "default_account_id"}
    session = fits(Session, body)
    accounts = expect_ok(connect(body["token"]).get("/accounts"))["accounts"]
    assert accounts == [
        {
            "account_id": session.default_account_id,
            "name": "Acme",
            "url": f"https://{domain}",
            "role": 10,
        }
    ]
    state = emulator.state()
    [account] = [a for a in state["accounts"] if a["account_id"] == session.default_account_id]
    assert account["default_of"] == f"jane@{domain}"


@pytest.mark.parametrize(
    "domain",
    ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "mailinator.com", "eu.mailinator.com"],
)
def test_free_webmail_and_disposable_domains_are_rejected(connect: Connect, domain: str):
    response = connect().post("/register", json=_registration(domain))
    expect_error(response, 403, "email_format_register")


def test_second_registration_of_a_domain_is_409(connect: Connect):
    domain = _domain()
    expect_ok(connect().post("/register", json=_registration(domain)))
    again = connect().post("/register", json=_registration(domain, email=f"bob@{domain}"))
    expect_error(again, 409, "domain_registered")
    same_email = connect().post("/register", json=_registration(domain))
    expect_error(same_email, 409, "domain_registered")


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-address"), ("url", "ftp://x.example"), ("name", "  "), ("password", "")],
)
def test_register_rejects_bad_values_naming_the_field(connect: Connect, field: str, value: str):
    response = connect().post("/register", json=_registration(_domain(), **{field: value}))
    expect_error(response, 400, "validation_error", field=field)


def test_login_gives_a_fresh_token_and_earlier_tokens_keep_working(
    emulator: EmulatorAdmin, connect: Connect
):
    token, account_id, email, password = emulator.register()
    body = expect_ok(connect().post("/login", json={"email": email, "password": password}))
    assert body["default_account_id"] == account_id
    assert body["token"] != token
    for credential in (token, body["token"]):
        expect_ok(connect(credential).get("/accounts"))


def test_login_with_wrong_password_or_unknown_email_is_401(
    emulator: EmulatorAdmin, connect: Connect
):
    _, _, email, _ = emulator.register()
    wrong = connect().post("/login", json={"email": email, "password": "nope"})
    expect_error(wrong, 401, "login_error")
    unknown = connect().post("/login", json={"email": f"x@{_domain()}", "password": "nope"})
    expect_error(unknown, 401, "login_error")
