"""pytest fixtures for testing Pulumi programs that use firmtrace-pulumi, against the local
Firmtrace emulator and under the real ``pulumi`` CLI. Enable it in the ``conftest.py`` at the
root of your tests::

    pytest_plugins = ["firmtrace_pulumi.testing.pytest_plugin"]

(or ``-p firmtrace_pulumi.testing.pytest_plugin``). Installing the package does not enable it,
and nothing starts until a test asks for a fixture:

- ``firmtrace_emulator`` (session): the ``EmulatorAdmin`` of one emulator for the session, served
  from this process on ``:memory:``, or the one ``FIRMTRACE_EMULATOR_URL`` names. Override it
  in your ``conftest.py`` for another (``running_emulator(db=path)``).
- ``firmtrace``: a ``Firmtrace``, a User of the test's own on it, with ``api_url``, ``token``,
  ``account_id``, ``env`` and ``stack_config()`` for a ``pulumi`` run, ``accounts()`` and
  ``api_keys()`` (what the emulator holds) and ``faults(...)``. The emulator's faults are
  cleared after the test.
- ``pulumi_cli``: a ``PulumiCli`` on a file backend, passphrase and ``PULUMI_HOME`` of the test's
  own (under ``tmp_path``), never your own Pulumi login; a program whose ``Pulumi.yaml`` names no
  ``virtualenv`` runs on the Python running the tests.

A test that fails on a ``pulumi`` command (``PulumiFailed``) shows what the command printed in
its report.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .cli import PulumiCli, PulumiFailed
from .emulator import EMULATOR_URL_VAR, faults_cleared, running_emulator
from .sandbox import Firmtrace

__all__ = ["firmtrace", "firmtrace_emulator", "pulumi_cli", "pytest_runtest_makereport"]


@pytest.fixture(scope="session")
def firmtrace_emulator() -> Iterator[EmulatorAdmin]:
    """The session's emulator (see the module docstring)."""
    with running_emulator(url=os.environ.get(EMULATOR_URL_VAR)) as admin:
        yield admin


@pytest.fixture
def firmtrace(firmtrace_emulator: EmulatorAdmin) -> Iterator[Firmtrace]:
    """A User of this test's own on the session's emulator; faults are cleared afterwards."""
    with faults_cleared(firmtrace_emulator):
        yield Firmtrace.register(firmtrace_emulator)


@pytest.fixture
def pulumi_cli(tmp_path: Path) -> PulumiCli:
    """The real ``pulumi`` (from PATH) with a file backend, passphrase and home of this test's
    own; a program without a ``virtualenv`` in its ``Pulumi.yaml`` runs on ``sys.executable``."""
    PulumiCli.executable()  # no pulumi: the test errors at setup, saying how to install one
    return PulumiCli.local(tmp_path / "pulumi", python=sys.executable)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test that fails on a ``pulumi`` command shows what the command printed."""
    report: pytest.TestReport = yield
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, PulumiFailed) and error.output:
        report.sections.append((f"pulumi output ({error})", error.output))
    return report
