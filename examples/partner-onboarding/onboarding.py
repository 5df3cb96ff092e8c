"""Partners from ``partners.yaml`` and the resources of one partner.

Shared by the one-stack program (``__main__.py``) and the stack-per-partner script
(``stamp.py``), so both create exactly the same resources for a partner.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from firmtrace_pulumi import Account, ApiKey
from firmtrace_pulumi.components import utc_today

PRE_STAGED = "2020-01-01"
"""The end_date of a key before go-live: any past day makes it exist, inactive."""

FIELDS = {"name", "url", "go_live", "id", "until", "deletion_protection"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class PartnerFileError(pulumi.RunError, ValueError):
    """partners.yaml is not as documented (Pulumi shows the message without a stack trace)."""


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    url: str
    go_live: dt.date
    until: dt.date | None = None
    deletion_protection: bool = True

    def end_date(self, today: dt.date) -> str | None:
        """Before go-live the key is pre-staged (a past end_date); from go-live on it is live
        until ``until`` (or for good)."""
        if today < self.go_live:
            return PRE_STAGED
        return self.until.isoformat() if self.until else None


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")


class _Loader(yaml.SafeLoader):
    """YAML with dates left as text: PyYAML's own date parsing fails on a day that does not
    exist (``2027-02-30``) with a bare traceback; ``parse_date`` names the partner instead."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def parse_date(value: Any, where: str, partner: str | None = None) -> dt.date:
    """``value`` as a date written YYYY-MM-DD; the error names ``where`` (and the partner)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    whose = f" (partner {partner!r})" if partner else ""
    if not _DATE.match(str(value)):
        raise PartnerFileError(f"{where} is {value!r}{whose}: expected a date as YYYY-MM-DD.")
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PartnerFileError(
            f"{where} is {value!r}{whose}: there is no such date; expected YYYY-MM-DD."
        ) from None


def parse_partners(data: Any, source: str = "partners.yaml") -> list[Partner]:
    """Validate the file's content; every problem names the entry and the field."""
    entries = data.get("partners") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PartnerFileError(f"{source} must have a list under 'partners:'.")
    partners: list[Partner] = []
    for i, entry in enumerate(entries):
        where = f"{source}: partners[{i}]"
        if not isinstance(entry, dict):
            raise PartnerFileError(f"{where} must be a map with name, url and go_live.")
        unknown = sorted(set(map(str, entry)) - FIELDS)
        missing = sorted({"name", "url", "go_live"} - set(entry))
        if unknown or missing:
            problem = f"unknown fields {unknown}" if unknown else f"missing fields {missing}"
            raise PartnerFileError(f"{where} has {problem}; fields are {sorted(FIELDS)}.")
        name = str(entry["name"]).strip()
        partner_id = str(entry.get("id") or slug(name))
        if not _ID.match(partner_id):
            raise PartnerFileError(
                f"{where}: id {partner_id!r} must be lowercase letters, digits and '-'."
            )
        protection = entry.get("deletion_protection", True)
        if not isinstance(protection, bool):
            raise PartnerFileError(f"{where}: deletion_protection must be true or false.")
        go_live = parse_date(entry["go_live"], f"{where}.go_live", name)
        until = parse_date(entry["until"], f"{where}.until", name) if entry.get("until") else None
        if until is not None and until <= go_live:
            raise PartnerFileError(
                f"{where}.until is {until.isoformat()!r} (partner {name!r}): the key would never "
                f"be live; until must be after go_live ({go_live.isoformat()}), or be left out."
            )
        partners.append(
            Partner(
                id=partner_id,
                name=name,
                url=str(entry["url"]).strip(),
                go_live=go_live,
                until=until,
                deletion_protection=protection,
            )
        )
    seen: set[str] = set()
    for partner in partners:
        if partner.id in seen:
            raise PartnerFileError(
                f"{source}: two partners have the id {partner.id!r}; give one an 'id:'."
            )
        seen.add(partner.id)
    return partners


def load_partners(path: Path) -> list[Partner]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise PartnerFileError(f"Cannot read the partners file {path}: {exc.strerror}.") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise PartnerFileError(f"{path.name} is not valid YAML: {exc}") from None
    return parse_partners(data, path.name)


def today_from(config: pulumi.Config) -> dt.date:
    """The day to plan for: config ``today`` (to preview a date), else today in UTC (the day
    Firmtrace compares ``end_date`` against)."""
    value = config.get("today")
    return parse_date(value, "config 'today'") if value else utc_today()


def onboard(partner: Partner, today: dt.date) -> tuple[dict[str, Any], pulumi.Output[str]]:
    """One partner's Account and API key. Returns the non-secret outputs and the full key."""
    site = Account(
        partner.id,
        name=partner.name,
        url=partner.url,
        deletion_protection=partner.deletion_protection,
    )
    key = ApiKey(
        f"{partner.id}-key",
        account_id=site.account_id,
        name=f"{partner.id}-integration",
        end_date=partner.end_date(today),
    )
    outputs = {
        "account_id": site.account_id,
        "api_key_part": key.api_key_part,
        "active": key.active,
        "go_live": partner.go_live.isoformat(),
        "end_date": key.end_date,
    }
    return outputs, key.api_key
