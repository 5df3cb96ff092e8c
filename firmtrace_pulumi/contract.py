"""The Firmtrace API v1.3 wire contract: every path, request and response shape in one place.

The published "Register and authenticate" page is the only authority. Shapes it does not give
are marked ``[assumed]`` here (see ``docs/api-contract.md``) so that they can be
corrected in one edit. The client and the local emulator both build on this module.

Response models ignore unknown fields. ``account_id`` is an opaque string; a JSON number is
accepted and normalised to its decimal string. Secret values (tokens, full API keys) are
``SecretStr``: their ``repr`` and default serialisation never show the value.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr

from .contract_core import API_PREFIX, API_VERSION, DEFAULT_BASE_URL, key_has_part, parse_timestamp

__all__ = [
    "API_PREFIX",
    "API_VERSION",
    "DEFAULT_BASE_URL",
    "Account",
    "AccountList",
    "AccountSelector",
    "ApiKey",
    "ApiKeyList",
    "ApiKeySelector",
    "ChangePasswordRequest",
    "CreateAccountRequest",
    "CreateApiKeyRequest",
    "Deleted",
    "Endpoint",
    "Endpoints",
    "ErrorBody",
    "ErrorCode",
    "LoginRequest",
    "NewApiKey",
    "RegisterRequest",
    "RequestModel",
    "Role",
    "Session",
    "TokenResponse",
    "UpdateAccountRequest",
    "UpdateApiKeyRequest",
    "WireModel",
    "key_has_part",
    "parse_timestamp",
]


class Endpoint(NamedTuple):
    method: str
    path: str
    idempotent: bool
    """Whether repeating the request cannot create a second effect (safe to retry blindly)."""


class Endpoints:
    """The path table. POST requests that create something are not idempotent."""

    REGISTER = Endpoint("POST", "/register", idempotent=False)  # [doc]
    LOGIN = Endpoint("POST", "/login", idempotent=True)  # [doc]
    LIST_ACCOUNTS = Endpoint("GET", "/accounts", idempotent=True)  # [assumed]
    CREATE_ACCOUNT = Endpoint("POST", "/accounts", idempotent=False)  # path [doc]
    UPDATE_ACCOUNT = Endpoint("PATCH", "/accounts", idempotent=True)  # [assumed]
    DELETE_ACCOUNT = Endpoint("DELETE", "/accounts", idempotent=True)  # [assumed]
    LIST_API_KEYS = Endpoint("GET", "/api_key", idempotent=True)  # [assumed]
    CREATE_API_KEY = Endpoint("POST", "/api_key", idempotent=False)  # [doc]
    UPDATE_API_KEY = Endpoint("PATCH", "/api_key", idempotent=True)  # [doc]
    DELETE_API_KEY = Endpoint("DELETE", "/api_key", idempotent=True)  # [doc]
    CHANGE_PASSWORD = Endpoint("PATCH", "/user", idempotent=False)  # [doc]: rotates the token


class Role(int, Enum):
    """A User's role in one Account [doc]."""

    ADMINISTRATOR = 10
    USER = 20


class ErrorCode(str, Enum):
    """The ``error`` codes of the error body. Codes other than the page's two are [assumed]."""

    VALIDATION = "validation_error"
    LOGIN = "login_error"  # [doc]
    INVALID_CREDENTIAL = "invalid_credential"
    EMAIL_FORMAT_REGISTER = "email_format_register"  # [doc]
    FORBIDDEN = "forbidden"
    ACCOUNT_SCOPE = "account_scope"
    NOT_FOUND = "not_found"
    DEFAULT_ACCOUNT = "default_account"
    DOMAIN_REGISTERED = "domain_registered"
    RATE_LIMITED = "rate_limited"
    INTERNAL = "internal_error"
    UNAVAILABLE = "unavailable"


def _account_id(value: Any) -> Any:
    # [assumed] opaque string; tolerate a JSON number and normalise it.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


AccountId = Annotated[str, BeforeValidator(_account_id)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    # A date travels as "YYYY-MM-DD". pydantic's lax mode would also read a number as Unix
    # time (0 -> 1970-01-01) and a midnight datetime as its date; a request refuses both.
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


RequestDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A date in a request body: a ``datetime.date`` or a ``YYYY-MM-DD`` string, nothing else."""


class WireModel(BaseModel):
    """Base of every response model: unknown fields are ignored, values are immutable."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (the emulator answers 400)."""

    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------


class ErrorBody(WireModel):
    """``{"error": code, "user_message": text}`` (+ ``field`` on 400) [assumed]."""

    error: str
    user_message: str = ""
    field: str | None = None


# --- register, login, user ------------------------------------------------------------------


class RegisterRequest(RequestModel):
    email: str
    password: SecretStr
    name: str
    url: str


class LoginRequest(RequestModel):
    email: str
    password: SecretStr


class Session(WireModel):
    """What /register and /login return: persist both together [doc]."""

    token: SecretStr
    default_account_id: AccountId


class ChangePasswordRequest(RequestModel):
    password: SecretStr
    current_password: SecretStr


class TokenResponse(WireModel):
    token: SecretStr


# --- accounts -------------------------------------------------------------------------------


class Account(WireModel):
    account_id: AccountId
    name: str
    url: str
    role: int


class AccountList(WireModel):
    accounts: list[Account]


class CreateAccountRequest(RequestModel):
    name: str
    url: str


class UpdateAccountRequest(RequestModel):
    account_id: AccountId
    name: str | None = None
    url: str | None = None


class AccountSelector(RequestModel):
    """Query parameters of DELETE /accounts."""

    account_id: AccountId


# --- API keys -------------------------------------------------------------------------------


class ApiKey(WireModel):
    """An API key as reads show it: only ``api_key_part``, never the full key [doc]."""

    api_key_part: str
    account_id: AccountId
    name: str | None = None
    end_date: dt.date | None = None
    active: bool
    created_at: str


class NewApiKey(ApiKey):
    """The answer to POST /api_key: the only time the full key appears [doc]."""

    api_key: SecretStr


class ApiKeyList(WireModel):
    api_keys: list[ApiKey]


class CreateApiKeyRequest(RequestModel):
    account_id: AccountId | None = None  # required with a token, implicit with an API key [doc]
    name: str | None = None
    end_date: RequestDate | None = None


class UpdateApiKeyRequest(RequestModel):
    """PATCH /api_key. Only the fields that are set are sent; ``end_date: null`` clears it."""

    account_id: AccountId | None = None
    api_key_part: str
    name: str | None = None
    end_date: RequestDate | None = None


class ApiKeySelector(RequestModel):
    """Query parameters of GET (``api_key_part`` unset) and DELETE /api_key."""

    account_id: AccountId | None = None
    api_key_part: str | None = None


class Deleted(WireModel):
    deleted: bool = Field(default=True)
