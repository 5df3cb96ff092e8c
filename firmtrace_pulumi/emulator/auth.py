"""Who is calling: the ``authenticate`` dependency of every route that needs a credential.

``Authorization: Bearer <credential>`` carries either a User token or an Account API key; the
emulator tells them apart by shape (see ``credentials``). Unknown, deleted, ended or rotated
credentials are 401, and so is a request without ``Authorization: Bearer``, saying so. Which
Account a caller may act on is ``backend``'s business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .clock import is_active
from .credentials import fingerprint, kind_of
from .problems import invalid_credential, missing_credential
from .store import ApiKeyRow, Store

__all__ = ["Caller", "CallerDep", "authenticate", "bearer"]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="credential",
    description="A User token (from /register or /login) or an Account API key.",
)


@dataclass(frozen=True)
class Caller:
    """The authenticated party: a User, possibly through one of an Account's API keys."""

    user_id: int
    api_key: ApiKeyRow | None = None

    @property
    def uses_api_key(self) -> bool:
        return self.api_key is not None


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """FastAPI dependency: resolve the bearer credential or answer 401 ``invalid_credential``."""
    if credentials is None:
        raise missing_credential(request.headers.get("authorization"))
    store: Store = request.app.state.store
    value = credentials.credentials
    kind = kind_of(value)
    if kind == "token":
        user = store.user_by_token(fingerprint(value))
        if user is not None:
            return Caller(user.user_id)
    elif kind == "api_key":
        key = store.api_key_by_hash(fingerprint(value))
        if key is not None and is_active(key.end_date):
            return Caller(key.minted_by, key)
    raise invalid_credential()


CallerDep = Annotated[Caller, Depends(authenticate)]
