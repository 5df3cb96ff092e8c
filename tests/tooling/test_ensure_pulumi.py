"""scripts/ensure-pulumi picks the CLI a user has, reuses its own build, says what to do when it
can do neither; and FIRMTRACE_REQUIRE_PULUMI turns the real-CLI tests' skip into a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "ensure-pulumi"
PINNED = (REPO / ".pulumi-version").read_text().strip()
BINARIES = (
    "pulumi",
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-resource-pulumi-python",
    "pulumi-language-yaml",
    "pulumi-language-nodejs",
    "pulumi-resource-pulumi-nodejs",
)


def fake_pulumi(directory: Path, version: str, *, with_host: bool = True) -> Path:
    """A stand-in ``pulumi`` that only answers ``pulumi version``."""
    directory.mkdir(parents=True)
    (directory / "pulumi").write_text(f"#!/bin/sh\necho v{version}\n")
    (directory / "pulumi").chmod(0o755)
    if with_host:
        (directory / "pulumi-language-python").write_text("#!/bin/sh\n")
        (directory / "pulumi-language-python").chmod(0o755)
    return directory


def ensure(
    tmp_path: Path, *path: Path, extra: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The script with only ``path`` (and python3's directory) on PATH and an empty cache."""
    python_dir = Path(sys.executable).parent
    env = {
        "PATH": os.pathsep.join([*map(str, path), str(python_dir), "/usr/bin", "/bin"]),
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        **(extra or {}),
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=timeout
    )


def cached_copy(tmp_path: Path) -> Path:
    """A copy, in the test's own cache, of the build that ``pulumi`` on PATH comes from."""
    built = shutil.which("pulumi")
    if built is None or not (Path(built).parent / ".built").exists():
        pytest.skip("needs the CLI scripts/ensure-pulumi built (make test puts it on PATH)")
    cache = tmp_path / "cache" / "firmtrace-pulumi" / f"pulumi-{PINNED}"
    shutil.copytree(Path(built).parent, cache / "bin", symlinks=True)
    return cache / "bin"


def without_yaml_host(bin_dir: Path) -> None:
    """Make a cached build look like one from before the YAML host was added."""
    (bin_dir / "pulumi-language-yaml").unlink()
    (bin_dir / ".built-yaml").unlink()


@pytest.fixture(autouse=True)
def _no_go_in_usr_bin() -> None:
    if shutil.which("go", path="/usr/bin:/bin"):
        pytest.skip("go is in /usr/bin or /bin: these cases need a PATH without it")


def test_without_pulumi_or_go_it_says_how_to_get_one(tmp_path: Path) -> None:
    done = ensure(tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "https://www.pulumi.com/docs/install/" in done.stderr
    assert "install Go" in done.stderr and "builds the CLI from the Go module proxy" in done.stderr


def test_a_new_enough_pulumi_on_path_is_used_as_it_is(tmp_path: Path) -> None:
    installed = fake_pulumi(tmp_path / "installed", PINNED)
    done = ensure(tmp_path, installed)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(installed)
    assert not (tmp_path / "cache").exists(), "nothing is built"
    assert "no pulumi-language-yaml or pulumi-language-nodejs beside it: using it" in done.stderr


@pytest.mark.parametrize("with_host", [True, False], ids=["older", "without-python-host"])
def test_an_unusable_pulumi_on_path_is_not_used(tmp_path: Path, with_host: bool) -> None:
    version = "3.100.0" if with_host else PINNED
    installed = fake_pulumi(tmp_path / "installed", version, with_host=with_host)
    done = ensure(tmp_path, installed)
    assert done.returncode == 2, "without Go it cannot build the one it needs"
    reason = "older than" if with_host else "has no pulumi-language-python beside it"
    assert reason in done.stderr


def test_a_finished_build_is_reused_without_go(tmp_path: Path) -> None:
    """What ensure-pulumi built before is printed at once, even with no Go on PATH."""
    bin_dir = cached_copy(tmp_path)
    done = ensure(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(bin_dir)
    assert "building" not in done.stderr
    assert all(os.access(bin_dir / name, os.X_OK) for name in BINARIES)


def test_a_build_without_the_yaml_host_and_no_go_says_what_is_missing(tmp_path: Path) -> None:
    bin_dir = cached_copy(tmp_path)
    without_yaml_host(bin_dir)
    done = ensure(tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert f"{bin_dir} has no pulumi-language-yaml" in done.stderr and "install Go" in done.stderr


def test_a_build_without_the_yaml_host_gets_only_that_host_added(tmp_path: Path) -> None:
    """An older cache (Python only) is completed, not rebuilt: the CLI stays as it was."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("needs Go on PATH to build the YAML host")
    bin_dir = cached_copy(tmp_path)
    without_yaml_host(bin_dir)
    cli_before = (bin_dir / "pulumi").stat()
    go_env = subprocess.run(
        [go, "env", "GOMODCACHE", "GOCACHE"], capture_output=True, text=True, check=True
    ).stdout.split()  # Go's own caches: the test's HOME would make them cold
    extra = dict(zip(("GOMODCACHE", "GOCACHE"), go_env, strict=True))
    done = ensure(tmp_path, Path(go).parent, extra=extra, timeout=900)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(bin_dir)
    assert "building pulumi-language-yaml" in done.stderr
    assert "building the Pulumi CLI" not in done.stderr and "nodejs" not in done.stderr
    assert (bin_dir / "pulumi").stat().st_mtime_ns == cli_before.st_mtime_ns
    version = subprocess.run(
        [str(bin_dir / "pulumi-language-yaml"), "-h"], capture_output=True, text=True
    )
    assert "-root" in version.stderr, "the YAML host's own flags"
    assert all(os.access(bin_dir / name, os.X_OK) for name in BINARIES)


def test_a_changed_nodejs_host_is_rebuilt_alone(tmp_path: Path) -> None:
    """A cache whose Node.js host was built from other sources (before GeneratePackage, say)
    gets a new host, with GeneratePackage, and nothing else rebuilt."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("needs Go on PATH to build the Node.js host")
    bin_dir = cached_copy(tmp_path)
    (bin_dir / ".built-nodejs").write_text(f"pulumi {PINNED}, nodejs host 0000000000000000\n")
    before = {name: (bin_dir / name).stat().st_mtime_ns for name in BINARIES[:5]}
    go_env = subprocess.run(
        [go, "env", "GOMODCACHE", "GOCACHE"], capture_output=True, text=True, check=True
    ).stdout.split()
    extra = dict(zip(("GOMODCACHE", "GOCACHE"), go_env, strict=True))
    done = ensure(tmp_path, Path(go).parent, extra=extra, timeout=900)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(bin_dir)
    assert "building pulumi-language-nodejs" in done.stderr and "added nodejs" in done.stderr
    assert "building the Pulumi CLI" not in done.stderr and "yaml" not in done.stderr
    assert {name: (bin_dir / name).stat().st_mtime_ns for name in BINARIES[:5]} == before
    assert "nodejs host 0000" not in (bin_dir / ".built-nodejs").read_text()
    again = ensure(tmp_path)  # stamped now: reused as it is, without Go
    assert again.returncode == 0 and "building" not in again.stderr, again.stderr


def test_required_pulumi_fails_the_real_cli_tests_instead_of_skipping(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    env.pop("FIRMTRACE_REQUIRE_PULUMI", None)  # CI sets it: here the test sets it itself

    def pytest_run(**extra: str) -> subprocess.CompletedProcess[str]:
        test = "tests/e2e/test_api_key_cli.py"
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
            cwd=REPO,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    skipped = pytest_run()  # the lifecycle, once per face of the provider
    assert skipped.returncode == 0 and "2 skipped" in skipped.stdout, skipped.stdout
    required = pytest_run(FIRMTRACE_REQUIRE_PULUMI="1")
    assert required.returncode == 1 and "2 errors" in required.stdout, required.stdout
    assert "FIRMTRACE_REQUIRE_PULUMI=1 and no pulumi" in required.stdout
