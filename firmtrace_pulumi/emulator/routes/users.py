"""POST /register, POST /login, PATCH /user."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import JSONResponse

from firmtrace_pulumi.contract import Endpoints

from ..auth import CallerDep
from ..backend import SignedIn
from ..responses import contract_response
from ..wire import ChangePasswordRequest, LoginRequest, RegisterRequest, Session, TokenResponse
from . import BackendDep, route

__all__ = ["change_password", "login", "register", "router"]

router = APIRouter(tags=["users"])


def _session(signed_in: SignedIn) -> JSONResponse:
    return contract_response(
        Session(token=signed_in.token, default_account_id=signed_in.default_account_id)
    )


@route(router, Endpoints.REGISTER, response_model=Session, errors=[403, 409])
async def register(body: RegisterRequest, backend: BackendDep) -> JSONResponse:
    """Create a User, their default Account (role 10) and a token."""
    return _session(
        backend.register(email=body.email, password=body.password, name=body.name, url=body.url)
    )


@route(router, Endpoints.LOGIN, response_model=Session, errors=[401])
async def login(body: LoginRequest, backend: BackendDep) -> JSONResponse:
    """A fresh token for an existing User; earlier tokens stay valid."""
    return _session(backend.login(email=body.email, password=body.password))


@route(router, Endpoints.CHANGE_PASSWORD, response_model=TokenResponse, errors=[401, 403])
async def change_password(
    body: ChangePasswordRequest, caller: CallerDep, backend: BackendDep
) -> JSONResponse:
    """Set a new password: every earlier token dies at once, API keys are unaffected."""
    token = backend.change_password(
        caller, current_password=body.current_password, password=body.password
    )
    return contract_response(TokenResponse(token=token))
