"""``import firmtrace_pulumi`` must not load the emulator (or fastapi/uvicorn)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _loaded_after(statement: str) -> set[str]:
    code = f"{statement}; import sys; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def test_importing_the_package_does_not_load_the_emulator():
    modules = _loaded_after("import firmtrace_pulumi, firmtrace_pulumi.contract")
    assert not {"fastapi", "uvicorn", "starlette", "firmtrace_pulumi.emulator"} & modules


def test_the_admin_client_needs_only_httpx():
    modules = _loaded_after("import firmtrace_pulumi.emulator.admin_client")
    assert not {"fastapi", "uvicorn", "starlette"} & modules
