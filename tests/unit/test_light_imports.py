"""What a Pulumi program loads: ``import firmtrace_pulumi`` (all it needs to declare resources,
either face's) must not load httpx or the wire models; a provider process loads them only for a
call that reaches the API, and never pydantic (the emulator's); the client must load httpx
without its command-line tool.

Each check runs in a fresh interpreter, so modules other tests imported do not count.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = {"httpx", "httpcore", "h11", "msgspec", "pydantic", "pydantic_core"}
HTTPX_CLI = {"httpx._main", "click", "rich", "pygments"}


def _loaded_after(statement: str) -> set[str]:
    code = f"{statement}; import sys; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def test_the_program_side_import_loads_no_httpx_and_no_wire_models():
    loaded = _loaded_after(
        "import firmtrace_pulumi, firmtrace_pulumi.components, firmtrace_pulumi.native"
    )
    assert {m.split(".")[0] for m in loaded} & HEAVY == set()
    assert "firmtrace_pulumi.contract" not in loaded and "firmtrace_pulumi.client" not in loaded


CREATE = """
from firmtrace_pulumi.providers import ApiKeyProvider, connection
from firmtrace_pulumi import contract
answer = b'{"api_key_part": "ftk_1", "account_id": 7, "active": true, "created_at": "now",'
contract.decode(contract.NewApiKey, answer + b' "api_key": "ftk_1' + b'x' * 32 + b'"}')
"""


def test_a_create_loads_the_client_and_the_wire_models_but_no_pydantic():
    """What a Create needs beyond a preview: httpx and the wire models (msgspec), 10 to 20 ms;
    pydantic (about 100 ms with its first model) belongs to the emulator only."""
    loaded = _loaded_after(f"exec({CREATE!r})")
    assert {"firmtrace_pulumi.client", "firmtrace_pulumi.contract", "httpx", "msgspec"} <= loaded
    assert {m.split(".")[0] for m in loaded} & {"pydantic", "pydantic_core"} == set()


def test_the_client_loads_httpx_without_its_command_line_tool():
    loaded = _loaded_after("import firmtrace_pulumi.client")
    assert "httpx" in loaded
    assert loaded & HTTPX_CLI == set()


def test_httpx_command_line_tool_still_imports_afterwards():
    for needed in ("click", "rich", "pygments"):  # httpx's CLI needs all three
        pytest.importorskip(needed)
    loaded = _loaded_after("import firmtrace_pulumi.client, httpx._main")
    assert "httpx._main" in loaded


PREVIEW = """
from pulumi.dynamic import Config, ConfigureRequest
from firmtrace_pulumi.providers import ApiKeyProvider
provider = ApiKeyProvider()
raw = {"firmtrace:apiUrl": "http://127.0.0.1:1", "firmtrace:token": "ftt_" + "x" * 32}
provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="p")))
news = provider.check({}, {"account_id": "acc_1", "name": "partner"}).inputs
provider.diff("acc_1/abc", {}, news)
"""


def test_a_previews_provider_process_loads_no_httpx_and_no_wire_models():
    """What a preview asks of the provider process (Configure, Check, Diff) makes no API call,
    so it must not pay for the client or the wire models."""
    loaded = _loaded_after(f"exec({PREVIEW!r})")
    assert "firmtrace_pulumi.providers.api_key" in loaded
    assert {m.split(".")[0] for m in loaded} & HEAVY == set()
