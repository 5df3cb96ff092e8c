"""The kit's fixtures and pieces in this session, over real HTTP and under the real CLI: a
``firmtrace`` is a User of the test's own, its settings sign a program in, the admin view shows
what was made (and no secret), faults reach the API and end, the emulator can be a file or one
already running."""

from __future__ import annotations

import json
import textwrap
import threading
from pathlib import Path

import httpx
import pytest

from firmtrace_pulumi.client import FirmtraceClient
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.testing import Firmtrace, PulumiCli, faults_cleared, running_emulator
from tests import leaks

EMULATOR_THREAD = "firmtrace-emulator"  # EmulatorServer's thread


def emulator_threads() -> int:
    return sum(t.name == EMULATOR_THREAD for t in threading.enumerate())


def test_firmtrace_is_a_user_of_its_own(firmtrace: Firmtrace, emulator: EmulatorAdmin) -> None:
    someone_else = emulator.register()
    with FirmtraceClient(firmtrace.api_url, firmtrace.token) as api:
        reached = [a.account_id for a in api.list_accounts()]
    assert reached == [firmtrace.account_id]
    (account,) = firmtrace.accounts()
    assert account["account_id"] == firmtrace.account_id
    assert account["role"] == 10
    assert someone_else.account_id not in {a["account_id"] for a in firmtrace.accounts()}
    assert firmtrace.token not in repr(firmtrace)


def test_the_admin_view_shows_what_the_user_made_and_no_key(firmtrace: Firmtrace) -> None:
    with FirmtraceClient(firmtrace.api_url, firmtrace.token) as api:
        site = api.create_account("Northwind", "https://northwind.example")
        key = api.create_api_key(site.account_id, name="ci")
        default_key = api.create_api_key(firmtrace.account_id, name="default")

    names = {a["name"]: a["role"] for a in firmtrace.accounts()}
    assert names["Northwind"] == 10
    assert [k["api_key_part"] for k in firmtrace.api_keys(site.account_id)] == [key.api_key_part]
    every = {k["api_key_part"] for k in firmtrace.api_keys()}
    assert every == {key.api_key_part, default_key.api_key_part}
    seen = json.dumps([firmtrace.accounts(), firmtrace.api_keys()])
    assert not [k for k in (key, default_key) if k.api_key.get_secret_value() in seen]


def test_a_fault_reaches_the_api(firmtrace: Firmtrace) -> None:
    active = firmtrace.faults(scripts={"GET /accounts": [{"fault": "status", "status": 503}]})
    assert active["scripts"]
    auth = {"Authorization": f"Bearer {firmtrace.token}"}
    assert httpx.get(firmtrace.api_url + "/v1.3/accounts", headers=auth).status_code == 503
    assert httpx.get(firmtrace.api_url + "/v1.3/accounts", headers=auth).status_code == 200


def test_faults_cleared_clears_them_when_the_block_fails(emulator: EmulatorAdmin) -> None:
    with pytest.raises(RuntimeError), faults_cleared(emulator):
        emulator.set_faults({"latency_ms": 5, "rate_limit": 3})
        raise RuntimeError("the test failed")
    assert emulator.faults()["latency_ms"] == 0
    assert emulator.faults()["effective_rate_limit"] == 0


def test_an_emulator_on_a_file_keeps_its_data(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    with running_emulator(db=db) as admin:
        email = admin.register().email
    with running_emulator(db=db) as admin:
        assert email in {u["email"] for u in admin.state()["users"]}


def test_an_emulator_already_running_is_used_not_started(emulator: EmulatorAdmin) -> None:
    before = emulator_threads()
    with running_emulator(url=emulator.url) as admin:
        user = admin.register()
        assert emulator_threads() == before
    assert user.email in {u["email"] for u in emulator.state()["users"]}


# --- under the real CLI ----------------------------------------------------------------------

KEY_PROGRAM = """\
    import pulumi
    from firmtrace_pulumi import ApiKey

    ApiKey("ci", account_id=pulumi.Config().require("account"))
"""


def user_project(directory: Path) -> Path:
    """A project as a user writes one: no virtualenv in Pulumi.yaml (the kit's CLI runs it on
    the tests' Python)."""
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (directory / "__main__.py").write_text(textwrap.dedent(KEY_PROGRAM))
    return directory


def run(cli: PulumiCli, *args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = cli.run(*args, cwd=cwd, env=env)
    output = done.stdout + done.stderr
    leaks.OBSERVED.text(f"pulumi {' '.join(args[:2])} output", output)
    return output


@pytest.mark.usefixtures("pulumi_on_path")
def test_configure_signs_a_stack_in_as_the_user(
    firmtrace: Firmtrace, pulumi_cli: PulumiCli, tmp_path: Path
) -> None:
    project = user_project(tmp_path / "shop")
    run(pulumi_cli, "stack", "init", "test", cwd=project)
    firmtrace.configure(pulumi_cli, project)
    run(pulumi_cli, "config", "set", "account", firmtrace.account_id, cwd=project)
    assert firmtrace.token not in (project / "Pulumi.test.yaml").read_text()

    run(pulumi_cli, "up", "--yes", cwd=project)

    (key,) = firmtrace.api_keys()
    assert key["account_id"] == firmtrace.account_id
    assert key["name"].startswith("ci-") and key["active"]


@pytest.mark.usefixtures("pulumi_on_path")
def test_env_keeps_the_ci_s_own_firmtrace_credentials_out(
    firmtrace: Firmtrace, pulumi_cli: PulumiCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ci_key = "ftk_0badc0de_" + "k" * 32  # a credential of the CI's, for the real service
    leaks.register(ci_key, "full API key")
    monkeypatch.setenv("FIRMTRACE_API_KEY", ci_key)
    monkeypatch.setenv("FIRMTRACE_EMAIL", "ci@firm.example")
    project = user_project(tmp_path / "shop")
    run(pulumi_cli, "stack", "init", "test", cwd=project)
    run(pulumi_cli, "config", "set", "account", firmtrace.account_id, cwd=project)

    output = run(pulumi_cli, "preview", cwd=project, env=firmtrace.env)

    assert "+ 2 to create" in output
