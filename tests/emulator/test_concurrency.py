"""Parallel writes: distinct keys, no lost updates; and a rough throughput figure."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin, Registration

PARALLEL = 200


def test_200_parallel_key_creations_give_200_distinct_keys(
    emulator: EmulatorAdmin, owner: Registration, record_property
):
    limits = httpx.Limits(max_connections=32)
    headers = {"Authorization": f"Bearer {owner.token}"}
    with httpx.Client(base_url=emulator.api_url, headers=headers, limits=limits) as client:

        def create(i: int) -> dict:
            response = client.post(
                "/api_key", json={"account_id": owner.account_id, "name": f"par-{i}"}
            )
            assert response.status_code == 200, response.text
            result: dict = response.json()
            return result

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=32) as pool:
            created = list(pool.map(create, range(PARALLEL)))
        elapsed = time.perf_counter() - started

    rate = PARALLEL / elapsed
    record_property("key_creations_per_second", round(rate))
    print(f"{PARALLEL} parallel key creations: {elapsed:.2f} s ({rate:.0f}/s, client-bound)")
    assert len({k["api_key"] for k in created}) == PARALLEL
    assert len({k["api_key_part"] for k in created}) == PARALLEL
    stored = [k for k in emulator.state()["api_keys"] if k["account_id"] == owner.account_id]
    assert sorted(k["name"] for k in stored) == sorted(f"par-{i}" for i in range(PARALLEL))
