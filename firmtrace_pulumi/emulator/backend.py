"""The emulator's rules: who may do what in which Account, and what each call changes.

Routes (``routes/*``, ``admin``) read a request's parameters, call one ``Backend`` method and
shape its answer; ``store`` keeps the data and knows no rules. A refusal is an ``ApiError`` with
the contract's error body. New secrets (tokens, full keys) come back as ``SecretStr``.

Scope: a token reaches every Account its User has a role in and needs ``account_id`` on
account-scoped calls; an API key reaches only its own Account (``account_id`` is implicit, a
different one is 403 ``account_scope``) and acts with the role its minting User holds there.
An unknown Account is 404 ``not_found``; an existing one in which the token's User has no role is
403 ``forbidden``. Both roles may mint, read, change and delete an Account's API keys: the page
lets a User (20) "use API keys" and reserves only users, billing and Account settings to
Administrators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import SecretStr

from firmtrace_pulumi.contract import ErrorCode, Role

from . import checked
from .auth import Caller
from .clock import timestamp
from .credentials import (
    fingerprint,
    hash_password,
    new_api_key,
    new_salt,
    new_token,
    password_matches,
)
from .email_rules import email_domain, is_rejected_domain
from .problems import ApiError, forbidden, not_found, validation_error
from .store import AccountRow, ApiKeyRow, DuplicateError, Store

__all__ = ["Backend", "MintedKey", "Scope", "SignedIn"]

_MINT_ATTEMPTS = 8
_DOMAIN_TAKEN = (
    "This company already has a Firmtrace trial. Sign in instead: "
    "re-registering the same domain leads to permanent blocking."
)
_REJECTED = (
    "Free webmail and disposable addresses cannot start a trial. "
    "Register with your company email address."
)


@dataclass(frozen=True)
class Scope:
    """An Account and the caller's role in it: what a call acts on."""

    account: AccountRow
    role: int

    @property
    def account_id(self) -> str:
        return self.account.account_id


class SignedIn(NamedTuple):
    """A new token for a User, and the User's default Account."""

    token: SecretStr
    default_account_id: str


class MintedKey(NamedTuple):
    """A new API key: its stored row and the full key, which exists only here."""

    row: ApiKeyRow
    api_key: SecretStr


class Backend:
    """Every ``/v1.3`` operation (and the admin seeding of Users) over one ``Store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"Backend({self.store!r})"

    # --- Users ----------------------------------------------------------------------------

    def register(self, *, email: str, password: SecretStr, name: str, url: str) -> SignedIn:
        """Create a User, their default Account (role 10) and a token."""
        email = checked.text("email", email).strip()
        domain = email_domain(email)
        if domain is None:
            raise validation_error("email", "'email' must be a real, deliverable address.")
        if is_rejected_domain(domain):
            raise ApiError(403, ErrorCode.EMAIL_FORMAT_REGISTER, _REJECTED)
        revealed = checked.password("password", password)
        name = checked.text("name", name)
        url = checked.website("url", url)
        if self.store.domain_registered(domain) or self.store.user_by_email(email) is not None:
            raise ApiError(409, ErrorCode.DOMAIN_REGISTERED, _DOMAIN_TAKEN)
        token, salt = new_token(), new_salt()
        try:
            _, account = self.store.register(
                email=email,
                domain=domain,
                password_salt=salt,
                password_hash=hash_password(revealed, salt),
                token_hash=fingerprint(token),
                account_name=name,
                account_url=url,
                created_at=timestamp(),
            )
        except DuplicateError:
            raise ApiError(409, ErrorCode.DOMAIN_REGISTERED, _DOMAIN_TAKEN) from None
        return SignedIn(SecretStr(token), account.account_id)

    def login(self, *, email: str, password: SecretStr) -> SignedIn:
        """A fresh token for an existing User; earlier tokens stay valid."""
        email = checked.text("email", email)
        revealed = checked.text("password", password.get_secret_value(), required=False)
        user = self.store.user_by_email(email)
        if user is None or not password_matches(revealed, user.password_salt, user.password_hash):
            raise ApiError(401, ErrorCode.LOGIN, "Wrong email or password.")
        token = new_token()
        self.store.add_token(user.user_id, fingerprint(token))
        return SignedIn(SecretStr(token), user.default_account_id or "")

    def change_password(
        self, caller: Caller, *, current_password: SecretStr, password: SecretStr
    ) -> SecretStr:
        """Set a new password: every earlier token dies at once, API keys are unaffected."""
        _require_token(caller, "change a password")
        user = self.store.user_by_id(caller.user_id)
        current = checked.text(
            "current_password", current_password.get_secret_value(), required=False
        )
        if user is None or not password_matches(current, user.password_salt, user.password_hash):
            raise ApiError(401, ErrorCode.LOGIN, "The current password is wrong.")
        revealed = checked.password("password", password)
        token, salt = new_token(), new_salt()
        self.store.change_password(
            user.user_id,
            password_salt=salt,
            password_hash=hash_password(revealed, salt),
            token_hash=fingerprint(token),
        )
        return SecretStr(token)

    def seed_user(self, *, email: str, password: str, account_id: str, role: int) -> SecretStr:
        """Give a (new or existing) User ``role`` in an Account; a fresh token (admin only)."""
        email = checked.text("email", email).strip()
        if "@" not in email:
            raise validation_error("email", "'email' must be an email address.")
        password = checked.text("password", password)
        if self.store.account(checked.text("account_id", account_id)) is None:
            raise not_found("Account")
        token, salt = new_token(), new_salt()
        self.store.seed_user(
            email=email,
            password_salt=salt,
            password_hash=hash_password(password, salt),
            account_id=account_id,
            role=role,
            token_hash=fingerprint(token),
        )
        return SecretStr(token)

    # --- Accounts -------------------------------------------------------------------------

    def accounts(self, caller: Caller) -> list[Scope]:
        """A token sees every Account its User has a role in; an API key sees its own."""
        pairs = self.store.accounts_of(caller.user_id)
        if caller.api_key is not None:
            pairs = [
                (row, role) for row, role in pairs if row.account_id == caller.api_key.account_id
            ]
        return [Scope(row, role) for row, role in pairs]

    def create_account(self, caller: Caller, *, name: str, url: str) -> Scope:
        """Any User may add an Account and becomes its Administrator; an API key may not."""
        _require_token(caller, "create Accounts")
        name = checked.text("name", name)
        url = checked.website("url", url)
        row = self.store.create_account(caller.user_id, name=name, url=url, created_at=timestamp())
        return Scope(row, Role.ADMINISTRATOR)

    def update_account(
        self, caller: Caller, account_id: str, changes: Mapping[str, str | None]
    ) -> Scope:
        """Apply ``{"name": ..., "url": ...}`` (each optional, neither clearable); role 10 only."""
        scope = self._scope(caller, checked.text("account_id", account_id))
        _require_administrator(scope)
        values: dict[str, str] = {}
        for field, value in changes.items():
            if value is None:
                raise validation_error(field, f"'{field}' cannot be cleared.")
            check = checked.website if field == "url" else checked.text
            values[field] = check(field, value)
        row = self.store.update_account(scope.account_id, values)
        if row is None:
            raise not_found("Account")
        return Scope(row, scope.role)

    def delete_account(self, caller: Caller, account_id: str) -> None:
        """Delete an extra Account and its API keys. A User's default Account cannot go (409)."""
        _require_token(caller, "delete Accounts")
        scope = self._scope(caller, checked.text("account_id", account_id))
        _require_administrator(scope)
        if scope.account.default_of is not None:
            raise ApiError(
                409,
                ErrorCode.DEFAULT_ACCOUNT,
                "This is a User's default Account and cannot be deleted.",
            )
        if not self.store.delete_account(scope.account_id):
            raise not_found("Account")

    # --- API keys -------------------------------------------------------------------------

    def create_api_key(
        self,
        caller: Caller,
        account_id: str | None,
        *,
        name: str | None,
        end_date: dt.date | None,
    ) -> MintedKey:
        """Mint a key in the caller's Account. A past ``end_date`` mints it inactive."""
        scope = self._key_scope(caller, account_id)
        name = None if name is None else checked.text("name", name, required=False)
        for _ in range(_MINT_ATTEMPTS):
            full_key, part = new_api_key()
            try:
                row = self.store.create_api_key(
                    account_id=scope.account_id,
                    api_key_part=part,
                    key_hash=fingerprint(full_key),
                    name=name,
                    end_date=end_date,
                    created_at=timestamp(),
                    minted_by=caller.user_id,
                )
            except DuplicateError:
                continue
            return MintedKey(row, SecretStr(full_key))
        raise RuntimeError("could not mint a unique api_key_part")

    def api_keys(
        self, caller: Caller, account_id: str | None, api_key_part: str | None = None
    ) -> list[ApiKeyRow]:
        """The Account's keys, or just the one named by ``api_key_part`` (404 if none)."""
        scope = self._key_scope(caller, account_id)
        if api_key_part is not None:
            return [self._existing_key(scope, api_key_part)]
        return self.store.api_keys(scope.account_id)

    def update_api_key(
        self,
        caller: Caller,
        account_id: str | None,
        api_key_part: str,
        changes: Mapping[str, Any],
    ) -> ApiKeyRow:
        """Apply ``{"name": ..., "end_date": ...}`` (each optional; ``None`` clears it)."""
        scope = self._key_scope(caller, account_id)
        row = self._existing_key(scope, api_key_part)
        values = dict(changes)
        if values.get("name") is not None:
            values["name"] = checked.text("name", values["name"], required=False)
        updated = self.store.update_api_key(scope.account_id, row.api_key_part, values)
        if updated is None:
            raise not_found("API key")
        return updated

    def delete_api_key(
        self, caller: Caller, account_id: str | None, api_key_part: str | None
    ) -> None:
        """Delete a key; it stops working at once (even for the call's own credential)."""
        scope = self._key_scope(caller, account_id)
        row = self._existing_key(scope, api_key_part)
        if not self.store.delete_api_key(scope.account_id, row.api_key_part):
            raise not_found("API key")

    # --- scope ----------------------------------------------------------------------------

    def _scope(self, caller: Caller, account_id: str | None) -> Scope:
        """The Account a call targets: explicit for a token, implicit (and enforced) for a key."""
        if caller.api_key is not None:
            if account_id and account_id != caller.api_key.account_id:
                raise ApiError(
                    403,
                    ErrorCode.ACCOUNT_SCOPE,
                    "This API key belongs to another Account; use a key minted for this one.",
                )
            account_id = caller.api_key.account_id
        elif not account_id:
            raise validation_error(
                "account_id", "'account_id' is required when authenticating with a token."
            )
        account = self.store.account(account_id)
        if account is None:
            raise not_found("Account")
        role = self.store.role(caller.user_id, account.account_id)
        if role is None:
            raise forbidden("You have no role in this Account.")
        return Scope(account, role)

    def _key_scope(self, caller: Caller, account_id: str | None) -> Scope:
        if account_id is not None:
            checked.text("account_id", account_id, required=False)
        return self._scope(caller, account_id)

    def _existing_key(self, scope: Scope, api_key_part: str | None) -> ApiKeyRow:
        if api_key_part is None:
            raise validation_error("api_key_part", "'api_key_part' is required.")
        checked.text("api_key_part", api_key_part)
        row = self.store.api_key(scope.account_id, api_key_part)
        if row is None:
            raise not_found("API key")
        return row


def _require_token(caller: Caller, action: str) -> None:
    """Some calls belong to a person: an API key gets 403 ``forbidden``."""
    if caller.uses_api_key:
        raise forbidden(f"An API key cannot {action}; use a User token.")


def _require_administrator(scope: Scope) -> None:
    if scope.role != Role.ADMINISTRATOR:
        raise forbidden("This needs the Administrator role (10) in the Account.")
