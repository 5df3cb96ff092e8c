"""The real provider process: ``python -u -m pulumi.dynamic``, called over gRPC.

This is the command the Pulumi CLI runs for Python dynamic providers (the ``pulumi-python``
plugin). It prints its port on the first line of stdout and serves ``ResourceProvider`` with
four worker threads. Requests are built with the SDK's own proto stubs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from . import wire

REPO = Path(__file__).resolve().parents[2]


class ProviderError(Exception):
    """The provider answered a call with an error; ``details`` is what the engine would show."""

    def __init__(self, method: str, details: str) -> None:
        self.method = method
        self.details = details
        super().__init__(f"{method} failed: {details}")

    @property
    def summary(self) -> str:
        """The line a person reads at the end of ``details`` (the Python dynamic provider sends
        the whole traceback): ``ErrorType: message``, without the module path."""
        lines = [line.strip() for line in self.details.strip().splitlines() if line.strip()]
        return re.sub(r"^[\w.]+\.(\w+): ", r"\1: ", lines[-1]) if lines else ""


class ProviderProcess:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("FIRMTRACE_")}
        base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), base.get("PYTHONPATH")]))
        base.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=base,
            cwd=str(REPO),
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        line = self.proc.stdout.readline().decode().strip()
        if not line.isdigit():
            err = self.proc.stderr.read().decode()
            raise RuntimeError(f"provider process did not print its port: {line!r} {err}")
        self.port = int(line)
        self._output: list[bytes] = []
        self._readers = [
            threading.Thread(target=self._drain, args=(s,), daemon=True)
            for s in (self.proc.stdout, self.proc.stderr)
        ]
        for t in self._readers:
            t.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def _drain(self, stream: Any) -> None:
        for chunk in iter(lambda: stream.read1(4096), b""):
            self._output.append(chunk)

    @property
    def output(self) -> str:
        """Everything the process printed (stdout after the port line, and stderr)."""
        return b"".join(self._output).decode(errors="replace")

    def close(self) -> None:
        self.channel.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for reader in self._readers:  # so that ``output`` is complete once closed
            reader.join(timeout=2)

    def __enter__(self) -> ProviderProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- calls: every value passed here is already in wire form, secrets stripped -------------

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as exc:
            raise ProviderError(method, exc.details() or str(exc)) from None

    def configure(self, config: Mapping[str, Any]) -> provider_pb2.ConfigureResponse:
        """``config``: namespaced stack config (``firmtrace:token``), secrets wrapped."""
        variables = {k: str(wire.strip_secrets(v)) for k, v in config.items()}
        return self._call(
            "Configure",
            provider_pb2.ConfigureRequest(
                variables=variables,
                args=wire.to_struct(dict(config)),
                acceptSecrets=True,
                acceptResources=True,
            ),
        )

    def check(self, urn: str, olds: dict[str, Any], news: dict[str, Any]) -> tuple[dict, list]:
        resp = self._call(
            "Check",
            provider_pb2.CheckRequest(
                urn=urn, olds=wire.to_struct(olds), news=wire.to_struct(news)
            ),
        )
        failures = [(f.property, f.reason) for f in resp.failures]
        return wire.from_struct(resp.inputs), failures

    def diff(
        self, urn: str, id_: str, old_outputs: dict, news: dict, old_inputs: dict
    ) -> provider_pb2.DiffResponse:
        return self._call(
            "Diff",
            provider_pb2.DiffRequest(
                id=id_,
                urn=urn,
                olds=wire.to_struct(old_outputs),
                news=wire.to_struct(news),
                old_inputs=wire.to_struct(old_inputs),
            ),
        )

    def create(self, urn: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resp = self._call(
            "Create", provider_pb2.CreateRequest(urn=urn, properties=wire.to_struct(props))
        )
        return resp.id, wire.from_struct(resp.properties)

    def update(
        self, urn: str, id_: str, old_outputs: dict, news: dict, old_inputs: dict
    ) -> dict[str, Any]:
        resp = self._call(
            "Update",
            provider_pb2.UpdateRequest(
                id=id_,
                urn=urn,
                olds=wire.to_struct(old_outputs),
                news=wire.to_struct(news),
                old_inputs=wire.to_struct(old_inputs),
            ),
        )
        return wire.from_struct(resp.properties)

    def read(
        self, urn: str, id_: str, old_outputs: dict, old_inputs: dict
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        resp = self._call(
            "Read",
            provider_pb2.ReadRequest(
                id=id_,
                urn=urn,
                properties=wire.to_struct(old_outputs),
                inputs=wire.to_struct(old_inputs),
            ),
        )
        inputs = wire.from_struct(resp.inputs) if resp.HasField("inputs") else None
        return resp.id, wire.from_struct(resp.properties), inputs

    def delete(self, urn: str, id_: str, old_outputs: dict, old_inputs: dict) -> None:
        self._call(
            "Delete",
            provider_pb2.DeleteRequest(
                id=id_,
                urn=urn,
                properties=wire.to_struct(old_outputs),
                old_inputs=wire.to_struct(old_inputs),
            ),
        )
