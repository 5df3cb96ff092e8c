"""Who is calling, and which Account they may act on.

``Authorization: Bearer <credential>`` carries either a User token or an Account API key; the
emulator tells them apart by shape (see ``credentials``). A token reaches every Account its User
has a role in and needs ``account_id`` on account-scoped calls; an API key reaches only its own
Account (``account_id`` is implicit, a different one is 403 ``account_scope``) and acts with the
role its minting User holds there. Unknown, deleted, ended or rotated credentials are 401.

Scope errors: an unknown Account is 404 ``not_found``; an existing Account in which the token's
User has no role is 403 ``forbidden``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from firmtrace_pulumi.contract import ErrorCode, Role

from .clock import is_active
from .credentials import fingerprint, kind_of
from .problems import ApiError, forbidden, invalid_credential, not_found, validation_error
from .store import AccountRow, ApiKeyRow, Store

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="credential",
    description="A User token (from /register or /login) or an Account API key.",
)


async def get_store(request: Request) -> Store:
    """FastAPI dependency: the app's Store (async, so no thread hop)."""
    store: Store = request.app.state.store
    return store


@dataclass(frozen=True)
class Caller:
    """The authenticated party: a User, possibly through one of an Account's API keys."""

    user_id: int
    api_key: ApiKeyRow | None = None

    @property
    def uses_api_key(self) -> bool:
        return self.api_key is not None


@dataclass(frozen=True)
class Scope:
    """The Account a call acts on and the caller's role in it."""

    account: AccountRow
    role: int

    @property
    def account_id(self) -> str:
        return self.account.account_id


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """FastAPI dependency: resolve the bearer credential or answer 401 ``invalid_credential``."""
    if credentials is None:
        raise invalid_credential()
    store: Store = request.app.state.store
    value = credentials.credentials
    kind = kind_of(value)
    if kind == "token":
        user = store.user_by_token(fingerprint(value))
        if user is not None:
            return Caller(user.user_id)
    elif kind == "api_key":
        key = store.api_key_by_hash(fingerprint(value))
        if key is not None and is_active(key.end_date):
            return Caller(key.minted_by, key)
    raise invalid_credential()


StoreDep = Annotated[Store, Depends(get_store)]
CallerDep = Annotated[Caller, Depends(authenticate)]


def resolve_scope(store: Store, caller: Caller, account_id: str | None) -> Scope:
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
    account = store.account(account_id)
    if account is None:
        raise not_found("Account")
    role = store.role(caller.user_id, account.account_id)
    if role is None:
        raise forbidden("You have no role in this Account.")
    return Scope(account, role)


def require_token(caller: Caller, action: str) -> None:
    """Some calls belong to a person: an API key gets 403 ``forbidden``."""
    if caller.uses_api_key:
        raise forbidden(f"An API key cannot {action}; use a User token.")


def require_administrator(scope: Scope) -> None:
    if scope.role != Role.ADMINISTRATOR:
        raise forbidden("This needs the Administrator role (10) in the Account.")
