"""The leak scanner (tests/leaks.py) catches planted leaks in every channel it watches, and
never prints the secret it found.

The scanner's matching is tested in-process on a private ``SecretRegistry``. The plugin itself
is tested end to end in a separate pytest run over a file of tests that each plant one leak.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.leaks import MIN_LENGTH, SecretRegistry

REPO = Path(__file__).resolve().parents[1]


def planted_key() -> str:
    return f"ftk_{secrets.token_hex(4)}_{secrets.token_urlsafe(24)}"


# --- matching ------------------------------------------------------------------------------


def test_every_kind_of_secret_is_found_and_the_finding_does_not_show_it() -> None:
    registry = SecretRegistry()
    key, token = planted_key(), "ftt_" + secrets.token_urlsafe(32)
    password = "pw with spaces & ümlauts " + secrets.token_hex(4)  # not URL-safe: searched with in
    for value, kind in ((key, "full API key"), (token, "token"), (password, "password")):
        registry.add(value, kind)
    text = f"a={key}\nb=Bearer {token}; c='{password}' d=ok"
    leaks = registry.scan(text, "somewhere")
    assert sorted(leak.kind for leak in leaks) == ["full API key", "password", "token"]
    shown = "\n".join(str(leak) for leak in leaks)
    for value in (key, token, password, key[13:]):
        assert value not in shown
    assert "[TOKEN]" in shown and "somewhere" in shown
    assert registry.redact(text).count("[LEAKED") == 3


def test_half_a_key_is_a_leak_but_its_non_secret_part_is_not() -> None:
    registry = SecretRegistry()
    key = planted_key()
    registry.add(key, "full API key")
    part, half = key[:12], key[13:]
    assert registry.scan(f"key {part} is fine", "x") == []
    (leak,) = registry.scan(f"tail={half}", "x")
    assert leak.kind == "full API key (its secret half)"
    assert len(registry.scan(f"both {key}", "x")) == 1, "a key and its half count once"


def test_short_values_are_not_registered() -> None:
    registry = SecretRegistry()
    registry.add("hunter2", "password")
    registry.add(None, "token")
    registry.add(12345678901234, "token")
    assert len(registry) == 0
    assert len("hunter2") < MIN_LENGTH


def test_context_masks_other_long_values_that_could_be_cut_off_secrets() -> None:
    registry = SecretRegistry()
    key = planted_key()
    registry.add(key, "full API key")
    unregistered = secrets.token_urlsafe(24)
    (leak,) = registry.scan(f"{unregistered} {key}", "x")
    assert unregistered not in leak.context and unregistered[-10:] not in leak.context


def test_scanning_is_cheap() -> None:
    """5,000 registered secrets, 1 MB of log-like text: well under half a second."""
    registry = SecretRegistry()
    keys = [planted_key() for _ in range(2500)]
    for key in keys:
        registry.add(key, "full API key")  # 2 entries each: the key and its secret half
    line = "INFO httpx HTTP Request: GET http://127.0.0.1:8787/v1.3/api_key?account_id=acc_0 200\n"
    text = line * (1_000_000 // len(line)) + keys[1234]
    started = time.perf_counter()
    leaks = registry.scan(text, "x")
    elapsed = time.perf_counter() - started
    assert [leak.kind for leak in leaks] == ["full API key"]
    assert elapsed < 0.5, f"{elapsed:.2f} s"


# --- the plugin, end to end ---------------------------------------------------------------

PLANTED = """
import logging
import subprocess
import sys

import httpx
import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.server import EmulatorServer
from firmtrace_pulumi.errors import FirmtraceError
from tests.harness import wire
from tests.harness.engine import Engine, ResourceState
from tests.harness.provider_process import ProviderError, ProviderProcess
from tests.leaks import register

SECRET = {secret!r}
register(SECRET, "full API key")


class NoProvider:
    def configure(self, config):
        pass


def engine_with(inputs, outputs):
    engine = Engine(NoProvider(), {{"firmtrace:token": wire.secret("ftt_" + "c" * 43)}})
    engine.state["urn::k"] = ResourceState("urn::k", "t", "id", inputs, outputs)
    return engine


def test_stdout():
    print("the key is", SECRET)


def test_stderr():
    print(SECRET, file=sys.stderr)


def test_log_record():
    logging.getLogger("some.library").warning("using %s", SECRET)


def test_caught_exception():
    with pytest.raises(FirmtraceError):
        raise FirmtraceError(f"rejected {{SECRET}}")


def test_grpc_error_details():
    with pytest.raises(ProviderError):
        raise ProviderError("Create", f"Traceback ... {{SECRET}}")


def test_harness_state_outside_secret_fields():
    engine_with({{"name": SECRET}}, {{}})


def test_failure_report():
    assert SECRET == "something else"


def test_provider_process_output(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(
        f"import sys; print({{SECRET!r}}, file=sys.stderr, flush=True)"
    )
    with ProviderProcess(env={{"PYTHONPATH": f"{{tmp_path}}:{repo}"}}):
        pass


def test_key_minted_by_the_emulator_needs_no_registration():
    with EmulatorServer() as server, EmulatorAdmin(server.url) as admin:
        owner = admin.register()
        answer = httpx.post(
            admin.api_url + "/api_key",
            json={{"account_id": owner.account_id}},
            headers={{"Authorization": f"Bearer {{owner.token}}"}},
        )
        print(answer.text)


def test_clean_secret_marked_state_and_plain_variables():
    engine_with({{"name": "ok"}}, {{"api_key": wire.secret(SECRET)}})
    value = SECRET  # holding a secret is fine; showing it is not
    assert value
"""

REWRITING_CONFTEST = """
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_exception_interact(node, call, report):
    # What schemathesis does: rewrite the failure text after the report was made.
    if node.name == "test_rewritten_failure_report":
        report.longrepr = "rewritten: " + node.module.SECRET
"""

REWRITTEN = """

def test_rewritten_failure_report():
    raise ValueError("short")
"""


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    directory = tmp_path_factory.mktemp("planted")
    secret = planted_key()
    (directory / "test_planted.py").write_text(
        textwrap.dedent(PLANTED.format(secret=secret, repo=REPO)) + REWRITTEN
    )
    (directory / "conftest.py").write_text(REWRITING_CONFTEST)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.leaks", "-p", "no:cacheprovider",
         "-q", "-rA", "test_planted.py"],
        cwd=directory, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return secret, done.stdout + done.stderr


PLANTED_TESTS = {
    "test_stdout": "captured stdout call",
    "test_stderr": "captured stderr call",
    "test_log_record": "log record (some.library, WARNING)",
    "test_caught_exception": "exception text (FirmtraceError)",
    "test_grpc_error_details": "gRPC error details text (ProviderError)",
    "test_harness_state_outside_secret_fields": "engine state of k: inputs.name",
    "test_failure_report": "the call failure report",
    "test_rewritten_failure_report": "the call failure report",
    "test_provider_process_output": "provider-process output",
    "test_key_minted_by_the_emulator_needs_no_registration": "captured stdout call",
}


@pytest.mark.parametrize(("test", "channel"), list(PLANTED_TESTS.items()))
def test_a_planted_leak_fails_its_test_naming_the_channel(
    planted_run: tuple[str, str], test: str, channel: str
) -> None:
    _, output = planted_run
    assert f"ERROR test_planted.py::{test}" in output, output[-3000:]
    section = output.split(f"ERROR at teardown of {test} ")[1].split("\n____")[0]
    assert "Secret leak" in section and channel in section, section


def test_a_clean_test_passes(planted_run: tuple[str, str]) -> None:
    _, output = planted_run
    assert "PASSED test_planted.py::test_clean_secret_marked_state_and_plain_variables" in output
    assert "ERROR test_planted.py::test_clean" not in output


def test_the_run_never_prints_the_secret(planted_run: tuple[str, str]) -> None:
    secret, output = planted_run
    assert secret not in output
    assert secret[13:] not in output, "not even its secret half"
    assert "[LEAKED FULL API KEY]" in output, "captured output and reports are redacted"
