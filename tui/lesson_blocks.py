"""Split a lesson's Markdown into independently renderable blocks.

Rendering a long lesson in one go is what makes Markdown viewers slow; a block
(a heading's section, cut further at blank lines) can be rendered on its own with
Rich's Markdown when it scrolls into view. Cuts are made only where Markdown
allows it: never inside a fenced code block, a list, a table or an indented
continuation. Pure text processing, no Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BLOCK_LINES = 40

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
_LIST_ITEM = re.compile(r"^\s{0,3}([-+*]|\d{1,9}[.)])(\s|$)")


@dataclass(frozen=True)
class Block:
    """A piece of a lesson that renders on its own."""

    source: str
    first_line: int  # 1-based line of the lesson file where the block starts
    line_count: int


def split_blocks(text: str, max_lines: int = MAX_BLOCK_LINES) -> list[Block]:
    """Blocks in document order; joined with blank lines they are the whole lesson."""
    lines = text.split("\n")
    blocks: list[Block] = []
    start = 0
    fence: str | None = None
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * 3
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        if i > start and _HEADING.match(line):
            blocks.append(_block(lines, start, i))
            start = i
            continue
        if i - start >= max_lines and line.strip() == "" and _may_cut_after(lines, i):
            blocks.append(_block(lines, start, i + 1))
            start = i + 1
    if start < len(lines):
        blocks.append(_block(lines, start, len(lines)))
    return [b for b in blocks if b.source.strip()] or [Block("", 1, 1)]


def _may_cut_after(lines: list[str], blank: int) -> bool:
    """A blank line ends a top-level element if the next one does not continue it."""
    nxt = lines[blank + 1] if blank + 1 < len(lines) else ""
    prev = lines[blank - 1] if blank >= 1 else ""
    if nxt.startswith((" ", "\t")) or nxt.strip() == "":
        return False
    if _LIST_ITEM.match(nxt) and (_LIST_ITEM.match(prev) or prev.startswith((" ", "\t"))):
        return False
    return True


def _block(lines: list[str], start: int, end: int) -> Block:
    chunk = lines[start:end]
    while chunk and chunk[-1].strip() == "":
        chunk = chunk[:-1]
    return Block("\n".join(chunk), start + 1, max(1, end - start))
