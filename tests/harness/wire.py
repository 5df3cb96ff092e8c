"""Property values in their gRPC form, as the engine and the provider exchange them.

A secret is ``{SIG: SECRET_SIG, "value": v}``; an unknown (preview) is the ``UNKNOWN`` string.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.rpc import UNKNOWN, _special_secret_sig, _special_sig_key

SIG = _special_sig_key
SECRET_SIG = _special_secret_sig

__all__ = ["UNKNOWN", "from_struct", "is_secret", "reveal", "secret", "strip_secrets", "to_struct"]


def secret(value: Any) -> dict[str, Any]:
    return {SIG: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG) == SECRET_SIG


def strip_secrets(value: Any) -> Any:
    """What a provider that answered ``acceptSecrets=False`` is sent: plain values."""
    if is_secret(value):
        return strip_secrets(value["value"])
    if isinstance(value, dict):
        return {k: strip_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_secrets(v) for v in value]
    return value


reveal = strip_secrets


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict({k: v for k, v in props.items()}, struct)
    return struct


def from_struct(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    if struct is None:
        return {}
    return json_format.MessageToDict(struct)
