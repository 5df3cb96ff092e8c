"""``httpx``, imported without its command-line tool.

When click, rich and pygments are all installed, ``import httpx`` also imports ``httpx._main``
(its CLI, and with it those three: 25 to 90 ms on the machines measured in BENCHMARKS.md). A
provider process never runs that tool. The first import made through this module sees
``httpx._main`` as missing, so httpx defines its stand-in ``main``; the entry is removed again
at once, so ``import httpx._main`` still works later. Every module of ours that uses httpx
imports it from here.
"""

from __future__ import annotations

import sys

_CLI = "httpx._main"
_skip_cli = "httpx" not in sys.modules and _CLI not in sys.modules
if _skip_cli:
    sys.modules[_CLI] = None  # type: ignore[assignment]  # "not installed", for this import only
try:
    import httpx
finally:
    if _skip_cli:
        del sys.modules[_CLI]

__all__ = ["httpx"]
