"""Request values checked beyond what the contract models enforce.

Each function returns the value it was given (a password revealed) or raises ``ApiError`` 400
``validation_error`` naming the field. (Not ``providers/validation.py``, which collects check
failures for Pulumi instead of raising.)
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import SecretStr

from .problems import validation_error

__all__ = ["MAX_TEXT", "password", "text", "website"]

MAX_TEXT = 500


def text(field: str, value: str, *, required: bool = True) -> str:
    """A printable, UTF-8-encodable string; non-blank unless ``required`` is false."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise validation_error(field, f"'{field}' is not valid text.") from None
    if required and not value.strip():
        raise validation_error(field, f"'{field}' must not be empty.")
    if len(value) > MAX_TEXT:
        raise validation_error(field, f"'{field}' is longer than {MAX_TEXT} characters.")
    if any(ord(char) < 32 for char in value):
        raise validation_error(field, f"'{field}' must not contain control characters.")
    return value


def password(field: str, value: SecretStr) -> str:
    """The revealed password; any non-empty text is accepted by the emulator."""
    return text(field, value.get_secret_value())


def website(field: str, value: str) -> str:
    """An ``http(s)://host`` URL."""
    text(field, value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise validation_error(field, f"'{field}' must be a website URL like https://example.com.")
    return value
