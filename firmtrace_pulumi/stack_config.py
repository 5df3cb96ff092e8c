"""What a program checks of the stack config once, as its first Firmtrace resource is declared.

Only the program knows which config values are secrets (the engine hands dynamic providers the
plain values), so the warning about a credential stored in plain text is given here.
"""

from __future__ import annotations

import functools

import pulumi
import pulumi.runtime

from .config import plaintext_credentials, plaintext_warning

__all__ = ["warn_plaintext_credentials"]


@functools.cache
def warn_plaintext_credentials() -> None:
    """Warn, once per program, about credentials stored in stack config in plain text."""
    found = plaintext_credentials(pulumi.runtime.get_config, pulumi.runtime.is_config_secret)
    if warning := plaintext_warning(found):
        pulumi.log.warn(warning)
