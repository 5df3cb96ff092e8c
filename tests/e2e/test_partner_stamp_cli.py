"""examples/partner-onboarding/stamp.py under the real Pulumi CLI: one stack per partner from a
partners file (inline programs), go-live by date, removing a partner with --prune."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from tests.harness.provider_process import REPO

from .conftest import backend_env, requires_cli

pytestmark = [requires_cli, pytest.mark.timeout(900)]

STAMP = REPO / "examples" / "partner-onboarding" / "stamp.py"
TODAY = dt.datetime.now(dt.timezone.utc).date()


def test_stamp_a_stack_per_partner(emulator: EmulatorAdmin, tmp_path: Path) -> None:
    token, _, email, _ = emulator.register()
    file = tmp_path / "partners.yaml"
    env = {
        **os.environ,
        **backend_env(tmp_path),
        "FIRMTRACE_API_URL": emulator.url,
        "FIRMTRACE_TOKEN": token,
    }
    northwind = {"name": "Northwind Traders", "url": "https://northwind.example"}
    northwind["go_live"] = (TODAY - dt.timedelta(days=3)).isoformat()
    contoso = {"name": "Contoso", "url": "https://contoso.example"}
    contoso["go_live"] = (TODAY + dt.timedelta(days=20)).isoformat()

    def stamp(partners: list[dict[str, Any]], *args: str) -> str:
        file.write_text(yaml.safe_dump({"partners": partners}))
        command = [sys.executable, str(STAMP), "--file", str(file)]
        done = subprocess.run(
            [*command, "--work-dir", str(tmp_path / "ws"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert token not in done.stdout + done.stderr
        return done.stdout

    def partner_keys() -> dict[str, tuple[str, bool]]:
        """Account name → (api_key_part, active), for the partner Accounts of this user."""
        state = emulator.state()
        mine = next(set(u["roles"]) for u in state["users"] if u["email"] == email)
        names = {a["account_id"]: a["name"] for a in state["accounts"] if a["account_id"] in mine}
        return {
            names[k["account_id"]]: (k["api_key_part"], k["active"])
            for k in state["api_keys"]
            if k["account_id"] in names
        }

    stamp([northwind, contoso])
    first = partner_keys()
    assert {name: active for name, (_, active) in first.items()} == {
        "Northwind Traders": True,
        "Contoso": False,
    }
    assert (tmp_path / "ws" / "Pulumi.contoso.yaml").exists()

    # Contoso's go-live day: its key is switched on in place.
    stamp([northwind, contoso], "--today", contoso["go_live"])
    assert partner_keys()["Contoso"] == (first["Contoso"][0], True)

    # Northwind leaves: protection off, then out of the file; --prune destroys its stack.
    stamp([{**northwind, "deletion_protection": False}, contoso])
    listed = stamp([contoso])
    assert "northwind-traders: no longer in the partners file" in listed
    assert "Northwind Traders" in partner_keys()
    stamp([contoso], "--prune")
    assert set(partner_keys()) == {"Contoso"}

    # Clean up: protection off, then an empty file and --prune.
    stamp([{**contoso, "deletion_protection": False}], "--today", contoso["go_live"])
    stamp([], "--prune")
    assert partner_keys() == {}
