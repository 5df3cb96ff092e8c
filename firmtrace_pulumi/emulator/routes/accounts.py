"""GET, POST, PATCH and DELETE /accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import JSONResponse

from firmtrace_pulumi.contract import Endpoints

from ..auth import CallerDep
from ..responses import account_model, contract_response
from ..wire import (
    Account,
    AccountList,
    AccountSelector,
    CreateAccountRequest,
    Deleted,
    UpdateAccountRequest,
)
from . import BackendDep, route

__all__ = ["create_account", "delete_account", "list_accounts", "router", "update_account"]

router = APIRouter(tags=["accounts"])


@route(router, Endpoints.LIST_ACCOUNTS, response_model=AccountList, errors=[401])
async def list_accounts(caller: CallerDep, backend: BackendDep) -> JSONResponse:
    """A token sees every Account its User has a role in; an API key sees its own Account."""
    accounts = [account_model(scope) for scope in backend.accounts(caller)]
    return contract_response(AccountList(accounts=accounts))


@route(router, Endpoints.CREATE_ACCOUNT, response_model=Account, errors=[401, 403])
async def create_account(
    body: CreateAccountRequest, caller: CallerDep, backend: BackendDep
) -> JSONResponse:
    """Any User may add an Account and becomes its Administrator; an API key may not."""
    scope = backend.create_account(caller, name=body.name, url=body.url)
    return contract_response(account_model(scope))


@route(router, Endpoints.UPDATE_ACCOUNT, response_model=Account, errors=[401, 403, 404])
async def update_account(
    body: UpdateAccountRequest, caller: CallerDep, backend: BackendDep
) -> JSONResponse:
    """Rename an Account or change its url (Administrators only). Absent fields are unchanged."""
    changes = body.model_dump(include={"name", "url"}, exclude_unset=True)
    scope = backend.update_account(caller, body.account_id, changes)
    return contract_response(account_model(scope))


@route(router, Endpoints.DELETE_ACCOUNT, response_model=Deleted, errors=[401, 403, 404, 409])
async def delete_account(
    selector: Annotated[AccountSelector, Query()], caller: CallerDep, backend: BackendDep
) -> JSONResponse:
    """Delete an extra Account and its API keys. A User's default Account cannot go (409)."""
    backend.delete_account(caller, selector.account_id)
    return contract_response(Deleted())
