"""The command line: start-up, the first stdout line, flags, persistence, start-up mistakes."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin
from firmtrace_pulumi.emulator.process import EmulatorProcess
from firmtrace_pulumi.emulator.settings import DEFAULT_PORT

ROOT = Path(__file__).resolve().parents[2]


def refused_start(*args: str, env: dict[str, str] | None = None) -> str:
    """Run ``python -m firmtrace_pulumi.emulator ARGS`` as a user would, expecting it to refuse
    to start; the one line it writes to stderr."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FIRMTRACE_EMULATOR_")}
    result = subprocess.run(
        [sys.executable, "-m", "firmtrace_pulumi.emulator", "--db", ":memory:", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**clean, **(env or {})},
        cwd=ROOT,
    )
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == "", "no URL: it did not start"
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("firmtrace-emulator: "), lines[0]
    return lines[0]


def test_port_0_prints_the_base_url_first_and_serves(record_property):
    started = time.perf_counter()
    with EmulatorProcess(db=":memory:") as emulator:
        startup = time.perf_counter() - started
        record_property("startup_seconds", round(startup, 3))
        print(f"emulator start-up: {startup:.2f} s")
        assert emulator.url.startswith("http://127.0.0.1:")
        assert httpx.get(emulator.url + "/_emulator/health").json() == {"status": "ok"}
        assert httpx.get(emulator.api_url + "/accounts").status_code == 401
        assert "/v1.3/register" in httpx.get(emulator.url + "/openapi.json").json()["paths"]


def test_data_survives_a_restart_with_a_file_db(tmp_path: Path):
    db = tmp_path / "emulator.sqlite3"
    with EmulatorProcess(db=db) as first, EmulatorAdmin(first.url) as admin:
        owner = admin.register()
        key = httpx.post(
            admin.api_url + "/api_key",
            json={"account_id": owner.account_id, "name": "survivor"},
            headers={"Authorization": f"Bearer {owner.token}"},
        ).json()
    with EmulatorProcess(db=db) as second, EmulatorAdmin(second.url) as admin:
        assert second.url != "" and db.exists()
        login = httpx.post(
            admin.api_url + "/login", json={"email": owner.email, "password": owner.password}
        )
        assert login.json()["default_account_id"] == owner.account_id
        for credential in (owner.token, key["api_key"]):
            listed = httpx.get(
                admin.api_url + "/api_key",
                params={"account_id": owner.account_id},
                headers={"Authorization": f"Bearer {credential}"},
            )
            assert [k["name"] for k in listed.json()["api_keys"]] == ["survivor"]


def test_fault_and_rate_limit_flags_apply_from_the_start():
    faults = {"scripts": {"GET /accounts": [{"fault": "status", "status": 503}]}}
    with (
        EmulatorProcess(
            args=["--rate-limit", "1", "--error-status", "502"],
            env={"FIRMTRACE_EMULATOR_FAULTS": json.dumps(faults)},
        ) as emulator,
        EmulatorAdmin(emulator.url) as admin,
    ):
        config = admin.faults()
        assert (config["error_status"], config["effective_rate_limit"]) == (502, 1.0)
        owner = admin.register()
        headers = {"Authorization": f"Bearer {owner.token}"}
        assert httpx.get(emulator.api_url + "/accounts", headers=headers).status_code == 503
        statuses = [
            httpx.get(emulator.api_url + "/accounts", headers=headers).status_code for _ in range(3)
        ]
        assert statuses[0] == 200 and 429 in statuses


def test_a_port_in_use_is_one_line_naming_the_port_and_the_fix():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = refused_start("--port", str(port))
    assert line == (
        f"firmtrace-emulator: port {port} on 127.0.0.1 is already in use: stop what is"
        " listening there or pick another port with --port (--port 0 picks a free one)."
    )


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        (
            '{"latency_ms": 100',
            "--faults is not valid JSON (Expecting ',' delimiter at line 1 column 19).",
        ),
        (
            '{"colour": "red"}',
            "bad fault configuration in --faults: Unknown field 'colour'. Known fields:"
            " latency_ms, endpoint_latency_ms, error_rate, error_status, error_endpoints, seed,"
            " scripts, rate_limit, drop_hang_s.",
        ),
        (
            '{"latency_ms": "soon"}',
            "bad fault configuration in --faults: 'latency_ms': Input should be a valid integer,"
            " unable to parse string as an integer.",
        ),
        (
            '{"scripts": {"POST /api_key": [{"fault": "status", "status": "busy"}]}}',
            "bad fault configuration in --faults: 'scripts[\"POST /api_key\"][0].status':"
            " Input should be a valid integer, unable to parse string as an integer.",
        ),
        (
            '{"scripts": {"POST /api_key": [{"fault": "explode"}]}}',
            "bad fault configuration in --faults: 'scripts[\"POST /api_key\"][0].fault':"
            " Input should be 'status', 'echo', 'drop_after_commit', 'reset_before_read',"
            " 'slow' or 'pass'.",
        ),
    ],
    ids=["bad-json", "unknown-field", "wrong-type", "wrong-type-in-a-step", "unknown-fault"],
)
def test_a_bad_faults_value_is_one_line_naming_the_field(faults: str, message: str):
    assert refused_start("--faults", faults) == f"firmtrace-emulator: {message}"


def test_a_bad_faults_variable_is_named_as_the_variable():
    line = refused_start(env={"FIRMTRACE_EMULATOR_FAULTS": '{"seed": "x"}'})
    assert line.startswith(
        "firmtrace-emulator: bad fault configuration in FIRMTRACE_EMULATOR_FAULTS: 'seed': "
    )


def test_refused_requests_are_clear_answers_and_leave_no_traceback_in_the_log(tmp_path: Path):
    log_path = tmp_path / "emulator.log"
    with (
        log_path.open("w") as log,
        EmulatorProcess(stderr=log.fileno()) as emulator,
        EmulatorAdmin(emulator.url) as admin,
    ):
        owner = admin.register()
        bearer = {"Authorization": f"Bearer {owner.token}"}
        answers = [
            httpx.request(
                "DELETE",
                emulator.api_url + "/accounts",
                json={"account_id": owner.account_id},
                headers=bearer,
            ),
            httpx.get(emulator.api_url + "/accounts"),
            httpx.post(emulator.api_url + "/api_key", content=b"{not json", headers=bearer),
        ]
    assert [(a.status_code, a.json().get("field")) for a in answers] == [
        (400, "body"),
        (401, None),
        (400, "body"),
    ]
    for answer in answers:
        message = answer.json()["user_message"]
        assert message and "\n" not in message and "Traceback" not in message
    log_text = log_path.read_text()
    assert "Traceback" not in log_text and "Exception" not in log_text, log_text


def test_one_default_port_everywhere():
    """``make emulator``, the README and the examples talk to the port the CLI picks."""
    makefile = (ROOT / "Makefile").read_text()
    [target] = re.findall(r"^emulator:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert "firmtrace-emulator" in target and "--port" not in target, target
    help_text = subprocess.run(
        [sys.executable, "-m", "firmtrace_pulumi.emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert f"default {DEFAULT_PORT}" in help_text
    docs = [ROOT / "README.md", *sorted(ROOT.glob("examples/*/README.md"))]
    mentioned = {
        (doc.relative_to(ROOT).as_posix(), int(port))
        for doc in docs
        for port in re.findall(r"(?:127\.0\.0\.1:|--port |\(port )(\d+)", doc.read_text())
    }
    assert {(doc, port) for doc, port in mentioned if port not in (0, DEFAULT_PORT)} == set()
    emulator_readme = (ROOT / "firmtrace_pulumi/emulator/README.md").read_text()
    assert re.search(rf"^\| `--port`.*\| `{DEFAULT_PORT}` \|$", emulator_readme, re.MULTILINE)
