"""examples/partner-onboarding: a partner's dates as a user writes them in partners.yaml, and the
one line they read when a date is wrong: which partner, which field, what is wrong with it.
`tests/e2e/test_partner_delivery_cli.py` shows the same line under `pulumi preview`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType

import pytest

from .test_partner_onboarding import DIRECTORY, modules

__all__ = ["modules"]  # the fixture, shared with test_partner_onboarding.py


def partners_file(directory: Path, **contoso_dates: str) -> Path:
    """A partners.yaml as a user types it (dates unquoted): Northwind, then Contoso with
    ``contoso_dates`` (``go_live``, ``until``) written verbatim."""
    dates = "".join(f"    {field}: {value}\n" for field, value in contoso_dates.items())
    path = directory / "partners.yaml"
    path.write_text(
        "partners:\n"
        "  - name: Northwind Traders\n"
        "    url: https://northwind.example\n"
        "    go_live: 2026-03-01\n"
        "  - name: Contoso Pharmaceuticals\n"
        "    id: contoso\n"
        "    url: https://www.contoso.example\n" + dates
    )
    return path


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            {"go_live": "2027-02-30"},
            "partners.yaml: partners[1].go_live is '2027-02-30' (partner 'Contoso "
            "Pharmaceuticals'): there is no such date; expected YYYY-MM-DD.",
        ),
        (
            {"go_live": "2027-13-01"},
            "partners.yaml: partners[1].go_live is '2027-13-01' (partner 'Contoso "
            "Pharmaceuticals'): there is no such date; expected YYYY-MM-DD.",
        ),
        (
            {"go_live": "2027-02-01", "until": "2027-02-29"},
            "partners.yaml: partners[1].until is '2027-02-29' (partner 'Contoso "
            "Pharmaceuticals'): there is no such date; expected YYYY-MM-DD.",
        ),
        (
            {"go_live": "1 Feb 2027"},
            "partners.yaml: partners[1].go_live is '1 Feb 2027' (partner 'Contoso "
            "Pharmaceuticals'): expected a date as YYYY-MM-DD.",
        ),
        (
            {"go_live": "2027-02-01 09:00"},
            "partners.yaml: partners[1].go_live is '2027-02-01 09:00' (partner 'Contoso "
            "Pharmaceuticals'): expected a date as YYYY-MM-DD.",
        ),
        (
            {"go_live": "2027-02-01", "until": "2027-01-31"},
            "partners.yaml: partners[1].until is '2027-01-31' (partner 'Contoso "
            "Pharmaceuticals'): the key would never be live; until must be after go_live "
            "(2027-02-01), or be left out.",
        ),
        (
            {"go_live": "2027-02-01", "until": "2027-02-01"},
            "partners.yaml: partners[1].until is '2027-02-01' (partner 'Contoso "
            "Pharmaceuticals'): the key would never be live; until must be after go_live "
            "(2027-02-01), or be left out.",
        ),
    ],
    ids=[
        "no-such-day",
        "no-such-month",
        "until-no-such-day",
        "words",
        "time",
        "until-before",
        "until-same-day",
    ],
)
def test_a_bad_date_names_the_partner_and_the_field(
    modules: tuple[ModuleType, ModuleType],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    dates: dict[str, str],
    message: str,
) -> None:
    onboarding, stamp = modules
    path = partners_file(tmp_path, **dates)
    with pytest.raises(onboarding.PartnerFileError) as err:
        onboarding.load_partners(path)
    assert str(err.value) == message
    # stamp.py says the same, in one line, and stops before it runs anything
    assert stamp.main(["--file", str(path)]) == 2
    assert capsys.readouterr().err == f"stamp: {message}\n"


def test_dates_as_written_are_read(modules: tuple[ModuleType, ModuleType], tmp_path: Path) -> None:
    """Unquoted and quoted dates, and an until after go_live, read as those days."""
    onboarding, _ = modules
    path = partners_file(tmp_path, go_live="'2027-02-01'", until="2027-03-01")
    northwind, contoso = onboarding.load_partners(path)
    assert (northwind.go_live, northwind.until) == (dt.date(2026, 3, 1), None)
    assert (contoso.go_live, contoso.until) == (dt.date(2027, 2, 1), dt.date(2027, 3, 1))
    assert [p.id for p in onboarding.load_partners(DIRECTORY / "partners.yaml")] == [
        "northwind-traders",
        "contoso",
    ]


def test_a_bad_today_is_named(
    modules: tuple[ModuleType, ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    _, stamp = modules
    assert stamp.main(["--file", str(DIRECTORY / "partners.yaml"), "--today", "2027-02-29"]) == 2
    assert capsys.readouterr().err == (
        "stamp: --today is '2027-02-29': there is no such date; expected YYYY-MM-DD.\n"
    )
