"""GET, POST, PATCH and DELETE /api_key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import JSONResponse

from firmtrace_pulumi.contract import Endpoints

from ..auth import CallerDep
from ..responses import api_key_fields, api_key_model, contract_response
from ..wire import (
    ApiKey,
    ApiKeyList,
    ApiKeySelector,
    CreateApiKeyRequest,
    Deleted,
    NewApiKey,
    UpdateApiKeyRequest,
)
from . import BackendDep, route

__all__ = ["create_api_key", "delete_api_key", "list_api_keys", "router", "update_api_key"]

router = APIRouter(tags=["api keys"])


@route(router, Endpoints.CREATE_API_KEY, response_model=NewApiKey, errors=[401, 403, 404])
async def create_api_key(
    body: CreateApiKeyRequest, caller: CallerDep, backend: BackendDep
) -> JSONResponse:
    """Mint a key; the only answer that carries the full ``api_key``. A past end_date mints
    it inactive."""
    minted = backend.create_api_key(caller, body.account_id, name=body.name, end_date=body.end_date)
    new_key = NewApiKey.model_validate({**api_key_fields(minted.row), "api_key": minted.api_key})
    return contract_response(new_key)


@route(router, Endpoints.LIST_API_KEYS, response_model=ApiKeyList, errors=[401, 403, 404])
async def list_api_keys(
    selector: Annotated[ApiKeySelector, Query()], caller: CallerDep, backend: BackendDep
) -> JSONResponse:
    """The Account's keys (only ``api_key_part``), or just one when ``api_key_part`` is given."""
    rows = backend.api_keys(caller, selector.account_id, selector.api_key_part)
    return contract_response(ApiKeyList(api_keys=[api_key_model(row) for row in rows]))


@route(router, Endpoints.UPDATE_API_KEY, response_model=ApiKey, errors=[401, 403, 404])
async def update_api_key(
    body: UpdateApiKeyRequest, caller: CallerDep, backend: BackendDep
) -> JSONResponse:
    """Rename or re-date a key. An absent field is unchanged; ``null`` clears it."""
    changes = body.model_dump(include={"name", "end_date"}, exclude_unset=True)
    row = backend.update_api_key(caller, body.account_id, body.api_key_part, changes)
    return contract_response(api_key_model(row))


@route(router, Endpoints.DELETE_API_KEY, response_model=Deleted, errors=[401, 403, 404])
async def delete_api_key(
    selector: Annotated[ApiKeySelector, Query()], caller: CallerDep, backend: BackendDep
) -> JSONResponse:
    """Delete a key; it stops working at once (even for the call's own credential)."""
    backend.delete_api_key(caller, selector.account_id, selector.api_key_part)
    return contract_response(Deleted())
