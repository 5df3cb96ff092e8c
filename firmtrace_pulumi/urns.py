"""Pulumi URNs, read in one place: ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``.

The qualified type is the resource's own type token, after those of its parents, each followed
by ``$``. A name may itself contain ``::``, so a URN is split at its first three.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Urn"]

_SCHEME = "urn:pulumi:"


class Urn(NamedTuple):
    stack: str
    project: str
    qualified_type: str
    name: str

    @classmethod
    def parse(cls, urn: str) -> Urn:
        """Raises ``ValueError`` for a text that is not a Pulumi URN."""
        parts = urn.split("::", 3)
        if len(parts) != 4 or not parts[0].startswith(_SCHEME):
            raise ValueError(f"not a Pulumi URN: {urn!r}")
        head, project, qualified_type, name = parts
        return cls(head.removeprefix(_SCHEME), project, qualified_type, name)

    @property
    def type(self) -> str:
        """The resource's own type token (``firmtrace:index:ApiKey``)."""
        return self.qualified_type.rsplit("$", 1)[-1]

    def sibling(self, qualified_type: str, name: str) -> Urn:
        """The URN of another resource of the same stack and project."""
        return self._replace(qualified_type=qualified_type, name=name)

    def __str__(self) -> str:
        return f"{_SCHEME}{self.stack}::{self.project}::{self.qualified_type}::{self.name}"
