"""Run a Pulumi program (a function, or an example's ``__main__.py``) against ``engine.Engine``.

The Python SDK talks to a resource monitor; here that monitor is a ``MockMonitor`` whose
``RegisterResource`` hands each custom resource to the engine rules, which call the real
provider process. Component resources and the stack are registered without a provider, as the
engine does. Stack outputs are captured from ``RegisterResourceOutputs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import runpy
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from . import wire
from .engine import Engine, Step

STACK_TYPE = "pulumi:pulumi:Stack"


class _NoMocks(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
        raise AssertionError("resources go to the engine, not to mocks")

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, list | None]:
        raise AssertionError("no invokes in these programs")


class EngineMonitor(mocks.MockMonitor):
    def __init__(self, engine: Engine, preview: bool) -> None:
        super().__init__(_NoMocks())
        self.engine = engine
        self.preview = preview
        self.registered: set[str] = set()
        self.stack_outputs: dict[str, Any] = {}
        self.stack_urn = ""

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            self.stack_urn = urn
        if request.type == STACK_TYPE or not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        inputs = wire.from_struct(request.object)
        id_, outputs = self.engine.register(
            urn,
            request.type,
            inputs,
            list(request.additionalSecretOutputs),
            preview=self.preview,
        )
        self.registered.add(urn)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=id_, object=wire.to_struct(outputs)
        )

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn == self.stack_urn:
            self.stack_outputs = wire.from_struct(request.outputs)
        return super().RegisterResourceOutputs(request)


@dataclass
class RunResult:
    outputs: dict[str, Any]
    """Stack outputs in wire form: secrets are wrapped (``wire.is_secret``)."""
    steps: list[Step] = field(default_factory=list)

    def ops(self) -> dict[str, str]:
        """``type::name`` (the resource's own type, without its parents') → the step taken."""
        ops = {}
        for step in self.steps:
            type_chain, name = step.urn.split("::")[-2:]
            ops[f"{type_chain.split('$')[-1]}::{name}"] = step.op
        return ops

    def plain(self, name: str) -> Any:
        return wire.reveal(self.outputs.get(name))


@contextlib.contextmanager
def _program_path(directory: Path | None) -> Iterator[None]:
    if directory is None:
        yield
        return
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        sys.path.remove(str(directory))


def _quiet_after_failed_run(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A failed run leaves futures holding its error, as a failed `pulumi up` process would at
    exit; the error was already raised to the test, so do not print it again at collection."""
    if "exception was never retrieved" in str(context.get("message", "")):
        return
    loop.default_exception_handler(context)


def run_program(
    engine: Engine,
    program: Callable[[], Any] | Path,
    *,
    preview: bool = False,
    project: str = "firmtrace-test",
    stack: str = "test",
    config: dict[str, Any] | None = None,
) -> RunResult:
    """One ``pulumi preview`` (``preview=True``) or ``pulumi up`` of ``program``.

    ``program`` is a function or the path of a ``__main__.py``. ``config`` is the program's
    stack config (namespaced keys); the provider's was given to the engine when it started.
    """
    # A fresh event loop per run, as each `pulumi up` is a fresh process: tasks of a failed run
    # must not leak into the next one.
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet_after_failed_run)
    asyncio.set_event_loop(loop)
    monitor = EngineMonitor(engine, preview)
    mocks.set_mocks(_NoMocks(), project=project, stack=stack, preview=preview, monitor=monitor)
    settings.set_root_resource(None)  # type: ignore[arg-type]  # run_in_stack makes the stack
    # As the SDK's own ``pulumi.runtime.test`` does: forget RPCs and outputs of earlier runs.
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    all_config = {k: str(wire.reveal(v)) for k, v in {**engine.config, **(config or {})}.items()}
    pulumi.runtime.set_all_config(all_config)
    engine.take_steps()

    if isinstance(program, Path):
        path = program

        def body() -> None:
            runpy.run_path(str(path), run_name="__main__")

        directory: Path | None = path.parent
    else:
        body, directory = program, None

    try:
        with _program_path(directory):
            _sync_await(run_in_stack(body))
    finally:
        # Left unclosed: the SDK keeps references to the loop it last ran on.
        for task in asyncio.all_tasks(loop):
            task.cancel()
    engine.delete_unregistered(monitor.registered, preview=preview)
    return RunResult(monitor.stack_outputs, engine.take_steps())
