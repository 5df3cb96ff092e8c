"""The examples under the real Pulumi CLI, each one's README sequence as a user types it, with the
emulator's view checked after every step.

Each example runs from a copy in ``tmp_path`` (its ``Pulumi.yaml`` pointed at this interpreter's
virtualenv), so no ``Pulumi.<stack>.yaml`` or ``stamped/`` directory is written into the
repository. API calls are counted at the emulator, as in ``test_api_key_cli.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from firmtrace_pulumi.emulator import clock
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.testing import PulumiCli
from tests import leaks

from .conftest import Stack, assert_keys_encrypted, calls, keys_in

pytestmark = pytest.mark.timeout(600)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.datetime.now(dt.timezone.utc).date()
D = dt.date.fromisoformat


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def copy_example(name: str, tmp_path: Path) -> Path:
    """examples/<name> copied into ``tmp_path``, its virtualenv this interpreter's."""
    target = tmp_path / name
    shutil.copytree(
        EXAMPLES / name,
        target,
        ignore=shutil.ignore_patterns("__pycache__", ".venv", "stamped", "Pulumi.*.yaml"),
    )
    settings = target / "Pulumi.yaml"
    text, count = re.subn(r"(?m)^(\s*virtualenv:).*$", rf"\1 {sys.prefix}", settings.read_text())
    assert count == 1, f"{name}/Pulumi.yaml names no virtualenv"
    settings.write_text(text)
    return target


def writes(emulator: EmulatorAdmin) -> list[str]:
    """The API writes since the last ``clear_requests``, in order."""
    return [
        f"{r['method']} {r['path'].removeprefix('/v1.3')}"
        for r in emulator.requests()
        if r["path"].startswith("/v1.3") and r["method"] != "GET"
    ]


def partner_accounts(emulator: EmulatorAdmin, default_account: str) -> dict[str, dict[str, Any]]:
    """The Accounts of the User whose default Account is ``default_account``, but that one,
    by name, each with its keys under ``"keys"``."""
    state = emulator.state()
    roles = next(set(u["roles"]) for u in state["users"] if default_account in u["roles"])
    found = {}
    for account in state["accounts"]:
        account_id = str(account["account_id"])
        if account_id in roles and account_id != default_account:
            keys = {
                k["api_key_part"]: k for k in state["api_keys"] if k["account_id"] == account_id
            }
            found[account["name"]] = {**account, "keys": keys}
    return found


def write_partners(path: Path, *partners: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump({"partners": list(partners)}, sort_keys=False))


# --- staged-rollout --------------------------------------------------------------------------


def test_staged_rollout_three_ups(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    """The README's three `pulumi up`s: pre-stage, go live, retire; one API call each, the same
    key throughout."""
    user = emulator.register()
    account = str(user.account_id)
    directory = copy_example("staged-rollout", tmp_path)
    stack = new_stack("", project="staged-rollout", token=user.token, directory=directory)
    go_live_until = day(200)

    # 1. Pre-stage: `pulumi config set endDate 2020-01-01 && pulumi up --yes`
    stack.config(accountId=account, endDate="2020-01-01")
    emulator.clear_requests()
    assert stack.up().ops == {"staged-rollout-dev": "create", "partner-key": "create"}
    assert calls(emulator) == Counter({"POST /api_key": 1})
    shown, revealed = stack.outputs(), stack.outputs(secrets=True)
    part, full = revealed["api_key_part"], revealed["api_key"]
    assert shown == {
        "active": False,
        "api_key": "[secret]",
        "api_key_part": part,
        "end_date": "2020-01-01",
    }
    assert full.startswith(part + "_")
    assert_keys_encrypted(stack, {full})
    key = keys_in(emulator, account)
    assert list(key) == [part]
    assert (key[part]["active"], key[part]["end_date"], key[part]["name"]) == (
        False,
        "2020-01-01",
        "acme-integration",
    )

    # 2. Go live: `pulumi config set endDate <future> && pulumi up --yes --diff`: in place
    stack.config(endDate=go_live_until)
    emulator.clear_requests()
    out = stack.pulumi("up", "--yes", "--diff")
    assert f'~ end_date  : "2020-01-01" => "{go_live_until}"' in out
    assert "~ active      : false => true" in out
    assert "~ 1 updated" in out and "1 unchanged" in out and "+-" not in out
    assert calls(emulator) == Counter({"PATCH /api_key": 1})
    revealed = stack.outputs(secrets=True)
    assert (revealed["api_key_part"], revealed["api_key"], revealed["active"]) == (part, full, True)
    key = keys_in(emulator, account)
    assert list(key) == [part]
    assert (key[part]["active"], key[part]["end_date"]) == (True, go_live_until)

    # 3. Retire: end_date today: in place again, the same key off
    stack.config(endDate=TODAY.isoformat())
    emulator.clear_requests()
    out = stack.pulumi("up", "--yes", "--diff")
    assert f'~ end_date  : "{go_live_until}" => "{TODAY.isoformat()}"' in out
    assert "~ active      : true => false" in out and "~ 1 updated" in out
    assert calls(emulator) == Counter({"PATCH /api_key": 1})
    revealed = stack.outputs(secrets=True)
    assert (revealed["api_key_part"], revealed["api_key"], revealed["active"]) == (
        part,
        full,
        False,
    )
    key = keys_in(emulator, account)
    assert list(key) == [part]
    assert (key[part]["active"], key[part]["end_date"]) == (False, TODAY.isoformat())

    # `pulumi destroy`: the key is deleted
    emulator.clear_requests()
    assert stack.destroy().changes == {"delete": 2}
    assert calls(emulator) == Counter({"DELETE /api_key": 1})
    assert keys_in(emulator, account) == {}
    assert full not in stack.all_printed and user.token not in stack.all_printed


# --- partner-onboarding: one stack -----------------------------------------------------------

NORTHWIND = {"name": "Northwind Traders", "url": "https://northwind.example", "go_live": day(-10)}
CONTOSO = {
    "name": "Contoso Pharmaceuticals",
    "id": "contoso",
    "url": "https://www.contoso.example",
    "go_live": day(30),
}


def test_partner_onboarding_gitops_edits(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    """partners.yaml edited pull request by pull request, `pulumi up --yes` after each."""
    user = emulator.register()
    default = str(user.account_id)
    directory = copy_example("partner-onboarding", tmp_path)
    file = directory / "partners.yaml"
    stack = new_stack("", project="partner-onboarding", token=user.token, directory=directory)
    northwind = dict(NORTHWIND)

    # 1. One partner, past go-live: its Account and a live key.
    write_partners(file, northwind)
    emulator.clear_requests()
    run = stack.up()
    assert run.ops == {
        "partner-onboarding-dev": "create",
        "northwind-traders": "create",
        "northwind-traders-key": "create",
    }
    assert Counter(writes(emulator)) == Counter({"POST /accounts": 1, "POST /api_key": 1})
    partners = stack.outputs()["partners"]
    nw = partners["northwind-traders"]
    assert (nw["active"], nw["end_date"], nw["go_live"]) == (True, None, NORTHWIND["go_live"])
    accounts = partner_accounts(emulator, default)
    assert list(accounts) == ["Northwind Traders"]
    assert accounts["Northwind Traders"]["url"] == "https://northwind.example"
    assert str(accounts["Northwind Traders"]["account_id"]) == nw["account_id"]
    (nw_key,) = accounts["Northwind Traders"]["keys"].values()
    assert (nw_key["api_key_part"], nw_key["active"], nw_key["name"]) == (
        nw["api_key_part"],
        True,
        "northwind-traders-integration",
    )
    assert stack.outputs()["api_keys"] == "[secret]"
    full_keys = stack.outputs(secrets=True)["api_keys"]
    assert full_keys["northwind-traders"].startswith(nw["api_key_part"] + "_")

    # 2. A pull request adds a partner before its go-live: only its Account and a pre-staged key
    write_partners(file, northwind, CONTOSO)
    emulator.clear_requests()
    assert stack.up().ops == {"contoso": "create", "contoso-key": "create"}
    assert Counter(writes(emulator)) == Counter({"POST /accounts": 1, "POST /api_key": 1})
    partners = stack.outputs()["partners"]
    assert partners["northwind-traders"] == nw
    co = partners["contoso"]
    assert (co["active"], co["end_date"]) == (False, "2020-01-01")
    accounts = partner_accounts(emulator, default)
    assert set(accounts) == {"Northwind Traders", "Contoso Pharmaceuticals"}
    (co_key,) = accounts["Contoso Pharmaceuticals"]["keys"].values()
    assert (co_key["api_key_part"], co_key["active"]) == (co["api_key_part"], False)
    assert accounts["Northwind Traders"]["keys"][nw["api_key_part"]]["active"] is True
    full_keys = stack.outputs(secrets=True)["api_keys"]
    assert full_keys["contoso"].startswith(co["api_key_part"] + "_")
    assert_keys_encrypted(stack, set(full_keys.values()))

    # 3. Northwind's contract ends today (`until`): its key switched off in place, same key
    northwind = {**northwind, "until": TODAY.isoformat()}
    write_partners(file, northwind, CONTOSO)
    emulator.clear_requests()
    assert stack.up().ops == {"northwind-traders-key": "update"}
    assert writes(emulator) == ["PATCH /api_key"]
    partners = stack.outputs()["partners"]
    assert partners["northwind-traders"]["api_key_part"] == nw["api_key_part"]
    assert partners["northwind-traders"]["active"] is False
    assert partners["contoso"] == co
    nw_keys = partner_accounts(emulator, default)["Northwind Traders"]["keys"]
    assert list(nw_keys) == [nw["api_key_part"]]
    assert (nw_keys[nw["api_key_part"]]["active"], nw_keys[nw["api_key_part"]]["end_date"]) == (
        False,
        TODAY.isoformat(),
    )
    assert stack.outputs(secrets=True)["api_keys"] == full_keys

    # 4. Removing Contoso, as the README says: first deletion_protection: false (applied: a
    # state change, no API call), then out of the file (its key and Account deleted).
    write_partners(file, northwind, {**CONTOSO, "deletion_protection": False})
    emulator.clear_requests()
    assert stack.up().ops == {"contoso": "update"}
    assert writes(emulator) == []
    write_partners(file, northwind)
    emulator.clear_requests()
    assert stack.up().ops == {"contoso": "delete", "contoso-key": "delete"}
    assert writes(emulator) == ["DELETE /api_key", "DELETE /accounts"]
    assert list(partner_accounts(emulator, default)) == ["Northwind Traders"]
    assert keys_in(emulator, co["account_id"]) == {}
    assert set(stack.outputs()["partners"]) == {"northwind-traders"}

    # 5. Skipping the first pull request (Northwind removed, protection still on): the engine
    # refuses before any API call (deletion_protection sets Pulumi's protect); nothing changes
    write_partners(file)
    emulator.clear_requests()
    failed = stack.up(check=False)
    assert "because it is protected" in failed.output, failed.output
    assert writes(emulator) == []
    accounts = partner_accounts(emulator, default)
    assert list(accounts) == ["Northwind Traders"]
    assert list(accounts["Northwind Traders"]["keys"]) == [nw["api_key_part"]]
    # Back, with deletion_protection: false: a state-only change, the same key
    write_partners(file, {**northwind, "deletion_protection": False})
    emulator.clear_requests()
    assert stack.up().ops == {"northwind-traders": "update"}
    assert writes(emulator) == []
    minted = {*full_keys.values(), *stack.outputs(secrets=True)["api_keys"].values()}

    # Everyone gone: `pulumi destroy`
    assert stack.destroy().changes == {"delete": 3}
    assert partner_accounts(emulator, default) == {}
    for secret in (*minted, user.token):
        assert secret not in stack.all_printed, "a secret was printed by the CLI"


# --- key-rotation ----------------------------------------------------------------------------


@pytest.fixture
def emulator_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set the (in-process) session emulator's date, which decides every key's ``active``."""
    if os.environ.get("FIRMTRACE_EMULATOR_URL"):
        pytest.skip("needs the in-process emulator, to set its clock")

    def set_to(date: str) -> None:
        monkeypatch.setattr(clock, "today", lambda: D(date))

    yield set_to


def test_key_rotation_over_simulated_days(
    emulator: EmulatorAdmin,
    new_stack: Callable[..., Stack],
    tmp_path: Path,
    emulator_today: Callable[[str], None],
) -> None:
    """A daily `pulumi up --yes` over simulated days (config ``today``, the emulator's clock set
    to the same day): the next key minted ahead, published without a new mint, the old one
    end-dated after the overlap, kept while retired, deleted after the grace; never a day
    without a working published key; an appended rotation mints before it end-dates."""
    user = emulator.register()
    account = str(user.account_id)
    directory = copy_example("key-rotation", tmp_path)
    stack = new_stack(
        "", project="key-rotation", token=user.token, name="prod", directory=directory
    )
    stack.config(accountId=account, periodDays="30", leadDays="5", overlapDays="5", graceDays="5")
    stack.pulumi("config", "set", "--path", "key-rotation:rotations[0]", "2027-01-01")
    full_keys: dict[str, str] = {}

    def up_on(date: str) -> dict[str, Any]:
        emulator_today(date)
        stack.config(today=date)
        emulator.clear_requests()
        stack.up()
        revealed = stack.outputs(secrets=True)
        published = revealed["api_key_part"]
        full_keys[published] = revealed["api_key"]
        if revealed["next_api_key"]:
            full_keys[revealed["keys"][revealed["rotates_on"]]["api_key_part"]] = revealed[
                "next_api_key"
            ]
        # never without a working published key: it is active and has no end_date
        live = keys_in(emulator, account)
        assert (live[published]["active"], live[published]["end_date"]) == (True, None), date
        assert revealed["api_key"].startswith(published + "_")
        return revealed

    def view() -> dict[str, tuple[str, bool, str | None]]:
        """The emulator's keys: name → (api_key_part, active, end_date)."""
        return {
            k["name"]: (part, k["active"], k["end_date"])
            for part, k in keys_in(emulator, account).items()
        }

    # Day 2027-01-10: the first generation's key, published
    out = up_on("2027-01-10")
    assert writes(emulator) == ["POST /api_key"]
    first = out["api_key_part"]
    assert view() == {"warehouse-sync-2027-01-01": (first, True, None)}
    assert (out["current_since"], out["rotates_on"], out["next_api_key"]) == (
        "2027-01-01",
        "2027-01-31",
        None,
    )
    shown = stack.outputs()
    assert shown["api_key"] == "[secret]" and shown["next_api_key"] == "[secret]"

    # 01-27, inside the lead window: the next key minted and handed out; the current one
    # untouched (no end_date) and still published
    out = up_on("2027-01-27")
    assert writes(emulator) == ["POST /api_key"]
    nxt = view()["warehouse-sync-2027-01-31"][0]
    assert view() == {
        "warehouse-sync-2027-01-01": (first, True, None),
        "warehouse-sync-2027-01-31": (nxt, True, None),
    }
    assert out["api_key_part"] == first
    handed_out = out["next_api_key"]
    assert handed_out.startswith(nxt + "_")
    assert out["keys"]["2027-01-31"]["role"] == "next"

    # 01-31: the next key takes over, no new mint (the one handed out early); the old one
    # end-dated 31 + overlap and still working. One PATCH.
    out = up_on("2027-01-31")
    assert writes(emulator) == ["PATCH /api_key"]
    assert out["api_key_part"] == nxt and out["api_key"] == handed_out
    assert view() == {
        "warehouse-sync-2027-01-01": (first, True, "2027-02-05"),
        "warehouse-sync-2027-01-31": (nxt, True, None),
    }
    assert out["keys"]["2027-01-01"]["role"] == "retiring"

    # 02-06, past its end_date: Firmtrace has switched the old key off; kept for the grace
    out = up_on("2027-02-06")
    assert writes(emulator) == []
    assert view() == {
        "warehouse-sync-2027-01-01": (first, False, "2027-02-05"),
        "warehouse-sync-2027-01-31": (nxt, True, None),
    }
    assert out["keys"]["2027-01-01"] == {
        "role": "retired",
        "api_key_part": first,
        "end_date": "2027-02-05",
        "active": False,
    }

    # 02-10, end_date + grace: the old key deleted
    out = up_on("2027-02-10")
    assert writes(emulator) == ["DELETE /api_key"]
    assert view() == {"warehouse-sync-2027-01-31": (nxt, True, None)}

    # 02-12, an explicit rotation (append today): the new key minted first, then the one in
    # use end-dated (still working for the overlap): the overlap holds within one `up`
    stack.pulumi("config", "set", "--path", "key-rotation:rotations[1]", "2027-02-12")
    out = up_on("2027-02-12")
    assert writes(emulator) == ["POST /api_key", "PATCH /api_key"]
    third = view()["warehouse-sync-2027-02-12"][0]
    assert view() == {
        "warehouse-sync-2027-01-31": (nxt, True, "2027-02-17"),
        "warehouse-sync-2027-02-12": (third, True, None),
    }
    assert (out["api_key_part"], out["rotates_on"]) == (third, "2027-03-14")
    assert_keys_encrypted(stack, {full_keys[nxt], full_keys[third]})

    assert stack.destroy().changes == {"delete": 4}
    assert keys_in(emulator, account) == {}
    for secret in (*full_keys.values(), user.token):
        assert secret not in stack.all_printed, "a secret was printed by the CLI"


# --- partner-onboarding: stamp.py, a stack per partner ---------------------------------------


def stamp_env(
    cli: PulumiCli, emulator: EmulatorAdmin, token: str, *, venv_on_path: bool
) -> dict[str, str]:
    """The environment of `python stamp.py` as the README sets it up: the CLI's backend and
    passphrase, FIRMTRACE_API_URL/TOKEN, the CLI on PATH; with ``venv_on_path`` the virtualenv
    activated (its python first on PATH), else the PATH without it."""
    venv_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    path.insert(0, str(Path(cli.executable()).parent))
    if venv_on_path:
        path.insert(0, venv_bin)
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PULUMI_CONFIG_PASSPHRASE")
    }
    return {
        **env,
        **cli.env(),
        "PATH": os.pathsep.join(path),
        "FIRMTRACE_API_URL": emulator.url,
        "FIRMTRACE_TOKEN": token,
    }


def stamp(directory: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """`python stamp.py ARGS` in the example's directory: (exit code, what it printed)."""
    done = subprocess.run(
        [sys.executable, "stamp.py", *args],
        cwd=directory,
        env=env,
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=600,
        check=False,
    )
    leaks.OBSERVED.text(f"stamp.py {' '.join(args)} output", done.stdout)
    return done.returncode, done.stdout


def stamped_stacks(cli: PulumiCli, stamped: Path) -> set[str]:
    listed = json.loads(cli.run("stack", "ls", "--json", cwd=stamped).stdout)
    return {s["name"].split("/")[-1] for s in listed}


def test_stamp_a_stack_per_partner(emulator: EmulatorAdmin, cli: PulumiCli, tmp_path: Path) -> None:
    """`python stamp.py` (Automation API, inline program) as its README runs it, the virtualenv
    activated: a stack per partner, go-live by date, a removed partner's stack listed, then
    destroyed and removed by `--prune`."""
    user = emulator.register()
    default = str(user.account_id)
    directory = copy_example("partner-onboarding", tmp_path)
    file, stamped = directory / "partners.yaml", directory / "stamped"
    env = stamp_env(cli, emulator, user.token, venv_on_path=True)
    northwind = {**NORTHWIND, "deletion_protection": False}  # leaves at the end: see below
    printed: list[str] = []

    def run(*args: str) -> str:
        code, out = stamp(directory, env, *args)
        printed.append(out)
        assert code == 0, f"stamp.py {' '.join(args)} exited {code}:\n{out}"
        return out

    # 1. Two partners, one stack each: Northwind live, Contoso pre-staged
    write_partners(file, northwind, CONTOSO)
    run()
    assert stamped_stacks(cli, stamped) == {"northwind-traders", "contoso"}
    for stack_file in ("Pulumi.yaml", "Pulumi.northwind-traders.yaml", "Pulumi.contoso.yaml"):
        assert (stamped / stack_file).is_file(), stack_file
    settings = yaml.safe_load((stamped / "Pulumi.contoso.yaml").read_text())["config"]
    assert settings["firmtrace:apiUrl"] == emulator.url
    assert set(settings["firmtrace:token"]) == {"secure"}  # encrypted
    assert user.token not in (stamped / "Pulumi.contoso.yaml").read_text()
    accounts = partner_accounts(emulator, default)
    assert set(accounts) == {"Northwind Traders", "Contoso Pharmaceuticals"}
    (nw_key,) = accounts["Northwind Traders"]["keys"].values()
    (co_key,) = accounts["Contoso Pharmaceuticals"]["keys"].values()
    assert (nw_key["active"], nw_key["end_date"]) == (True, None)
    assert (co_key["active"], co_key["end_date"]) == (False, "2020-01-01")
    outputs = json.loads(
        cli.run("stack", "output", "--json", "--stack", "contoso", cwd=stamped).stdout
    )
    assert outputs["api_key"] == "[secret]" and outputs["api_key_part"] == co_key["api_key_part"]

    # 2. Contoso's go-live day (`--today`, as the day's CI run): its key on, in place, same key
    emulator.clear_requests()
    only_out = run("--only", "contoso", "--today", CONTOSO["go_live"])
    assert writes(emulator) == ["PATCH /api_key"]
    (co_now,) = partner_accounts(emulator, default)["Contoso Pharmaceuticals"]["keys"].values()
    assert (co_now["api_key_part"], co_now["active"], co_now["end_date"]) == (
        co_key["api_key_part"],
        True,
        None,
    )
    assert f"contoso: key {co_key['api_key_part']}, active=True" in only_out

    # 3. Removing Contoso: deletion_protection off first (a state change), then out of the file
    write_partners(file, northwind, {**CONTOSO, "deletion_protection": False})
    emulator.clear_requests()
    run("--only", "contoso", "--today", CONTOSO["go_live"])
    assert writes(emulator) == []
    write_partners(file, northwind)
    out = run("--today", CONTOSO["go_live"])
    assert "==> contoso: no longer in the partners file; `--prune` destroys its stack" in out
    assert stamped_stacks(cli, stamped) == {"northwind-traders", "contoso"}
    assert "Contoso Pharmaceuticals" in partner_accounts(emulator, default)
    emulator.clear_requests()
    out = run("--prune", "--today", CONTOSO["go_live"])
    assert "==> contoso: no longer in the partners file: pulumi destroy, then stack rm" in out
    assert writes(emulator) == ["DELETE /api_key", "DELETE /accounts"]
    assert stamped_stacks(cli, stamped) == {"northwind-traders"}
    assert set(partner_accounts(emulator, default)) == {"Northwind Traders"}
    assert partner_accounts(emulator, default)["Northwind Traders"]["keys"] == {
        nw_key["api_key_part"]: nw_key
    }

    # The last partner leaves: `--prune` with an empty list destroys its stack too
    write_partners(file)
    run("--prune")
    assert stamped_stacks(cli, stamped) == set()
    assert partner_accounts(emulator, default) == {}
    assert user.token not in "".join(printed)

    # `--only` stamps one partner; the others are still in the file, so none is listed as gone
    assert "no longer in the partners file" not in only_out, (
        "`stamp.py --only contoso` listed a partner that is still in the file as removed:\n"
        + "\n".join(line for line in only_out.splitlines() if "no longer" in line)
    )


def test_stamp_with_the_virtualenv_not_activated(
    emulator: EmulatorAdmin, cli: PulumiCli, tmp_path: Path
) -> None:
    """`.venv/bin/python stamp.py`, the virtualenv not activated: stamp.py sets the project's
    virtualenv to this interpreter's, for the dynamic provider to import firmtrace_pulumi."""
    user = emulator.register()
    directory = copy_example("partner-onboarding", tmp_path)
    write_partners(directory / "partners.yaml", {**NORTHWIND, "deletion_protection": False})
    env = stamp_env(cli, emulator, user.token, venv_on_path=False)
    code, out = stamp(directory, env)
    assert code == 0, f"stamp.py exited {code}:\n{out}"
    assert stamped_stacks(cli, directory / "stamped") == {"northwind-traders"}
    accounts = partner_accounts(emulator, str(user.account_id))
    assert [k["active"] for k in accounts["Northwind Traders"]["keys"].values()] == [True]
    write_partners(directory / "partners.yaml")
    assert stamp(directory, env, "--prune")[0] == 0
