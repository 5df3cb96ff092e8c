"""The ``/v1.3`` routes, one module per resource, declared from ``contract.Endpoints``.

A route reads the request's parameters, calls one ``Backend`` method (the rules live there) and
shapes the answer with ``responses``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from firmtrace_pulumi.contract import API_PREFIX, Endpoint, ErrorBody

from ..backend import Backend

_DESCRIPTIONS = {
    400: "validation_error: a field is missing, unknown or malformed (named in `field`).",
    401: "invalid_credential or login_error.",
    403: "forbidden, account_scope or email_format_register.",
    404: "not_found: no such Account or API key.",
    409: "default_account or domain_registered.",
    429: "rate_limited: retry after the Retry-After header (seconds).",
}


async def get_backend(request: Request) -> Backend:
    """FastAPI dependency: the app's Backend (async, so no thread hop)."""
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(get_backend)]


def error_responses(statuses: Iterable[int]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses, plus a ``4XX`` catch-all."""
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorBody, "description": _DESCRIPTIONS[status]}
        for status in sorted({*statuses, 400, 429})
    }
    responses[429]["headers"] = {
        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
    }
    responses["4XX"] = {"model": ErrorBody, "description": "Any other client error."}
    return responses


def route(
    router: APIRouter, endpoint: Endpoint, *, errors: Iterable[int], **kwargs: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a handler for a contract endpoint with its documented error answers."""
    return router.api_route(
        endpoint.path,
        methods=[endpoint.method],
        responses=error_responses(errors),
        **kwargs,
    )


def api_router() -> APIRouter:
    """Every ``/v1.3`` route."""
    from . import accounts, api_keys, users

    router = APIRouter(prefix=API_PREFIX)
    for module in (users, accounts, api_keys):
        router.include_router(module.router)
    return router
