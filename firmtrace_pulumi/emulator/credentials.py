"""Minting, hashing and telling apart the emulator's secrets.

Tokens look like ``ftt_<43 urlsafe chars>``; API keys like ``ftk_<8 hex>_<32 urlsafe chars>``,
whose first part (``ftk_<8 hex>``) is the non-secret ``api_key_part``. Only SHA-256 hashes of
tokens and keys are stored. Passwords get a salted SHA-256: good enough for a local emulator,
not a pattern for production.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Literal

__all__ = [
    "API_KEY_PREFIX",
    "TOKEN_PREFIX",
    "CredentialKind",
    "fingerprint",
    "hash_password",
    "kind_of",
    "new_api_key",
    "new_salt",
    "new_token",
    "password_matches",
]

TOKEN_PREFIX = "ftt_"
API_KEY_PREFIX = "ftk_"

_TOKEN_SHAPE = re.compile(r"ftt_[A-Za-z0-9_-]{43}")
_API_KEY_SHAPE = re.compile(r"(ftk_[0-9a-f]{8})_[A-Za-z0-9_-]{32}")

CredentialKind = Literal["token", "api_key"]


def new_token() -> str:
    """A fresh User token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_api_key() -> tuple[str, str]:
    """A fresh API key as ``(full_key, api_key_part)``."""
    part = API_KEY_PREFIX + secrets.token_hex(4)
    return f"{part}_{secrets.token_urlsafe(24)}", part


def kind_of(credential: str) -> CredentialKind | None:
    """Tell a token from an API key by its shape; ``None`` for anything else."""
    if _TOKEN_SHAPE.fullmatch(credential):
        return "token"
    if _API_KEY_SHAPE.fullmatch(credential):
        return "api_key"
    return None


def fingerprint(secret: str) -> str:
    """The SHA-256 hex digest under which a token or key is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(8)


def hash_password(password: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


def password_matches(password: str, salt: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_password(password, salt), stored_hash)
