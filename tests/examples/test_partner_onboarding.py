"""examples/partner-onboarding: the partners file's validation and stamp.py's messages. The
GitOps sequence and stamp.py run under the real CLI in tests/e2e/test_examples_cli.py."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from .conftest import EXAMPLES

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


def test_the_committed_partners_file_is_valid(modules: tuple[ModuleType, ModuleType]) -> None:
    onboarding, _ = modules
    partners = onboarding.load_partners(DIRECTORY / "partners.yaml")
    assert [p.id for p in partners] == ["northwind-traders", "contoso"]


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


def test_stamp_without_the_cli_says_so(
    modules: tuple[ModuleType, ModuleType],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, stamp = modules
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # a machine without the Pulumi CLI
    if shutil.which("pulumi"):
        pytest.skip("a pulumi binary is in /usr/bin or /bin")
    assert stamp.main(["--file", str(DIRECTORY / "partners.yaml")]) == 3
    err = capsys.readouterr().err
    assert "not installed" in err and "https://www.pulumi.com/docs/install/" in err
    assert stamp.main(["--file", str(DIRECTORY / "missing.yaml")]) == 2
