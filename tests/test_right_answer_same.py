"""The TUI and plain mode show the same right answer for every question (issue 18): of
the demo pack and of the corpus packs (the Open edX demo course and the Moodle GIFT
files, imported). Both are rendered for real: plain mode's solutions page
(`PlainPlayer.show_solutions`), and the TUI's `QuestionBox.show_feedback` mounted in an
app, from the engine's review of an attempt with solutions shown."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from tests.conftest import REPO


def _courses(corpus_dir: Path, tmp_path: Path) -> list[Any]:
    from packages.importers.gift import import_gift
    from packages.importers.olx import import_olx
    from packages.loading import load_course
    from packages.source import open_source
    from tests.test_import_gift import _pack

    olx = tmp_path / "olx"
    import_olx(corpus_dir / "olx" / "openedx-demo-course", olx)
    gift_pack = _pack(tmp_path)
    for n, gift in enumerate(sorted((corpus_dir / "gift").glob("*.gift.txt"))):
        import_gift(gift, into=gift_pack, module=("week-1", "week-2")[n % 2])
    return [load_course(open_source(path)) for path in (REPO / "packages" / "demo_course", olx, gift_pack)]


def _plain_answers(course: Any, item: Any) -> list[str | None]:
    from player.plain import PlainPlayer
    from player.session import CourseSession

    out = io.StringIO()
    PlainPlayer(CourseSession(course, None, [], None, enroll=False), io.StringIO(""), out).show_solutions(item)
    answers: list[str | None] = []
    for line in out.getvalue().splitlines():
        if re.match(r"^Question \d+:$", line):
            answers.append(None)
        elif line.startswith("  Answer: "):
            answers[-1] = line[len("  Answer: ") :]
    return answers


def _presented(q: Any) -> list[int]:
    from player.grading import match_options

    n = {
        "single": lambda: len(q.choices),
        "multiple": lambda: len(q.choices),
        "order": lambda: len(q.items),
        "match": lambda: len(match_options(q)),
    }.get(q.type, lambda: 0)()
    return list(range(n))


async def _tui_answers(item: Any) -> list[str | None]:
    from rich.console import Console
    from textual.app import App, ComposeResult

    from player.feedback import review_question
    from player.grading import grade_attempt
    from tui.screens.quiz import QuestionBox

    graded = grade_attempt(item.quiz, {})
    reviews = [review_question(n, qg, True) for n, qg in enumerate(graded.questions, start=1)]

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            for r in reviews:
                yield QuestionBox(r.number, r.question, _presented(r.question))

    answers: list[str | None] = []
    app = Host()
    async with app.run_test(size=(120, 50)):
        for box, r in zip(app.query(QuestionBox), reviews):
            box.show_feedback(r)
            console = Console(width=400, record=True, file=io.StringIO())
            console.print(box.query_one(".feedback").content)
            text = console.export_text()
            found = re.search(r"^Answer:\s+(.*?)\s*$", text, re.M)
            answers.append(found.group(1) if found else None)
    return answers


async def test_the_tui_and_plain_mode_show_the_same_right_answers(corpus_dir: Path, tmp_path: Path) -> None:
    compared = 0
    for course in _courses(corpus_dir, tmp_path):
        for item in course.items():
            if item.kind != "quiz" or item.quiz is None:
                continue
            plain, tui = _plain_answers(course, item), await _tui_answers(item)
            assert len(plain) == len(tui) == len(item.quiz.questions), item.id
            assert tui == plain, (course.id, item.id)
            compared += sum(1 for a in plain if a)
    assert compared >= 40  # the demo's and the corpus' questions, most with an answer to show
