"""POST /register, POST /login, PATCH /user."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import SecretStr
from starlette.responses import JSONResponse

from firmtrace_pulumi.contract import (
    ChangePasswordRequest,
    Endpoints,
    ErrorCode,
    LoginRequest,
    RegisterRequest,
    Session,
    TokenResponse,
)

from .. import validation
from ..auth import CallerDep, StoreDep, require_token
from ..clock import timestamp
from ..credentials import fingerprint, hash_password, new_salt, new_token, password_matches
from ..email_rules import email_domain, is_rejected_domain
from ..problems import ApiError, validation_error
from ..responses import contract_response
from ..store import DuplicateError
from . import route

router = APIRouter(tags=["users"])

_DOMAIN_TAKEN = (
    "This company already has a Firmtrace trial. Sign in instead: "
    "re-registering the same domain leads to permanent blocking."
)
_REJECTED = (
    "Free webmail and disposable addresses cannot start a trial. "
    "Register with your company email address."
)


@route(router, Endpoints.REGISTER, response_model=Session, errors=[403, 409])
async def register(body: RegisterRequest, store: StoreDep) -> JSONResponse:
    """Create a User, their default Account (role 10) and a token."""
    email = validation.text("email", body.email).strip()
    domain = email_domain(email)
    if domain is None:
        raise validation_error("email", "'email' must be a real, deliverable address.")
    if is_rejected_domain(domain):
        raise ApiError(403, ErrorCode.EMAIL_FORMAT_REGISTER, _REJECTED)
    password = validation.password("password", body.password)
    name = validation.text("name", body.name)
    url = validation.website("url", body.url)
    if store.domain_registered(domain) or store.user_by_email(email) is not None:
        raise ApiError(409, ErrorCode.DOMAIN_REGISTERED, _DOMAIN_TAKEN)
    token, salt = new_token(), new_salt()
    try:
        _, account = store.register(
            email=email,
            domain=domain,
            password_salt=salt,
            password_hash=hash_password(password, salt),
            token_hash=fingerprint(token),
            account_name=name,
            account_url=url,
            created_at=timestamp(),
        )
    except DuplicateError:
        raise ApiError(409, ErrorCode.DOMAIN_REGISTERED, _DOMAIN_TAKEN) from None
    session = Session(token=SecretStr(token), default_account_id=account.account_id)
    return contract_response(session)


@route(router, Endpoints.LOGIN, response_model=Session, errors=[401])
async def login(body: LoginRequest, store: StoreDep) -> JSONResponse:
    """A fresh token for an existing User; earlier tokens stay valid."""
    email = validation.text("email", body.email)
    password = validation.text("password", body.password.get_secret_value(), required=False)
    user = store.user_by_email(email)
    if user is None or not password_matches(password, user.password_salt, user.password_hash):
        raise ApiError(401, ErrorCode.LOGIN, "Wrong email or password.")
    token = new_token()
    store.add_token(user.user_id, fingerprint(token))
    session = Session(token=SecretStr(token), default_account_id=user.default_account_id or "")
    return contract_response(session)


@route(router, Endpoints.CHANGE_PASSWORD, response_model=TokenResponse, errors=[401, 403])
async def change_password(
    body: ChangePasswordRequest,
    caller: CallerDep,
    store: StoreDep,
) -> JSONResponse:
    """Set a new password: every earlier token dies at once, API keys are unaffected."""
    require_token(caller, "change a password")
    user = store.user_by_id(caller.user_id)
    current = validation.text(
        "current_password", body.current_password.get_secret_value(), required=False
    )
    if user is None or not password_matches(current, user.password_salt, user.password_hash):
        raise ApiError(401, ErrorCode.LOGIN, "The current password is wrong.")
    password = validation.password("password", body.password)
    token, salt = new_token(), new_salt()
    store.change_password(
        user.user_id,
        password_salt=salt,
        password_hash=hash_password(password, salt),
        token_hash=fingerprint(token),
    )
    return contract_response(TokenResponse(token=SecretStr(token)))
