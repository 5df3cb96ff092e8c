"""What a client is built with, checked before anything is sent: the base URL and the credential."""

from __future__ import annotations

import ipaddress

from . import contract
from ._httpx import httpx
from .errors import ConfigurationError
from .redact import Hidden, Secret, reveal

__all__ = ["api_root", "as_secret", "check_credential", "is_loopback"]


def is_loopback(host: str) -> bool:
    host = host.rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def api_root(base_url: str) -> httpx.URL:
    """``base_url`` (without /v1.3) checked and joined with the API prefix.

    HTTPS is required unless the host is loopback (127.0.0.0/8, ::1, localhost).
    """
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(
            f"The Firmtrace base URL {base_url!r} is not a URL ({exc}). "
            f"Set it like {contract.DEFAULT_BASE_URL!r}."
        ) from None
    shown = str(url.copy_with(username=None, password=None, query=None, fragment=None))
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"The Firmtrace base URL {shown!r} must be an http(s) URL with a host, "
            f"like {contract.DEFAULT_BASE_URL!r}."
        )
    if url.userinfo or url.query or url.fragment:
        raise ConfigurationError(
            f"The Firmtrace base URL {shown!r} must not carry a user, password, query or fragment; "
            "credentials go in the token or API key setting."
        )
    if url.scheme == "http" and not is_loopback(url.host):
        https = str(url.copy_with(scheme="https"))
        raise ConfigurationError(
            f"The Firmtrace base URL {shown!r} uses plain HTTP, which would send credentials "
            f"unencrypted. Use {https!r}; plain http is allowed only for loopback hosts "
            "(127.0.0.0/8, ::1, localhost), such as a local emulator."
        )
    path = url.path.rstrip("/")
    if path.endswith(contract.API_PREFIX):
        raise ConfigurationError(
            f"The Firmtrace base URL {shown!r} already ends in {contract.API_PREFIX}; give it "
            f"without the version (the client adds it), e.g. "
            f"{str(url.copy_with(path=path[: -len(contract.API_PREFIX)] or '/')).rstrip('/')!r}."
        )
    return url.copy_with(path=path + contract.API_PREFIX)


def as_secret(value: str | Hidden) -> Secret:
    """``value`` held as the client holds secrets (a ``Secret``), whatever held it."""
    return value if isinstance(value, Secret) else Secret(reveal(value))


def check_credential(value: str | Hidden | None) -> Secret | None:
    if value is None:
        return None
    secret = as_secret(value)
    plain = secret.get_secret_value()
    if not plain.strip():
        raise ConfigurationError(
            "The Firmtrace credential is empty. Set a token or API key, or pass None to call "
            "without one."
        )
    if not (plain.isascii() and plain.isprintable()) or any(c.isspace() for c in plain):
        raise ConfigurationError(
            "The Firmtrace credential contains spaces, line breaks or non-ASCII characters, so it "
            "cannot be a token or API key. Check that it was copied whole and nothing else with it."
        )
    return secret
