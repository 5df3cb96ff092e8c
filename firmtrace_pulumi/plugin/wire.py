"""Property maps as the engine sends them, and back: secrets unwrapped and marked again.

The engine sends a ``google.protobuf.Struct`` in which a secret is an object with Pulumi's
secret signature and a value still unknown in a preview is a sentinel string. The providers
work on plain dicts (an unknown stays the sentinel, which their checks let through); a secret
is remembered by top-level property name, so that what came in secret goes out secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import rpc

__all__ = ["SECRET_SIG", "SIG_KEY", "Properties", "from_wire", "to_wire"]

SIG_KEY = "4dabf18193072939515e22adb298388d"
"""The key that marks a special value on the wire (Pulumi's property value protocol)."""
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
"""The signature of a secret."""


@dataclass
class Properties:
    values: dict[str, Any]
    secrets: set[str] = field(default_factory=set)
    """Top-level names whose value was, or held, a secret."""


def _unwrap(value: Any) -> tuple[Any, bool]:
    if isinstance(value, Unknown):
        return rpc.UNKNOWN, False  # the sentinel: the same on the way back
    if rpc.is_rpc_secret(value):
        inner, _ = _unwrap(rpc.unwrap_rpc_secret(value))
        return inner, True
    if isinstance(value, dict):
        pairs = {k: _unwrap(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_unwrap(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def from_wire(struct: struct_pb2.Struct) -> Properties:
    """Plain values (unknowns kept as the sentinel), and which of them were secret."""
    raw = rpc.deserialize_properties(struct, keep_unknowns=True)
    props = Properties({})
    for name, value in raw.items():
        props.values[name], secret = _unwrap(value)
        if secret:
            props.secrets.add(name)
    return props


def to_wire(values: Mapping[str, Any], secrets: Iterable[str] = ()) -> struct_pb2.Struct:
    """A Struct of ``values``, each in ``secrets`` wrapped as a secret; ``None`` left out."""
    secret = set(secrets)
    struct = struct_pb2.Struct()
    struct.update(
        {
            name: {SIG_KEY: SECRET_SIG, "value": value} if name in secret else value
            for name, value in values.items()
            if value is not None
        }
    )
    return struct
