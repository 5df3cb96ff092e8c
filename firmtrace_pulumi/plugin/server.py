"""The ``firmtrace`` provider plugin: the engine's gRPC calls, served by the dynamic resources'
own providers.

    engine ─gRPC─▶ PluginServicer ─▶ ApiKeyProvider / AccountProvider ─▶ client ─▶ HTTP

The providers' check, diff, create, read, update and delete run unchanged; the servicer adds
what only a plugin can give: property names of the schema (``accountId``), secrets accepted and
marked by the declarations, a detailed diff, the schema itself, and as many calls at once as
the engine sends (``FIRMTRACE_MAX_CALLS``, 64 by default), not the dynamic host's four.
"""

from __future__ import annotations

import contextlib
import functools
import os
import traceback
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, plugin_pb2, provider_pb2
from pulumi.runtime.proto.provider_pb2_grpc import ResourceProviderServicer

from .._version import __version__
from ..errors import ConfigurationError, FirmtraceError
from ..key_names import stack_tag
from ..providers import ApiKeyProvider
from ..providers.api_key import NAME_PREFIX, STACK_TAG
from ..providers.base import FirmtraceProvider
from ..providers.schema import secret_names
from ..providers.validation import unknown_properties
from ..urns import Urn
from .package import PACKAGE, RESOURCES, ResourceType, schema_json, wire_name
from .wire import Properties, from_wire, to_wire

__all__ = ["DEFAULT_MAX_CALLS", "MAX_CALLS_ENV", "PluginServicer", "max_calls"]

MAX_CALLS_ENV = "FIRMTRACE_MAX_CALLS"
DEFAULT_MAX_CALLS = 64

R = TypeVar("R")
Diff = provider_pb2.PropertyDiff

IMPORTED_KEY_WARNING = (
    "Imported API key {part}: the API shows a key's full value only once, when it is created, "
    "so the `apiKey` output of this resource is empty. To get a key Pulumi holds, rotate it: "
    "set or change `keepers`, run `pulumi up` (a new key is minted, then this one revoked)."
)


def max_calls() -> int:
    """How many engine calls the plugin serves at once (``FIRMTRACE_MAX_CALLS``)."""
    raw = os.environ.get(MAX_CALLS_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_CALLS
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{MAX_CALLS_ENV}={raw!r} is not a whole number of at least 1.")
    return int(raw)


def _served(method: Callable[..., R]) -> Callable[..., R]:
    """The one boundary: a ``FirmtraceError`` reaches the engine as its message, in the
    plugin's property names; any other exception is a bug and keeps its traceback."""

    @functools.wraps(method)
    def call(self: PluginServicer, request: Any, context: grpc.ServicerContext) -> R:
        try:
            return method(self, request, context)
        except FirmtraceError as error:
            resource = self._resource_of(request)
            text = resource.renamed_in(str(error)) if resource else str(error)
            context.abort(grpc.StatusCode.UNKNOWN, text)
        except Exception:  # a bug: the engine shows the traceback
            context.abort(grpc.StatusCode.UNKNOWN, traceback.format_exc())
        raise AssertionError("unreachable: context.abort raises")

    return call


class PluginServicer(ResourceProviderServicer):
    def __init__(self, engine_address: str | None = None) -> None:
        self._providers: dict[str, FirmtraceProvider] = {
            token: r.provider() for token, r in RESOURCES.items()
        }
        self._engine = (
            engine_pb2_grpc.EngineStub(grpc.insecure_channel(engine_address))
            if engine_address
            else None
        )

    # --- the package ---------------------------------------------------------------------------

    def GetPluginInfo(self, request: Any, context: Any) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=__version__)

    def GetSchema(self, request: Any, context: Any) -> provider_pb2.GetSchemaResponse:
        return provider_pb2.GetSchemaResponse(schema=schema_json())

    def CheckConfig(self, request: Any, context: Any) -> provider_pb2.CheckResponse:
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: Any, context: Any) -> provider_pb2.DiffResponse:
        """A change of URL or credential never replaces the resources: the next calls use it."""
        olds, news = from_wire(request.olds).values, from_wire(request.news).values
        diffs = sorted(k for k in {*olds, *news} if olds.get(k) != news.get(k))
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME
            if diffs
            else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=diffs,
        )

    def Configure(self, request: Any, context: Any) -> provider_pb2.ConfigureResponse:
        args = from_wire(request.args).values
        config = {
            f"{PACKAGE}:{name}": value
            for name, value in args.items()
            if not name.startswith("__") and name != "version"
        }
        for provider in self._providers.values():
            provider.use_config(config.get, config)
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=False)

    def Cancel(self, request: Any, context: Any) -> empty_pb2.Empty:
        return empty_pb2.Empty()

    # --- resources -----------------------------------------------------------------------------

    @_served
    def Check(self, request: Any, context: Any) -> provider_pb2.CheckResponse:
        r, provider = self._for(request.urn)
        news = from_wire(request.news)
        inputs = [wire_name(p.name) for p in r.props if p.input]
        failures = unknown_properties(news.values, [*inputs, NAME_PREFIX, STACK_TAG])
        given = self._python(r, news, known=inputs)
        olds = self._python(r, from_wire(request.olds))
        if isinstance(provider, ApiKeyProvider):
            urn = Urn.parse(request.urn)
            given.setdefault(NAME_PREFIX, urn.name)
            given[STACK_TAG] = stack_tag(urn.project, urn.stack)
            result = provider.check(olds, given, seed=bytes(request.randomSeed))
        else:
            result = provider.check(olds, given)
        return provider_pb2.CheckResponse(
            inputs=self._wire(r, result.inputs or {}, news.secrets),
            failures=[
                provider_pb2.CheckFailure(
                    property=wire_name(f.property) if f.property else "",
                    reason=r.renamed_in(f.reason),
                )
                for f in [*failures, *(result.failures or [])]
            ],
        )

    @_served
    def Diff(self, request: Any, context: Any) -> provider_pb2.DiffResponse:
        r, provider = self._for(request.urn)
        olds = self._python(r, from_wire(request.olds))
        news = self._python(r, from_wire(request.news))
        result = provider.diff(request.id, olds, news)
        updates, replaces = provider.changes(olds, news)
        ignored = set(request.ignoreChanges)
        detailed = {
            wire_name(name): Diff(kind=_kind(olds.get(name), news.get(name), name in replaces))
            for name in (*updates, *replaces)
            if wire_name(name) not in ignored
        }
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME
            if result.changes
            else provider_pb2.DiffResponse.DIFF_NONE,
            replaces=[wire_name(n) for n in result.replaces or []],
            stables=[wire_name(n) for n in result.stables or []],
            deleteBeforeReplace=bool(result.delete_before_replace),
            diffs=list(detailed),
            detailedDiff=detailed,
            hasDetailedDiff=True,
        )

    @_served
    def Create(self, request: Any, context: Any) -> provider_pb2.CreateResponse:
        r, provider = self._for(request.urn)
        props = from_wire(request.properties)
        result = provider.create(self._python(r, props))
        return provider_pb2.CreateResponse(
            id=result.id, properties=self._wire(r, result.outs or {}, props.secrets)
        )

    @_served
    def Read(self, request: Any, context: Any) -> provider_pb2.ReadResponse:
        r, provider = self._for(request.urn)
        props, inputs = from_wire(request.properties), from_wire(request.inputs)
        result = provider.read(request.id, self._python(r, props))
        if not result.id:
            return provider_pb2.ReadResponse(id="")
        outs = result.outs or {}
        if not props.values and isinstance(provider, ApiKeyProvider):
            self._warn(request.urn, IMPORTED_KEY_WARNING.format(part=outs.get("api_key_part")))
        secrets = props.secrets | inputs.secrets
        return provider_pb2.ReadResponse(
            id=result.id,
            properties=self._wire(r, outs, secrets),
            inputs=self._wire(r, result.inputs or {}, secrets),
        )

    @_served
    def Update(self, request: Any, context: Any) -> provider_pb2.UpdateResponse:
        r, provider = self._for(request.urn)
        olds, news = from_wire(request.olds), from_wire(request.news)
        result = provider.update(request.id, self._python(r, olds), self._python(r, news))
        return provider_pb2.UpdateResponse(
            properties=self._wire(r, result.outs or {}, olds.secrets | news.secrets)
        )

    @_served
    def Delete(self, request: Any, context: Any) -> empty_pb2.Empty:
        r, provider = self._for(request.urn)
        provider.delete(request.id, self._python(r, from_wire(request.properties)))
        return empty_pb2.Empty()

    # --- helpers -------------------------------------------------------------------------------

    def _for(self, urn: str) -> tuple[ResourceType, FirmtraceProvider]:
        token = Urn.parse(urn).type
        if token not in RESOURCES:
            raise ConfigurationError(
                f"The firmtrace provider has no resource type '{token}'; it has "
                f"{', '.join(RESOURCES)}."
            )
        return RESOURCES[token], self._providers[token]

    def _resource_of(self, request: Any) -> ResourceType | None:
        try:
            return RESOURCES.get(Urn.parse(getattr(request, "urn", "")).type)
        except ValueError:
            return None

    @staticmethod
    def _python(
        r: ResourceType, props: Properties, *, known: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """The values under the providers' names; with ``known``, only those wire names (and
        the engine's own ``__`` names)."""
        allowed = None if known is None else set(known)
        return {
            r.python_name(name): value
            for name, value in props.values.items()
            if allowed is None or name in allowed or name.startswith("__")
        }

    @staticmethod
    def _wire(r: ResourceType, values: dict[str, Any], secrets: Iterable[str]) -> Any:
        """Outputs (or inputs) under the schema's names; secret if declared so, or if the value
        came in secret."""
        secret = {*secret_names(r.props), *(r.python_name(n) for n in secrets)}
        return to_wire({wire_name(k): v for k, v in values.items()}, [wire_name(n) for n in secret])

    def _warn(self, urn: str, message: str) -> None:
        if self._engine is None:
            return
        with contextlib.suppress(grpc.RpcError):  # an unshown warning must not fail the call
            self._engine.Log(
                engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn)
            )


def _kind(old: Any, new: Any, replaces: bool) -> Any:
    if old is None:
        return Diff.ADD_REPLACE if replaces else Diff.ADD
    if new is None:
        return Diff.DELETE_REPLACE if replaces else Diff.DELETE
    return Diff.UPDATE_REPLACE if replaces else Diff.UPDATE
