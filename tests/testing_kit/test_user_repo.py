"""The kit as a user gets it: a throwaway repository holding a Pulumi project and tests that
enable the plugin the way README.md says, run by a pytest of its own (a fresh interpreter; of
this repository only the leak scanner, ``-p tests.leaks``, watches it).

The README example runs as it is written there, with the real CLI; a second repository shows
the plugin's promises across tests: nothing starts before a fixture is asked for, faults end
with their test, each test has a User of its own, and failure reports show no credential.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import leaks

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
SECTION = "## Testing your own stacks\n"
INFRA_YAML = "name: infra\nruntime: python\n"  # no virtualenv: the tests' Python runs it


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown, re.S | re.M)


def readme_example() -> dict[str, str]:
    """The section's Python blocks, by the file each names in its first line
    (``# conftest.py``)."""
    section = README.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    files = {}
    for block in python_blocks(section):
        first = block.splitlines()[0]
        assert first.startswith("# "), f"a block in {SECTION.strip()!r} names no file: {first}"
        files[first.removeprefix("# ").strip()] = block
    return files


def readme_program() -> str:
    """The program at the top of README.md, which the example says is in ``infra/``."""
    return python_blocks(README.read_text())[0]


def user_repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def run_pytest(repo: Path) -> tuple[int, str]:
    """``pytest -l`` in ``repo`` (locals in failure reports: more to leak), with the leak
    scanner loaded from this repository; nothing else of ours is on its path."""
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import pytest; "
        "sys.exit(pytest.main(['-q', '-l', '-p', 'tests.leaks', '-p', 'no:cacheprovider']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=600
    )
    output = done.stdout + done.stderr
    leaks.OBSERVED.text("the user repository's pytest output", output)
    return done.returncode, output


def summary(output: str) -> str:
    """pytest's last line without the time: ``2 failed, 3 passed``."""
    return re.sub(r" in [\d.]+s.*", "", output.strip().splitlines()[-1])


@pytest.mark.usefixtures("pulumi_on_path")
def test_the_readme_example_passes_in_a_user_repository(tmp_path: Path) -> None:
    example = readme_example()
    assert set(example) == {"conftest.py", "tests/test_infra.py"}
    files = {**example, "infra/Pulumi.yaml": INFRA_YAML, "infra/__main__.py": readme_program()}
    repo = user_repo(tmp_path / "user-repo", files)

    code, output = run_pytest(repo)

    assert (code, summary(output)) == (0, "1 passed"), output
    assert sorted(p.name for p in (repo / "infra").iterdir()) == ["Pulumi.yaml", "__main__.py"]


BEHAVIOUR = """\
    import sys
    import threading

    import httpx

    seen = {}


    def test_nothing_starts_before_a_test_asks_for_a_fixture():
        assert "firmtrace-emulator" not in [t.name for t in threading.enumerate()]
        assert "firmtrace_pulumi.emulator.server" not in sys.modules


    def test_faults_left_set_when_a_test_ends(firmtrace):
        seen["account_id"] = firmtrace.account_id
        unavailable = {"fault": "status", "status": 503}
        firmtrace.faults(latency_ms=1, scripts={"GET /accounts": [unavailable]})


    def test_the_next_test_has_no_faults_and_a_user_of_its_own(firmtrace):
        faults = firmtrace.admin.faults()
        assert (faults["latency_ms"], faults["scripts"]) == (0, {})
        auth = {"Authorization": f"Bearer {firmtrace.token}"}
        assert httpx.get(firmtrace.api_url + "/v1.3/accounts", headers=auth).status_code == 200
        assert firmtrace.account_id != seen["account_id"]
        assert [a["account_id"] for a in firmtrace.accounts()] == [firmtrace.account_id]


    def test_a_failing_pulumi_command(firmtrace, pulumi_cli, tmp_path):
        pulumi_cli.run("stack", "select", "missing", cwd=tmp_path, env=firmtrace.env)


    def test_a_failing_assertion_about_the_keys(firmtrace):
        assert firmtrace.api_keys() == ["a key"]
"""


@pytest.mark.usefixtures("pulumi_on_path")
def test_the_plugin_across_tests_in_a_user_repository(tmp_path: Path) -> None:
    files = {
        "conftest.py": readme_example()["conftest.py"],
        "tests/test_behaviour.py": textwrap.dedent(BEHAVIOUR),
    }
    repo = user_repo(tmp_path / "user-repo", files)

    code, output = run_pytest(repo)

    assert (code, summary(output)) == (1, "2 failed, 3 passed"), output
    failed = set(re.findall(r"^FAILED \S+::(\w+)", output, re.M))
    assert failed == {"test_a_failing_pulumi_command", "test_a_failing_assertion_about_the_keys"}
    assert "pulumi output (`pulumi stack select` exited 1)" in output  # what pulumi said
    assert "no Pulumi.yaml project file found" in output
    assert "firmtrace = Firmtrace(api_url=" in output  # the fixture was shown, without its token
    assert "Secret leak" not in output, output
