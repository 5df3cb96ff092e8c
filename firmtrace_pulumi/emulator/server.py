"""``EmulatorServer``: a real emulator on a loopback port, served from a background thread.

    with EmulatorServer() as server:            # in-memory DB, free port, no rate limit
        httpx.get(server.url + "/_emulator/health")

``url`` is the base URL without ``/v1.3`` (``http://127.0.0.1:PORT``); ``api_url`` adds it.
For a separate process (e.g. benchmarks that should not share the GIL) see ``process``.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from firmtrace_pulumi.contract import API_PREFIX

from .app import create_app
from .settings import EmulatorSettings
from .store import MEMORY, Store

__all__ = ["EmulatorServer", "base_url", "bind_socket", "uvicorn_config"]

_START_TIMEOUT_S = 10.0


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only then, and
    # without it Nagle + delayed ACK add ~40 ms to every answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_config(app: FastAPI, *, log_config: bool) -> uvicorn.Config:
    """Quiet uvicorn: no access log (no request line can leak into logs), warnings only."""
    return uvicorn.Config(
        app,
        access_log=False,
        log_level="warning",
        log_config=uvicorn.config.LOGGING_CONFIG if log_config else None,
        lifespan="off",
        timeout_keep_alive=30,
        backlog=2048,
    )


class EmulatorServer:
    """Serve an emulator on a background thread until ``stop()`` (or the ``with`` block ends)."""

    def __init__(
        self,
        *,
        db: str | Path = MEMORY,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: float = 0.0,
        settings: EmulatorSettings | None = None,
        store: Store | None = None,
    ) -> None:
        self._owns_store = store is None
        self.store = store if store is not None else Store(db)
        self.settings = settings or EmulatorSettings(rate_limit=rate_limit)
        self.app = create_app(self.store, self.settings)
        self._host, self._port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def __repr__(self) -> str:
        return f"EmulatorServer(url={self.url!r}, store={self.store!r})"

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    def start(self) -> EmulatorServer:
        sock = bind_socket(self._host, self._port)
        self.url = base_url(sock)
        server = uvicorn.Server(uvicorn_config(self.app, log_config=False))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="firmtrace-emulator", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the Firmtrace emulator did not start")
            time.sleep(0.005)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
            self._server = self._thread = None
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
