"""The fault matrix (see ``matrix.py``): one test per cell and scenario, and the table.

All cells run once, in parallel lanes, when the first test here asks for them; each test then
reports its own cell. ``MATRIX.md`` next to this file must be the table they make: `make matrix`
writes it.

Why the harness: each fault must hit one exact call of one operation, which only driving the
provider call by call allows.
"""

from __future__ import annotations

import pytest

from .matrix import CELLS, MATRIX, Outcome, render, run_matrix

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    return run_matrix()


@pytest.mark.parametrize("cell", CELLS, ids=lambda cell: cell.id)
def test_cell(outcomes: dict[str, Outcome], cell) -> None:
    outcome = outcomes[cell.id]
    assert outcome.ok, outcome.explain()


def test_the_table_is_current_and_all_green(outcomes: dict[str, Outcome]) -> None:
    table = render(outcomes)
    assert len(outcomes) == len(CELLS)
    assert all(o.ok for o in outcomes.values()), table
    assert MATRIX.read_text() == table, f"{MATRIX.name} is not what the matrix gives: `make matrix`"
