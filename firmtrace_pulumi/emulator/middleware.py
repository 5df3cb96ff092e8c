"""The pure ASGI middleware that logs, rate-limits and faults every ``/v1.3`` request.

It sits outside the whole FastAPI stack (see ``app.EmulatorApp``), so it wraps every route and
receives the server's own ``send``: that is what lets it close a connection without answering.
See ``faults`` for what each fault does; ``HANDLERS`` holds one handler per ``FaultKind``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from firmtrace_pulumi.contract import API_PREFIX, ErrorCode

from .credentials import fingerprint, kind_of
from .faults import FaultKind, Faults, FaultStep
from .problems import default_code, error_response
from .ratelimit import RateLimiter
from .request_log import RequestLog

__all__ = ["HANDLERS", "Call", "FaultHandler", "FaultMiddleware", "close_connection"]

_MESSAGES = {
    429: "Too many requests; retry after the Retry-After delay.",
    500: "Internal error (injected by the emulator).",
}


async def close_connection(send: Send) -> bool:
    """Close the client connection without an answer, if the server lets us reach it.

    uvicorn's ``send`` is a bound method of its request cycle, which holds the transport.
    Returns ``False`` when no transport is reachable (another server, an in-process client).
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "close"):
        return False
    transport.close()
    # Let the server see the connection go, so it does not answer "500" on our behalf.
    await asyncio.sleep(0.01)
    return True


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            text: str = value.decode("latin-1")
            return text
    return None


def _credential_kind(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, credential = authorization.partition(" ")
    return kind_of(credential.strip()) if scheme.lower() == "bearer" else None


def _limit_key(scope: Scope, authorization: str | None) -> str:
    if authorization:
        return "credential:" + fingerprint(authorization)
    client = scope.get("client") or ("unknown", 0)
    return f"address:{client[0]}"


@dataclass
class Call:
    """One ``/v1.3`` request on its way through the middleware, and its request-log entry."""

    app: ASGIApp
    scope: Scope
    receive: Receive
    send: Send
    entry: dict[str, Any]
    faults: Faults
    limiter: RateLimiter
    limit_key: str
    error_status: int | None
    """The random ``error_rate`` draw's status, if it hit (never when a script step applies)."""

    def mark(self, step: FaultStep) -> None:
        """Note the applied fault in the request log."""
        self.entry["fault"] = step.fault.value

    async def admit(self) -> bool:
        """The rate limit, then the random error draw: ``False`` once either has answered."""
        retry_after = self.limiter.check(self.limit_key, self.faults.rate_limit)
        if retry_after is not None:
            await self.answer(429, retry_after)
            return False
        if self.error_status is not None:
            self.entry["fault"] = "error_rate"
            await self.answer(self.error_status)
            return False
        return True

    async def run_app(self, send: Send | None = None) -> None:
        """Handle the request; the answer goes to ``send`` (default: the client, logged)."""
        await self.app(self.scope, self.receive, send or _recording(self.send, self.entry))

    async def answer(
        self, status: int, retry_after: int | None = None, message: str | None = None
    ) -> None:
        """Answer with an injected error body without running the app."""
        code = default_code(status)
        if status == 429:
            code = ErrorCode.RATE_LIMITED.value
            retry_after = 1 if retry_after is None else retry_after
        if message is None:
            message = _MESSAGES.get(status, "Temporarily unavailable (injected by the emulator).")
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        response = error_response(status, code, message, headers=headers)
        await response(self.scope, self.receive, _recording(self.send, self.entry))


FaultHandler = Callable[[Call, FaultStep], Awaitable[None]]
"""What one kind of script step does to a request. A handler that lets the request reach the
app calls ``call.admit()`` first; one that answers in its place does not (it commits nothing
and uses none of the rate limit)."""


async def _status(call: Call, step: FaultStep) -> None:
    call.mark(step)
    await call.answer(step.status_code, step.retry_after)


async def _echo(call: Call, step: FaultStep) -> None:
    call.mark(step)
    body = await _read_body(call.receive)
    await call.answer(
        step.status_code, message=f"Invalid request: {body.decode('utf-8', 'replace')}"
    )


async def _reset_before_read(call: Call, step: FaultStep) -> None:
    call.mark(step)
    if not await close_connection(call.send):
        await call.answer(503)


async def _drop_after_commit(call: Call, step: FaultStep) -> None:
    if not await call.admit():
        return
    call.mark(step)

    async def swallow(message: Message) -> None:
        if message["type"] == "http.response.start":
            call.entry["status"] = message["status"]

    await call.run_app(swallow)
    if await close_connection(call.send):
        return
    # No connection to close: hang so the client times out; the log keeps the handled status.
    await asyncio.sleep(call.faults.config.drop_hang_s)
    await replace(call, entry={}).answer(503)


async def _slow(call: Call, step: FaultStep) -> None:
    if not await call.admit():
        return
    call.mark(step)
    held: list[Message] = []

    async def hold(message: Message) -> None:
        held.append(message)

    await call.run_app(_recording(hold, call.entry))
    await asyncio.sleep(step.ms / 1000)
    for message in held:
        await call.send(message)


async def _pass(call: Call, step: FaultStep) -> None:
    if await call.admit():
        await call.run_app()


HANDLERS: dict[FaultKind, FaultHandler] = {
    FaultKind.STATUS: _status,
    FaultKind.ECHO: _echo,
    FaultKind.DROP_AFTER_COMMIT: _drop_after_commit,
    FaultKind.RESET_BEFORE_READ: _reset_before_read,
    FaultKind.SLOW: _slow,
    FaultKind.PASS: _pass,
}
if missing := set(FaultKind) - set(HANDLERS):
    raise TypeError(f"no fault handler for {sorted(kind.value for kind in missing)}")

_NO_FAULT = FaultStep.pass_()
"""What a request without a script step gets: handled normally, after the rate limit."""


class FaultMiddleware:
    """Apply latency, scripted faults, the rate limit and random errors to ``/v1.3`` calls."""

    def __init__(
        self, app: ASGIApp, *, faults: Faults, limiter: RateLimiter, log: RequestLog
    ) -> None:
        self.app = app
        self.faults = faults
        self.limiter = limiter
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(API_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        authorization = _bearer(scope)
        entry = self.log.start(method, path, _credential_kind(authorization))
        try:
            await self._handle(scope, receive, send, entry)
        finally:
            self.log.finish()

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, entry: dict[str, Any]
    ) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        authorization = _bearer(scope)
        decision = self.faults.decide(method, path[len(API_PREFIX) :])
        if decision.latency_ms:
            await asyncio.sleep(decision.latency_ms / 1000)
        step = decision.step or _NO_FAULT
        call = Call(
            app=self.app,
            scope=scope,
            receive=receive,
            send=send,
            entry=entry,
            faults=self.faults,
            limiter=self.limiter,
            limit_key=_limit_key(scope, authorization),
            error_status=decision.error_status,
        )
        await HANDLERS[step.fault](call, step)


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


def _recording(send: Send, entry: dict[str, Any]) -> Send:
    """Wrap ``send`` to note the answered status in the request log entry."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            entry["status"] = message["status"]
        await send(message)

    return wrapped
