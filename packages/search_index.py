"""Lesson search over one course version: every lesson line, case-folded, in one string.

A query is a substring looked for in any case (`str.casefold`, so "STRASSE" finds
"Straße"): a hit is a lesson line holding it, as (item id, line number from 1, a
snippet of at most 80 characters around the first match). Hits come in course order
(module, item, line), at most `LIMIT` of them, and only from the modules the caller
says are open (the session leaves locked ones out).

The index is the course's lesson lines (`str.splitlines` of each lesson's text) joined
with "\\n" and case-folded once, with the offset where each line starts. Case folding
maps one character at a time and never makes a line break, and a query holding a line
break finds nothing (no line holds one), so a match never spans two lines: a query is
a few `str.find` calls over the open modules' part of the string (C speed: ~2 ms for
the 2.6 MB of a 2,000-lesson course when nothing matches), each hit placed on its line
by a binary search. That is the same answer, hit for hit, as scanning every line of
every open lesson (what `CourseSession.search` did before), which a test checks.

An n-gram or word index would answer a miss faster still, but it costs far more to
build and store than the scan it saves, and a word index could not find "opic" in
"topic" as learners expect of a search box. Building the index costs reading every
lesson once; packages/search_cache.py keeps it beside the installed tree so that is
done once per course version. No I/O here.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator, Sequence

from packages.errors import MoocError
from packages.model import Course, Item

Hit = tuple[str, int, str]  # (item id, line number from 1, snippet)
LIMIT = 200
# What str.splitlines ends a line at: no line holds one, so a query holding one finds nothing.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def lesson_items(course: Course) -> Iterator[Item]:
    """The course's lessons in course order: what the index holds, in its order."""
    for module in course.modules:
        for item in module.items:
            if item.kind == "lesson":
                yield item


class SearchIndex:
    """The lesson lines of one course version, ready to be searched (`find`).

    Immutable once built: one index serves any number of threads at once.
    """

    def __init__(
        self, course: Course, lessons: Sequence[tuple[str, int]], lines: list[str], *, complete: bool = True
    ) -> None:
        """`lessons`: (item id, how many lines) in course order; `lines`: all their lines,
        one after the other. `complete`: every lesson of the course is in (a lesson that
        could not be read is not, and such an index is not worth keeping on disk)."""
        self.lessons = tuple(lessons)
        self.lines = lines
        self.complete = complete
        self._ids = [item_id for item_id, _ in self.lessons]
        self._first = list(itertools.accumulate((count for _, count in self.lessons), initial=0))[:-1]
        self._folded = "\n".join(lines).casefold()
        lengths = map(len, self._folded.split("\n")) if lines else iter(())
        self._starts = list(itertools.accumulate((n + 1 for n in lengths), initial=0))  # one more: the end
        # each module's part of the folded string, as (start, end) offsets; None: no lessons
        where = {item_id: n for n, item_id in enumerate(self._ids)}
        self._spans: list[tuple[int, int] | None] = []
        for module in course.modules:
            held = [where[item.id] for item in module.items if item.id in where]
            if not held:
                self._spans.append(None)
                continue
            first_line = self._first[held[0]]
            end_line = self._first[held[-1]] + self.lessons[held[-1]][1]
            self._spans.append((self._starts[first_line], self._starts[end_line]))

    @classmethod
    def build(cls, course: Course, read: Callable[[Item], str]) -> SearchIndex:
        """Read every lesson (`read` raises MoocError for one it cannot read: it is left
        out, as the scan left it out, and the index is then not `complete`)."""
        lessons: list[tuple[str, int]] = []
        lines: list[str] = []
        complete = True
        for item in lesson_items(course):
            try:
                text = read(item)
            except MoocError:
                complete = False
                continue
            part = text.splitlines()
            lessons.append((item.id, len(part)))
            lines += part
        return cls(course, lessons, lines, complete=complete)

    def find(self, text: str, modules: Collection[int], *, limit: int = LIMIT) -> list[Hit]:
        """The lines holding `text` (stripped; any case) in the modules numbered
        `modules` (their positions in `course.modules`), in course order, at most `limit`."""
        needle = text.strip().casefold()
        if not needle or not LINE_BREAKS.isdisjoint(needle):
            return []
        folded, starts, first, size = self._folded, self._starts, self._first, len(needle)
        hits: list[Hit] = []
        for number, span in enumerate(self._spans):
            if span is None or number not in modules:
                continue
            start, end = span
            while (at := folded.find(needle, start, end)) >= 0:
                line = bisect_right(starts, at) - 1
                lesson = bisect_right(first, line) - 1  # the last of lessons starting here: one with lines
                hits.append(
                    (self._ids[lesson], line - first[lesson] + 1, snippet(self.lines[line], at - starts[line], size))
                )
                if len(hits) >= limit:
                    return hits
                start = starts[line + 1]  # one hit per line
        return hits


def snippet(line: str, at: int, size: int, width: int = 80) -> str:
    """`line` as one line of at most `width` characters around the match at `at`."""
    from packages.safe_text import one_line

    line = line.strip() if len(line) <= width else line
    if len(line) > width:
        start = max(0, at - (width - size) // 2)
        piece = line[start : start + width]
        line = ("…" if start > 0 else "") + piece + ("…" if start + width < len(line) else "")
    return one_line(line)
