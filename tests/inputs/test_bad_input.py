"""Bad input is refused by Check, in the provider process, before any request.

Each case is one invalid input: Check must name the property and give a reason a person can act
on (the expected fragment), and the emulator must see no request at all. The provider signs in
with a token, so ``account_id`` is required for keys.

Why the harness: 61 invalid inputs through Check in seconds; the real CLI shows the same
messages (tests/e2e).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, NamedTuple

import pulumi
import pytest

from firmtrace_pulumi import ApiKey
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from tests.harness import wire
from tests.harness.engine import CheckFailed, Engine
from tests.harness.program import run_program
from tests.harness.provider_process import ProviderProcess
from tests.harness.resources import account, api_key

ACCOUNT_ID = "acc_000000000001"  # never looked up: Check makes no request
DATE_HINT = "Use a date as YYYY-MM-DD"


class Case(NamedTuple):
    id: str
    resource: str
    inputs: dict[str, Any]
    prop: str
    fragment: str


def key(id_: str, prop: str, fragment: str, **inputs: Any) -> Case:
    return Case(id_, "ApiKey", {"account_id": ACCOUNT_ID, **inputs}, prop, fragment)


def site(id_: str, prop: str, fragment: str, **inputs: Any) -> Case:
    return Case(
        id_, "Account", {"name": "Northwind", "url": "https://nw.example", **inputs}, prop, fragment
    )


CASES = [
    # end_date: wrong format, impossible dates, datetimes, wrong types
    key("date-slashes", "end_date", DATE_HINT, end_date="2027/01/31"),
    key("date-day-first", "end_date", DATE_HINT, end_date="31-01-2027"),
    key("date-no-padding", "end_date", DATE_HINT, end_date="2027-1-31"),
    key("date-compact", "end_date", DATE_HINT, end_date="20270131"),
    key("date-word", "end_date", DATE_HINT, end_date="tomorrow"),
    key("date-empty", "end_date", DATE_HINT, end_date=""),
    key("date-leading-space", "end_date", DATE_HINT, end_date=" 2027-01-31"),
    key("date-feb-30", "end_date", "not a real date", end_date="2027-02-30"),
    key("date-month-13", "end_date", "not a real date", end_date="2027-13-01"),
    key("date-month-0", "end_date", "not a real date", end_date="2027-00-10"),
    key("date-feb-29-no-leap-year", "end_date", "not a real date", end_date="2027-02-29"),
    key("datetime-utc", "end_date", DATE_HINT, end_date="2027-01-31T00:00:00Z"),
    key("datetime-space", "end_date", DATE_HINT, end_date="2027-01-31 12:00"),
    key("date-number", "end_date", "must be a YYYY-MM-DD string, not a number", end_date=20270131),
    key("date-bool", "end_date", "not a boolean", end_date=True),
    key("date-list", "end_date", "not a list", end_date=["2027-01-31"]),
    key("date-map", "end_date", "not a map", end_date={"year": 2027}),
    # names: empty, whitespace, over-long, control and invisible characters, wrong types
    key("name-empty", "name", "must not be empty", name=""),
    key("name-whitespace", "name", "must not be empty or only whitespace", name="   "),
    key("name-padded", "name", "must not start or end with whitespace", name=" n8n "),
    key("name-too-long", "name", "is 101 characters long; keep it to 100", name="n" * 101),
    key("name-tab", "name", "(U+0009) at position 4", name="n8n\tprod"),
    key("name-newline", "name", "(U+000A) at position 4", name="n8n\nprod"),
    key("name-nul", "name", "(U+0000) at position 4", name="n8n\x00prod"),
    key("name-escape", "name", "(U+001B) at position 1", name="\x1b[31mred"),
    key("name-zero-width", "name", "(U+200B) at position 4", name="n8n\u200bprod"),
    key("name-bidi-override", "name", "(U+202E) at position 4", name="n8n\u202edorp"),
    key("name-number", "name", "must be a string, not a number", name=42),
    key("name-list", "name", "must be a string, not a list", name=["n8n"]),
    site("account-name-missing", "name", "'name' is required", name=None),
    site("account-name-blank", "name", "must not be empty or only whitespace", name="  "),
    # urls: http, no host, javascript:, spaces, ...
    site(
        "url-http",
        "url",
        "must use https:// (got http). Use 'https://nw.example'",
        url="http://nw.example",
    ),
    site("url-no-scheme", "url", "Write it as 'https://nw.example'", url="nw.example"),
    site("url-no-host", "url", "has no host name", url="https://"),
    site("url-javascript", "url", "must use https:// (got javascript)", url="javascript:alert(1)"),
    site(
        "url-space", "url", "must not be empty or contain spaces", url="https://north wind.example"
    ),
    site("url-ftp", "url", "must use https:// (got ftp)", url="ftp://nw.example"),
    site(
        "url-localhost",
        "url",
        "has host 'localhost', which is not a domain name",
        url="https://localhost",
    ),
    site(
        "url-credentials",
        "url",
        "must not contain a user name or password",
        url="https://u:pw@nw.example",
    ),
    site("url-empty", "url", "must not be empty", url=""),
    site("url-number", "url", "must be a string, not a number", url=443),
    site(
        "url-too-long",
        "url",
        "longer than 2048 characters",
        url="https://" + "a" * 2048 + ".example",
    ),
    site("url-missing", "url", "is required: the https:// address", url=None),
    site(
        "protection-string",
        "deletion_protection",
        "must be true or false, not a string",
        deletion_protection="yes",
    ),
    site(
        "protection-number",
        "deletion_protection",
        "must be true or false, not a number",
        deletion_protection=1,
    ),
    # other wrong types
    key("keepers-string", "keepers", "must be a map of values, not a string", keepers="v1"),
    key("keepers-list", "keepers", "must be a map of values, not a list", keepers=["v1"]),
    key("adopt-empty", "adopt", "must be a non-empty string, not an empty string", adopt=""),
    key("adopt-blank", "adopt", "must be a non-empty string, not a blank string", adopt="  "),
    key("adopt-number", "adopt", "must be a non-empty string, not a number", adopt=5),
    # account_id: missing with a token, and wrong values
    Case(
        "account-id-missing-with-token",
        "ApiKey",
        {},
        "account_id",
        "required when the provider signs in with a token",
    ),
    key(
        "account-id-empty",
        "account_id",
        "must be a non-empty string, not an empty string",
        account_id="",
    ),
    key(
        "account-id-blank",
        "account_id",
        "must be a non-empty string, not a blank string",
        account_id="  ",
    ),
    key(
        "account-id-fraction",
        "account_id",
        "must be a non-empty string, not a number",
        account_id=12.5,
    ),
    key(
        "account-id-bool",
        "account_id",
        "must be a non-empty string, not a boolean",
        account_id=True,
    ),
    # unknown properties (another SDK, a typo in a stack import)
    key("unknown-typo", "nmae", "Did you mean 'name'?", nmae="n8n"),
    key("unknown-camel-case", "endDate", "Did you mean 'end_date'?", endDate="2027-01-31"),
    key("unknown-account-id", "accountId", "Did you mean 'account_id'?", accountId=ACCOUNT_ID),
    key(
        "unknown-output-as-input",
        "api_key",
        "Valid ones are: account_id, name, end_date",
        api_key="x",
    ),
    site(
        "unknown-account-camel",
        "deletionProtection",
        "Did you mean 'deletion_protection'?",
        deletionProtection=False,
    ),
    site(
        "unknown-account-prop",
        "website",
        "Valid ones are: name, url, deletion_protection",
        website="https://nw.example",
    ),
]


@pytest.fixture(scope="module")
def engine(emulator: EmulatorAdmin) -> Iterator[Engine]:
    owner = emulator.register()
    config = {"firmtrace:apiUrl": emulator.url, "firmtrace:token": wire.secret(owner.token)}
    with ProviderProcess() as process:
        yield Engine(process, config)


def test_there_are_at_least_thirty_distinct_bad_inputs() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 30
    assert len({repr(sorted(case.inputs.items())) for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_by_check_naming_the_property_with_no_request(
    engine: Engine, emulator: EmulatorAdmin, case: Case
) -> None:
    emulator.clear_requests()
    inputs = {k: v for k, v in case.inputs.items() if v is not None}
    registration = (api_key if case.resource == "ApiKey" else account)("r", **inputs)

    for preview in (True, False):  # `pulumi preview` and `pulumi up` both stop at Check
        with pytest.raises(CheckFailed) as caught:
            registration.register(engine, preview=preview)
        failures = dict(caught.value.failures)
        assert list(failures) == [case.prop], caught.value.failures
        reason = failures[case.prop]
        assert f"'{case.prop}'" in reason, reason
        assert case.fragment in reason, reason

    assert emulator.requests() == [], "Check sends no request"
    assert engine.state == {}


def test_a_datetime_given_to_the_resource_class_is_refused(
    engine: Engine, emulator: EmulatorAdmin
) -> None:
    """Through the SDK: ``end_date=datetime(...)`` arrives as an ISO datetime, not a date."""
    emulator.clear_requests()

    def program() -> None:
        ApiKey("k", account_id=ACCOUNT_ID, end_date=dt.datetime(2027, 1, 31, 12, 0))
        pulumi.export("ok", True)

    with pytest.raises(CheckFailed) as caught:
        run_program(engine, program, preview=True)
    ((prop, reason),) = caught.value.failures
    assert prop == "end_date" and "'2027-01-31T12:00:00', which is not a date" in reason
    assert emulator.requests() == []
