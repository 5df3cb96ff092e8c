"""What `pulumi up` prints when the provider refuses, as a user reads it in a terminal (no
``--json``): the SDK's dynamic host sends the whole Python traceback, so our sentence must come
last and whole, under as few frames as the host allows, none of them inside this package but
the boundary."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from firmtrace_pulumi.emulator.admin_client import EmulatorAdmin

from .conftest import Stack

pytestmark = pytest.mark.timeout(300)

KEY = """
import pulumi
from firmtrace_pulumi import ApiKey

ApiKey("partner", account_id=pulumi.Config().require("accountId"))
"""


def error_block(printed: str, resource: str) -> list[str]:
    """The lines of one resource's entry under ``Diagnostics:``."""
    diagnostics = printed.split("Diagnostics:", 1)[1]
    entry = diagnostics.split(f"({resource}):", 1)[1]
    lines: list[str] = []
    for line in entry.splitlines()[1:]:
        if not line.strip():
            break
        lines.append(line.strip())
    return lines


def test_a_refusal_ends_the_output_with_our_sentence_under_three_frames(
    emulator: EmulatorAdmin, new_stack: Callable[..., Stack]
) -> None:
    stack = new_stack(KEY)
    stack.config(accountId="acc_d0esn0tex1st")
    printed = stack.pulumi("up", "--yes", check=False)
    block = error_block(printed, "partner")
    frames = [line for line in block if line.startswith('File "')]
    assert len(frames) <= 3, "\n".join(block)
    ours = [f for f in frames if "/firmtrace_pulumi/" in f]
    assert len(ours) == 1 and "/firmtrace_pulumi/providers/base.py" in ours[0], frames
    last = block[-1]
    assert re.match(r"firmtrace_pulumi\.NotFoundError: POST /v1\.3/api_key failed", last), last
    assert last.endswith("(a typo, or an Account deleted outside this program)."), last
    assert "There is no Account 'acc_d0esn0tex1st'" in last
