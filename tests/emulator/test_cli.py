"""The command line: start-up, the first stdout line, flags and persistence."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.process import EmulatorProcess


def test_port_0_prints_the_base_url_first_and_serves(record_property):
    started = time.perf_counter()
    with EmulatorProcess(db=":memory:") as emulator:
        startup = time.perf_counter() - started
        record_property("startup_seconds", round(startup, 3))
        print(f"emulator start-up: {startup:.2f} s")
        assert emulator.url.startswith("http://127.0.0.1:")
        assert httpx.get(emulator.url + "/_emulator/health").json() == {"status": "ok"}
        assert httpx.get(emulator.api_url + "/accounts").status_code == 401
        assert "/v1.3/register" in httpx.get(emulator.url + "/openapi.json").json()["paths"]


def test_data_survives_a_restart_with_a_file_db(tmp_path: Path):
    db = tmp_path / "emulator.sqlite3"
    with EmulatorProcess(db=db) as first, EmulatorAdmin(first.url) as admin:
        owner = admin.register()
        key = httpx.post(
            admin.api_url + "/api_key",
            json={"account_id": owner.account_id, "name": "survivor"},
            headers={"Authorization": f"Bearer {owner.token}"},
        ).json()
    with EmulatorProcess(db=db) as second, EmulatorAdmin(second.url) as admin:
        assert second.url != "" and db.exists()
        login = httpx.post(
            admin.api_url + "/login", json={"email": owner.email, "password": owner.password}
        )
        assert login.json()["default_account_id"] == owner.account_id
        for credential in (owner.token, key["api_key"]):
            listed = httpx.get(
                admin.api_url + "/api_key",
                params={"account_id": owner.account_id},
                headers={"Authorization": f"Bearer {credential}"},
            )
            assert [k["name"] for k in listed.json()["api_keys"]] == ["survivor"]


def test_fault_and_rate_limit_flags_apply_from_the_start():
    faults = {"scripts": {"GET /accounts": [{"fault": "status", "status": 503}]}}
    with (
        EmulatorProcess(
            args=["--rate-limit", "1", "--error-status", "502"],
            env={"FIRMTRACE_EMULATOR_FAULTS": json.dumps(faults)},
        ) as emulator,
        EmulatorAdmin(emulator.url) as admin,
    ):
        config = admin.faults()
        assert (config["error_status"], config["effective_rate_limit"]) == (502, 1.0)
        owner = admin.register()
        headers = {"Authorization": f"Bearer {owner.token}"}
        assert httpx.get(emulator.api_url + "/accounts", headers=headers).status_code == 503
        statuses = [
            httpx.get(emulator.api_url + "/accounts", headers=headers).status_code for _ in range(3)
        ]
        assert statuses[0] == 200 and 429 in statuses
