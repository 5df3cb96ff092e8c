"""GET, POST, PATCH and DELETE /accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import JSONResponse

from firmtrace_pulumi.contract import (
    Account,
    AccountList,
    AccountSelector,
    CreateAccountRequest,
    Deleted,
    Endpoints,
    ErrorCode,
    Role,
    UpdateAccountRequest,
)

from .. import validation
from ..auth import CallerDep, StoreDep, require_administrator, require_token, resolve_scope
from ..clock import timestamp
from ..problems import ApiError, not_found, validation_error
from ..responses import account_model, contract_response
from . import route

router = APIRouter(tags=["accounts"])


@route(router, Endpoints.LIST_ACCOUNTS, response_model=AccountList, errors=[401])
async def list_accounts(caller: CallerDep, store: StoreDep) -> JSONResponse:
    """A token sees every Account its User has a role in; an API key sees its own Account."""
    pairs = store.accounts_of(caller.user_id)
    if caller.api_key is not None:
        pairs = [(row, role) for row, role in pairs if row.account_id == caller.api_key.account_id]
    accounts = [account_model(row, role) for row, role in pairs]
    return contract_response(AccountList(accounts=accounts))


@route(router, Endpoints.CREATE_ACCOUNT, response_model=Account, errors=[401, 403])
async def create_account(
    body: CreateAccountRequest,
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """Any User may add an Account and becomes its Administrator; an API key may not."""
    require_token(caller, "create Accounts")
    name = validation.text("name", body.name)
    url = validation.website("url", body.url)
    row = store.create_account(caller.user_id, name=name, url=url, created_at=timestamp())
    return contract_response(account_model(row, Role.ADMINISTRATOR))


@route(router, Endpoints.UPDATE_ACCOUNT, response_model=Account, errors=[401, 403, 404])
async def update_account(
    body: UpdateAccountRequest,
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """Rename an Account or change its url (Administrators only). Absent fields are unchanged."""
    scope = resolve_scope(store, caller, validation.text("account_id", body.account_id))
    require_administrator(scope)
    changes: dict[str, str] = {}
    for field in ("name", "url"):
        if field not in body.model_fields_set:
            continue
        value = getattr(body, field)
        if value is None:
            raise validation_error(field, f"'{field}' cannot be cleared.")
        check = validation.website if field == "url" else validation.text
        changes[field] = check(field, value)
    row = store.update_account(scope.account_id, changes)
    if row is None:
        raise not_found("Account")
    return contract_response(account_model(row, scope.role))


@route(router, Endpoints.DELETE_ACCOUNT, response_model=Deleted, errors=[401, 403, 404, 409])
async def delete_account(
    selector: Annotated[AccountSelector, Query()],
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """Delete an extra Account and its API keys. A User's default Account cannot go (409)."""
    require_token(caller, "delete Accounts")
    scope = resolve_scope(store, caller, validation.text("account_id", selector.account_id))
    require_administrator(scope)
    if scope.account.default_of is not None:
        raise ApiError(
            409,
            ErrorCode.DEFAULT_ACCOUNT,
            "This is a User's default Account and cannot be deleted.",
        )
    if not store.delete_account(scope.account_id):
        raise not_found("Account")
    return contract_response(Deleted())
