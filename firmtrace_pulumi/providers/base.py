"""What every Firmtrace dynamic provider shares: configuration and the connection.

A provider instance is pickled into each resource's ``__provider`` input. It must capture
nothing: the class lives in an importable module (so dill pickles it by reference) and an
instance has no attributes until the engine's ``Configure`` reaches it in the provider process.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider

from ..config import ProviderSettings, resolve_settings, unknown_keys
from ..errors import ConfigurationError
from .connection import Connection, connection_for


class FirmtraceProvider(ResourceProvider):
    # Nothing secret is captured, so ``__provider`` need not be a secret (it keeps diffs readable).
    serialize_as_secret_always = False

    _settings: ProviderSettings | None
    _config_error: ConfigurationError | None

    def configure(self, req: ConfigureRequest) -> None:
        self._settings, self._config_error = None, None
        # The SDK's Config has no public way to list its keys; without one, no key check.
        unknown = unknown_keys(getattr(req.config, "_props", None) or {})
        try:
            if unknown:
                raise ConfigurationError(unknown)
            self._settings = resolve_settings(req.config.get)
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
        return connection_for(self.settings)

    def configuration_failures(self) -> list[CheckFailure]:
        """Configuration problems reported at check time, so a preview shows them."""
        error = getattr(self, "_config_error", None)
        return [CheckFailure("", str(error))] if error else []

    def __getstate__(self) -> dict[str, Any]:
        # A configured instance never travels: pickle the class reference only.
        return {}
