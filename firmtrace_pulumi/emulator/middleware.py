"""The pure ASGI middleware that logs, rate-limits and faults every ``/v1.3`` request.

It sits outside the whole FastAPI stack (see ``app.EmulatorApp``), so it wraps every route and
receives the server's own ``send``: that is what lets it close a connection without answering.
See ``faults`` for what each fault does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from firmtrace_pulumi.contract import API_PREFIX, ErrorCode

from .credentials import fingerprint, kind_of
from .faults import Faults, FaultStep
from .problems import default_code, error_response
from .ratelimit import RateLimiter
from .request_log import RequestLog

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
        decision = self.faults.decide(method, path[len(API_PREFIX) :])
        if decision.latency_ms:
            await asyncio.sleep(decision.latency_ms / 1000)

        step = decision.step
        if step is not None and step.fault == "reset_before_read":
            entry["fault"] = step.fault
            if await close_connection(send):
                return
            await self._answer(scope, receive, send, entry, 503)
            return
        if step is not None and step.fault == "status":
            entry["fault"] = step.fault
            await self._answer(scope, receive, send, entry, step.status, step.retry_after)
            return
        if step is not None and step.fault == "echo":
            entry["fault"] = step.fault
            body = await _read_body(receive)
            message = f"Invalid request: {body.decode('utf-8', 'replace')}"
            await self._answer(scope, receive, send, entry, step.status, message=message)
            return

        retry_after = self.limiter.check(_limit_key(scope, authorization), self.faults.rate_limit)
        if retry_after is not None:
            await self._answer(scope, receive, send, entry, 429, retry_after)
            return
        if decision.error_status is not None:
            entry["fault"] = "error_rate"
            await self._answer(scope, receive, send, entry, decision.error_status)
            return

        if step is not None and step.fault == "drop_after_commit":
            entry["fault"] = step.fault
            await self._drop_after_commit(scope, receive, send, entry)
        elif step is not None and step.fault == "slow":
            entry["fault"] = step.fault
            await self._slow(scope, receive, send, entry, step)
        else:
            await self.app(scope, receive, _recording(send, entry))

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        entry: dict[str, Any],
        status: int,
        retry_after: int | None = None,
        message: str | None = None,
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
        await response(scope, receive, _recording(send, entry))

    async def _drop_after_commit(
        self, scope: Scope, receive: Receive, send: Send, entry: dict[str, Any]
    ) -> None:
        async def swallow(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]

        await self.app(scope, receive, swallow)
        if await close_connection(send):
            return
        await asyncio.sleep(self.faults.config.drop_hang_s)
        await self._answer(scope, receive, send, {}, 503)

    async def _slow(
        self, scope: Scope, receive: Receive, send: Send, entry: dict[str, Any], step: FaultStep
    ) -> None:
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, _recording(hold, entry))
        await asyncio.sleep(step.ms / 1000)
        for message in held:
            await send(message)


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
