"""Pulumi dynamic resources for Firmtrace Accounts and API keys.

    from firmtrace_pulumi import Account, ApiKey

Configure the provider with stack config ``firmtrace:apiUrl`` and one of ``firmtrace:token``,
``firmtrace:apiKey`` or ``firmtrace:email`` + ``firmtrace:password`` (see ``config``).
"""

from . import errors
from ._version import __version__
from .account import Account, AccountArgs
from .api_key import ApiKey, ApiKeyArgs
from .errors import *  # noqa: F403  (the error classes; errors.__all__ lists them)

__all__ = ["Account", "AccountArgs", "ApiKey", "ApiKeyArgs", "__version__", *errors.__all__]

# Errors read as ``firmtrace_pulumi.NotFoundError`` in a traceback, the name users import.
for _name in __all__:
    if _name.endswith("Error"):
        globals()[_name].__module__ = __name__
del _name
