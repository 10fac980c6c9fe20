"""Lesson search as `CourseSession.search` did it before the index (issue 20): a scan of
every line of every open lesson, case-folded line by line, on each query.

Kept word for word (its snippet too) as the reference the index must agree with
(tests/test_search_index.py) and as the benchmark's floor (tests/benchmarks/bench_search.py).
"""

from __future__ import annotations

from typing import Any

from packages.errors import MoocError


def scan_search(session: Any, text: str, *, limit: int = 200) -> list[tuple[str, int, str]]:
    """(item id, line number from 1, snippet) for lesson lines holding `text`, any case."""
    needle = text.strip().casefold()
    if not needle:
        return []
    hits: list[tuple[str, int, str]] = []
    for module in session.course.modules:
        if session.module_lock(module):
            continue
        for item in module.items:
            if item.kind != "lesson":
                continue
            try:
                body = session.lesson_text(item.id)
            except MoocError:
                continue
            for number, line in enumerate(body.splitlines(), start=1):
                folded = line.casefold()
                at = folded.find(needle)
                if at >= 0:
                    hits.append((item.id, number, _snippet(line, at, len(needle))))
                    if len(hits) >= limit:
                        return hits
    return hits


def _snippet(line: str, at: int, size: int, width: int = 80) -> str:
    from packages.safe_text import one_line

    line = line.strip() if len(line) <= width else line
    if len(line) > width:
        start = max(0, at - (width - size) // 2)
        piece = line[start : start + width]
        line = ("…" if start > 0 else "") + piece + ("…" if start + width < len(line) else "")
    return one_line(line)
