"""Local checks of resource inputs: no network, one ``CheckFailure`` per bad property.

Each failure names the property and says how to fix it. Values that are still unknown during a
preview (outputs of resources not created yet) are let through: they are checked again on ``up``.
A check is given ``None`` (the input left out) only when the input is required; the checks that
have no "is required" message pass it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pulumi.dynamic import CheckFailure
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from ..redact import SECRET_PATTERNS

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_URL_LENGTH",
    "check_account_id",
    "check_adopt",
    "check_bool",
    "check_end_date",
    "check_map",
    "check_name",
    "check_optional_text",
    "check_url",
    "is_unknown",
    "normalize",
    "normalize_account_id",
    "unknown_properties",
]

MAX_NAME_LENGTH = 100  # [assumed]: the page sets no limit; long names are almost always a mistake
MAX_URL_LENGTH = 2048
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_unknown(value: Any) -> bool:
    """A value a preview does not know yet (the provider process deserializes it as
    ``Unknown``; the raw wire form is the ``UNKNOWN`` sentinel string)."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def unknown_properties(props: Mapping[str, Any], allowed: Iterable[str]) -> list[CheckFailure]:
    allowed = tuple(allowed)
    names = [a for a in allowed if not a.startswith("__")]
    public = ", ".join(names)

    def reason(key: str) -> str:
        close = difflib.get_close_matches(key.lower(), names, n=1, cutoff=0.6)
        guess = f" Did you mean '{close[0]}'?" if close else ""
        return f"'{key}' is not a property of this resource.{guess} Valid ones are: {public}."

    return [
        CheckFailure(key, reason(key))
        for key in sorted(props)
        if key not in allowed and key != "__provider"
    ]


def check_name(prop: str, value: Any) -> list[CheckFailure]:
    if value is None:  # checked only when required
        return [CheckFailure(prop, f"'{prop}' is required: set it to a short, non-empty text.")]
    if is_unknown(value):
        return []
    if not isinstance(value, str):
        return [CheckFailure(prop, f"'{prop}' must be a string, not {_kind(value)}.")]
    if not value.strip():
        return [CheckFailure(prop, f"'{prop}' must not be empty or only whitespace.")]
    if value != value.strip():
        return [CheckFailure(prop, f"'{prop}' must not start or end with whitespace.")]
    if len(value) > MAX_NAME_LENGTH:
        return [
            CheckFailure(
                prop, f"'{prop}' is {len(value)} characters long; keep it to {MAX_NAME_LENGTH}."
            )
        ]
    bad = next((i for i, ch in enumerate(value) if unicodedata.category(ch).startswith("C")), None)
    if bad is not None:
        return [
            CheckFailure(
                prop,
                f"'{prop}' contains a control or invisible character (U+{ord(value[bad]):04X}) "
                f"at position {bad + 1}; use printable text only.",
            )
        ]
    return []


def check_end_date(prop: str, value: Any) -> list[CheckFailure]:
    if value is None or is_unknown(value):
        return []
    hint = "Use a date as YYYY-MM-DD, e.g. 2027-01-31 (the key is disabled from that day on)."
    if not isinstance(value, str):
        return [CheckFailure(prop, f"'{prop}' must be a YYYY-MM-DD string, not {_kind(value)}.")]
    if not _DATE.match(value):
        return [CheckFailure(prop, f"'{prop}' is {value!r}, which is not a date. {hint}")]
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return [CheckFailure(prop, f"'{prop}' is {value!r}, which is not a real date. {hint}")]
    return []


def check_url(prop: str, value: Any) -> list[CheckFailure]:
    if value is None:
        return [CheckFailure(prop, f"'{prop}' is required: the https:// address of the website.")]
    if is_unknown(value):
        return []
    if not isinstance(value, str):
        return [CheckFailure(prop, f"'{prop}' must be a string, not {_kind(value)}.")]
    example = "Use the site's address, e.g. https://www.example.com."
    if not value.strip() or any(ch.isspace() for ch in value):
        return [CheckFailure(prop, f"'{prop}' must not be empty or contain spaces. {example}")]
    if len(value) > MAX_URL_LENGTH:
        return [
            CheckFailure(prop, f"'{prop}' is longer than {MAX_URL_LENGTH} characters. {example}")
        ]
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return [CheckFailure(prop, f"'{prop}' is not a valid URL. {example}")]
    if parts.username or parts.password:  # checked first: the value is not echoed
        return [CheckFailure(prop, f"'{prop}' must not contain a user name or password. {example}")]
    if parts.scheme != "https":
        if parts.scheme == "http":
            fix = f"Use {'https' + value[4:]!r}."
        elif not parts.scheme and "://" not in value:
            fix = f"Write it as {'https://' + value!r}."
        else:
            fix = example
        return [
            CheckFailure(prop, f"'{prop}' must use https:// (got {parts.scheme or 'none'}). {fix}")
        ]
    if not host:
        return [CheckFailure(prop, f"'{prop}' has no host name. {example}")]
    if "." not in host.strip("."):
        return [
            CheckFailure(prop, f"'{prop}' has host {host!r}, which is not a domain name. {example}")
        ]
    return []


def normalize_account_id(value: Any) -> Any:
    """Account ids are strings; a whole number (JSON numbers arrive as floats) becomes its text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return value


def check_account_id(prop: str, value: Any) -> list[CheckFailure]:
    if value is None:  # checked only when required
        return [
            CheckFailure(
                prop,
                f"'{prop}' is required when the provider signs in with a token or email and "
                "password: a token reaches several Accounts, so name the one this key is for "
                "(e.g. account_id=account.account_id). With firmtrace:apiKey it is implicit.",
            )
        ]
    if is_unknown(value):
        return []
    if not isinstance(value, str) or not value.strip():
        return [CheckFailure(prop, f"'{prop}' must be a non-empty string, not {_kind(value)}.")]
    return []


def check_bool(prop: str, value: Any) -> list[CheckFailure]:
    if value is None or is_unknown(value) or isinstance(value, bool):
        return []
    return [CheckFailure(prop, f"'{prop}' must be true or false, not {_kind(value)}.")]


def check_map(prop: str, value: Any) -> list[CheckFailure]:
    if value is None or is_unknown(value) or isinstance(value, Mapping):
        return []
    return [CheckFailure(prop, f"'{prop}' must be a map of values, not {_kind(value)}.")]


def check_optional_text(prop: str, value: Any) -> list[CheckFailure]:
    if value is None or is_unknown(value):
        return []
    if not isinstance(value, str) or not value.strip():
        return [CheckFailure(prop, f"'{prop}' must be a non-empty string, not {_kind(value)}.")]
    return []


def check_adopt(prop: str, value: Any) -> list[CheckFailure]:
    """``adopt`` names a key by its ``api_key_part``. A full key pasted there is refused, and
    the message never repeats it (it would end up in the terminal and in state)."""
    failures = check_optional_text(prop, value)
    if not failures and isinstance(value, str) and any(p.search(value) for p in SECRET_PATTERNS):
        failures.append(
            CheckFailure(
                prop,
                f"'{prop}' takes the key's api_key_part (the short handle the API shows, like "
                "'ftk_1a2b3c4d'), not the full key: give the part, and keep the full key out "
                "of the program and its config.",
            )
        )
    return failures


def _kind(value: Any) -> str:
    if isinstance(value, str):
        if not value:
            return "an empty string"
        return "a blank string" if not value.strip() else "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, Mapping):
        return "a map"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def normalize(value: Any) -> Any:
    """A comparable form of a property value: 1 == 1.0, absent == None, maps compared by content."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: normalize(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value
