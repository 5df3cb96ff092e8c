"""What every Firmtrace dynamic provider shares: configuration, the connection, and the
boundary where its failures leave for the engine.

A provider instance is pickled into each resource's ``__provider`` input. It must capture
nothing: the class lives in an importable module (so dill pickles it by reference) and an
instance has no attributes until the engine's ``Configure`` reaches it in the provider process.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider

from ..config import ProviderSettings, resolve_settings, unknown_keys
from ..errors import ConfigurationError, FirmtraceError
from .schema import Property, changed

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["ENGINE_CALLS", "FirmtraceProvider", "at_boundary"]

ENGINE_CALLS = ("check", "diff", "create", "read", "update", "delete")
"""The methods the engine calls: each is wrapped by ``at_boundary``."""

F = TypeVar("F", bound=Callable[..., Any])


def at_boundary(method: F) -> F:
    """Let a ``FirmtraceError`` leave with no frames of ours but this one.

    The SDK's dynamic host sends the engine the whole traceback, and ``pulumi up`` prints it:
    without this, the sentence a user needs sits under every frame between here and the raise.
    A bug (any other exception) keeps its full traceback, for the report.
    """

    @functools.wraps(method)
    def engine_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except FirmtraceError as error:
            raise error.with_traceback(None) from None

    return engine_call  # type: ignore[return-value]


class FirmtraceProvider(ResourceProvider):
    # Nothing secret is captured, so ``__provider`` need not be a secret (it keeps diffs readable).
    serialize_as_secret_always = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ENGINE_CALLS:
            if name in vars(cls):
                setattr(cls, name, at_boundary(vars(cls)[name]))

    props: ClassVar[tuple[Property, ...]]
    """The resource's declared properties (``providers.schema``)."""

    _settings: ProviderSettings | None
    _config_error: ConfigurationError | None

    def configure(self, req: ConfigureRequest) -> None:
        # The SDK's Config has no public way to list its keys; without one, no key check.
        self.use_config(req.config.get, getattr(req.config, "_props", None) or {})

    def use_config(self, get: Callable[[str], Any], keys: Iterable[str]) -> None:
        """Settings from stack config (``get('firmtrace:token')``) and the environment; a
        problem is kept and reported by ``check``, so a preview shows it."""
        self._settings, self._config_error = None, None
        unknown = unknown_keys(keys)
        try:
            if unknown:
                raise ConfigurationError(unknown)
            self._settings = resolve_settings(get)
        except ConfigurationError as exc:
            self._config_error = exc

    @property
    def settings(self) -> ProviderSettings:
        settings = getattr(self, "_settings", None)
        if settings is None:
            raise getattr(self, "_config_error", None) or ConfigurationError(
                "The Firmtrace provider was not configured by the engine."
            )
        return settings

    @property
    def connection(self) -> Connection:
        # Imported on first use: the client (httpx, the wire models) is needed only by
        # calls that reach the API. A program, and a preview's check and diff, never load it.
        from .connection import connection_for

        return connection_for(self.settings)

    def changes(self, olds: dict[str, Any], news: dict[str, Any]) -> tuple[list[str], list[str]]:
        """The inputs in ``news`` that differ from the old outputs: (in place, replacing)."""
        return changed(self.props, olds, news)

    def configuration_failures(self) -> list[CheckFailure]:
        """Configuration problems reported at check time, so a preview shows them."""
        error = getattr(self, "_config_error", None)
        return [CheckFailure("", str(error))] if error else []

    def __getstate__(self) -> None:
        # A configured instance never travels: pickle the class reference only. None, not {}:
        # the SDK's serialize_provider wraps the pickler's dict writer once more on every call
        # and never unwraps it, so pickling a dict, even an empty one, recursed one level deeper
        # per resource declared and failed at ~985 resources in one program.
        return None
