"""The ``/v1.3`` routes, one module per resource, declared from ``contract.Endpoints``.

A route reads the request's parameters, calls one ``Backend`` method (the rules live there) and
shapes the answer with ``responses``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, get_args, get_type_hints

from fastapi import APIRouter, Depends, Request, params

from firmtrace_pulumi.contract import API_PREFIX, Endpoint

from ..backend import Backend
from ..problems import validation_error
from ..wire import ErrorBody

__all__ = ["QUERY_METHODS", "BackendDep", "api_router", "error_responses", "get_backend", "route"]

QUERY_METHODS = frozenset({"GET", "DELETE"})
"""Methods whose parameters travel in the query string, never a body (docs/api-contract.md)."""

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


def _query_fields(handler: Callable[..., Any]) -> list[str]:
    """The query parameters a handler reads: the fields of its ``Annotated[Model, Query()]``."""
    names: list[str] = []
    for hint in get_type_hints(handler, include_extras=True).values():
        model, *metadata = get_args(hint) or (hint,)
        if any(isinstance(item, params.Query) for item in metadata):
            names += list(model.model_fields)
    return names


def _refuse_body(endpoint: Endpoint, handler: Callable[..., Any]) -> Any:
    """A dependency for ``QUERY_METHODS`` routes: a body is refused, not silently ignored."""
    query = "&".join(f"{name}=..." for name in _query_fields(handler))
    message = (
        f"{endpoint.method} {API_PREFIX}{endpoint.path} takes its parameters in the query string"
        f" (?{query}), not in a request body."
    )

    async def refuse_body(request: Request) -> None:
        if (await request.body()).strip():
            raise validation_error("body", message)

    return Depends(refuse_body)


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

    def declare(handler: Callable[..., Any]) -> Callable[..., Any]:
        query_only = endpoint.method in QUERY_METHODS
        return router.api_route(
            endpoint.path,
            methods=[endpoint.method],
            responses=error_responses(errors),
            dependencies=[_refuse_body(endpoint, handler)] if query_only else None,
            **kwargs,
        )(handler)

    return declare


def api_router() -> APIRouter:
    """Every ``/v1.3`` route."""
    from . import accounts, api_keys, users

    router = APIRouter(prefix=API_PREFIX)
    for module in (users, accounts, api_keys):
        router.include_router(module.router)
    return router
