"""The dynamic provider behind ``ApiKey``: check, diff, create, read, update, delete.

The full key is returned by the API once, on create. It goes into the outputs as ``api_key``
(the resource marks it secret) and every later operation carries it over from the old outputs,
so no update, refresh or retry can lose it.

| change of     | effect                                                          |
|---------------|-----------------------------------------------------------------|
| name          | update in place (PATCH)                                         |
| end_date      | update in place (PATCH): forward switches on, back switches off |
| account_id    | replace, create-before-delete                                   |
| keepers       | replace, create-before-delete (the rotation trigger)            |
| adopt         | replace (adopt another existing key)                            |
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from ..config import AuthMethod
from ..contract_core import key_has_part, parse_timestamp
from ..errors import (
    CreateNotConfirmedError,
    FirmtraceError,
    MalformedIdError,
    NotFoundError,
    OrphanRiskError,
    OwnCredentialError,
    TransientError,
    UncertainWriteError,
)
from ..key_names import auto_name, auto_name_prefix
from . import validation as v
from .base import FirmtraceProvider
from .schema import API_KEY, changed, check_inputs, input_names, output_names

if TYPE_CHECKING:  # the wire models (msgspec): loaded by the calls that reach the API
    from .. import contract

__all__ = [
    "CLOCK_TOLERANCE",
    "INPUTS",
    "MINT_ATTEMPTS",
    "NAME_PREFIX",
    "STACK_TAG",
    "ApiKeyProvider",
    "make_id",
    "outputs",
    "split_id",
]

NAME_PREFIX = "__name_prefix"
"""Hidden input: the Pulumi resource name, the stem of the auto-generated key name."""
STACK_TAG = "__stack_tag"
"""Hidden input: the tag of the stack that declares the key, carried into its auto-name."""

INPUTS = (*input_names(API_KEY), NAME_PREFIX, STACK_TAG)

MINT_ATTEMPTS = 3
CLOCK_TOLERANCE = dt.timedelta(seconds=1)
"""How far the API's clock may lag ours when telling a just-minted orphan from an older key."""


def make_id(account_id: str, api_key_part: str) -> str:
    return f"{account_id}/{api_key_part}"


def split_id(id_: str) -> tuple[str, str]:
    account_id, sep, part = id_.rpartition("/")
    if not sep or not account_id or not part:
        raise MalformedIdError(
            f"'{id_}' is not an ApiKey id; ids look like '<account_id>/<api_key_part>'."
        )
    return account_id, part


def _end_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def outputs(key: contract.ApiKey, *, api_key: str | None, props: dict[str, Any]) -> dict[str, Any]:
    """Every output of an ApiKey: the API's view of the key, else what only state knows."""
    from .. import contract

    known = {**props, **contract.to_data(key), "api_key": api_key}
    return {name: known.get(name) for name in output_names(API_KEY)}


class ApiKeyProvider(FirmtraceProvider):
    props = API_KEY

    def check(self, olds: dict[str, Any], news: dict[str, Any], seed: bytes = b"") -> CheckResult:
        """``seed``: the engine's random seed for the resource, when it gives one (the plugin)."""
        failures = self.configuration_failures()
        failures += v.unknown_properties(news, INPUTS)
        inputs = {k: news[k] for k in INPUTS if k in news}

        inputs["account_id"] = v.normalize_account_id(news.get("account_id"))
        if inputs.get("name") is None and not inputs.get("adopt"):
            # An auto-name, once given, stays (Pulumi's auto-naming convention): also when the
            # resource is renamed with an alias or moved under another parent. Only a new
            # resource, or a replacement (the engine checks it without olds), gets a new one.
            prefix = str(news.get(NAME_PREFIX) or "key")
            old, old_prefix = olds.get("name"), auto_name_prefix(olds.get("name"))
            if old_prefix is not None and old_prefix in (olds.get(NAME_PREFIX), prefix):
                inputs["name"], inputs[NAME_PREFIX] = old, old_prefix
            else:
                inputs["name"] = auto_name(prefix, news.get(STACK_TAG), seed)
        # A token reaches several Accounts: then a key must name its Account.
        settings = getattr(self, "_settings", None)
        required = ["account_id"] if settings and settings.requires_account_id else []
        failures += check_inputs(API_KEY, inputs, required=required)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        updates, replaces = self.changes(olds, news)
        return DiffResult(
            changes=bool(updates or replaces),
            replaces=replaces,
            stables=["api_key_part"] if not replaces else [],
            delete_before_replace=False,
        )

    def changes(self, olds: dict[str, Any], news: dict[str, Any]) -> tuple[list[str], list[str]]:
        # ``olds`` are the old *outputs*: they hold what the API last said.
        news = {**news, "account_id": v.normalize_account_id(news.get("account_id"))}
        return changed(API_KEY, olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        account_id = props.get("account_id")
        name = props.get("name")
        end_date = _end_date(props.get("end_date"))
        if props.get("adopt"):
            key = self._adopt(account_id, props["adopt"], name=name, end_date=end_date)
            full_key = None
        else:
            new = self._mint(account_id, name, end_date)
            key, full_key = new, new.api_key.get_secret_value()
        return CreateResult(
            make_id(key.account_id, key.api_key_part),
            outputs(key, api_key=full_key, props=props),
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        account_id, part = split_id(id_)
        try:
            live = self.connection.api_keys(account_id)
        except NotFoundError:
            live = []
        key = next((k for k in live if k.api_key_part == part), None)
        if key is None:
            return ReadResult("", {})  # gone: the engine drops it, the next `up` creates it again
        outs = outputs(key, api_key=props.get("api_key"), props=props)
        inputs = {k: outs[k] for k in input_names(API_KEY)}
        if prefix := auto_name_prefix(key.name):
            inputs[NAME_PREFIX] = prefix  # so an auto-name survives a refresh and a later rename
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        account_id, part = split_id(id_)
        updates, _ = changed(API_KEY, olds, news)  # the engine replaces for the others
        changes: dict[str, Any] = {p: news.get(p) for p in updates}
        if "end_date" in changes:
            changes["end_date"] = _end_date(changes["end_date"])
        # Nothing for the API to change (e.g. an unknown value settled to the same): no call.
        key = self._patch(account_id, part, changes) if changes else _from_state(olds)
        # The SDK would store only what we return: carry the one copy of the full key over.
        return UpdateResult(outputs(key, api_key=olds.get("api_key"), props=news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        account_id, part = split_id(id_)
        settings = self.settings
        if settings.method is AuthMethod.API_KEY and key_has_part(
            settings.secret.get_secret_value(), part
        ):
            raise OwnCredentialError(
                f"Refusing to delete API key {part}: it is the key this provider signs in with, "
                "and deleting it would cut off every call after it. Mint the replacement first, "
                "switch firmtrace:apiKey to it, then delete this one."
            )
        try:
            self.connection.delete_api_key(account_id, part)
        except NotFoundError:
            pass  # already gone: what delete wanted
        except TransientError:
            # Every answer was lost, but the DELETE may have been carried out: if the key is
            # gone, the delete is done and state must not keep a key that no longer exists.
            if not self._is_gone(account_id, part):
                raise

    # --- helpers -------------------------------------------------------------------------------

    def _is_gone(self, account_id: str, part: str) -> bool:
        """Whether a fresh list shows the key gone; False when the list itself fails."""
        try:
            live = self.connection.api_keys(account_id, fresh=True)
        except NotFoundError:
            return True  # the Account is gone, and its keys with it
        except FirmtraceError:
            return False
        return all(k.api_key_part != part for k in live)

    def _mint(
        self, account_id: str | None, name: str | None, end_date: dt.date | None
    ) -> contract.NewApiKey:
        """POST /api_key, and never leave a live key that no state knows about.

        When the answer to a create is lost, the key may exist on the server with its full
        value gone for good. Keys with our (unique, auto-generated) name minted since we sent
        the request are revoked, then we mint again.
        """
        conn = self.connection
        for _ in range(MINT_ATTEMPTS):
            started = dt.datetime.now(dt.timezone.utc)
            try:
                return conn.create_api_key(account_id, name=name, end_date=end_date)
            except UncertainWriteError:
                self._revoke_orphans(account_id, name, since=started - CLOCK_TOLERANCE)
        raise CreateNotConfirmedError(
            f"Could not create API key '{name}': the API did not answer {MINT_ATTEMPTS} times. "
            "Every key those attempts created was found and revoked. Run `pulumi up` again when "
            f"the API is reachable; if the API was only slow, a key named '{name}' may still "
            "appear later: delete it in the Firmtrace app."
        )

    def _revoke_orphans(self, account_id: str | None, name: str | None, since: dt.datetime) -> None:
        conn = self.connection
        try:
            live = conn.api_keys(account_id, fresh=True)
        except FirmtraceError as exc:
            raise OrphanRiskError(
                f"Creating API key '{name}' got no answer, and listing the Account's keys to look "
                f"for it failed too ({exc.message}). A key named '{name}' may now exist that no "
                "state knows about; delete it in the Firmtrace app, then run `pulumi up` again."
            ) from None
        orphans = [k for k in live if k.name == name and _created_since(k, since)]
        for orphan in orphans:
            try:
                conn.delete_api_key(orphan.account_id, orphan.api_key_part)
            except NotFoundError:
                pass
            except FirmtraceError as exc:
                raise OrphanRiskError(
                    f"Creating API key '{name}' got no answer, but the key was created as "
                    f"{orphan.api_key_part} and revoking it failed ({exc.message}). Its full value "
                    f"was never received: delete key {orphan.api_key_part} in the Firmtrace app, "
                    "then run `pulumi up` again."
                ) from None

    def _adopt(
        self, account_id: str | None, part: str, *, name: str | None, end_date: dt.date | None
    ) -> contract.ApiKey:
        live = self.connection.api_keys(account_id, fresh=True)
        key = next((k for k in live if k.api_key_part == part), None)
        if key is None:
            where = f"Account {account_id}" if account_id else "this API key's own Account"
            raise NotFoundError(
                f"Cannot adopt API key {part}: no key with that api_key_part exists in {where}. "
                "Check the value of 'adopt'."
            )
        changes: dict[str, Any] = {}
        if name is not None and name != key.name:
            changes["name"] = name
        if end_date != key.end_date:
            changes["end_date"] = end_date
        return self._patch(key.account_id, part, changes) if changes else key

    def _patch(self, account_id: str, part: str, changes: dict[str, Any]) -> contract.ApiKey:
        """One PATCH /api_key with just the fields in ``changes`` (``end_date: None`` clears)."""
        from ..client import UNSET

        return self.connection.update_api_key(
            account_id,
            part,
            name=changes.get("name", UNSET),
            end_date=changes.get("end_date", UNSET),
        )


def _from_state(outputs: dict[str, Any]) -> contract.ApiKey:
    from .. import contract

    return contract.from_data(contract.ApiKey, outputs)


def _created_since(key: contract.ApiKey, since: dt.datetime) -> bool:
    created = parse_timestamp(key.created_at)
    # An unreadable timestamp: never revoke a key we cannot place in time.
    return created is not None and created >= since
