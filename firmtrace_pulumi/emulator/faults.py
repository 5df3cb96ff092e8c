"""Fault injection: what the emulator does to ``/v1.3`` requests besides answering them.

The configuration is one JSON object; every field is optional. Set it at start-up (CLI flags,
``--faults JSON`` or ``FIRMTRACE_EMULATOR_FAULTS``) or at runtime with
``PUT /_emulator/faults`` (replaces it), ``GET /_emulator/faults`` (shows it, with the scripted
steps still to come) and ``DELETE /_emulator/faults`` (back to the start-up configuration)::

    {
      "latency_ms": 0,                          # added before every /v1.3 request
      "endpoint_latency_ms": {"POST /api_key": 250},   # added on top, per endpoint
      "error_rate": 0.0,                        # fraction of requests answered error_status
      "error_status": 503,                      # 500..599
      "error_endpoints": null,                  # null = all; or ["POST /api_key", ...]
      "seed": null,                             # int makes error_rate draws repeatable
      "scripts": {                              # consumed in order, one step per request
        "POST /api_key": [
          {"fault": "status", "status": 503, "times": 2},
          {"fault": "status", "status": 429, "retry_after": 1},
          {"fault": "echo", "status": 400},
          {"fault": "drop_after_commit"},
          {"fault": "reset_before_read"},
          {"fault": "slow", "ms": 1500},
          {"fault": "pass"}
        ]
      },
      "rate_limit": null,                       # requests/s per credential; null = start-up value
      "drop_hang_s": 30.0                       # only if the server cannot drop a connection
    }

Endpoints are written ``"METHOD /path"`` with the contract path (``/api_key``) or the full one
(``/v1.3/api_key``); ``"*"`` as the method matches any method, and the key ``"*"`` matches every
endpoint. A more specific key wins (``POST /api_key`` over ``* /api_key`` over ``*``).

Script steps (``times`` repeats a step, default 1):

- ``status``: answer ``status`` at once with the error body (429 -> ``rate_limited`` with
  ``Retry-After: retry_after`` (default 1); 5xx -> ``unavailable``/``internal_error``, with
  ``Retry-After`` only if ``retry_after`` is set). Nothing is committed.
- ``echo``: answer ``status`` (a 4xx) at once, with the request's body repeated in the error's
  ``user_message``, as careless APIs do ("invalid request: {...}"). Nothing is committed. It
  tests that a client never shows a secret the API echoes back.
- ``drop_after_commit``: the request is handled and committed, then the connection is closed
  without an answer (httpx raises ``RemoteProtocolError``, or ``ReadError`` when the close races
  its read). Where the server offers no way to close the connection, the emulator hangs
  ``drop_hang_s`` so the client times out.
- ``reset_before_read``: the connection is closed before the request is handled; nothing is
  committed (httpx raises as above).
- ``slow``: the request is handled and committed, and the answer is sent ``ms`` later.
- ``pass``: handled normally (lets a script start with successes).

Order for each ``/v1.3`` request: latency, then the next scripted step, then the rate limit, then
the random ``error_rate`` draw (skipped when a script step applied). The steps that answer
without handling the request (``status``, ``echo``, ``reset_before_read``) act before the rate
limit and use none of its budget. Admin routes (``/_emulator/*``) and ``/openapi.json`` are never
faulted, limited or logged.

From Python, the same configuration is typed (``EmulatorAdmin`` sends it as the JSON above)::

    admin.script(Endpoints.CREATE_API_KEY, FaultStep.status(503, times=2), FaultStep.slow(1500))
    admin.set_faults(FaultConfig(latency_ms=50, rate_limit=5))
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from firmtrace_pulumi.contract import API_PREFIX, Endpoint

__all__ = [
    "ANY",
    "Decision",
    "EndpointSpec",
    "FaultConfig",
    "FaultKind",
    "FaultStep",
    "Faults",
    "endpoint_key",
]

ANY = "*"


class FaultKind(str, Enum):
    """What a script step does (``"fault"`` in the JSON); ``middleware.HANDLERS`` acts on each."""

    STATUS = "status"
    ECHO = "echo"
    DROP_AFTER_COMMIT = "drop_after_commit"
    RESET_BEFORE_READ = "reset_before_read"
    SLOW = "slow"
    PASS = "pass"


def endpoint_key(spec: str | Endpoint) -> str:
    """Normalise ``"post /v1.3/api_key"`` or ``Endpoints.CREATE_API_KEY`` to ``"POST /api_key"``;
    ``"*"`` stays ``"*"``."""
    if isinstance(spec, Endpoint):
        return f"{spec.method} {spec.path}"
    spec = spec.strip()
    if spec == ANY:
        return ANY
    method, _, path = spec.partition(" ")
    path = path.strip()
    if not method or not path.startswith("/"):
        raise ValueError(f"endpoint {spec!r} must look like 'POST /api_key' or '*'")
    if path.startswith(API_PREFIX + "/"):
        path = path[len(API_PREFIX) :]
    return f"{method.upper()} {path.rstrip('/') or '/'}"


def _candidates(method: str, path: str) -> tuple[str, ...]:
    """Keys that match a request, most specific first. ``path`` is the contract path."""
    return (f"{method.upper()} {path}", f"{ANY} {path}", ANY)


class FaultStep(BaseModel):
    """One scripted fault. Build one with the constructor named after its kind::

        FaultStep.status(503, times=2)    FaultStep.echo(400)    FaultStep.slow(1500)
        FaultStep.drop_after_commit()     FaultStep.reset_before_read()    FaultStep.pass_()

    ``status_code`` is ``"status"`` in the JSON (dump with ``by_alias=True``).
    """

    model_config = ConfigDict(extra="forbid")

    fault: FaultKind
    status_code: int = Field(default=503, ge=400, le=599, alias="status")
    retry_after: int | None = Field(default=None, ge=0)
    ms: int = Field(default=0, ge=0, le=600_000)
    times: int = Field(default=1, ge=1)

    @classmethod
    def status(cls, status: int, *, retry_after: int | None = None, times: int = 1) -> FaultStep:
        """Answer ``status`` at once with the error body; nothing is committed."""
        return cls(fault=FaultKind.STATUS, status=status, retry_after=retry_after, times=times)

    @classmethod
    def echo(cls, status: int, *, times: int = 1) -> FaultStep:
        """Answer ``status`` (a 4xx) repeating the request's body in ``user_message``."""
        return cls(fault=FaultKind.ECHO, status=status, times=times)

    @classmethod
    def drop_after_commit(cls, *, times: int = 1) -> FaultStep:
        """Handle and commit the request, then close the connection without an answer."""
        return cls(fault=FaultKind.DROP_AFTER_COMMIT, times=times)

    @classmethod
    def reset_before_read(cls, *, times: int = 1) -> FaultStep:
        """Close the connection before the request is handled; nothing is committed."""
        return cls(fault=FaultKind.RESET_BEFORE_READ, times=times)

    @classmethod
    def slow(cls, ms: int, *, times: int = 1) -> FaultStep:
        """Handle and commit the request, and send the answer ``ms`` later."""
        return cls(fault=FaultKind.SLOW, ms=ms, times=times)

    @classmethod
    def pass_(cls, *, times: int = 1) -> FaultStep:
        """Handle the request normally (``"pass"``; the underscore because ``pass`` is Python's)."""
        return cls(fault=FaultKind.PASS, times=times)


EndpointSpec: TypeAlias = "str | Endpoint"
"""An endpoint as a fault configuration names it: ``Endpoints.CREATE_API_KEY``, or a string
(``"POST /api_key"``, ``"* /accounts"``, ``"*"``). A validated configuration holds strings."""


class FaultConfig(BaseModel):
    """The whole fault configuration (see the module docstring). In Python::

        FaultConfig(latency_ms=50, rate_limit=5)
        FaultConfig(scripts={Endpoints.CREATE_API_KEY: [FaultStep.drop_after_commit()]})

    ``EmulatorAdmin.set_faults`` sends one; ``EmulatorAdmin.script`` builds the common case.
    """

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0, le=600_000)
    endpoint_latency_ms: dict[EndpointSpec, int] = Field(default_factory=dict)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    error_status: int = Field(default=503, ge=500, le=599)
    error_endpoints: list[EndpointSpec] | None = None
    seed: int | None = None
    scripts: dict[EndpointSpec, list[FaultStep]] = Field(default_factory=dict)
    rate_limit: float | None = Field(default=None, ge=0)
    drop_hang_s: float = Field(default=30.0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        # What GET /_emulator/faults shows can be PUT back unchanged.
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "effective_rate_limit"}
        return data

    @field_validator("endpoint_latency_ms", "scripts")
    @classmethod
    def _normalise_keys(cls, value: dict[EndpointSpec, Any]) -> dict[EndpointSpec, Any]:
        return {endpoint_key(key): item for key, item in value.items()}

    @field_validator("error_endpoints")
    @classmethod
    def _normalise_list(cls, value: list[EndpointSpec] | None) -> list[EndpointSpec] | None:
        return None if value is None else [endpoint_key(key) for key in value]

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``PUT /_emulator/faults`` (only what differs from the defaults)."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        return data


@dataclass(frozen=True)
class Decision:
    """What to do with one request."""

    latency_ms: int = 0
    step: FaultStep | None = None
    error_status: int | None = None


class Faults:
    """The live fault configuration, shared by every request (thread-safe)."""

    def __init__(self, initial: FaultConfig | None = None, *, rate_limit: float = 0.0) -> None:
        self._initial = initial or FaultConfig()
        self._default_rate_limit = rate_limit
        self._lock = threading.Lock()
        self.configure(self._initial)

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration; scripts restart and the random draws are re-seeded."""
        with self._lock:
            self._config = config
            self._random = random.Random(config.seed)
            self._scripts: dict[EndpointSpec, deque[list[Any]]] = {
                key: deque([step, step.times] for step in steps)
                for key, steps in config.scripts.items()
            }

    def reset(self) -> None:
        """Back to the start-up configuration."""
        self.configure(self._initial)

    @property
    def config(self) -> FaultConfig:
        return self._config

    @property
    def rate_limit(self) -> float:
        """Requests per second per credential; 0 means no limit."""
        configured = self._config.rate_limit
        return self._default_rate_limit if configured is None else configured

    def decide(self, method: str, path: str) -> Decision:
        """Consume what applies to a request to ``path`` (the contract path, without prefix)."""
        keys = _candidates(method, path)
        with self._lock:
            config = self._config
            latency = config.latency_ms + next(
                (config.endpoint_latency_ms[k] for k in keys if k in config.endpoint_latency_ms), 0
            )
            step = self._next_step(keys)
            error_status = None
            if (
                step is None
                and config.error_rate > 0
                and self._error_applies(keys)
                and self._random.random() < config.error_rate
            ):
                error_status = config.error_status
        return Decision(latency_ms=latency, step=step, error_status=error_status)

    def _next_step(self, keys: tuple[str, ...]) -> FaultStep | None:
        for key in keys:
            queue = self._scripts.get(key)
            if queue:
                entry = queue[0]
                entry[1] -= 1
                if entry[1] <= 0:
                    queue.popleft()
                step: FaultStep = entry[0]
                return step
        return None

    def _error_applies(self, keys: tuple[str, ...]) -> bool:
        chosen = self._config.error_endpoints
        return chosen is None or any(key in chosen for key in keys)

    def describe(self) -> dict[str, Any]:
        """The configuration as JSON, with ``scripts`` showing only the steps still to come."""
        with self._lock:
            data = self._config.model_dump(mode="json", by_alias=True)
            data["scripts"] = {
                key: [
                    {**step.model_dump(mode="json", by_alias=True), "times": left}
                    for step, left in queue
                ]
                for key, queue in self._scripts.items()
                if queue
            }
            data["effective_rate_limit"] = self.rate_limit
        return data
