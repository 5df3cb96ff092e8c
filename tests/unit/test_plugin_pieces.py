"""The plugin's own pieces, away from the engine: property maps on the wire (secrets in and out,
unknowns kept), names in the schema's spelling, and the setting for calls at once."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import rpc

from firmtrace_pulumi.errors import ConfigurationError
from firmtrace_pulumi.plugin.package import RESOURCES, wire_name
from firmtrace_pulumi.plugin.server import DEFAULT_MAX_CALLS, MAX_CALLS_ENV, max_calls
from firmtrace_pulumi.plugin.wire import SECRET_SIG, SIG_KEY, from_wire, to_wire

API_KEY = RESOURCES["firmtrace:index:ApiKey"]


def secret(value: object) -> dict[str, object]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def test_secrets_come_in_plain_and_go_out_marked() -> None:
    struct = struct_pb2.Struct()
    struct.update({"apiKey": secret("ftk_1_x"), "keepers": {"a": secret("s")}, "name": "n"})
    props = from_wire(struct)
    assert props.values == {"apiKey": "ftk_1_x", "keepers": {"a": "s"}, "name": "n"}
    assert props.secrets == {"apiKey", "keepers"}  # a secret inside a map marks the map

    out = to_wire({"apiKey": "ftk_1_x", "name": "n", "endDate": None}, ["apiKey"])
    assert dict(out["apiKey"]) == secret("ftk_1_x") and out["name"] == "n"
    assert "endDate" not in out


def test_an_unknown_value_stays_unknown_both_ways() -> None:
    struct = struct_pb2.Struct()
    struct.update({"accountId": rpc.UNKNOWN})
    props = from_wire(struct)
    assert props.values["accountId"] == rpc.UNKNOWN
    assert to_wire(props.values)["accountId"] == rpc.UNKNOWN


def test_names_in_the_schemas_spelling() -> None:
    assert [wire_name(p.name) for p in API_KEY.props][:4] == [
        "apiKey",
        "apiKeyPart",
        "accountId",
        "name",
    ]
    assert wire_name("__name_prefix") == "__name_prefix"
    assert all(API_KEY.python_name(wire_name(p.name)) == p.name for p in API_KEY.props)
    assert API_KEY.renamed_in("'end_date' must be YYYY-MM-DD; see end_date.") == (
        "'endDate' must be YYYY-MM-DD; see endDate."
    )


def test_calls_at_once_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_CALLS_ENV, raising=False)
    assert max_calls() == DEFAULT_MAX_CALLS
    monkeypatch.setenv(MAX_CALLS_ENV, "128")
    assert max_calls() == 128
    monkeypatch.setenv(MAX_CALLS_ENV, "0")
    with pytest.raises(ConfigurationError, match=MAX_CALLS_ENV):
        max_calls()
