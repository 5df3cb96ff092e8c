"""The Firmtrace API v1.3 wire contract: every path, request and response shape in one place.

The published "Register and authenticate" page is the only authority. Shapes it does not give
are marked ``[assumed]`` here (see ``docs/api-contract.md``) so that they can be
corrected in one edit. The client and the local emulator both build on this module: the client
reads and writes these models with msgspec (``decode``, ``to_json``, ``to_query``), and the
emulator derives its pydantic models from them (``emulator/wire.py``).

Response models ignore unknown fields; request models refuse them. ``account_id`` is an opaque
string; a JSON number is accepted and read as its decimal string. Secret values (tokens, full
API keys) are ``Secret``: their ``repr`` never shows the value, and only ``to_json`` (a request
body) writes it out.
"""

from __future__ import annotations

import datetime as dt
import functools
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from .contract_core import API_PREFIX, API_VERSION, DEFAULT_BASE_URL, key_has_part, parse_timestamp
from .redact import Secret

__all__ = [
    "API_PREFIX",
    "API_VERSION",
    "DEFAULT_BASE_URL",
    "UNSET",
    "Account",
    "AccountId",
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
    "UnreadableAnswer",
    "UnsetType",
    "UpdateAccountRequest",
    "UpdateApiKeyRequest",
    "WireModel",
    "account_id_text",
    "decode",
    "from_data",
    "key_has_part",
    "parse_timestamp",
    "to_data",
    "to_json",
    "to_query",
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


def account_id_text(value: Any) -> Any:
    """[assumed] An account id is an opaque string; a JSON number is read as its decimal string.
    Anything else is left as it is, for the reader to refuse. The client's decoder and the
    emulator's models both apply this."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# An ``AccountId`` is a ``str`` to the type checker; at run time it is a subclass of ``str``, so
# that the decoder (``_read``) can tell these fields apart and accept a number there.
if TYPE_CHECKING:
    AccountId = str
else:

    class AccountId(str):
        """An Account's id [assumed]: an opaque string; a JSON number is read as its decimal
        string."""

        __slots__ = ()


class WireModel(msgspec.Struct):
    """Base of every response model: unknown fields are ignored."""


class RequestModel(msgspec.Struct, forbid_unknown_fields=True):
    """Base of every request body and query: unknown fields are refused (the emulator answers
    400). A field left ``UNSET`` is not sent; ``None`` is sent as null (``end_date: null``
    clears it)."""


# --- errors ---------------------------------------------------------------------------------


class ErrorBody(WireModel):
    """``{"error": code, "user_message": text}`` (+ ``field`` on 400) [assumed]."""

    error: str
    user_message: str = ""
    field: str | None = None


# --- register, login, user ------------------------------------------------------------------


class RegisterRequest(RequestModel):
    email: str
    password: Secret
    name: str
    url: str


class LoginRequest(RequestModel):
    email: str
    password: Secret


class Session(WireModel):
    """What /register and /login return: persist both together [doc]."""

    token: Secret
    default_account_id: AccountId


class ChangePasswordRequest(RequestModel):
    password: Secret
    current_password: Secret


class TokenResponse(WireModel):
    token: Secret


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
    name: str | UnsetType | None = UNSET
    url: str | UnsetType | None = UNSET


class AccountSelector(RequestModel):
    """Query parameters of DELETE /accounts."""

    account_id: AccountId


# --- API keys -------------------------------------------------------------------------------


class ApiKey(WireModel, kw_only=True):
    """An API key as reads show it: only ``api_key_part``, never the full key [doc]."""

    api_key_part: str
    account_id: AccountId
    name: str | None = None
    end_date: dt.date | None = None
    active: bool
    created_at: str


class NewApiKey(ApiKey, kw_only=True):
    """The answer to POST /api_key: the only time the full key appears [doc]."""

    api_key: Secret


class ApiKeyList(WireModel):
    api_keys: list[ApiKey]


class CreateApiKeyRequest(RequestModel):
    account_id: AccountId | UnsetType | None = UNSET  # required with a token, implicit with a key
    name: str | UnsetType | None = UNSET
    end_date: dt.date | UnsetType | None = UNSET
    """A date travels as ``YYYY-MM-DD``; a number or a datetime is refused."""


class UpdateApiKeyRequest(RequestModel, kw_only=True):
    """PATCH /api_key. Only the fields that are set are sent; ``end_date: null`` clears it."""

    account_id: AccountId | UnsetType | None = UNSET
    api_key_part: str
    name: str | UnsetType | None = UNSET
    end_date: dt.date | UnsetType | None = UNSET


class ApiKeySelector(RequestModel):
    """Query parameters of GET (``api_key_part`` unset) and DELETE /api_key."""

    account_id: AccountId | None = None
    api_key_part: str | None = None


class Deleted(WireModel):
    deleted: bool = True


# --- reading and writing --------------------------------------------------------------------

W = TypeVar("W", bound=WireModel)

UnreadableAnswer = msgspec.DecodeError
"""What ``decode`` raises for a body that is not JSON or does not fit the model. Its text names
where (``$.field``) and never quotes a value."""


def _read(kind: type, value: Any) -> Any:
    if kind is AccountId and isinstance(text := account_id_text(value), str):
        return AccountId(text)
    if kind is Secret and isinstance(value, str):
        return Secret(value)
    raise TypeError(f"Expected `str`, got `{type(value).__name__}`")


def _write(value: Any) -> Any:
    if isinstance(value, Secret):
        return value.get_secret_value()
    if isinstance(value, str):  # an ``AccountId``
        return str(value)
    raise NotImplementedError


def _masked(value: Any) -> Any:
    return str(value) if isinstance(value, Secret) else _write(value)


@functools.cache
def _decoder(model: type[W]) -> msgspec.json.Decoder[W]:
    return msgspec.json.Decoder(model, dec_hook=_read)


def decode(model: type[W], content: bytes) -> W:
    """An answer's body read as ``model``; raises ``UnreadableAnswer``."""
    return _decoder(model).decode(content)


def from_data(model: type[W], data: Any) -> W:
    """``model`` read from Python data (a provider's saved outputs, say); unknown keys are
    ignored, and numbers that are whole read as ``int``. Raises ``UnreadableAnswer``."""
    return msgspec.convert(data, model, strict=False, dec_hook=_read)


def to_data(model: WireModel) -> dict[str, Any]:
    """A response model as JSON-ready data, its ``Secret`` values masked."""
    data: dict[str, Any] = msgspec.to_builtins(model, enc_hook=_masked)
    return data


def to_json(body: RequestModel) -> bytes:
    """A request body as JSON, its ``Secret`` values revealed: the one place they are written
    out. Fields left ``UNSET`` are not sent."""
    return msgspec.json.encode(body, enc_hook=_write)


def to_query(query: RequestModel) -> dict[str, str]:
    """Query parameters: the fields that are set, as text."""
    data = msgspec.to_builtins(query, enc_hook=_masked)
    return {name: str(value) for name, value in data.items() if value is not None}
