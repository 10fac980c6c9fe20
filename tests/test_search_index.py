"""Lesson search through the index (packages/search_index.py) gives, query for query, what
the scan it replaced gave (tests/support/plain_search.py, kept word for word): on the
demo course, on the 2,000-lesson benchmark pack and on lessons written to be awkward
(line breaks of every kind, letters whose case folding changes the length, long lines,
a lesson that cannot be read), for fresh learners (locked modules) and learners with
everything open, at several limits.
"""

from __future__ import annotations

import dataclasses
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from packages.errors import MoocError
from packages.loading import load_course
from packages.model import Course, Item, Module
from packages.search_index import LINE_BREAKS, SearchIndex
from packages.source import open_source
from player.session import CourseSession
from tests.support.genpack import generate_pack
from tests.support.plain_search import scan_search

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "packages" / "demo_course"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.when = T0

    def __call__(self) -> datetime:
        return self.when


def sessions(course: Course, source: Any, reader: Any = None) -> dict[str, CourseSession]:
    """A learner on day one (later modules locked), one a year on, and one in a copy of
    the course with no locks at all (quizzes passed or not)."""
    fresh = CourseSession(course, source, [], now=Clock(), tz=timezone.utc, reader=reader)
    later_clock = Clock()
    later = CourseSession(course, source, [], now=later_clock, tz=timezone.utc, reader=reader)
    later_clock.when = T0 + timedelta(days=365)
    open_course = dataclasses.replace(
        course, modules=tuple(dataclasses.replace(m, unlock_after_days=0, requires=()) for m in course.modules)
    )
    everything = CourseSession(open_course, source, [], now=Clock(), tz=timezone.utc, reader=reader)
    return {"fresh": fresh, "a year on": later, "no locks": everything}


def queries(texts: list[str], rng: random.Random, n: int) -> list[str]:
    """What learners type: words, word prefixes letter by letter, other cases, pieces of
    lines (spaces and punctuation included), and queries that find nothing."""
    words = sorted({w for text in texts for w in re.findall(r"\w+", text)})
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    found: list[str] = ["", "   ", "zzzqqq", "the", "THE", " the ", "a\nb", "e\rt", "\u2028", "*", "`", "|", "#"]
    for word in rng.sample(words, min(n, len(words))):
        found += [word, word.upper(), word.swapcase(), word[: 1 + len(word) // 2]]
    for line in rng.sample(lines, min(n, len(lines))):
        start = rng.randrange(len(line))
        found.append(line[start : start + rng.randrange(1, 30)])
    return found


def same_as_scan(session: CourseSession, texts: list[str], rng: random.Random, n: int = 60) -> int:
    """Every query at three limits; returns how many hits the scan found in all (so a test
    can show it compared real answers, not empty lists)."""
    total = 0
    for query in queries(texts, rng, n):
        for limit in (200, 7, 1):
            expected = scan_search(session, query, limit=limit)
            assert session.search(query, limit=limit) == expected, (query, limit)
            total += len(expected)
    return total


def test_same_hits_as_the_scan_on_the_demo_course() -> None:
    source = open_source(DEMO)
    course = load_course(source)
    texts = [source.read_text(i.file) for m in course.modules for i in m.items if i.kind == "lesson"]
    rng = random.Random(20)
    counts = {name: same_as_scan(s, texts, rng) for name, s in sessions(course, source).items()}
    assert all(counts.values()), counts
    assert counts["no locks"] >= counts["fresh"]


@pytest.fixture(scope="module")
def big_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's pack: 2,000 lessons of 20 lines in 20 modules (no quizzes: search
    reads lessons only, and every module then opens by date alone)."""
    return generate_pack(tmp_path_factory.mktemp("big") / "src", lessons=2000, questions=0)


def test_same_hits_as_the_scan_on_the_benchmark_pack(big_pack: Path) -> None:
    source = open_source(big_pack)
    course = load_course(source)
    some = [source.read_text(f"lessons/l{n:05d}.md") for n in (0, 1, 999, 1999)]
    typed = [
        word[:n] for word in ("topic", "emphasis", "number 1999017", "Lesson 1998") for n in range(1, len(word) + 1)
    ]
    for name, session in sessions(course, source).items():
        for query in typed:
            assert session.search(query) == scan_search(session, query), (name, query)
        rng = random.Random(2000)
        assert same_as_scan(session, some, rng, n=15)
    everything = sessions(course, source)["no locks"]
    assert everything.search("number 1999017") == [
        ("lesson-01999", 20, "Some text about the topic with *emphasis*, `code` and a number 1999017.")
    ]
    assert len(everything.search("topic")) == 200  # one per line, stopped at the limit


def awkward_course() -> tuple[Course, dict[str, str]]:
    texts = {
        "crlf": "# Windows\r\nLine one\r\nSTRASSE and Straße\r\n\r\nlast",
        "breaks": "a\x85b\u2028c\u2029d\x0ce\x0bf\x1cg\x1dh\x1ei\rj\nk",
        "folding": "ΣΑΣ ΟΔΥΣΣΕΥΣ\nİstanbul ﬁle ŉ\n" + "ß" * 50 + " needle at the end of a long line " + "x" * 40,
        "long": "word " * 60 + "needle" + " tail" * 30 + "\n" + "needle" + "y" * 100,
        "empty": "",
        "blank": "\n\n\n",
        "broken": "",  # its reader fails, as a missing file would
        "markup": "[bold red]not markup[/] \x1b[31m escape \x07 bell",
    }
    items = [Item(id=k, kind="lesson", file=f"lessons/{k}.md", title=k.title()) for k in texts]
    modules = (
        Module(id="m1", title="One", items=tuple(items[:3])),
        Module(id="m2", title="Two", items=tuple(items[3:6]), unlock_after_days=3),
        Module(id="m3", title="Three", items=tuple(items[6:])),
    )
    return Course(id="awkward", version="1.0.0", title="Awkward", modules=modules), texts


def test_same_hits_as_the_scan_on_awkward_lessons() -> None:
    course, texts = awkward_course()

    def reader(item: Item) -> str:
        if item.id == "broken":
            raise MoocError("lessons/broken.md: no such file in the pack")
        return texts[item.id]

    odd = ["ss", "strasse", "STRASSE", "σας", "οδυσσευς", "i̇stanbul", "fi", "ʼn", "needle", "NEEDLE at", "x" * 5]
    odd += ["a\x85b", "b", "\x1c", "j", "bell", "not markup", "\x1b", "word needle", "y" * 90, "line"]
    for name, session in sessions(course, None, reader).items():
        for query in odd + queries(list(texts.values()), random.Random(7), 40):
            for limit in (200, 2):
                assert session.search(query, limit=limit) == scan_search(session, query, limit=limit), (name, query)
    index = sessions(course, None, reader)["no locks"].search_index()
    assert not index.complete  # "broken" could not be read: such an index is never kept on disk
    assert index.find("STRASSE", {0}) == [("crlf", 3, "STRASSE and Straße")]


def test_any_set_of_open_modules() -> None:
    """`find` looks in exactly the modules it is given, whichever they are."""
    course, texts = awkward_course()
    index = SearchIndex.build(course, lambda item: texts[item.id])

    class Locks:
        def __init__(self, open_modules: set[int]) -> None:
            self.course, self.open = course, open_modules

        def module_lock(self, module: Module) -> str | None:
            return None if course.modules.index(module) in self.open else "locked"

        def lesson_text(self, item_id: str) -> str:
            return texts[item_id]

    for open_modules in ({0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}, set()):
        for query in ("e", "needle", "a", "not", "ß"):
            assert index.find(query, open_modules) == scan_search(Locks(open_modules), query), (open_modules, query)


def test_hits_in_course_order_one_per_line_up_to_the_limit() -> None:
    lessons = {"a": "x\nno\nx and x\n", "b": "none\nX"}
    items = tuple(Item(id=k, kind="lesson", file=f"{k}.md", title=k) for k in lessons)
    quiz_between = Item(id="q", kind="quiz", file="q.toml", title="Q")
    course = Course(
        id="c",
        version="1.0.0",
        title="C",
        modules=(Module(id="m", title="M", items=(items[0], quiz_between, items[1])),),
    )
    index = SearchIndex.build(course, lambda item: lessons[item.id])
    assert index.find("x", {0}) == [("a", 1, "x"), ("a", 3, "x and x"), ("b", 2, "X")]
    assert index.find("x", {0}, limit=2) == [("a", 1, "x"), ("a", 3, "x and x")]
    assert index.find("x", set()) == []
    assert index.find("  ", {0}) == [] and index.find("x\nno", {0}) == []
    assert all(index.find(c, {0}) == [] for c in LINE_BREAKS)
