"""Turning stored rows into contract models, and contract models into JSON answers."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr
from starlette.responses import JSONResponse

from .backend import Scope
from .clock import is_active
from .store import ApiKeyRow
from .wire import Account, ApiKey

__all__ = ["account_model", "api_key_fields", "api_key_model", "contract_response"]


def contract_response(model: BaseModel, status_code: int = 200) -> JSONResponse:
    """Serialise a contract model, revealing its ``SecretStr`` fields.

    The contract masks secrets by default so the client never prints them; the emulator is the
    one place that must put the real token or key on the wire.
    """
    data = model.model_dump(mode="json")
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
    return JSONResponse(data, status_code=status_code)


def account_model(scope: Scope) -> Account:
    """An Account as the caller sees it: with their role in it."""
    row = scope.account
    return Account(account_id=row.account_id, name=row.name, url=row.url, role=scope.role)


def api_key_fields(row: ApiKeyRow) -> dict[str, object]:
    """The fields every view of a key shows; ``active`` is computed now, never stored."""
    return {
        "api_key_part": row.api_key_part,
        "account_id": row.account_id,
        "name": row.name,
        "end_date": row.end_date,
        "active": is_active(row.end_date),
        "created_at": row.created_at,
    }


def api_key_model(row: ApiKeyRow) -> ApiKey:
    return ApiKey.model_validate(api_key_fields(row))
