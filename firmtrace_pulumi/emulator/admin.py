"""The emulator's own routes under ``/_emulator`` (not part of the API, not in its schema).

- ``GET /_emulator/health`` -> ``{"status": "ok"}``
- ``GET /_emulator/state`` -> ``{"accounts": [...], "api_keys": [...], "users": [...]}``
  (never a full key, password or token)
- ``GET /_emulator/requests`` -> ``{"requests": [{"method", "path", "status", ...}]}``;
  ``DELETE`` clears the log
- ``GET | PUT | DELETE /_emulator/faults`` -> the fault configuration (see ``faults``)
- ``POST /_emulator/users`` ``{email, password, account_id, role}`` -> ``{"token"}``: give a
  (new or existing) User a role in an Account. The contract's non-/v1.3 way to get role-20
  Users. An existing User keeps their password.
- ``POST /_emulator/reset`` -> wipe all data, the request log, rate-limit buckets and faults
  (back to the start-up configuration)
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from .backend import Backend
from .faults import FaultConfig, Faults
from .ratelimit import RateLimiter
from .request_log import RequestLog
from .responses import api_key_fields
from .store import Store

__all__ = [
    "SeedUserRequest",
    "clear_faults",
    "clear_requests",
    "get_faults",
    "health",
    "put_faults",
    "requests",
    "reset",
    "router",
    "seed_user",
    "state",
]

router = APIRouter(prefix="/_emulator", include_in_schema=False)


class SeedUserRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str
    password: str
    account_id: str
    role: Literal[10, 20] = 20


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _faults(request: Request) -> Faults:
    faults: Faults = request.app.state.faults
    return faults


def _log(request: Request) -> RequestLog:
    log: RequestLog = request.app.state.request_log
    return log


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/state")
async def state(request: Request) -> dict[str, Any]:
    snapshot = _store(request).snapshot()
    snapshot["api_keys"] = [api_key_fields(row) for row in snapshot["api_keys"]]
    return snapshot


@router.get("/requests")
async def requests(request: Request) -> dict[str, Any]:
    return {"requests": _log(request).entries()}


@router.delete("/requests")
async def clear_requests(request: Request) -> dict[str, Any]:
    _log(request).clear()
    return {"requests": []}


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    return _faults(request).describe()


@router.put("/faults")
async def put_faults(config: FaultConfig, request: Request) -> dict[str, Any]:
    faults = _faults(request)
    faults.configure(config)
    _limiter(request).clear()
    return faults.describe()


@router.delete("/faults")
async def clear_faults(request: Request) -> dict[str, Any]:
    faults = _faults(request)
    faults.reset()
    _limiter(request).clear()
    return faults.describe()


@router.post("/users")
async def seed_user(body: SeedUserRequest, request: Request) -> dict[str, str]:
    backend: Backend = request.app.state.backend
    token = backend.seed_user(**body.model_dump())
    return {"token": token.get_secret_value()}


@router.post("/reset")
async def reset(request: Request) -> dict[str, str]:
    _store(request).reset()
    _log(request).clear()
    _limiter(request).clear()
    _faults(request).reset()
    return {"status": "reset"}


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter
