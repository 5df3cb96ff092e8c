"""Helpers for the client tests: a fake clock, and a port with nothing listening."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

import pytest

from firmtrace_pulumi.retry import RetryPolicy


@dataclass
class FakeTime:
    """A clock that only moves when ``sleep`` is called; records every wait requested."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def policy(self, **overrides: object) -> RetryPolicy:
        """A retry policy that waits on this clock; jitter off unless asked for."""
        settings: dict[str, object] = {"jitter": False, **overrides}
        return RetryPolicy(sleep=self.sleep, clock=self.clock, **settings)  # type: ignore[arg-type]


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def closed_port() -> int:
    """A loopback port that was just free: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
