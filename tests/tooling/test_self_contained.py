"""The repository stands on its own: no file points at the steering workspace's ``shared``
folder, which a user of this package does not have (the API contract is docs/api-contract.md)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTSIDE = "shared" + "/firmtrace-api"  # spelled apart so that this file does not name it


def test_no_file_refers_to_files_outside_the_repository() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    naming = [
        name
        for name in tracked
        if name and (REPO / name).is_file() and OUTSIDE in (REPO / name).read_text(errors="replace")
    ]
    assert naming == []
    assert (REPO / "docs" / "api-contract.md").exists()
