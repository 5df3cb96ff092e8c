"""Testing Pulumi programs that use firmtrace-pulumi: the local Firmtrace emulator and the real
Pulumi CLI, run the way this repository's own tests run them.

- ``pytest_plugin``: the ``firmtrace``, ``firmtrace_emulator`` and ``pulumi_cli`` fixtures
  (enable it with ``pytest_plugins = ["firmtrace_pulumi.testing.pytest_plugin"]``);
- ``Firmtrace``/``ApiAccess`` (``sandbox``): a test's own User and the settings for a program;
- ``running_emulator``/``faults_cleared`` (``emulator``): the emulator of a session;
- ``PulumiCli`` (``cli``): ``pulumi`` on a local file backend, away from your own login.
"""

from .cli import PulumiCli, PulumiFailed, PulumiNotFound, isolation_env
from .emulator import EMULATOR_URL_VAR, faults_cleared, running_emulator
from .sandbox import ApiAccess, Firmtrace

__all__ = [
    "EMULATOR_URL_VAR",
    "ApiAccess",
    "Firmtrace",
    "PulumiCli",
    "PulumiFailed",
    "PulumiNotFound",
    "faults_cleared",
    "isolation_env",
    "running_emulator",
]
