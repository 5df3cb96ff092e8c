"""Each property of ``ApiKey`` and ``Account``, declared once, and what follows from it.

A resource is a tuple of ``Property``: its inputs, its outputs, which changes replace it, which
outputs are secret, how each input is checked and what it defaults to. The providers derive
their input and output names, the per-property checks of Check and the rules of Diff from it;
the tests hold the resources' docstrings to the ``doc`` given here. Types and flags are those
of a Pulumi package schema (``string``, ``boolean``, ``integer``, ``object``; ``secret``,
``replaceOnChanges``, ``requiredInputs``), so the same tuple can describe a provider plugin.

What is special to one property stays code in its provider: the auto-name, the normalising of
``account_id``, ``deletion_protection`` living in state only, ``api_key`` carried over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pulumi.dynamic import CheckFailure

from . import validation as v

__all__ = [
    "ACCOUNT",
    "API_KEY",
    "Property",
    "PropertyType",
    "changed",
    "check_inputs",
    "declared",
    "input_names",
    "output_names",
    "output_only_names",
    "secret_names",
    "with_defaults",
]

PropertyType = Literal["string", "boolean", "integer", "object"]
"""A Pulumi schema type; ``object`` is a map of any values."""

Check = Callable[[str, Any], list[CheckFailure]]
"""``check(property_name, value)``: one failure per problem; ``[]`` when the value is fine."""


@dataclass(frozen=True)
class Property:
    name: str
    type: PropertyType
    doc: str
    """The first sentence(s) of its docstrings, on the resource and its ``*Args``."""
    input: bool = True
    output: bool = True
    replaces: bool = False
    """A change of the input replaces the resource (create the new one, then delete the old);
    otherwise it updates in place."""
    keep_if_absent: bool = False
    """Leaving the input out is no change: the value in state stands (an auto-name, the key's
    own Account, the key once adopted)."""
    required: bool = False
    """Check fails when the input is left out (with the message of ``check``)."""
    secret: bool = False
    default: Any = None
    """What Check puts in the inputs when the input is left out."""
    check: Check | None = None
    """The input's own check. Called for a value that is given, and for a missing one only when
    the input is required; a value still unknown in a preview is let through by each check."""


API_KEY = (
    Property(
        "api_key",
        "string",
        "The full key, a secret. Returned by the API only on create; kept in state from then "
        "on. Empty for an adopted key.",
        input=False,
        secret=True,
    ),
    Property(
        "api_key_part",
        "string",
        "The non-secret handle of the key, as shown by reads.",
        input=False,
    ),
    Property(
        "account_id",
        "string",
        "The Account the key belongs to.",
        replaces=True,
        keep_if_absent=True,
        check=v.check_account_id,
    ),
    Property("name", "string", "The key's label.", keep_if_absent=True, check=v.check_name),
    Property(
        "end_date",
        "string",
        "``YYYY-MM-DD`` from which the key is disabled (UTC).",
        check=v.check_end_date,
    ),
    Property(
        "active",
        "boolean",
        "Whether the key works today (false from ``end_date`` on).",
        input=False,
    ),
    Property("created_at", "string", "When the key was minted (ISO 8601, UTC).", input=False),
    Property(
        "keepers",
        "object",
        "Arbitrary values the current key was minted for.",
        replaces=True,
        check=v.check_map,
    ),
    Property(
        "adopt",
        "string",
        "The ``api_key_part`` of an existing key to manage instead of minting a new one.",
        replaces=True,
        keep_if_absent=True,
        check=v.check_adopt,
    ),
)

ACCOUNT = (
    Property(
        "account_id",
        "string",
        "The Account's id: pass it as ``account_id`` to ``ApiKey``.",
        input=False,
    ),
    Property("name", "string", "The Account's name.", required=True, check=v.check_name),
    Property(
        "url",
        "string",
        "The website the Account tracks (``https://`` only).",
        required=True,
        check=v.check_url,
    ),
    Property(
        "role",
        "integer",
        "The signed-in User's role in the Account: 10 Administrator, 20 User.",
        input=False,
    ),
    Property(
        "deletion_protection",
        "boolean",
        "Whether deleting the Account is refused.",
        default=True,
        check=v.check_bool,
    ),
)


def input_names(props: Iterable[Property]) -> tuple[str, ...]:
    return tuple(p.name for p in props if p.input)


def output_names(props: Iterable[Property]) -> tuple[str, ...]:
    return tuple(p.name for p in props if p.output)


def output_only_names(props: Iterable[Property]) -> tuple[str, ...]:
    return tuple(p.name for p in props if p.output and not p.input)


def secret_names(props: Iterable[Property]) -> list[str]:
    return [p.name for p in props if p.secret]


def declared(props: Iterable[Property], name: str) -> Property:
    return next(p for p in props if p.name == name)


def with_defaults(props: Iterable[Property], inputs: Mapping[str, Any]) -> dict[str, Any]:
    """``inputs`` with each input left out (or ``None``) that has a default set to it."""
    filled = dict(inputs)
    for p in props:
        if p.input and p.default is not None and filled.get(p.name) is None:
            filled[p.name] = p.default
    return filled


def check_inputs(
    props: Iterable[Property], inputs: Mapping[str, Any], *, required: Iterable[str] = ()
) -> list[CheckFailure]:
    """Every input's own check, in declaration order. ``required`` adds inputs that this call
    requires beyond the declaration (``account_id`` when the credential reaches many)."""
    also = set(required)
    failures: list[CheckFailure] = []
    for p in props:
        value = inputs.get(p.name)
        if p.check and (value is not None or p.required or p.name in also):
            failures += p.check(p.name, value)
    return failures


def changed(
    props: Iterable[Property], olds: Mapping[str, Any], news: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The inputs whose new value differs from the old output: (in place, replacing).

    An unknown value (a preview) counts as a change; an absent map equals an empty one.
    """
    updates: list[str] = []
    replaces: list[str] = []
    for p in props:
        new, old = news.get(p.name), olds.get(p.name)
        if not p.input or (new is None and p.keep_if_absent):
            continue
        if p.type == "object":
            new, old = new or {}, old or {}
        if v.is_unknown(new) or v.normalize(new) != v.normalize(old):
            (replaces if p.replaces else updates).append(p.name)
    return updates, replaces
