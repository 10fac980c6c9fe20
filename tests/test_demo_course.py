"""The bundled demo course: a clean pack, every question type, answer keys that grade right.

The demo is the first thing every learner sees and the example every author copies,
so it must validate with no error and no warning, and each question's intended
answer must earn full marks through the real grader (and a plausible wrong answer
must not).
"""

from __future__ import annotations

import glob
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from packages.model import Course
from packages.portable import tomllib
from packages.questions import (
    QUESTION_TYPES,
    Match,
    MultipleChoice,
    Numeric,
    Order,
    Question,
    SingleChoice,
    Text,
    TrueFalse,
)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "packages" / "demo_course"

# Text questions graded by `pattern`: what learners may type, and near misses.
PATTERN_RIGHT = {
    "submit-key": ["ctrl+s", "Ctrl-S", "control s", "CTRL + S", "^S"],
    "testing-effect": ["testing effect", "The Testing Effect", "test effect"],
}
PATTERN_WRONG = {
    "submit-key": ["ctrl+q", "s", "ctrl+p"],
    "testing-effect": ["spacing effect", "retrieval practice", "testing"],
}
# Numeric questions: typed answers that must pass, and ones that must fail.
NUMERIC_RIGHT = {"weekly-hours": ["2.08", "2,08", "2.1", "2.0833"], "download-time": ["192", "200", "185", "201,3"]}
NUMERIC_WRONG = {"weekly-hours": ["2", "2.2", "125"], "download-time": ["96", "182", "202", "1536"]}


@pytest.fixture(scope="module")
def course() -> Course:
    from packages.source import open_source
    from packages.validation import validate

    with open_source(DEMO) as source:
        report = validate(source)
    problems = "\n".join(str(p) for p in report.problems)
    assert not report.errors, f"demo course has errors:\n{problems}"
    assert not report.warnings, f"demo course has warnings:\n{problems}"
    assert report.course is not None
    return report.course


def questions(course: Course) -> list[Question]:
    return [q for item in course.items() if item.quiz for q in item.quiz.questions]


def test_manifest_is_a_safe_bundled_xmooc(course: Course) -> None:
    from packages.store import BUNDLED_ID

    assert (course.format, course.id, course.version) == (1, "mooc-demo", "1.0.0")
    assert course.id == BUNDLED_ID  # the store finds the demo by this constant, unread
    assert course.kind == "xmooc" and course.certificate_available
    assert course.license == "CC-BY-4.0" and course.language == "en"
    assert course.pass_threshold == pytest.approx(0.6)
    assert course.weekly_hours and course.summary and course.authors == ("The mooc authors",)
    # A course shipped inside the player must never send learning records anywhere.
    assert course.xapi_endpoint is None
    assert "sync" not in tomllib.loads((DEMO / "course.toml").read_text(encoding="utf-8"))


def test_two_modules_the_second_requires_the_first_graded_quiz(course: Course) -> None:
    first, second = course.modules
    assert first.title == "Getting started" and second.title == "Studying well in the open"
    assert first.unlock_after_days == 0 and second.unlock_after_days == 0
    assert first.requires == ()
    (required,) = second.requires
    assert course.item(required).is_graded and course.module_of(required) is first
    # A required quiz with an attempt limit could lock a learner out of module 2 for good.
    assert course.item(required).quiz.max_attempts == 0  # type: ignore[union-attr]
    for module in course.modules:
        assert any(item.is_graded for item in module.items), module.id
    lessons = [item for item in course.items() if item.kind == "lesson"]
    assert 6 <= len(lessons) <= 8
    practice = [item for item in course.items() if item.kind == "quiz" and item.weight == 0]
    assert practice, "the demo must show a practice quiz"


def test_every_question_type_and_quiz_option_is_shown(course: Course) -> None:
    qs = questions(course)
    assert {q.type for q in qs} == set(QUESTION_TYPES)
    numerics = [a for q in qs if isinstance(q, Numeric) for a in q.answers]
    assert any(a.relative for a in numerics) and any(not a.relative and a.tolerance > 0 for a in numerics)
    texts = [q for q in qs if isinstance(q, Text)]
    assert any(q.answers for q in texts) and any(q.pattern for q in texts)
    assert all(q.hints for q in qs), "every demo question has a hint"
    assert all(q.explanation for q in qs), "every demo question has an explanation"
    assert any(c.feedback for q in qs if isinstance(q, (SingleChoice, MultipleChoice)) for c in q.choices)
    quizzes = [item.quiz for item in course.items() if item.quiz]
    assert any(quiz.max_attempts > 0 for quiz in quizzes)
    assert any(quiz.shuffle_choices for quiz in quizzes)
    assert len({quiz.show_solutions for quiz in quizzes}) >= 3


def right_responses(q: Question) -> list[Any]:
    """Every response the author intends to earn full marks."""
    if isinstance(q, SingleChoice):
        return [i for i, c in enumerate(q.choices) if c.correct]
    if isinstance(q, MultipleChoice):
        return [[i for i, c in enumerate(q.choices) if c.correct]]
    if isinstance(q, TrueFalse):
        return [q.answer]
    if isinstance(q, Numeric):
        return [a.value for a in q.answers] + NUMERIC_RIGHT.get(q.id, [])
    if isinstance(q, Text):
        return [a.text for a in q.answers] + [a.text.upper() for a in q.answers] + PATTERN_RIGHT.get(q.id, [])
    if isinstance(q, Order):
        return [list(range(len(q.items)))]
    if isinstance(q, Match):
        return [list(range(len(q.pairs)))]
    if not q.SCORED:
        return []  # a reflection: no answer earns marks
    raise AssertionError(f"unknown question type {q.type}")


def wrong_responses(q: Question) -> list[Any]:
    """Plausible mistakes that must not earn full marks."""
    if isinstance(q, SingleChoice):
        return [i for i, c in enumerate(q.choices) if not c.correct]
    if isinstance(q, MultipleChoice):
        right = [i for i, c in enumerate(q.choices) if c.correct]
        wrong = [i for i, c in enumerate(q.choices) if not c.correct]
        return [right[:-1], right + wrong[:1], wrong]
    if isinstance(q, TrueFalse):
        return [not q.answer]
    if isinstance(q, Numeric):
        return NUMERIC_WRONG[q.id]
    if isinstance(q, Text):
        return ["", "I don't know"] + PATTERN_WRONG.get(q.id, [])
    if isinstance(q, (Order, Match)):
        n = len(q.items) if isinstance(q, Order) else len(q.pairs)
        return [list(reversed(range(n))), [1, 0, *range(2, n)]]
    if not q.SCORED:
        return []
    raise AssertionError(f"unknown question type {q.type}")


def test_answer_keys_grade_right_answers_full_and_mistakes_less(course: Course) -> None:
    from player.grading import grade_question

    for q in questions(course):
        for response in right_responses(q):
            grade = grade_question(q, response)
            assert grade.valid and grade.score == pytest.approx(1.0), (q.id, response)
        for response in wrong_responses(q):
            grade = grade_question(q, response)
            assert grade.score < 1.0, (q.id, response)
    assert set(NUMERIC_RIGHT) | set(NUMERIC_WRONG) <= {q.id for q in questions(course) if isinstance(q, Numeric)}
    assert set(PATTERN_RIGHT) == {q.id for q in questions(course) if isinstance(q, Text) and q.pattern}


def test_single_choice_has_one_key_and_choices_are_distinct(course: Course) -> None:
    for q in questions(course):
        if isinstance(q, SingleChoice):
            assert sum(c.correct for c in q.choices) == 1, q.id
        if isinstance(q, (SingleChoice, MultipleChoice)):
            assert len({c.text for c in q.choices}) == len(q.choices), q.id
            assert any(not c.correct for c in q.choices), q.id
        if isinstance(q, Order):
            assert len(set(q.items)) == len(q.items) >= 3, q.id
        if isinstance(q, Match):
            assert len({r for _, r in q.pairs}) == len(q.pairs) >= 3, q.id


def test_a_perfect_attempt_passes_every_quiz_and_an_empty_one_fails(course: Course) -> None:
    from player.grading import grade_attempt

    for item in course.items():
        if not item.quiz:
            continue
        perfect = {q.id: right_responses(q)[0] for q in item.quiz.questions if q.SCORED}
        assert grade_attempt(item.quiz, perfect).score == pytest.approx(1.0), item.id
        assert grade_attempt(item.quiz, perfect).passed(course.quiz_pass_threshold(item))
        assert not grade_attempt(item.quiz, {}).passed(course.quiz_pass_threshold(item))


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("lesson", sorted((DEMO / "lessons").glob("*.md")), ids=lambda p: p.name)
def test_lesson_is_a_real_lesson(lesson: Path) -> None:
    text = lesson.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert 40 <= len(lines) <= 150
    assert lines[0].startswith("# ") and any(line.startswith("## ") for line in lines)
    assert re.search(r"^\| --- \|", text, re.M), "a table"
    assert "```" in text, "a fenced code block"
    assert re.search(r"^(- |\d+\. )", text, re.M), "a list"
    targets = LINK.findall(text)
    assert any(t.startswith("https://") for t in targets), "an external link"
    images = re.findall(r"!\[([^\]]+)\]\((\.\./media/[^)]+\.png)\)", text)
    assert len(images) == 1, "exactly one image, with alt text"
    for target in targets:
        if "://" not in target:
            assert (lesson.parent / target).is_file(), target
    assert "\x1b" not in text and "\t" not in text


def test_first_lesson_teaches_every_key_of_the_player() -> None:
    text = (DEMO / "lessons" / "01-using-the-player.md").read_text(encoding="utf-8")
    for key in [
        "`j`",
        "`k`",
        "`Enter`",
        "`n`",
        "`p`",
        "`d`",
        "`Tab`",
        "`/`",
        "`g`",
        "`?`",
        "`ctrl+p`",
        "`y`",
        "`ctrl+q`",
        "`space`",
        "`h`",
        "`ctrl+s`",
        "mooc play --plain",
        "mooc progress",
        "`esc`",
    ]:
        assert key in text, key
    assert "after every action" in text
    # written for plain mode too (issue 14): its commands and how to answer
    for command in ("## In plain mode", "`progress`", "`/words`", "`skip`", "`leave`", "a number"):
        assert command in text, command


def test_first_lesson_reads_well_in_plain_mode() -> None:
    """A screen reader hears the key tables row by row, never `| --- |`."""
    from player.markdown_text import markdown_lines

    lines = markdown_lines((DEMO / "lessons" / "01-using-the-player.md").read_text(encoding="utf-8"))
    assert "Table: Command, What it does." in lines
    assert "Command: progress. What it does: what is done and what is left, scores, your certificate." in lines
    assert not any("---" in line or line.lstrip().startswith("|") for line in lines)


def test_media_are_real_pngs_and_data_files() -> None:
    pngs = sorted((DEMO / "media").glob("*.png"))
    assert pngs
    for png in pngs:
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 20_000, png.name
        pos, idat = 8, b""
        while pos < len(data):
            (length,) = struct.unpack(">I", data[pos : pos + 4])
            tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
            (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
            assert zlib.crc32(tag + body) == crc, png.name
            if tag == b"IHDR":
                width, height = struct.unpack(">II", body[:8])
            idat += body if tag == b"IDAT" else b""
            pos += 12 + length
        assert len(zlib.decompress(idat)) == height * (1 + width * 3), png.name
    rows = (DEMO / "media" / "study-plan.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "day,minutes,activity" and len(rows) == 8
    assert sum(int(r.split(",")[1]) for r in rows[1:]) == 140  # the lesson says so


def test_every_demo_file_is_shipped_as_package_data() -> None:
    """setuptools globs package_data patterns from the package folder; each demo file must match one."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]
    patterns = data.get("*", []) + data.get("packages", [])
    shipped = {m for p in patterns for m in glob.glob(p, root_dir=REPO / "packages", recursive=True)}
    for path in DEMO.rglob("*"):
        if path.is_file():
            assert str(path.relative_to(REPO / "packages")) in shipped, path


def test_mooc_list_shows_the_demo_on_a_fresh_machine(run_mooc: Any) -> None:
    result = run_mooc("list")
    assert result.returncode == 0, result.stderr
    assert "mooc-demo" in result.stdout or "Learning in the open" in result.stdout
