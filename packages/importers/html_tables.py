"""An HTML table's cells laid out on a grid, `colspan` and `rowspan` honoured.

Markdown tables have no spans: a cell that spans columns or rows keeps its text in
its first position and leaves the positions it covers empty, so every other cell
stays under its own column (without this, a `rowspan` shifted the cells of every
row below it one column to the left). Spans are bounded like a browser bounds
them, tighter: a hostile `colspan="1000000"` cannot make a million columns.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_COLSPAN = 50
MAX_ROWSPAN = 1000
MAX_COLUMNS = 200


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1


def span(value: str | None, limit: int) -> int:
    """An HTML span attribute as a count in 1..limit (0, junk or nothing is 1)."""
    text = (value or "").strip()
    number = int(text) if text.isdigit() and len(text) < 8 else 1
    return min(max(number, 1), limit)


def grid(rows: list[list[Cell]]) -> list[list[str]]:
    """The table's rows as equal-width lists of cell text, each cell under its own column."""
    covered: dict[int, int] = {}  # column -> rows below still covered by a rowspan
    out: list[list[str]] = []
    for row in rows:
        line: list[str] = []
        for cell in row:
            _fill_covered(line, covered, upto=None)
            start = len(line)
            width = min(cell.colspan, MAX_COLUMNS - start)
            if width <= 0:
                break
            line.extend([cell.text] + [""] * (width - 1))
            for column in range(start, start + width) if cell.rowspan > 1 else ():
                covered[column] = cell.rowspan - 1
        _fill_covered(line, covered, upto=max((c for c, n in covered.items() if n > 0), default=-1))
        out.append(line)
    width = max((len(r) for r in out), default=0)
    return [r + [""] * (width - len(r)) for r in out]


def _fill_covered(line: list[str], covered: dict[int, int], upto: int | None) -> None:
    """Empty cells where a rowspan from above covers the next positions (up to column `upto`, if given)."""
    while len(line) < MAX_COLUMNS:
        column = len(line)
        if covered.get(column, 0) > 0:
            covered[column] -= 1
        elif upto is None or column > upto:
            return
        line.append("")
