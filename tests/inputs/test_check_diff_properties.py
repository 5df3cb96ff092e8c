"""Properties of Check and Diff, with hypothesis.

In-process (fast, many examples): the provider classes configured as the provider process
configures them. Through the real provider process (fewer examples): the same properties with
values as they cross gRPC (numbers become floats, secrets are stripped).

- Check never crashes, whatever it is given; every failure names a property it was given.
- The engine's flow (Check against the old inputs, Diff against the old outputs) finds no change
  when the inputs are the same.
- Every change of ``name`` and/or ``end_date`` (ApiKey) and of ``name``/``url`` (Account) is an
  update in place: never a replacement.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pulumi.dynamic import CheckResult, ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.rpc import UNKNOWN

from firmtrace_pulumi import contract
from firmtrace_pulumi.providers import AccountProvider, ApiKeyProvider
from firmtrace_pulumi.providers import account as account_module
from firmtrace_pulumi.providers import api_key as api_key_module
from firmtrace_pulumi.providers.api_key import NAME_PREFIX
from firmtrace_pulumi.providers.schema import ACCOUNT, API_KEY, input_names
from tests.harness import wire
from tests.harness.engine import PROVIDER_KEY
from tests.harness.provider_process import ProviderProcess
from tests.harness.resources import ACCOUNT_TYPE, API_KEY_TYPE, pickled, urn

CONFIG = {"firmtrace:apiUrl": "http://127.0.0.1:9", "firmtrace:token": "ftt_" + "p" * 43}
"""Nothing is ever sent: port 9 (discard) is never reached by Check and Diff."""

IN_PROCESS = settings(max_examples=300, deadline=None, database=None)
THROUGH_PROCESS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def configured(provider_class: type) -> Any:
    provider = provider_class()
    provider.configure(ConfigureRequest(Config(dict(CONFIG), "firmtrace-test")))
    return provider


# --- strategies -------------------------------------------------------------------------------


def json_values(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**53), max_value=2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | text
        | st.sampled_from(["", " ", "2027-01-31", "2027-02-30", "https://x.example", UNKNOWN])
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=6,
    )


utf8 = st.text(st.characters(codec="utf-8"), max_size=30)
"""Text a program can send over gRPC."""
any_values = json_values(st.text(max_size=30)) | st.builds(Unknown)  # surrogates, Unknown too
wire_values = json_values(utf8)


def property_bags(
    names: tuple[str, ...], values: st.SearchStrategy[Any] = any_values
) -> st.SearchStrategy[dict[str, Any]]:
    known = st.fixed_dictionaries({}, optional={name: values for name in names})
    extra = st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=12), values, max_size=2)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


KEY_NAMES = (*input_names(API_KEY), NAME_PREFIX)
ACCOUNT_NAMES = input_names(ACCOUNT)

printable = st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"])
names = st.text(printable, min_size=1, max_size=100).filter(lambda s: s == s.strip() and s)
dates = st.dates(dt.date(1970, 1, 1), dt.date(2199, 12, 31)).map(dt.date.isoformat)
account_ids = st.from_regex(r"acc_[0-9a-f]{12}", fullmatch=True) | st.integers(1, 10**9).map(str)
keepers = st.none() | st.dictionaries(
    st.text(string.ascii_letters, min_size=1, max_size=5),
    st.integers(-1000, 1000) | st.text(max_size=5),
    max_size=3,
)
hosts = st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(example|com|de|io)", fullmatch=True)


@st.composite
def key_inputs(draw: st.DrawFn) -> dict[str, Any]:
    inputs: dict[str, Any] = {"account_id": draw(account_ids), NAME_PREFIX: "k"}
    for prop, values in (("name", names), ("end_date", dates), ("keepers", keepers)):
        value = draw(st.none() | values)
        if value is not None:
            inputs[prop] = value
    return inputs


@st.composite
def account_inputs(draw: st.DrawFn) -> dict[str, Any]:
    inputs = {"name": draw(names), "url": "https://" + draw(hosts)}
    protection = draw(st.none() | st.booleans())
    if protection is not None:
        inputs["deletion_protection"] = protection
    return inputs


# --- the engine's flow, in process -----------------------------------------------------------


def key_outputs(checked: dict[str, Any]) -> dict[str, Any]:
    """What Create returns for these checked inputs (the provider's own ``outputs``)."""
    key = contract.ApiKey(
        api_key_part="ftk_0123abcd",
        account_id=checked["account_id"],
        name=checked["name"],
        end_date=checked.get("end_date"),
        active=True,
        created_at="2027-01-01T00:00:00Z",
    )
    return api_key_module.outputs(key, api_key="ftk_0123abcd_" + "s" * 32, props=checked)


def account_outputs(checked: dict[str, Any]) -> dict[str, Any]:
    live = contract.Account(account_id="acc_1", name=checked["name"], url=checked["url"], role=10)
    return account_module.outputs(live, checked)


def checked(provider: Any, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check(olds, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def assert_well_formed(result: CheckResult, given: dict[str, Any]) -> None:
    for failure in result.failures:
        assert failure.property in given or failure.property in ("account_id", "name", "url")
        assert failure.reason and (
            not failure.property or f"'{failure.property}'" in failure.reason
        )


@IN_PROCESS
@given(olds=property_bags(KEY_NAMES), news=property_bags(KEY_NAMES))
def test_api_key_check_never_crashes(olds: dict[str, Any], news: dict[str, Any]) -> None:
    assert_well_formed(configured(ApiKeyProvider).check(olds, news), news)


@IN_PROCESS
@given(olds=property_bags(ACCOUNT_NAMES), news=property_bags(ACCOUNT_NAMES))
def test_account_check_never_crashes(olds: dict[str, Any], news: dict[str, Any]) -> None:
    assert_well_formed(configured(AccountProvider).check(olds, news), news)


@IN_PROCESS
@given(inputs=key_inputs())
def test_api_key_same_inputs_no_diff(inputs: dict[str, Any]) -> None:
    provider = configured(ApiKeyProvider)
    first = checked(provider, {}, inputs)
    again = checked(provider, first, inputs)  # the engine checks against the old inputs
    diff = provider.diff("acc/ftk_0123abcd", key_outputs(first), again)
    assert (diff.changes, diff.replaces) == (False, [])


@IN_PROCESS
@given(inputs=account_inputs())
def test_account_same_inputs_no_diff(inputs: dict[str, Any]) -> None:
    provider = configured(AccountProvider)
    first = checked(provider, {}, inputs)
    diff = provider.diff("acc_1", account_outputs(first), checked(provider, first, inputs))
    assert (diff.changes, diff.replaces) == (False, [])


@IN_PROCESS
@given(
    before=key_inputs(),
    name=st.none() | names,
    end_date=st.none() | dates,
    change=st.sampled_from(["name", "end_date", "both"]),
)
def test_api_key_name_and_end_date_changes_are_updates(
    before: dict[str, Any], name: str | None, end_date: str | None, change: str
) -> None:
    after = dict(before)
    for prop, value in (("name", name), ("end_date", end_date)):
        if change in (prop, "both"):
            after.pop(prop, None)
            if value is not None:
                after[prop] = value
    provider = configured(ApiKeyProvider)
    first = checked(provider, {}, before)
    second = checked(provider, first, after)
    moved = [p for p in ("name", "end_date") if first.get(p) != second.get(p)]
    diff = provider.diff("acc/ftk_0123abcd", key_outputs(first), second)
    assert diff.replaces == [], f"{moved} must update in place"
    assert diff.changes is bool(moved)
    assert diff.delete_before_replace is False


@IN_PROCESS
@given(before=account_inputs(), name=names, host=hosts, change=st.sampled_from(["name", "url"]))
def test_account_name_and_url_changes_are_updates(
    before: dict[str, Any], name: str, host: str, change: str
) -> None:
    after = {**before, change: name if change == "name" else f"https://{host}"}
    assume(after[change] != before[change])
    provider = configured(AccountProvider)
    first = checked(provider, {}, before)
    diff = provider.diff("acc_1", account_outputs(first), checked(provider, first, after))
    assert (diff.changes, diff.replaces) == (True, [])


@IN_PROCESS
@given(before=key_inputs(), account_id=account_ids, rotation=keepers)
def test_account_id_and_keepers_changes_replace(
    before: dict[str, Any], account_id: str, rotation: dict[str, Any] | None
) -> None:
    """The other side of the rule: what does change the key replaces it, new one first."""
    provider = configured(ApiKeyProvider)
    first = checked(provider, {}, before)
    after = {**before, "account_id": account_id, "keepers": rotation}
    expected = [
        p
        for p, old, new in (
            ("account_id", first["account_id"], account_id),
            ("keepers", first.get("keepers") or {}, rotation or {}),
        )
        if old != new
    ]
    diff = provider.diff("acc/ftk_0123abcd", key_outputs(first), checked(provider, first, after))
    assert diff.replaces == expected
    assert diff.delete_before_replace is False


# --- the same, through the provider process ---------------------------------------------------


@pytest.fixture(scope="module")
def process() -> Iterator[ProviderProcess]:
    with ProviderProcess() as process:
        process.configure({**CONFIG, "firmtrace:token": wire.secret(CONFIG["firmtrace:token"])})
        yield process


@THROUGH_PROCESS
@given(
    news=property_bags(KEY_NAMES, wire_values),
    account_news=property_bags(ACCOUNT_NAMES, wire_values),
)
def test_check_never_crashes_in_the_provider_process(
    process: ProviderProcess, news: dict[str, Any], account_news: dict[str, Any]
) -> None:
    for type_, bag, provider in (
        (API_KEY_TYPE, news, ApiKeyProvider),
        (ACCOUNT_TYPE, account_news, AccountProvider),
    ):
        bag = {k: v for k, v in bag.items() if k != PROVIDER_KEY}
        _, failures = process.check(urn(type_, "p"), {}, {**bag, PROVIDER_KEY: pickled(provider)})
        for prop, reason in failures:
            assert reason and (not prop or f"'{prop}'" in reason)


@THROUGH_PROCESS
@given(before=key_inputs(), name=names, end_date=st.none() | dates)
def test_diff_in_the_provider_process(
    process: ProviderProcess, before: dict[str, Any], name: str, end_date: str | None
) -> None:
    key_urn = urn(API_KEY_TYPE, "k")
    first, failures = process.check(key_urn, {}, {**before, PROVIDER_KEY: pickled(ApiKeyProvider)})
    assert failures == []
    outputs = {**key_outputs(first), PROVIDER_KEY: pickled(ApiKeyProvider)}
    same, _ = process.check(key_urn, first, {**before, PROVIDER_KEY: pickled(ApiKeyProvider)})
    assert process.diff(key_urn, "a/ftk_0123abcd", outputs, same, first).changes == (
        provider_pb2.DiffResponse.DIFF_NONE
    )

    after = {**before, "name": name}
    after.pop("end_date", None)
    if end_date is not None:
        after["end_date"] = end_date
    moved, _ = process.check(key_urn, first, {**after, PROVIDER_KEY: pickled(ApiKeyProvider)})
    diff = process.diff(key_urn, "a/ftk_0123abcd", outputs, moved, first)
    changed = (first.get("name"), first.get("end_date")) != (moved["name"], moved.get("end_date"))
    assert list(diff.replaces) == []
    assert diff.changes == (
        provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE
    )
