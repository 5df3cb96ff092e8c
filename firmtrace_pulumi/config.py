"""Provider configuration: where the API is and how to authenticate.

Read once per provider process from the stack configuration (``firmtrace:*`` keys, which the
engine hands to dynamic providers with their namespaces) with environment fallbacks. Stack
configuration wins over the environment. Credentials never come from resource inputs.

| stack config          | environment           | meaning                                   |
|-----------------------|-----------------------|-------------------------------------------|
| firmtrace:apiUrl      | FIRMTRACE_API_URL     | base URL, without /v1.3                   |
| firmtrace:token       | FIRMTRACE_TOKEN       | a User's token (reaches all its Accounts)  |
| firmtrace:apiKey      | FIRMTRACE_API_KEY     | an Account's API key (its own Account)     |
| firmtrace:email       | FIRMTRACE_EMAIL       | sign in with email + password instead      |
| firmtrace:password    | FIRMTRACE_PASSWORD    |                                           |
| firmtrace:timeout     | FIRMTRACE_TIMEOUT     | seconds one HTTP attempt may take (10)     |

An attempt that times out is retried like any other network failure, except a create, which is
never sent blindly again.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .contract_core import DEFAULT_BASE_URL
from .errors import ConfigurationError
from .redact import API_KEY_PREFIX, TOKEN_PREFIX, Hidden, Secret, reveal

__all__ = [
    "CREDENTIALS",
    "DEFAULT_TIMEOUT",
    "MAX_TIMEOUT",
    "MISSING_CREDENTIALS",
    "NAMESPACE",
    "SETTINGS",
    "AuthMethod",
    "ProviderSettings",
    "parse_timeout",
    "plaintext_credentials",
    "plaintext_warning",
    "resolve_settings",
    "unknown_keys",
]

NAMESPACE = "firmtrace"


class AuthMethod(str, Enum):
    TOKEN = "token"
    API_KEY = "apiKey"
    PASSWORD = "email+password"


# (config key, environment variable) per setting.
SETTINGS: dict[str, tuple[str, str]] = {
    "api_url": ("firmtrace:apiUrl", "FIRMTRACE_API_URL"),
    "token": ("firmtrace:token", "FIRMTRACE_TOKEN"),
    "api_key": ("firmtrace:apiKey", "FIRMTRACE_API_KEY"),
    "email": ("firmtrace:email", "FIRMTRACE_EMAIL"),
    "password": ("firmtrace:password", "FIRMTRACE_PASSWORD"),
    "timeout": ("firmtrace:timeout", "FIRMTRACE_TIMEOUT"),
}

DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 300.0

MISSING_CREDENTIALS = (
    "No Firmtrace credentials configured. Set exactly one of: a token "
    "(`pulumi config set --secret firmtrace:token ...` or FIRMTRACE_TOKEN), an Account API key "
    "(`pulumi config set --secret firmtrace:apiKey ...` or FIRMTRACE_API_KEY), or "
    "firmtrace:email + firmtrace:password (FIRMTRACE_EMAIL + FIRMTRACE_PASSWORD)."
)


@dataclass(frozen=True)
class ProviderSettings:
    """Resolved settings. The credential is a ``Secret``; ``repr`` shows none."""

    api_url: str
    method: AuthMethod
    secret: Secret = field(repr=False)
    email: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def requires_account_id(self) -> bool:
        """A token reaches many Accounts, so calls must name one; an API key carries its own."""
        return self.method is not AuthMethod.API_KEY

    @property
    def cache_key(self) -> tuple[str, str, str, str, float]:
        secret = self.secret.get_secret_value()
        return (self.api_url, self.method.value, self.email or "", secret, self.timeout)


def _plain(value: Any) -> str | None:
    """A setting's text, stripped (a number as written); None when missing or blank."""
    text = reveal(value) if value is None or isinstance(value, Hidden) else str(value)
    return text.strip() or None


def parse_timeout(value: str | None) -> float:
    """Seconds in (0, 300]; ``None`` means the default. Anything else: ``ConfigurationError``."""
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:  # also false for NaN
        key, var = SETTINGS["timeout"]
        raise ConfigurationError(
            f"{key} (or {var}) must be a number of seconds between 0 and {MAX_TIMEOUT:g}, "
            f"such as {DEFAULT_TIMEOUT:g}; got {value[:40]!r}."
        )
    return seconds


# The [assumed] credential shapes (redact.py): only to advise on a credential stored under the
# other kind's key.
_LOOKS_LIKE = {"token": TOKEN_PREFIX, "api_key": API_KEY_PREFIX}


def unknown_keys(keys: Iterable[str]) -> str | None:
    """A sentence about ``firmtrace:*`` config keys this provider does not know, with the
    nearest known key for each; None when all are known."""
    known = [key for key, _ in SETTINGS.values()]
    names = {k.split(":", 1)[1].lower(): k for k in known}  # compare what follows the ":"
    lines = []
    for key in sorted(k for k in keys if k.startswith(f"{NAMESPACE}:") and k not in known):
        near = difflib.get_close_matches(key.split(":", 1)[1].lower(), names, n=1, cutoff=0.6)
        guess = names[near[0]] if near else None
        lines.append(f"'{key}'" + (f" (did you mean '{guess}'?)" if guess else ""))
    if not lines:
        return None
    return (
        f"Unknown Firmtrace setting {', '.join(lines)} in the stack config. The settings are "
        f"{', '.join(known)}; rename it with `pulumi config rm` and `pulumi config set`."
    )


def _swapped(name: str, value: str | None) -> str | None:
    """Advice when ``value``, stored as setting ``name``, looks like the other credential."""
    other = "api_key" if name == "token" else "token"
    if not value or not value.startswith(_LOOKS_LIKE[other]):
        return None
    key, other_key = SETTINGS[name][0], SETTINGS[other][0]
    what = "an Account API key" if other == "api_key" else "a User token"
    return (
        f"{key} holds what looks like {what}: store it as {other_key} instead "
        f"(`pulumi config rm {key}`, then `pulumi config set --secret {other_key}`)."
    )


CREDENTIALS = ("token", "api_key", "password")
"""The settings that hold a secret: stack config must keep them encrypted."""


def plaintext_credentials(get: Callable[[str], Any], is_secret: Callable[[str], bool]) -> list[str]:
    """The credential keys set in stack config but not as secrets (in plain text in the stack
    file, and in plain text to the engine)."""
    keys = (SETTINGS[name][0] for name in CREDENTIALS)
    return [key for key in keys if get(key) is not None and not is_secret(key)]


def plaintext_warning(keys: Iterable[str]) -> str | None:
    """The warning a program prints for ``plaintext_credentials``; None when there are none."""
    keys = list(keys)
    if not keys:
        return None
    fix = "; ".join(f"`pulumi config set --secret {key}`" for key in keys)
    return (
        f"{', '.join(keys)} {'is' if len(keys) == 1 else 'are'} stored in the stack config in "
        f"plain text. Store {'it' if len(keys) == 1 else 'them'} encrypted: {fix} (give the same "
        "value), and rotate the credential if the stack file was shared."
    )


def resolve_settings(
    config: Callable[[str], Any] | Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
) -> ProviderSettings:
    """Resolve settings from stack config (a ``get(key)`` callable or mapping) and environment.

    Raises ``ConfigurationError`` when no way, or more than one way, of authenticating is set.
    """
    env = os.environ if environ is None else environ
    get = config.get if isinstance(config, Mapping) else config

    def lookup(name: str) -> str | None:
        key, var = SETTINGS[name]
        from_config = _plain(get(key))
        return from_config if from_config is not None else _plain(env.get(var))

    values = {name: lookup(name) for name in SETTINGS}
    for name in ("token", "api_key"):
        if advice := _swapped(name, values[name]):
            raise ConfigurationError(advice)
    api_url = values["api_url"] or DEFAULT_BASE_URL
    timeout = parse_timeout(values["timeout"])

    ways = []
    if values["token"]:
        ways.append(AuthMethod.TOKEN)
    if values["api_key"]:
        ways.append(AuthMethod.API_KEY)
    if values["email"] or values["password"]:
        ways.append(AuthMethod.PASSWORD)
    if not ways:
        raise ConfigurationError(MISSING_CREDENTIALS)
    if len(ways) > 1:
        names = " and ".join(w.value for w in ways)
        raise ConfigurationError(
            f"Firmtrace credentials are set in more than one way ({names}). Keep exactly one: "
            "remove the others from the stack config (`pulumi config rm firmtrace:<key>`) or the "
            "environment."
        )
    method = ways[0]
    if method is AuthMethod.PASSWORD:
        if not (values["email"] and values["password"]):
            raise ConfigurationError(
                "Signing in needs both firmtrace:email and firmtrace:password (or FIRMTRACE_EMAIL "
                "and FIRMTRACE_PASSWORD); only one of them is set."
            )
        return ProviderSettings(
            api_url,
            method,
            Secret(values["password"] or ""),
            email=values["email"],
            timeout=timeout,
        )
    secret = values["token"] if method is AuthMethod.TOKEN else values["api_key"]
    return ProviderSettings(api_url, method, Secret(secret or ""), timeout=timeout)
