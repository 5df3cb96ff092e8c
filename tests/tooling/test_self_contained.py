"""The repository stands on its own: no file points at the steering workspace's ``shared``
folder, which a user of this package does not have (the API contract is docs/api-contract.md).
And nothing of ours (CI, examples, make targets) turns on the engine's gRPC log."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTSIDE = "shared" + "/firmtrace-api"  # spelled apart so that this file does not name it
GRPC_LOG = "PULUMI_DEBUG" + "_GRPC"  # writes every secret the engine handles in plain text


def files_naming(text: str) -> list[str]:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    return [
        name
        for name in tracked
        if name and (REPO / name).is_file() and text in (REPO / name).read_text(errors="replace")
    ]


def test_no_file_refers_to_files_outside_the_repository() -> None:
    assert files_naming(OUTSIDE) == []
    assert (REPO / "docs" / "api-contract.md").exists()


def test_nothing_of_ours_turns_on_the_engines_grpc_log() -> None:
    assert files_naming(GRPC_LOG) == ["README.md"], "only README, which warns against it"
