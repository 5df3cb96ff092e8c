"""Benchmarks for firmtrace-pulumi: ``python -m benchmarks`` (``make bench``).

Seven measurements, each printed with its target and PASS/FAIL, all measured side by side in one
run (see BENCHMARKS.md for the last results and what they mean):

1. ``api_calls``   API calls per operation, counted at the emulator's request log
2. ``overhead``    Create/Update/Delete through the provider process vs. the same httpx call
3. ``scale``       1,000 ApiKeys across 50 Accounts at 20 ms latency, 4 concurrent calls
4. ``cold_start``  provider process start to first Create, vs. a do-nothing provider
5. ``pickle_size`` size of the pickled ``__provider``
6. ``throughput``  emulator key creations per second on loopback
7. ``engine``      ``pulumi up``/``preview``/``refresh``/``destroy`` under the real CLI, vs. the
                   same stacks with a do-nothing provider (``pulumi`` on PATH)

This package is imported by the provider process too (``benchmarks.trivial`` is pickled by
reference), so nothing here may import more than its own module needs.
"""
