"""The names this package gives API keys it names itself, and how to read them back.

An auto-name is Pulumi's convention, the resource name plus a random suffix, with a tag of the
stack that minted it: ``partner-3f2a1b9-c04e11``. The tag lets the orphan finder
(``firmtrace-pulumi orphans``) recognise a key that this stack minted but never recorded, when
an interrupted ``pulumi up`` lost it; names from before the tag (``partner-3f2a1b9``) still read.
"""

from __future__ import annotations

import hashlib
import re
import secrets

__all__ = ["AUTO_NAME", "auto_name", "auto_name_prefix", "name_tag", "stack_tag"]

AUTO_NAME = re.compile(r"(?P<prefix>.+)-[0-9a-f]{7}(?:-(?P<tag>[0-9a-f]{6}))?")


def stack_tag(project: str, stack: str) -> str:
    """Six hex digits that name one stack of one project."""
    return hashlib.sha256(f"{project}/{stack}".encode()).hexdigest()[:6]


def auto_name(prefix: str, tag: str | None = None, seed: bytes = b"") -> str:
    """``prefix``, a random suffix, and the minting stack's tag if known. With the engine's
    ``seed`` for the resource (the plugin gets one in Check) the suffix is derived from it, so
    a ``pulumi up --plan`` draws the name its preview planned."""
    suffix = hashlib.sha256(seed + prefix.encode()).hexdigest() if seed else secrets.token_hex(4)
    name = f"{prefix}-{suffix[:7]}"
    return f"{name}-{tag}" if tag else name


def auto_name_prefix(name: object) -> str | None:
    """The prefix ``name`` was auto-generated from, if it has ``auto_name``'s shape."""
    match = AUTO_NAME.fullmatch(name) if isinstance(name, str) else None
    return match["prefix"] if match else None


def name_tag(name: object) -> str | None:
    """The stack tag in an auto-name, if it has one."""
    match = AUTO_NAME.fullmatch(name) if isinstance(name, str) else None
    return match["tag"] if match else None
