"""The example projects' directory. The examples run under the real CLI in tests/e2e."""

from __future__ import annotations

from tests.harness.provider_process import REPO

EXAMPLES = REPO / "examples"
