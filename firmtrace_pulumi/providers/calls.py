"""How many of the engine's calls a provider process serves at once (``FIRMTRACE_MAX_CALLS``).

The plugin builds its gRPC pool with ``max_calls()`` workers. The SDK's dynamic host
(``python -m pulumi.dynamic``) builds its own with four and has no setting for it. Every Create
holds a worker for the whole API call, and the engine sends each resource's Check to the same
pool, one Check at a time: with four Creates in flight, the engine waits for a free worker
before it can register the next resource. On a big stack that queue, not the API, sets the
pace. ``widen_dynamic_host`` lets the host's pool grow to ``max_calls()`` too.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

from ..errors import ConfigurationError

__all__ = ["DEFAULT_MAX_CALLS", "MAX_CALLS_ENV", "max_calls", "widen_dynamic_host"]

MAX_CALLS_ENV = "FIRMTRACE_MAX_CALLS"
DEFAULT_MAX_CALLS = 64

_DYNAMIC_HOST = "pulumi.dynamic.__main__"


def max_calls() -> int:
    """How many engine calls a provider process serves at once (``FIRMTRACE_MAX_CALLS``)."""
    raw = os.environ.get(MAX_CALLS_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_CALLS
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(
            f"{MAX_CALLS_ENV}={raw!r} is not a whole number of at least 1: set it to how many "
            f"calls the provider may serve at once, or unset it for {DEFAULT_MAX_CALLS}."
        )
    return int(raw)


def widen_dynamic_host(limit: int) -> bool:
    """Let the SDK's dynamic host serve up to ``limit`` calls at once; False where it cannot.

    Call it from a method the host runs, such as ``configure``: the host runs each call in a
    thread of its pool, so the current thread leads to the pool's executor. Its worker limit is
    raised (never lowered below the SDK's four); ``ThreadPoolExecutor`` starts threads up to
    it as calls arrive. Anywhere else (the plugin, tests, a host that changed shape), nothing
    is touched.
    """
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None) != _DYNAMIC_HOST:
        return False
    # A pool thread's arguments start with a weak reference to its executor (CPython 3.10+).
    args = getattr(threading.current_thread(), "_args", None)
    ref = args[0] if isinstance(args, tuple) and args else None
    executor = ref() if isinstance(ref, weakref.ref) else None
    if not isinstance(executor, ThreadPoolExecutor):
        return False
    executor._max_workers = max(executor._max_workers, limit)
    return True
