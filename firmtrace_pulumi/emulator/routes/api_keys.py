"""GET, POST, PATCH and DELETE /api_key.

Both roles (10 and 20) may mint, read, change and delete an Account's API keys: the page lets a
User (20) "use API keys" and reserves only users, billing and Account settings to Administrators.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import SecretStr
from starlette.responses import JSONResponse

from firmtrace_pulumi.contract import (
    ApiKey,
    ApiKeyList,
    ApiKeySelector,
    CreateApiKeyRequest,
    Deleted,
    Endpoints,
    NewApiKey,
    UpdateApiKeyRequest,
)

from .. import validation
from ..auth import Caller, CallerDep, Scope, StoreDep, resolve_scope
from ..clock import timestamp
from ..credentials import fingerprint, new_api_key
from ..problems import not_found, validation_error
from ..responses import api_key_fields, api_key_model, contract_response
from ..store import ApiKeyRow, DuplicateError, Store
from . import route

router = APIRouter(tags=["api keys"])

_MINT_ATTEMPTS = 8


def _scope(store: Store, caller: Caller, account_id: str | None) -> Scope:
    if account_id is not None:
        validation.text("account_id", account_id, required=False)
    return resolve_scope(store, caller, account_id)


def _existing_key(store: Store, scope: Scope, api_key_part: str | None) -> ApiKeyRow:
    if api_key_part is None:
        raise validation_error("api_key_part", "'api_key_part' is required.")
    validation.text("api_key_part", api_key_part)
    row = store.api_key(scope.account_id, api_key_part)
    if row is None:
        raise not_found("API key")
    return row


@route(router, Endpoints.CREATE_API_KEY, response_model=NewApiKey, errors=[401, 403, 404])
async def create_api_key(
    body: CreateApiKeyRequest,
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """Mint a key; the only answer that carries the full ``api_key``. A past end_date mints
    it inactive."""
    scope = _scope(store, caller, body.account_id)
    name = None if body.name is None else validation.text("name", body.name, required=False)
    for _ in range(_MINT_ATTEMPTS):
        full_key, part = new_api_key()
        try:
            row = store.create_api_key(
                account_id=scope.account_id,
                api_key_part=part,
                key_hash=fingerprint(full_key),
                name=name,
                end_date=body.end_date,
                created_at=timestamp(),
                minted_by=caller.user_id,
            )
        except DuplicateError:
            continue
        new_key = NewApiKey.model_validate({**api_key_fields(row), "api_key": SecretStr(full_key)})
        return contract_response(new_key)
    raise RuntimeError("could not mint a unique api_key_part")


@route(router, Endpoints.LIST_API_KEYS, response_model=ApiKeyList, errors=[401, 403, 404])
async def list_api_keys(
    selector: Annotated[ApiKeySelector, Query()],
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """The Account's keys (only ``api_key_part``), or just one when ``api_key_part`` is given."""
    scope = _scope(store, caller, selector.account_id)
    if selector.api_key_part is not None:
        rows = [_existing_key(store, scope, selector.api_key_part)]
    else:
        rows = store.api_keys(scope.account_id)
    return contract_response(ApiKeyList(api_keys=[api_key_model(row) for row in rows]))


@route(router, Endpoints.UPDATE_API_KEY, response_model=ApiKey, errors=[401, 403, 404])
async def update_api_key(
    body: UpdateApiKeyRequest,
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """Rename or re-date a key. An absent field is unchanged; ``null`` clears it."""
    scope = _scope(store, caller, body.account_id)
    row = _existing_key(store, scope, body.api_key_part)
    changes: dict[str, object] = {}
    if "name" in body.model_fields_set:
        changes["name"] = (
            None if body.name is None else validation.text("name", body.name, required=False)
        )
    if "end_date" in body.model_fields_set:
        changes["end_date"] = body.end_date
    updated = store.update_api_key(scope.account_id, row.api_key_part, changes)
    if updated is None:
        raise not_found("API key")
    return contract_response(api_key_model(updated))


@route(router, Endpoints.DELETE_API_KEY, response_model=Deleted, errors=[401, 403, 404])
async def delete_api_key(
    selector: Annotated[ApiKeySelector, Query()],
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """Delete a key; it stops working at once (even for the call's own credential)."""
    scope = _scope(store, caller, selector.account_id)
    row = _existing_key(store, scope, selector.api_key_part)
    if not store.delete_api_key(scope.account_id, row.api_key_part):
        raise not_found("API key")
    return contract_response(Deleted())
