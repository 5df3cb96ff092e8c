"""``create_app(store, settings)``: the emulator as an ASGI application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from . import admin, handlers, openapi
from .backend import Backend
from .faults import Faults
from .middleware import FaultMiddleware
from .ratelimit import RateLimiter
from .request_log import RequestLog
from .routes import api_router
from .settings import EmulatorSettings
from .store import Store

__all__ = ["EmulatorApp", "create_app"]


class EmulatorApp(FastAPI):
    """FastAPI with ``FaultMiddleware`` outside the whole stack, error handlers included.

    Outermost is where the middleware receives the server's own ``send``, which it needs to
    drop connections, and where it sees the final status of every answer.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return FaultMiddleware(
            super().build_middleware_stack(),
            faults=self.state.faults,
            limiter=self.state.limiter,
            log=self.state.request_log,
        )


def create_app(store: Store | None = None, settings: EmulatorSettings | None = None) -> FastAPI:
    """An emulator app over ``store`` (default: a fresh in-memory one)."""
    settings = settings or EmulatorSettings()
    app = EmulatorApp(
        title="Firmtrace API (local emulator)",
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store if store is not None else Store()
    app.state.backend = Backend(app.state.store)
    app.state.settings = settings
    app.state.faults = Faults(settings.faults, rate_limit=settings.rate_limit)
    app.state.limiter = RateLimiter()
    app.state.request_log = RequestLog()
    handlers.install(app)
    app.include_router(api_router())
    app.include_router(admin.router)

    def build_openapi() -> dict[str, Any]:
        return openapi.build(app)

    app.openapi = build_openapi  # type: ignore[method-assign]
    return app
