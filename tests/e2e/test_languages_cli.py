"""Pulumi YAML and TypeScript programs under the real CLI: ``runtime: yaml`` on Pulumi's own
YAML host and ``runtime: nodejs`` on ours (scripts/langhost-nodejs), both beside ``pulumi`` in
the directory scripts/ensure-pulumi prints. Outputs and config only, no provider.

A missing host (or ``node``/``npm`` for TypeScript) skips these tests, or fails them with
``FIRMTRACE_REQUIRE_PULUMI=1``, like a missing ``pulumi``."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from firmtrace_pulumi.testing import PulumiCli

from .conftest import REQUIRE, Stack

pytestmark = pytest.mark.timeout(600)

REPO = Path(__file__).resolve().parents[2]
SDK_VERSION = (REPO / ".pulumi-version").read_text().strip()
"""The npm ``@pulumi/pulumi`` a TypeScript program gets: the CLI's own version."""


def require_beside_pulumi(*names: str) -> None:
    """Skip (or, with FIRMTRACE_REQUIRE_PULUMI=1, fail) without these beside ``pulumi``."""
    directory = Path(PulumiCli.executable()).resolve().parent
    missing = [name for name in names if not (directory / name).exists()]
    if missing:
        reason = f"no {', '.join(missing)} beside {directory / 'pulumi'}: run scripts/ensure-pulumi"
        if REQUIRE:
            pytest.fail(f"FIRMTRACE_REQUIRE_PULUMI=1 and {reason}", pytrace=False)
        pytest.skip(reason)


def require_on_path(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        reason = f"needs {' and '.join(missing)} on PATH"
        if REQUIRE:
            pytest.fail(f"FIRMTRACE_REQUIRE_PULUMI=1 and {reason}", pytrace=False)
        pytest.skip(reason)


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text).lstrip())
    return directory


def test_a_yaml_program_runs_and_prints_its_outputs(cli: PulumiCli, tmp_path: Path) -> None:
    require_beside_pulumi("pulumi-language-yaml")
    project = write(
        tmp_path / "yaml-smoke",
        {
            "Pulumi.yaml": """
                name: yaml-smoke
                runtime: yaml
                config:
                  who:
                    type: string
                    default: nobody
                outputs:
                  greeting: hello from yaml
                  answer: 42
                  who: ${who}
            """
        },
    )
    stack = Stack(cli, project, "dev", "yaml-smoke")
    cli.run("stack", "init", "dev", cwd=project)
    stack.config(who="tester")
    printed = stack.pulumi("up", "--yes")
    assert 'greeting: "hello from yaml"' in printed and "+ 1 created" in printed, printed
    assert stack.outputs() == {"greeting": "hello from yaml", "answer": 42, "who": "tester"}


TS_PROGRAM = """
    import * as pulumi from "@pulumi/pulumi";

    const config = new pulumi.Config();
    export const greeting: string = `hello from ${pulumi.getStack()}`;
    export const answer: number = 6 * 7;
    export const who = config.require("who");
    export const password = config.requireSecret("password");
"""


def test_a_typescript_program_installs_runs_and_fails_loudly(
    cli: PulumiCli, tmp_path: Path
) -> None:
    """`pulumi install` (npm through our host), `pulumi up` with config and a secret, and a
    program that throws: the update fails with the program's own message."""
    require_beside_pulumi("pulumi-language-nodejs")
    require_on_path("node", "npm")
    package = {
        "name": "ts-smoke",
        "private": True,
        "main": "index.ts",
        "dependencies": {"@pulumi/pulumi": SDK_VERSION},
    }
    project = write(
        tmp_path / "ts-smoke",
        {
            "Pulumi.yaml": "name: ts-smoke\nruntime: nodejs\n",
            "package.json": json.dumps(package, indent=2) + "\n",
            "index.ts": TS_PROGRAM,
        },
    )
    installed = cli.run("install", cwd=project)
    assert "Finished installing dependencies" in installed.stdout + installed.stderr
    assert (project / "node_modules" / "@pulumi" / "pulumi" / "cmd" / "run").is_dir()

    stack = Stack(cli, project, "dev", "ts-smoke")
    cli.run("stack", "init", "dev", cwd=project)
    stack.config(who="tester")
    stack.set_secret("password", "not-a-real-password")
    printed = stack.pulumi("up", "--yes")
    assert 'greeting: "hello from dev"' in printed and "+ 1 created" in printed, printed
    assert "not-a-real-password" not in printed
    assert stack.outputs() == {
        "greeting": "hello from dev",
        "answer": 42,
        "who": "tester",
        "password": "[secret]",
    }
    assert stack.outputs(secrets=True)["password"] == "not-a-real-password"

    (project / "index.ts").write_text('throw new Error("boom on purpose");\n')
    failed = cli.run("up", "--yes", "--stack", "dev", cwd=project, check=False)
    assert failed.returncode != 0 and "boom on purpose" in failed.stdout + failed.stderr
    assert stack.outputs()["answer"] == 42, "a failed update leaves the last outputs"
