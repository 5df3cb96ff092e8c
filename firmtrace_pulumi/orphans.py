"""Finding what an interrupted ``pulumi up`` created in Firmtrace but never recorded in state.

A key whose create the API carried out while the engine was stopped (Ctrl-C twice, a killed
runner, a killed provider) exists in Firmtrace, but nobody ever received its full value, and no
state knows it. This module finds such keys, and only such keys, by comparing the Accounts the
stack uses with the stack's state:

- a key whose name is that of a **pending create** the engine left in state (the engine records
  a create's inputs, the name among them, before it calls the provider); or
- a key whose auto-name carries **this stack's tag** (``key_names``) and which was created while
  an update of this stack that did not succeed was running (``pulumi stack history``).

Anything else is never touched: keys in state, keys named by people, other stacks' keys, keys of
this stack created outside a failed update. An Account is reported when it matches a pending
create of an Account, and deleted only if asked and it holds no keys.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import contract
from .client import FirmtraceClient
from .contract import parse_timestamp
from .key_names import name_tag, stack_tag
from .plugin.package import PACKAGE, python_name
from .urns import Urn

__all__ = ["Finding", "Orphans", "StackView", "find_orphans", "revoke"]

API_KEY_TYPE = "pulumi-python:dynamic/firmtrace:ApiKey"
ACCOUNT_TYPE = "pulumi-python:dynamic/firmtrace:Account"
PLUGIN_TYPES = {API_KEY_TYPE: f"{PACKAGE}:index:ApiKey", ACCOUNT_TYPE: f"{PACKAGE}:index:Account"}
"""The plugin's type of each dynamic resource type: the finder reads stacks of either face."""
CLOCK_SLACK = dt.timedelta(seconds=2)
"""History times have whole seconds, and the API's clock may differ a little from the engine's."""


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime

    def holds(self, moment: dt.datetime) -> bool:
        return self.start - CLOCK_SLACK <= moment <= self.end + CLOCK_SLACK


@dataclass
class StackView:
    """What the finder needs of one stack: read from ``pulumi stack export`` and
    ``pulumi stack history --json``."""

    project: str
    stack: str
    key_parts: set[str] = field(default_factory=set)
    account_ids: set[str] = field(default_factory=set)
    sites: set[tuple[str, str]] = field(default_factory=set)
    """(name, url) of every Account in state."""
    pending_keys: set[tuple[str | None, str]] = field(default_factory=set)
    """(account_id, name) of every ApiKey create the engine left pending."""
    pending_accounts: set[tuple[str, str]] = field(default_factory=set)
    """(name, url) of every Account create the engine left pending."""
    failed_updates: list[Window] = field(default_factory=list)

    @property
    def tag(self) -> str:
        return stack_tag(self.project, self.stack)

    @classmethod
    def read(cls, export: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> StackView:
        deployment = export.get("deployment") or {}
        resources = list(deployment.get("resources") or [])
        pending = [op for op in deployment.get("pending_operations") or [] if op.get("resource")]
        urns = [r["urn"] for r in resources] + [op["resource"]["urn"] for op in pending]
        stack, project = _stack_and_project(urns)
        view = cls(project=project, stack=stack)
        for resource in resources:
            type_, outputs, _ = _as_dynamic(resource)
            if type_ == API_KEY_TYPE and outputs.get("api_key_part"):
                view.key_parts.add(outputs["api_key_part"])
            elif type_ == ACCOUNT_TYPE and resource.get("id"):
                view.account_ids.add(str(resource["id"]))
                view.sites.add((str(outputs.get("name")), str(outputs.get("url"))))
        for op in pending:
            type_, _, inputs = _as_dynamic(op["resource"])
            if op.get("type") != "creating":
                continue
            if type_ == API_KEY_TYPE and isinstance(inputs.get("name"), str):
                account = inputs.get("account_id")
                view.pending_keys.add((str(account) if account else None, inputs["name"]))
            elif type_ == ACCOUNT_TYPE:
                view.pending_accounts.add((str(inputs.get("name")), str(inputs.get("url"))))
        for update in history:
            if update.get("result") != "succeeded" and update.get("startTime"):
                start = parse_timestamp(update["startTime"])
                end = parse_timestamp(update["endTime"]) if update.get("endTime") else _now()
                if start and end:
                    view.failed_updates.append(Window(start, end))
        return view


@dataclass(frozen=True)
class Finding:
    """One orphan: what it is, where, and why the finder is sure it is this stack's."""

    kind: str  # "API key" or "Account"
    account_id: str
    name: str
    api_key_part: str | None
    reason: str

    def __str__(self) -> str:
        what = f"{self.kind} {self.api_key_part or self.account_id} '{self.name}'"
        where = f" in Account {self.account_id}" if self.api_key_part else ""
        return f"{what}{where}: {self.reason}"


@dataclass
class Orphans:
    keys: list[Finding] = field(default_factory=list)
    accounts: list[Finding] = field(default_factory=list)
    look_alikes: list[Finding] = field(default_factory=list)
    """Accounts that may be orphans but are never touched: a person must decide."""

    def __bool__(self) -> bool:
        return bool(self.keys or self.accounts or self.look_alikes)


def find_orphans(view: StackView, client: FirmtraceClient, *, own_account: bool) -> Orphans:
    """The orphans of the stack ``view`` describes, found with ``client``. ``own_account``: the
    client signs in with an API key, whose Account is implicit."""
    found = Orphans()
    # Every Account the credential reaches: a key lost on a stack's first create is in an
    # Account its state does not name yet.
    reached = [] if own_account else client.list_accounts()
    accounts: Iterable[str | None] = (
        [None] if own_account else sorted(a.account_id for a in reached)
    )
    for account_id in accounts:
        for key in client.list_api_keys(account_id):
            if key.api_key_part in view.key_parts:
                continue
            if reason := _orphan_key_reason(view, key, account_id):
                found.keys.append(
                    Finding("API key", key.account_id, key.name or "", key.api_key_part, reason)
                )
    if not own_account:
        for account in reached:
            if account.account_id in view.account_ids:
                continue
            site = (account.name, account.url)
            if site in view.pending_accounts:
                reason = "matches an Account create the engine left pending"
                finding = Finding("Account", account.account_id, account.name, None, reason)
                found.accounts.append(finding)
            elif site in view.sites and view.failed_updates:
                # The API shows no creation time of an Account: it may be a create whose
                # answer was lost, or an Account a person made with the same name on purpose.
                reason = (
                    "has the name and url of an Account in state but is not in state: if it is "
                    "empty and nobody made it on purpose, delete it in the Firmtrace app"
                )
                finding = Finding("Account", account.account_id, account.name, None, reason)
                found.look_alikes.append(finding)
    return found


def revoke(found: Orphans, client: FirmtraceClient) -> list[str]:
    """Revoke the orphan keys and delete the orphan Accounts that hold no keys. Returns what
    was done, one line each."""
    done = []
    for key in found.keys:
        assert key.api_key_part is not None
        client.delete_api_key(key.account_id, key.api_key_part)
        done.append(f"revoked API key {key.api_key_part} '{key.name}'")
    for account in found.accounts:
        if client.list_api_keys(account.account_id):
            done.append(f"kept Account {account.account_id} '{account.name}': it holds API keys")
            continue
        client.delete_account(account.account_id)
        done.append(f"deleted Account {account.account_id} '{account.name}'")
    return done


def _orphan_key_reason(view: StackView, key: contract.ApiKey, account_id: str | None) -> str:
    name = key.name or ""
    if (account_id, name) in view.pending_keys or (key.account_id, name) in view.pending_keys:
        return "its name is that of a create the engine left pending"
    created = parse_timestamp(key.created_at)
    if (
        name_tag(name) == view.tag
        and created
        and any(w.holds(created) for w in view.failed_updates)
    ):
        return "minted by this stack during an update that did not finish"
    return ""


def _as_dynamic(resource: Mapping[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A resource of state as (dynamic type, outputs, inputs) under the providers' names: a
    plugin resource (``firmtrace:index:ApiKey``, ``apiKeyPart``) reads as a dynamic one."""
    type_ = str(resource.get("type"))
    outputs, inputs = dict(resource.get("outputs") or {}), dict(resource.get("inputs") or {})
    for dynamic, token in PLUGIN_TYPES.items():
        if type_ == token:
            return (
                dynamic,
                {python_name(token, k): v for k, v in outputs.items()},
                {python_name(token, k): v for k, v in inputs.items()},
            )
    return type_, outputs, inputs


def _stack_and_project(urns: Iterable[str]) -> tuple[str, str]:
    for urn in urns:
        with contextlib.suppress(ValueError):
            first = Urn.parse(urn)
            return first.stack, first.project
    raise ValueError("The stack's state has no resources: there is nothing to compare with.")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
