"""Results: rows with a figure, a target and a verdict; a few statistics; text and Markdown."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Row:
    what: str
    figure: str
    target: str = ""
    ok: bool | None = None
    """True PASS, False FAIL, None: reported for information, no target."""

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: ""}[self.ok]


@dataclass
class Section:
    number: int
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, what: str, figure: str, target: str = "", ok: bool | None = None) -> Row:
        row = Row(what, figure, target, ok)
        self.rows.append(row)
        return row

    def note(self, text: str) -> None:
        self.notes.append(text)


# --- statistics --------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), linear between the closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def ms(seconds: float) -> str:
    """Seconds as milliseconds, with sensible precision."""
    value = seconds * 1000
    return (
        f"{value:.2f} ms"
        if value < 10
        else f"{value:.0f} ms"
        if value >= 100
        else f"{value:.1f} ms"
    )


# --- output ------------------------------------------------------------------------------------


def _table(header: Sequence[str], lines: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines, strict=False)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header).rstrip(), "  ".join("-" * w for w in widths)]
    out += [fmt.format(*line).rstrip() for line in lines]
    return out


def text(sections: Sequence[Section]) -> str:
    out: list[str] = []
    for s in sections:
        out.append(f"\n[{s.number}] {s.title}  ({s.seconds:.1f} s)")
        out += [
            "    " + line
            for line in _table(
                ("measurement", "figure", "target", "result"),
                [(r.what, r.figure, r.target, r.verdict) for r in s.rows],
            )
        ]
        out += [f"    - {n}" for n in s.notes]
    return "\n".join(out)


def markdown(sections: Sequence[Section]) -> str:
    out = ["| # | measurement | figure | target | result |", "|---|---|---|---|---|"]
    for s in sections:
        for r in s.rows:
            cells = (
                f"{s.number}",
                r.what,
                r.figure,
                r.target,
                f"**{r.verdict}**" if r.verdict else "",
            )
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    notes = [f"- [{s.number}] {n}" for s in sections for n in s.notes]
    return "\n".join(out + (["", *notes] if notes else []))


def verdicts(sections: Sequence[Section]) -> tuple[int, int]:
    """(targets met, targets checked)."""
    checked = [r.ok for s in sections for r in s.rows if r.ok is not None]
    return sum(1 for ok in checked if ok), len(checked)
