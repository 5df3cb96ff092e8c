"""Tests of the testing kit (``firmtrace_pulumi.testing``): its fixtures here, in this session
(tests/conftest.py enables its plugin), and in throwaway "user repositories" run by a pytest of
their own (``user_repo``)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import require_pulumi


@pytest.fixture
def pulumi_on_path() -> None:
    """Skip (or under CI fail) a test of the kit under the real CLI without ``pulumi``."""
    require_pulumi()
