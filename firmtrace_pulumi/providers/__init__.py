"""The dynamic providers: what runs inside the engine's ``pulumi.dynamic`` process."""

from .account import AccountProvider
from .api_key import ApiKeyProvider

__all__ = ["AccountProvider", "ApiKeyProvider"]
