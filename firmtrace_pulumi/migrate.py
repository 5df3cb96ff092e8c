"""Moving a stack from the dynamic resources to the ``firmtrace`` plugin, keys and all.

Pulumi cannot alias a resource to another provider, and ``pulumi import`` cannot bring a key's
full value back (the API shows it only once). So the move rewrites the stack's state instead:
each dynamic ``ApiKey`` and ``Account`` becomes the plugin's ``firmtrace:index:ApiKey`` or
``firmtrace:index:Account`` with the same id and its properties under the schema's names, served
by the plugin's default provider. Secrets are moved as they are stored, ciphertext: nothing is
decrypted, nothing is re-minted, no API call is made.

    pulumi stack export  →  to_plugin  →  pulumi stack import

The program is changed to the plugin's resources, under the same names, in the same step.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from .orphans import PLUGIN_TYPES
from .plugin.package import PACKAGE, wire_name
from .urns import Urn

__all__ = ["DEFAULT_PROVIDER", "to_plugin"]

DEFAULT_PROVIDER = f"pulumi:providers:{PACKAGE}"
"""The type of the plugin's provider resources; the engine's default one is named ``default``."""


def _renamed(props: Mapping[str, Any]) -> dict[str, Any]:
    return {wire_name(k): v for k, v in props.items() if k != "__provider"}


def _replace_strings(value: Any, moved: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return moved.get(value, value)
    if isinstance(value, list):
        return [_replace_strings(v, moved) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, moved) for k, v in value.items()}
    return value


def to_plugin(export: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The exported stack with its dynamic Firmtrace resources moved to the plugin, and the
    URNs they have now. A stack with none comes back unchanged."""
    moved_export = copy.deepcopy(dict(export))
    deployment = moved_export.get("deployment") or {}
    resources: list[dict[str, Any]] = list(deployment.get("resources") or [])
    dynamic = [r for r in resources if r.get("type") in PLUGIN_TYPES]
    if not dynamic:
        return moved_export, []

    provider_urn = str(Urn.parse(dynamic[0]["urn"]).sibling(DEFAULT_PROVIDER, "default"))
    provider = next((r for r in resources if r.get("urn") == provider_urn), None)
    if provider is None:
        provider = {
            "urn": provider_urn,
            "custom": True,
            "id": str(uuid.uuid4()),
            "type": DEFAULT_PROVIDER,
        }
        resources.insert(resources.index(dynamic[0]), provider)
    reference = f"{provider_urn}::{provider['id']}"

    moved: dict[str, str] = {}
    for resource in dynamic:
        old_type = resource["type"]
        new_type = PLUGIN_TYPES[old_type]
        urn = Urn.parse(resource["urn"])
        moved[resource["urn"]] = str(
            urn._replace(qualified_type=urn.qualified_type.replace(old_type, new_type))
        )
        resource["type"] = new_type
        resource["provider"] = reference
        for field in ("inputs", "outputs", "propertyDependencies"):
            if field in resource:
                resource[field] = _renamed(resource[field])
        if "additionalSecretOutputs" in resource:
            resource["additionalSecretOutputs"] = [
                wire_name(n) for n in resource["additionalSecretOutputs"]
            ]
    deployment["resources"] = _replace_strings(resources, moved)
    moved_export["deployment"] = deployment
    return moved_export, list(moved.values())
