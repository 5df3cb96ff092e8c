"""Pulumi dynamic resources for Firmtrace Accounts and API keys.

    from firmtrace_pulumi import Account, ApiKey

Configure the provider with stack config ``firmtrace:apiUrl`` and one of ``firmtrace:token``,
``firmtrace:apiKey`` or ``firmtrace:email`` + ``firmtrace:password`` (see ``config``).
"""

from ._version import __version__
from .account import Account, AccountArgs
from .api_key import ApiKey, ApiKeyArgs

__all__ = ["Account", "AccountArgs", "ApiKey", "ApiKeyArgs", "__version__"]
