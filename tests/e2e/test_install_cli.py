"""The package as a user gets it, under the real Pulumi CLI: the sdist and wheel `make dist`
builds, the wheel installed into a clean virtualenv (its `emulator` extra, no dev extras), and
nothing of this checkout on any path. With that virtualenv: `firmtrace-emulator` started from
its console script, a real `pulumi up` and `pulumi destroy` of a one-key program outside the
repository; and an example copied out of the repository, set up the way examples/README.md
says (`virtualenv: venv`, `PIP_FIND_LINKS=<dist> pulumi install`).

Building and installing take a while (pip fetches the dependencies from PyPI), so each happens
once per test session.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import firmtrace_pulumi
from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.process import EmulatorProcess
from firmtrace_pulumi.testing import PulumiCli
from tests import leaks

from .conftest import Stack, assert_keys_encrypted, keys_in, write_project
from .test_examples_cli import copy_example

pytestmark = pytest.mark.timeout(900)

REPO = Path(__file__).resolve().parents[2]
VERSION = firmtrace_pulumi.__version__


def run(*command: str | Path, cwd: Path | None = None) -> str:
    """A command that must succeed; what it printed (shown if it fails)."""
    args = [str(c) for c in command]
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{output}"
    return done.stdout


def use_virtualenv(project: Path, virtualenv: str | Path) -> None:
    """Point the project's Pulumi.yaml at ``virtualenv``."""
    settings = project / "Pulumi.yaml"
    text, count = re.subn(r"(?m)^(\s*virtualenv:).*$", rf"\1 {virtualenv}", settings.read_text())
    assert count == 1, f"{settings} names no virtualenv"
    settings.write_text(text)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory `make dist` built the sdist and wheel into (this interpreter's `build`;
    `-o` keeps make from reinstalling .venv)."""
    out = tmp_path_factory.mktemp("dist")
    run("make", "-C", REPO, "-o", ".venv/.installed", "dist", f"DIST={out}", f"PY={sys.executable}")
    return out


@pytest.fixture(scope="session")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with only the wheel and its emulator extra (and their dependencies)."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    run(sys.executable, "-m", "venv", venv)
    (wheel,) = dist.glob("*.whl")
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", f"{wheel}[emulator]")
    return venv


@pytest.fixture
def outside_the_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """No virtualenv of this checkout active or on PATH, nothing of it on PYTHONPATH: what
    pulumi, pip and the programs they start can see is what a user's shell has."""
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        monkeypatch.delenv(name, raising=False)
    ours = str(Path(sys.prefix) / "bin")
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p != ours]
    monkeypatch.setenv("PATH", os.pathsep.join(path))


class InstalledEmulator(EmulatorProcess):
    """The emulator as the wheel installed it: its ``firmtrace-emulator`` console script, with
    this checkout off its path (``EmulatorProcess`` puts it there for the ``-m`` form)."""

    def __init__(self, venv: Path) -> None:
        super().__init__(args=("--rate-limit", "0"), cwd=venv)
        module_form = [sys.executable, "-m", "firmtrace_pulumi.emulator"]
        assert self.command[:3] == module_form
        self.command[:3] = [str(venv / "bin" / "firmtrace-emulator")]
        self._env.pop("PYTHONPATH", None)


def test_the_sdist_and_wheel_hold_the_package_and_no_tests(dist: Path) -> None:
    tracked = run("git", "-C", REPO, "ls-files", "firmtrace_pulumi").split()
    assert "firmtrace_pulumi/py.typed" in tracked
    assert "firmtrace_pulumi/emulator/app.py" in tracked

    (wheel,) = dist.glob("*.whl")
    assert wheel.name == f"firmtrace_pulumi-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"firmtrace_pulumi-{VERSION}.dist-info"
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert set(tracked) <= names, f"left out of the wheel: {sorted(set(tracked) - names)}"
    assert {n.split("/")[0] for n in names} == {"firmtrace_pulumi", info}  # no tests, no examples
    assert "firmtrace-emulator = firmtrace_pulumi.emulator.cli:main" in entry_points
    assert "Provides-Extra: emulator" in metadata
    assert re.search(r"(?m)^Requires-Dist: fastapi.*extra == \"emulator\"", metadata)
    requires = re.findall(r"(?m)^Requires-Dist: ([A-Za-z0-9_-]+)[^;\n]*$", metadata)
    assert sorted(requires) == ["httpx", "msgspec", "pulumi", "pydantic"]  # without an extra

    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = [m.split("/", 1)[1] for m in archive.getnames() if "/" in m]
    assert set(tracked) <= set(members)
    assert not [m for m in members if m.startswith("tests/")], "the sdist holds tests"


PROGRAM = """\
    import pulumi

    import firmtrace_pulumi
    from firmtrace_pulumi import ApiKey

    key = ApiKey("key", account_id=pulumi.Config().require("accountId"))
    pulumi.export("api_key", key.api_key)
    pulumi.export("api_key_part", key.api_key_part)
    pulumi.export("active", key.active)
    pulumi.export("imported_from", firmtrace_pulumi.__file__)
"""


def test_the_installed_wheel_under_the_real_cli(
    installed: Path,
    new_stack: Callable[..., Stack],
    tmp_path: Path,
    outside_the_repo: None,
) -> None:
    """`pulumi up` and `pulumi destroy` of a one-key program in a directory of its own, on the
    wheel's virtualenv, against the emulator the wheel installed."""
    with InstalledEmulator(installed) as server, EmulatorAdmin(server.url) as admin:
        user = admin.register()
        account = str(user.account_id)
        project = write_project(tmp_path / "one-key", "one-key", PROGRAM)
        use_virtualenv(project, installed)
        stack = new_stack("", project="one-key", token=user.token, directory=project)
        stack.pulumi("config", "set", "firmtrace:apiUrl", server.url)  # the wheel's emulator
        stack.config(accountId=account)

        assert stack.up().ops == {"one-key-dev": "create", "key": "create"}
        shown, revealed = stack.outputs(), stack.outputs(secrets=True)
        full = revealed["api_key"]
        leaks.register(full, "full API key")  # minted in another process: tell the scanner
        part = shown["api_key_part"]
        assert shown == {
            "api_key": "[secret]",
            "api_key_part": part,
            "active": True,
            "imported_from": shown["imported_from"],
        }
        assert Path(shown["imported_from"]).is_relative_to(installed), shown["imported_from"]
        assert full.startswith(part + "_")
        key = keys_in(admin, account)
        assert list(key) == [part] and key[part]["active"] is True
        assert_keys_encrypted(stack, {full})

        assert stack.destroy().changes == {"delete": 2}
        assert keys_in(admin, account) == {}
        assert full not in stack.all_printed


def test_an_example_copied_out_of_the_repository(
    dist: Path,
    cli: PulumiCli,
    emulator: EmulatorAdmin,
    new_stack: Callable[..., Stack],
    tmp_path: Path,
    outside_the_repo: None,
) -> None:
    """examples/README.md's way: the example's directory copied anywhere, `virtualenv: venv`
    in its Pulumi.yaml, `PIP_FIND_LINKS=<dist> pulumi install`, then its `pulumi up`."""
    directory = copy_example("staged-rollout", tmp_path)
    use_virtualenv(directory, "venv")
    done = cli.run("install", cwd=directory, env={"PIP_FIND_LINKS": str(dist)}, check=False)
    output = done.stdout + done.stderr
    leaks.OBSERVED.text("pulumi install output", output)
    assert done.returncode == 0, output
    venv = directory / "venv"
    where = "import firmtrace_pulumi; print(firmtrace_pulumi.__file__)"
    found = run(venv / "bin" / "python", "-c", where, cwd=directory)  # as the program sees it
    assert Path(found.strip()).is_relative_to(venv)

    user = emulator.register()
    account = str(user.account_id)
    stack = new_stack("", project="staged-rollout", token=user.token, directory=directory)
    stack.config(accountId=account, endDate="none")
    assert stack.up().ops == {"staged-rollout-dev": "create", "partner-key": "create"}
    shown, revealed = stack.outputs(), stack.outputs(secrets=True)
    part = shown["api_key_part"]
    assert (shown["api_key"], shown["active"]) == ("[secret]", True)
    key = keys_in(emulator, account)
    assert list(key) == [part] and key[part]["active"] is True
    assert_keys_encrypted(stack, {revealed["api_key"]})

    assert stack.destroy().changes == {"delete": 2}
    assert keys_in(emulator, account) == {}


def test_the_testing_kit_from_the_wheel_in_a_user_repository(
    installed: Path, tmp_path: Path, outside_the_repo: None
) -> None:
    """README's "Testing your own stacks" example, as a user runs it: the wheel and pytest in
    their virtualenv, a repository with only their project and the example's files."""
    from tests.testing_kit.test_user_repo import (
        INFRA_YAML,
        readme_example,
        readme_program,
        summary,
        user_repo,
    )

    run(installed / "bin" / "python", "-m", "pip", "install", "--quiet", "pytest")
    files = {
        **readme_example(),
        "infra/Pulumi.yaml": INFRA_YAML,
        "infra/__main__.py": readme_program(),
    }
    repo = user_repo(tmp_path / "user-repo", files)
    done = subprocess.run(
        [installed / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    leaks.OBSERVED.text("the wheel user's pytest output", output)
    assert (done.returncode, summary(output)) == (0, "1 passed"), output
    where = run(
        installed / "bin" / "python",
        "-c",
        "import firmtrace_pulumi; print(firmtrace_pulumi.__file__)",
        cwd=repo,
    )
    assert Path(where.strip()).is_relative_to(installed), where
