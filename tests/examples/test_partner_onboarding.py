"""examples/partner-onboarding: the GitOps program over a sequence of partners.yaml edits, the
per-partner inline program of stamp.py, and the file's validation."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.harness import wire

from .conftest import EXAMPLES, Example

DIRECTORY = EXAMPLES / "partner-onboarding"
TODAY = dt.datetime.now(dt.timezone.utc).date()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def modules(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, ModuleType]]:
    """(onboarding, stamp), imported from the example's directory as its programs do."""
    monkeypatch.syspath_prepend(str(DIRECTORY))
    yield importlib.import_module("onboarding"), importlib.import_module("stamp")
    for name in ("onboarding", "stamp"):
        sys.modules.pop(name, None)


def write_partners(path: Path, partners: list[dict[str, Any]]) -> str:
    path.write_text(yaml.safe_dump({"partners": partners}, sort_keys=False))
    return str(path)


def partner_accounts(ex: Example) -> dict[str, dict[str, Any]]:
    """The partner Accounts (not the user's default one), by name."""
    return {a["name"]: a for a in ex.accounts().values() if a["account_id"] != ex.account_id}


def test_the_committed_partners_file_is_valid(modules: tuple[ModuleType, ModuleType]) -> None:
    onboarding, _ = modules
    partners = onboarding.load_partners(DIRECTORY / "partners.yaml")
    assert [p.id for p in partners] == ["northwind-traders", "contoso"]


def test_gitops_sequence(example: Callable[[str], Example], tmp_path: Path) -> None:
    ex = example("partner-onboarding")
    northwind = {"name": "Northwind Traders", "url": "https://northwind.example"}
    northwind["go_live"] = day(-10)
    contoso = {
        "name": "Contoso Pharmaceuticals",
        "id": "contoso",
        "url": "https://www.contoso.example",
        "go_live": day(30),
    }
    file = write_partners(tmp_path / "partners.yaml", [northwind, contoso])

    # 1. Two partners: one past go-live (live key), one before it (pre-staged key).
    result = ex.up(partnersFile=file)
    summary = result.plain("partners")
    assert set(summary) == {"northwind-traders", "contoso"}
    assert (summary["northwind-traders"]["active"], summary["contoso"]["active"]) == (True, False)
    accounts = partner_accounts(ex)
    assert set(accounts) == {"Northwind Traders", "Contoso Pharmaceuticals"}
    names = {"northwind-traders": "Northwind Traders", "contoso": "Contoso Pharmaceuticals"}
    for pid, name in names.items():
        keys = ex.keys(str(accounts[name]["account_id"]))
        assert list(keys) == [summary[pid]["api_key_part"]]
        assert keys[summary[pid]["api_key_part"]]["active"] is summary[pid]["active"]
    assert wire.is_secret(result.outputs["api_keys"])
    contoso_part = summary["contoso"]["api_key_part"]
    assert result.plain("api_keys")["contoso"] == ex.full_keys[contoso_part]

    # 2. The scheduled run on Contoso's go-live day switches its key on: one PATCH, same key.
    ex.emulator.clear_requests()
    result = ex.up(partnersFile=file, today=day(30))
    assert [op for op in result.ops().values() if op != "same"] == ["update"]
    assert ex.api_writes() == [("PATCH", "/v1.3/api_key")]
    assert result.plain("partners")["contoso"]["api_key_part"] == contoso_part
    contoso_account = str(partner_accounts(ex)["Contoso Pharmaceuticals"]["account_id"])
    assert ex.keys(contoso_account)[contoso_part]["active"] is True

    # 3. A pull request adds a partner: only its Account and key are created.
    fabrikam = {"name": "Fabrikam", "url": "https://fabrikam.example", "go_live": day(5)}
    write_partners(tmp_path / "partners.yaml", [northwind, contoso, fabrikam])
    result = ex.up(partnersFile=file, today=day(30))
    assert sorted(op for op in result.ops().values() if op != "same") == ["create", "create"]
    assert set(partner_accounts(ex)) == {"Northwind Traders", "Contoso Pharmaceuticals", "Fabrikam"}

    # 4. Removing a partner: protection off first (one PR), then out of the file (the next).
    write_partners(
        tmp_path / "partners.yaml",
        [northwind, contoso, {**fabrikam, "deletion_protection": False}],
    )
    ex.up(partnersFile=file, today=day(30))
    write_partners(tmp_path / "partners.yaml", [northwind, contoso])
    result = ex.up(partnersFile=file, today=day(30))
    assert sorted(op for op in result.ops().values() if op != "same") == ["delete", "delete"]
    assert "Fabrikam" not in partner_accounts(ex)

    # Tear down: protection off for everyone, then destroy.
    off = [{**p, "deletion_protection": False} for p in (northwind, contoso)]
    write_partners(tmp_path / "partners.yaml", off)
    ex.up(partnersFile=file, today=day(30))
    ex.destroy()
    assert partner_accounts(ex) == {}


def test_stamp_inline_program_makes_the_same_resources(
    example: Callable[[str], Example], modules: tuple[ModuleType, ModuleType]
) -> None:
    onboarding, stamp = modules
    ex = example("partner-onboarding")
    partner = onboarding.Partner(
        id="tailspin",
        name="Tailspin Toys",
        url="https://tailspin.example",
        go_live=TODAY + dt.timedelta(days=3),
        deletion_protection=False,
    )
    from tests.harness.program import run_program

    result = run_program(ex.engine, stamp.program_for(partner, TODAY), project=stamp.PROJECT)
    ex.check_keys_kept(result)
    assert set(result.ops()) == {
        "pulumi-python:dynamic/firmtrace:Account::tailspin",
        "pulumi-python:dynamic/firmtrace:ApiKey::tailspin-key",
    }
    assert result.plain("active") is False and result.plain("end_date") == onboarding.PRE_STAGED
    assert wire.is_secret(result.outputs["api_key"])
    assert list(ex.keys(result.plain("account_id"))) == [result.plain("api_key_part")]

    later = run_program(
        ex.engine, stamp.program_for(partner, partner.go_live), project=stamp.PROJECT
    )
    ex.check_keys_kept(later)
    assert later.plain("active") is True
    assert later.plain("api_key_part") == result.plain("api_key_part")
    ex.destroy()
    assert ex.keys(result.plain("account_id")) == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"partner": []}, "list under 'partners:'"),
        ({"partners": [{"name": "A", "url": "https://a.example"}]}, "missing fields ['go_live']"),
        (
            {"partners": [{"name": "A", "url": "https://a.example", "go_live": "soon"}]},
            "partners[0].go_live is 'soon'",
        ),
        (
            {"partners": [{"name": "A", "url": "u", "go_live": "2026-01-01", "golive": 1}]},
            "unknown fields ['golive']",
        ),
        (
            {
                "partners": [
                    {"name": "A B", "url": "https://a.example", "go_live": "2026-01-01"},
                    {"name": "a-b", "url": "https://b.example", "go_live": "2026-01-01"},
                ]
            },
            "two partners have the id 'a-b'",
        ),
    ],
)
def test_partner_file_errors_name_the_entry(
    modules: tuple[ModuleType, ModuleType], data: Any, message: str
) -> None:
    onboarding, _ = modules
    with pytest.raises(onboarding.PartnerFileError) as err:
        onboarding.parse_partners(data)
    assert message in str(err.value)


@pytest.mark.skipif(shutil.which("pulumi") is not None, reason="the Pulumi CLI is installed here")
def test_stamp_without_the_cli_says_so(
    modules: tuple[ModuleType, ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    _, stamp = modules
    assert stamp.main(["--file", str(DIRECTORY / "partners.yaml")]) == 3
    err = capsys.readouterr().err
    assert "not installed" in err and "https://www.pulumi.com/docs/install/" in err
    assert stamp.main(["--file", str(DIRECTORY / "missing.yaml")]) == 2
