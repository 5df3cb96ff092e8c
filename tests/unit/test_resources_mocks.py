"""The resource classes under ``pulumi.runtime.set_mocks``: type tokens, inputs, secret outputs.

No provider runs here; these tests pin what a program registers with the engine.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks

from firmtrace_pulumi import Account, AccountArgs, ApiKey, ApiKeyArgs
from firmtrace_pulumi.providers.schema import ACCOUNT, API_KEY, input_names
from tests.harness import resources as harness

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Recorder(mocks.Mocks):
    def __init__(self) -> None:
        self.registered: list[mocks.MockResourceArgs] = []

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(args)
        return f"{args.name}-id", {**args.inputs, "api_key": "ftk_mock_secret", "active": True}

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, None]:
        return {}, None


class SecretOptionsMonitor(mocks.MockMonitor):
    """Also records the additionalSecretOutputs and the source position of each registration."""

    def __init__(self, m: Recorder) -> None:
        super().__init__(m)
        self.secret_outputs: dict[str, list[str]] = {}
        self.source_positions: dict[str, tuple[str, int]] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.secret_outputs[request.name] = list(request.additionalSecretOutputs)
        position = request.sourcePosition
        self.source_positions[request.name] = (position.uri, position.line)
        return super().RegisterResource(request)


@pytest.fixture
def recorder() -> tuple[Recorder, SecretOptionsMonitor]:
    rec = Recorder()
    monitor = SecretOptionsMonitor(rec)
    mocks.set_mocks(rec, preview=False, monitor=monitor)
    return rec, monitor


@pulumi.runtime.test
def test_api_key_registers_dynamic_type_token_and_marks_api_key_secret(recorder):
    rec, monitor = recorder
    key = ApiKey("partner", account_id="acc-1", end_date=dt.date(2027, 1, 31))

    def verify(values: list[Any]) -> None:
        (args,) = [r for r in rec.registered if r.name == "partner"]
        assert args.typ == "pulumi-python:dynamic/firmtrace:ApiKey"
        assert args.inputs["account_id"] == "acc-1"
        assert args.inputs["end_date"] == "2027-01-31"  # a date becomes YYYY-MM-DD
        assert args.inputs["__name_prefix"] == "partner"
        assert "__provider" in args.inputs
        assert monitor.secret_outputs["partner"] == ["api_key"]

    return pulumi.Output.all(key.urn).apply(verify)


@pulumi.runtime.test
def test_the_source_position_of_each_resource_is_the_program_line_that_declared_it(recorder):
    _, monitor = recorder
    line = sys._getframe().f_lineno + 1  # the next two lines: where the resources are declared
    account = Account("declared-account", name="Acme", url="https://acme.example")
    key = ApiKey("declared-key", account_id=account.account_id)

    def verify(_: Any) -> None:
        here = Path(__file__).as_uri()
        assert monitor.source_positions["declared-account"] == (here, line)
        assert monitor.source_positions["declared-key"] == (here, line + 1)

    return pulumi.Output.all(account.urn, key.urn).apply(verify)


@pulumi.runtime.test
def test_api_key_args_and_keywords_register_the_same_inputs(recorder):
    rec, _ = recorder
    a = ApiKey("by-args", ApiKeyArgs(account_id="a", name="n", keepers={"v": 1}))
    b = ApiKey("by-kwargs", account_id="a", name="n", keepers={"v": 1})

    def verify(_: Any) -> None:
        by = {r.name: r.inputs for r in rec.registered}
        strip = lambda d: {k: v for k, v in d.items() if k not in ("__provider", "__name_prefix")}  # noqa: E731
        assert strip(by["by-args"]) == strip(by["by-kwargs"])

    return pulumi.Output.all(a.urn, b.urn).apply(verify)


@pulumi.runtime.test
def test_account_registers_type_token_and_defaults_deletion_protection_on(recorder):
    rec, monitor = recorder
    acct = Account("site", name="Acme", url="https://acme.example")
    Account("site2", AccountArgs(name="B", url="https://b.example", deletion_protection=False))

    def verify(_: Any) -> None:
        by = {r.name: r for r in rec.registered}
        assert by["site"].typ == "pulumi-python:dynamic/firmtrace:Account"
        assert by["site"].inputs["deletion_protection"] is True
        assert by["site2"].inputs["deletion_protection"] is False
        assert monitor.secret_outputs["site"] == []

    return acct.urn.apply(verify)


@pulumi.runtime.test
def test_the_harness_registers_what_a_program_registers(recorder):
    """The harness stands in for programs in many tests: the same input names, the same
    secret outputs, for every input given. (The harness sends no ``__stack_tag``.)"""
    rec, monitor = recorder
    key_inputs = {
        "account_id": "acc_1",
        "name": "n",
        "end_date": "2027-01-31",
        "keepers": {"v": 1},
        "adopt": "ftk_0123abcd",
    }
    site_inputs = {"name": "Acme", "url": "https://acme.example", "deletion_protection": False}
    assert list(key_inputs) == list(input_names(API_KEY))
    assert list(site_inputs) == list(input_names(ACCOUNT))
    key = ApiKey("k", **key_inputs)
    site = Account("s", **site_inputs)
    declared = {"k": harness.api_key("k", **key_inputs), "s": harness.account("s", **site_inputs)}

    def verify(_: Any) -> None:
        for registered in rec.registered:
            expected = declared[registered.name]
            assert registered.typ == expected.type
            assert sorted(set(registered.inputs) - {"__stack_tag"}) == sorted(expected.inputs)
            assert monitor.secret_outputs[registered.name] == expected.additional_secret_outputs

    return pulumi.Output.all(key.urn, site.urn).apply(verify)


def test_account_without_name_or_url_fails_fast():
    with pytest.raises(TypeError, match="Account 'broken' needs 'name'"):
        Account("broken", url="https://x.example")


def test_pickled_provider_is_small_and_holds_no_state():
    from pulumi.dynamic.dynamic import serialize_provider

    from firmtrace_pulumi.providers import AccountProvider, ApiKeyProvider

    for provider in (ApiKeyProvider(), AccountProvider()):
        blob = serialize_provider(provider)
        assert len(blob) < 300
        import base64

        assert b"firmtrace_pulumi.providers" in base64.b64decode(blob)  # by reference


@pulumi.runtime.test
def test_a_program_declares_thousands_of_resources(recorder):
    """The SDK pickles each resource's provider with a pickler that nests one level deeper per
    call; a provider whose state was an (empty) dict hit RecursionError at ~985 resources."""
    rec, _ = recorder
    site = Account("site", name="Many", url="https://many.example")
    last = None
    for i in range(2500):
        last = ApiKey(f"k{i}", account_id=site.account_id)

    def verify(_: Any) -> None:
        assert len(rec.registered) == 2501

    assert last is not None
    return last.urn.apply(verify)
