"""The public surface, locked: what users may import, each name documented. A name added to
or dropped from a public module is a decision that changes this test.

Public: ``firmtrace_pulumi`` (resources, their args, the errors), ``firmtrace_pulumi.native`` (the
same resources served by the ``firmtrace`` plugin), ``firmtrace_pulumi.components``,
``firmtrace_pulumi.errors``, ``firmtrace_pulumi.emulator`` (the emulator and its admin client)
and ``firmtrace_pulumi.testing`` (the kit for users' own tests). Every other module is internal:
it declares ``__all__`` for readers, but may change in any release.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import firmtrace_pulumi
from firmtrace_pulumi import errors

ERRORS = sorted(n for n in errors.__all__)

PUBLIC = {
    "firmtrace_pulumi": sorted(["Account", "AccountArgs", "ApiKey", "ApiKeyArgs", "__version__"])
    + ERRORS,
    "firmtrace_pulumi.native": ["Account", "ApiKey"],
    "firmtrace_pulumi.components": [
        "KeyRole",
        "PlannedKey",
        "RotatingApiKey",
        "RotationError",
        "RotationPlan",
        "plan_rotation",
        "utc_today",
    ],
    "firmtrace_pulumi.emulator": [
        "EmulatorAdmin",
        "EmulatorProcess",
        "EmulatorServer",
        "EmulatorSettings",
        "FaultConfig",
        "FaultStep",
        "Store",
        "create_app",
    ],
    "firmtrace_pulumi.testing": [
        "EMULATOR_URL_VAR",
        "ApiAccess",
        "Firmtrace",
        "PulumiCli",
        "PulumiFailed",
        "PulumiNotFound",
        "faults_cleared",
        "isolation_env",
        "running_emulator",
    ],
    "firmtrace_pulumi.errors": [
        "ConfigurationError",
        "ConflictError",
        "ContractError",
        "CreateNotConfirmedError",
        "CredentialsError",
        "DeletionProtectedError",
        "FirmtraceError",
        "MalformedIdError",
        "NotFoundError",
        "OrphanRiskError",
        "OwnCredentialError",
        "RefusedError",
        "RejectedError",
        "RequestError",
        "TransientError",
        "UncertainWriteError",
        "ValidationError",
    ],
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_public_modules_export_exactly_their_names(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert sorted(module.__all__) == sorted(PUBLIC[module_name])


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_every_public_name_is_documented(module_name: str) -> None:
    module = importlib.import_module(module_name)
    undocumented = [
        name
        for name in module.__all__
        if (inspect.isclass(getattr(module, name)) or inspect.isfunction(getattr(module, name)))
        and not inspect.getdoc(getattr(module, name))
    ]
    assert undocumented == []


def test_every_module_declares_what_it_exports() -> None:
    missing, phantom = [], []
    for info in pkgutil.walk_packages(firmtrace_pulumi.__path__, "firmtrace_pulumi."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        exported = getattr(module, "__all__", None)
        if exported is None:
            missing.append(info.name)
            continue
        phantom += [f"{info.name}.{n}" for n in exported if not hasattr(module, n)]
    assert missing == [] and phantom == []


def test_errors_read_as_the_name_users_import() -> None:
    for name in ERRORS:
        error = getattr(firmtrace_pulumi, name)
        assert error is getattr(errors, name)
        assert f"{error.__module__}.{error.__qualname__}" == f"firmtrace_pulumi.{name}"
