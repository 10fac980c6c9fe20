"""Pilot tests of `mooc play` (the Textual app), at 80x24, driven by keys only.

Each test installs a small pack written here (tomli_w) into a private MOOC_HOME and
runs the real app, engine and event log; nothing is faked.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from packages.layout import Layout

SIZE = (80, 24)
HOSTILE = "Tricky [bold red]not markup[/] \x1b[31mred\x1b[0m \x1b]0;pwned\x07end"


def write_pack(
    root: Path,
    *,
    long_lines: int = 40,
    show_solutions: str | None = "always",
    questions: int | None = None,
    endpoint: str | None = None,
    max_attempts: int = 3,
) -> Path:
    """A pack with every question type, a long lesson, hostile text and a locked module.

    `show_solutions=None` leaves the quiz at the format's default; `questions=N` keeps
    only its first N questions; `endpoint` names an LRS in the pack's [sync]."""
    pack = root / "tui-pack"
    (pack / "lessons").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "media").mkdir()
    (pack / "media" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    (pack / "lessons" / "intro.md").write_text(
        "# Welcome to the test\n\nIntro paragraph with **bold** and `code`.\n\n"
        "- first point\n- second point\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```python\nprint('hi')\n```\n\n![A chart of things](../media/chart.png)\n\n"
        f"{HOSTILE}\n\nThe word needle is here.\n",
        encoding="utf-8",
    )
    body = ["# Chapter 1", ""]
    n = 1
    while len(body) < long_lines:
        body += [
            f"## Section {n}",
            "",
            f"Paragraph {n} with *emphasis*.",
            "",
            "- a",
            "- b",
            "",
            "| x | y |",
            "|---|---|",
            f"| {n} | {n * 2} |",
            "",
            "```",
            f"code {n}",
            "```",
            "",
        ]
        n += 1
    (pack / "lessons" / "long.md").write_text("\n".join(body[:long_lines]) + "\n", encoding="utf-8")
    (pack / "lessons" / "later.md").write_text("# Later\n\nLocked content.\n", encoding="utf-8")
    quiz = {
        "title": "All types",
        "max_attempts": max_attempts,
        "show_solutions": "always",
        "pass_threshold": 0.5,
        "questions": [
            {
                "id": "single",
                "type": "single",
                "prompt": "Pick *B*",
                "hint": "Not A.",
                "choices": [
                    {"text": "A", "feedback": "A is wrong."},
                    {"text": "B", "correct": True},
                    {"text": "C [b]x[/b]"},
                ],
            },
            {
                "id": "multi",
                "type": "multiple",
                "prompt": "Pick B and C",
                "choices": [{"text": "A"}, {"text": "B", "correct": True}, {"text": "C", "correct": True}],
            },
            {"id": "tf", "type": "truefalse", "prompt": "The sky is blue", "answer": True},
            {"id": "num", "type": "numeric", "prompt": "Pi to two places", "answer": 3.14, "tolerance": 0.01},
            {"id": "txt", "type": "text", "prompt": "Say nobody", "answers": ["nobody", "no one"]},
            {"id": "ord", "type": "order", "prompt": "Put in order", "items": ["one", "two", "three"]},
            {
                "id": "match",
                "type": "match",
                "prompt": "Capitals",
                "pairs": [["Canada", "Ottawa"], ["Italy", "Rome"]],
                "distractors": ["Paris"],
            },
        ],
    }
    if show_solutions is None:
        del quiz["show_solutions"]
    else:
        quiz["show_solutions"] = show_solutions
    quiz["questions"] = quiz["questions"][:questions]
    (pack / "quizzes" / "all.toml").write_text(tomli_w.dumps(quiz), encoding="utf-8")
    course = {
        "format": 1,
        "id": "tui-test",
        "version": "1.0.0",
        "title": "TUI test course",
        "summary": "A course for the TUI tests.",
        "grading": {"pass_threshold": 0.5},
        "modules": [
            {
                "id": "m1",
                "title": "Module one",
                "items": [
                    {"id": "intro", "kind": "lesson", "file": "lessons/intro.md", "title": "Intro " + "[i]lit[/i]"},
                    {"id": "all-types", "kind": "quiz", "file": "quizzes/all.toml", "title": "All types"},
                    {"id": "long", "kind": "lesson", "file": "lessons/long.md", "title": "Long lesson"},
                ],
            },
            {
                "id": "m2",
                "title": "Module two",
                "requires": ["all-types"],
                "items": [
                    {"id": "later", "kind": "lesson", "file": "lessons/later.md", "title": "Later"},
                ],
            },
        ],
    }
    if endpoint is not None:
        course["sync"] = {"xapi_endpoint": endpoint}
    (pack / "course.toml").write_text(tomli_w.dumps(course), encoding="utf-8")
    return pack


@pytest.fixture
def layout(mooc_home: Any) -> Layout:
    from player.learners import Learners

    chosen = Layout.default(mooc_home.home)
    Learners(chosen).current()  # the learner a first start asks for (see test_first_start_asks_who_is_learning)
    return chosen


@pytest.fixture
def installed(layout: Layout, tmp_path: Path) -> Layout:
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src")), quiet=True)
    return layout


def make_app(layout: Layout, **kw: Any) -> Any:
    from tui.app import MoocApp

    return MoocApp(layout=layout, **kw)


def screen_name(app: Any) -> str:
    return type(app.screen).__name__


async def wait_for(pilot: Any, predicate: Any, tries: int = 50) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    assert predicate()


async def submit(pilot: Any, app: Any) -> None:
    """ctrl+s; when the quiz asks before an incomplete or last attempt, "Submit" on purpose."""
    await pilot.press("ctrl+s")
    await pilot.pause()
    if screen_name(app) == "ChoiceDialog":
        app.screen.query_one("#choice-submit").focus()
        await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(app) == "QuizScreen" and app.screen.result is not None)


def shown(widget: Any, width: int = 200) -> str:
    """A Static's content as the learner reads it (Rich renderables rendered to text)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=open("/dev/null", "w"), color_system=None)
    console.print(widget.content)
    return console.export_text()


def events(layout: Layout, learner_id: str, course_id: str = "tui-test") -> list[dict[str, Any]]:
    path = layout.progress_file(learner_id, course_id)
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [json.loads(line) for line in lines if line.strip()]


# ------------------------------------------------------------------------ library


async def test_library_lists_installed_and_demo_course(installed: Layout) -> None:
    app = make_app(installed)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        options = app.screen.query_one("#courses")
        titles = [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]
        assert any(t.startswith("Learning in the open") for t in titles)
        assert any(t.startswith("TUI test course") for t in titles)
        # stats arrive from a worker: a progress bar and "last studied"
        await wait_for(pilot, lambda: len(app.screen.stats) == 2)
        assert "last studied never" in str(options.get_option_at_index(1).prompt)
        index = [i for i, t in enumerate(titles) if t.startswith("TUI test")][0]
        options.highlighted = index
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert app.session.course.id == "tui-test"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert app.session is None


async def test_started_in_a_course_escape_builds_the_library(installed: Layout) -> None:
    """`mooc play COURSE` opens no library under the course (it would slow the start);
    Esc still leads to it, with the course's figures, and back into the course."""
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["CourseScreen"]
        await pilot.press("n")  # intro done
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert app.session is None and len(app.screen_stack) == 2
        await wait_for(pilot, lambda: "tui-test" in app.screen.stats)
        assert app.screen.stats["tui-test"].done == 1
        options = app.screen.query_one("#courses")
        options.highlighted = [c.id for c in app.screen.courses].index("tui-test")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert len(app.screen_stack) == 2  # popped back, not a second library


async def test_demo_course_shown_when_nothing_installed(layout: Layout) -> None:
    app = make_app(layout)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        options = app.screen.query_one("#courses")
        assert options.option_count == 1
        assert "(demo)" in str(options.get_option_at_index(0).prompt)


# ------------------------------------------------------------------------ learners


async def test_single_learner_is_never_asked(installed: Layout) -> None:
    app = make_app(installed)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert app.learner is not None


async def test_learner_picker_on_shared_account(installed: Layout) -> None:
    from player.learners import Learners

    learners = Learners(installed)
    learners.remove(learners.current().id)  # the fixture's login learner
    learners.add("Ada Lovelace")
    learners.add("Grace Hopper")
    app = make_app(installed)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LearnerPicker")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert app.learner.name == "Grace Hopper"
        # offered again later with `u`; a new learner can be added by typing a name
        await pilot.press("u")
        await wait_for(pilot, lambda: screen_name(app) == "LearnerPicker")
        await pilot.press("tab")
        await pilot.press(*"Lin", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert app.learner.name == "Lin"
    assert [lr.name for lr in Learners(installed).list()] == ["Ada Lovelace", "Grace Hopper", "Lin"]


async def test_first_start_asks_who_is_learning_with_the_login_name_offered(mooc_home: Any) -> None:
    from player.learners import Learners, login_name

    bare = Layout.default(mooc_home.home)
    app = make_app(bare)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LearnerPicker")
        assert Learners(bare).list() == []  # nothing created before the learner answers
        assert app.screen.query_one("#new-learner").value == login_name()
        assert not app.screen.query_one("#learners").display  # no empty list to puzzle over
        assert "Nobody has learned on this computer yet" in str(app.screen.query_one("#new-learner-label").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert app.learner.name == login_name()
    assert [lr.name for lr in Learners(bare).list()] == [login_name()]


async def test_pin_is_asked_by_the_picker_and_for_the_only_learner(installed: Layout) -> None:
    from player.learners import Learners
    from player.pin import hash_pin

    learners = Learners(installed)
    learners.set_pin(learners.current().id, hash_pin("2468"))
    app = make_app(installed)  # the only learner, with a PIN: asked before the library
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "PinScreen")
        assert app.learner is None
        await pilot.press(*"1111", "enter")
        await pilot.pause(0.2)
        assert screen_name(app) == "PinScreen" and "2 tries left" in str(app.screen.query_one("#pin-hint").render())
        await pilot.press(*"2468", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert app.learner is not None
    learners.add("Grace Hopper", pin=hash_pin("1357"))
    app = make_app(installed)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LearnerPicker")
        await pilot.press("down", "enter")  # Grace
        await wait_for(pilot, lambda: screen_name(app) == "PinScreen")
        for _ in range(3):
            await pilot.press(*"0000", "enter")
            await pilot.pause(0.2)
        await wait_for(pilot, lambda: screen_name(app) == "LearnerPicker")  # three wrong: still closed
        assert app.learner is None
        await pilot.press("enter")  # Grace is still highlighted
        await wait_for(pilot, lambda: screen_name(app) == "PinScreen")
        await pilot.press(*"1357", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert app.learner.name == "Grace Hopper"


# ------------------------------------------------------------------------ studying


async def answer_every_question_by_keys(pilot: Any, app: Any) -> None:
    """Answer all seven questions right, with keys only (reading the shown order)."""
    from tui.widgets.order_list import OrderList

    screen = app.screen
    attempt = screen.attempt
    # single: choices shown in pack order (no shuffle); B is the second
    await pilot.press("down", "enter", "tab")
    # multiple: B and C
    await pilot.press("down", "space", "down", "space", "tab")
    # truefalse: True is first
    await pilot.press("enter", "tab")
    # numeric with a decimal comma
    await pilot.press(*"3,14", "tab")
    # text
    await pilot.press(*"  Nobody ", "tab")
    # order: bring pack item i to row i with K, choosing with j/k
    order_list = screen.query_one(OrderList)
    assert order_list.has_focus
    for target in range(3):
        row = order_list.order.index(target)
        while order_list.cursor < row:
            await pilot.press("j")
        while order_list.cursor > row:
            await pilot.press("k")
        for _ in range(row - target):
            await pilot.press("K")
    assert order_list.order == [0, 1, 2]
    await pilot.press("tab")
    # match: each Select lists the right sides in the presented order, after its blank prompt
    shown = attempt.presented("match")
    for right in (0, 1):  # Canada -> Ottawa (0), Italy -> Rome (1)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*["down"] * (shown.index(right) + 1), "enter")
        await pilot.pause()
        await pilot.press("tab")


async def test_read_lesson_take_quiz_quit_and_resume(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        lesson = app.screen.query_one("#lesson")
        assert "Welcome to the test" in lesson.rendered_text(0, 5)
        await pilot.press("l", "j", "j", "space")  # read: focus the text and scroll
        await pilot.press("n")  # moving on marks the lesson done
        await wait_for(pilot, lambda: app.screen.current == "all-types")
        assert app.session.status("intro").status == "done"
        await pilot.press("enter")  # "Start the quiz" has the focus
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        await pilot.press("h")  # hint for question 1 (the focused one)
        await pilot.pause()
        assert "Not A." in shown(app.screen.query_one("#q-1 .hint"))
        await answer_every_question_by_keys(pilot, app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.result is not None)
        result_text = str(app.screen.query_one("#quiz-result").content)
        assert "Score: 7/7" in result_text
        assert "attempts left: 2" in result_text
        feedback = shown(app.screen.query_one("#q-6 .feedback"))
        assert "correct" in feedback and "1. one; 2. two; 3. three" in feedback  # show_solutions = always
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert "7/7" not in str(app.screen.query_one("#panel-text").content)
        assert "Best score: 100%" in str(app.screen.query_one("#panel-text").content)
        await pilot.press("ctrl+q")
    learner_id = app.learner.id
    recorded = events(installed, learner_id)
    attempts = [e for e in recorded if e["type"] == "attempt"]
    assert len(attempts) == 1 and attempts[0]["data"]["score"] == 1.0
    responses = {q["id"]: q["response"] for q in attempts[0]["data"]["questions"]}
    assert responses == {
        "single": 1,
        "multi": [1, 2],
        "tf": True,
        "num": 3.14,
        "txt": "  Nobody ",
        "ord": [0, 1, 2],
        "match": [0, 1],
    }
    assert any(e["type"] == "hint_shown" for e in recorded)
    assert any(e["type"] == "lesson_completed" and e["item_id"] == "intro" for e in recorded)

    again = make_app(installed, course_id="tui-test")
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(again) == "CourseScreen")
        assert again.screen.current == "all-types"  # resumed at the last position
        assert "Attempts used: 1" in str(again.screen.query_one("#panel-text").content)
        # passing the quiz unlocked module two
        assert again.session.status("later").status != "locked"


async def test_failed_attempt_shows_feedback_and_hints_not_answers(layout: Layout, tmp_path: Path) -> None:
    """Default show_solutions ("finished"): after a failed attempt with attempts left the
    learner sees each question's feedback and hints, not the right answer; counts of
    one are singular ("1 question")."""
    from typing import get_args

    from packages.install import install
    from player.feedback import Verdict
    from tui.screens.quiz import VERDICTS

    assert set(VERDICTS) == set(get_args(Verdict))  # every verdict has its mark
    install(layout, str(write_pack(tmp_path / "src", show_solutions=None, questions=1)), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        panel = str(app.screen.query_one("#panel-text").content)
        assert "1 question · pass mark 50%" in panel
        await pilot.press("enter")  # "Start the quiz"
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        await pilot.press("enter")  # A (the first): wrong, with feedback
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.result is not None)
        result_text = str(app.screen.query_one("#quiz-result").content)
        assert "not passed" in result_text and "attempts left: 2" in result_text
        assert "The answers and explanations appear once you pass this quiz or have no attempts left." in result_text
        feedback = shown(app.screen.query_one("#q-1 .feedback"))
        assert "not correct" in feedback and "A is wrong." in feedback and "Hint: Not A." in feedback
        assert "Answer" not in feedback
        await pilot.press("r")  # a new attempt, left unanswered: submitted on purpose
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen" and app.screen.result is None)
        await submit(pilot, app)
        result_text = str(app.screen.query_one("#quiz-result").content)
        assert "Not answered: question 1\n" in result_text
        await pilot.press("r")  # the last attempt: right, and now the answer shows
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen" and app.screen.result is None)
        await pilot.press("down", "enter")  # B
        await submit(pilot, app)
        feedback = shown(app.screen.query_one("#q-1 .feedback"))
        assert "correct" in feedback and "Answer: B" in feedback and "Hint" not in feedback


async def test_locked_item_shows_why(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        tree = app.screen.query_one("#outline")
        await pilot.press("h")  # the lesson has the keys at first; h goes to the outline
        assert tree.has_focus
        for _ in range(10):
            await pilot.press("j")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.current == "later")
        panel = str(app.screen.query_one("#panel-text").content)
        assert "Locked" in panel and "pass 'All types' first" in panel
        label = app.screen.query_one("#outline").label_of("later").plain
        assert label.startswith(("🔒", "L"))


async def test_long_lesson_opens_lazily(layout: Layout, tmp_path: Path) -> None:
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src", long_lines=2000)), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="long")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        lesson = app.screen.query_one("#lesson")
        assert len(lesson.text.splitlines()) == 2000
        assert "Chapter 1" in lesson.rendered_text(0, 4)
        assert lesson.rendered_count < lesson.block_count  # only what is on screen was rendered
        # jump to a late line via search: the lesson scrolls there
        await pilot.press("slash")
        await wait_for(pilot, lambda: screen_name(app) == "SearchScreen")
        await pilot.press(*"Paragraph 120 ", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause()
        shown = lesson.rendered_text(int(lesson.scroll_y), 24)
        assert "Paragraph 120 " in shown


async def test_course_text_is_shown_literally(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        lesson = app.screen.query_one("#lesson")
        lesson.scroll_to(y=lesson.virtual_size.height, animate=False, immediate=True)
        text = lesson.rendered_text(0, lesson.virtual_size.height)
        assert "Tricky [bold red]not markup[/] red end" in text
        assert "\x1b" not in text and "pwned" not in text
        assert "A chart of things" in text  # an image shows its alt text
        assert app.screen.query_one("#outline").label_of("intro").plain.endswith("Intro [i]lit[/i]")
        # the media list offers the image; no viewer here gives a clear message
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(app) == "MediaScreen")
        assert "A chart of things" in str(app.screen.query_one("#links").get_option_at_index(0).prompt)


async def test_opening_media_uses_the_system_viewer(
    installed: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = tmp_path / "opened.txt"
    script = tmp_path / "viewer.sh"  # a real program standing in for xdg-open (no desktop here)
    script.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    script.chmod(0o755)
    monkeypatch.setenv("MOOC_OPENER", str(script))
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(app) == "MediaScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: opened.exists() and opened.read_text().strip() != "", tries=100)
    assert opened.read_text().strip().endswith("media/chart.png")


async def test_progress_help_and_sync(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("g")
        await wait_for(pilot, lambda: screen_name(app) == "ProgressScreen")
        summary = app.screen.query_one("#progress-summary").content
        from rich.console import Console

        console = Console(width=78, record=True, file=open("/dev/null", "w"))
        console.print(summary)
        out = console.export_text()
        assert "All types" in out and "Course score: 0%" in out
        assert "not attempted yet" in shown(app.screen.query_one("#certificate"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen")
        from tui.keymap import KEYS

        console = Console(width=120, record=True, file=open("/dev/null", "w"))
        console.print(app.screen.query_one("#keys-table").content)
        help_text = console.export_text()
        for key in KEYS:
            assert key.description in help_text
        assert "app.quit" not in help_text  # binding ids are for docs/tui.md, not for learners
        await pilot.press("escape")
        await pilot.press("y")
        await pilot.pause()
        # `y` wakes the background sync (tui/sync_bridge.py, sync/worker.py)
        assert any("Syncing" in str(n.message) for n in app._notifications)


async def test_keys_remapped_from_config(installed: Layout) -> None:
    installed.config_file.write_text('[keys]\n"course.next" = "ctrl+n"\n"no.such" = "x"\n', encoding="utf-8")
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("n")  # no longer bound
        await pilot.pause()
        assert app.screen.current == "intro"
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.screen.current == "all-types")
        assert any("no.such" in str(n.message) for n in app._notifications)


async def test_command_palette_jumps_to_an_item(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Go to: Long")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.current == "long" if hasattr(app.screen, "current") else False)


async def test_mouse_opens_an_item_from_the_outline(installed: Layout) -> None:
    """The mouse works too: a click on an outline line opens that item."""
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        screen = app.screen
        start = screen.current
        outline = screen.query_one("#outline")
        target = next(
            item.id
            for item in screen.session.course.items()
            if item.id != start and outline.line_of(item.id) is not None and screen.session.item_lock(item.id) is None
        )
        line = outline.line_of(target) - int(outline.scroll_offset.y)
        assert await pilot.click("#outline", offset=(6, line))
        await wait_for(pilot, lambda: screen.current == target)
        assert any(e["type"] == "position" and e["item_id"] == target for e in events(installed, app.learner.id))


async def test_another_process_progress_shows_up(installed: Layout, mooc_home: Any) -> None:
    """Same learner, same course, two processes: while the TUI is open on the course, the
    real `mooc play --plain` in another "terminal" marks the first lesson done; the
    TUI's outline shows it within a few seconds, without a restart."""
    from tests.conftest import MOOC_BIN
    from tui.screens.course import CATCH_UP_S

    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        outline = app.screen.query_one("#outline")
        assert not outline.label_of("intro").plain.startswith(("✓", "+"))
        res = subprocess.run(
            [str(MOOC_BIN), "play", "--plain", "tui-test", "intro"],
            input="n\nq\n",
            capture_output=True,
            text=True,
            timeout=60,
            env=mooc_home.env(),
        )
        assert res.returncode == 0, res.stderr
        assert any(
            e["type"] == "lesson_completed" and e["item_id"] == "intro" for e in events(installed, app.learner.id)
        )
        await wait_for(pilot, lambda: app.session.status("intro").status == "done", tries=int(CATCH_UP_S * 3 / 0.05))
        await pilot.pause(0.1)
        assert outline.label_of("intro").plain.startswith(("✓", "+"))


async def test_outline_folds_and_moves_by_keys_and_mouse(installed: Layout) -> None:
    """The outline: ← goes from an item to its module and folds it, → unfolds, Enter
    and Space fold/unfold a module, Home/End jump, a click on a module folds it."""
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        outline = app.screen.query_one("#outline")
        await pilot.press("h")
        assert outline.has_focus and outline.cursor_item == "intro" and outline.line_of("intro") == 1
        await pilot.press("left")
        assert outline.cursor == 0 and outline.cursor_item is None  # on "Module one"
        await pilot.press("left")
        assert outline.line_of("intro") is None and outline.line_of("later") == 2  # folded
        await pilot.press("right")
        assert outline.line_of("intro") == 1
        await pilot.press("enter")
        assert outline.line_of("intro") is None
        await pilot.press("space")
        assert outline.line_of("long") == 3
        await pilot.press("end")
        assert outline.cursor_item == "later"
        await pilot.press("home")
        assert outline.cursor == 0
        await pilot.press("down", "down")
        assert outline.cursor_item == "all-types"
        await pilot.press("enter")  # an item: opens it
        await wait_for(pilot, lambda: app.screen.current == "all-types")
        assert await pilot.click("#outline", offset=(4, 0))  # the "Module one" line
        await pilot.pause()
        assert outline.line_of("intro") is None and outline.cursor == 0
        assert app.screen.current == "all-types"  # folding did not open anything


async def test_a_module_opened_by_date_since_the_last_visit_is_announced(layout: Layout, tmp_path: Path) -> None:
    """Module two opens 7 days after enrolment; the learner enrolled 10 days ago and last
    studied 9 days ago: the course screen says it opened, once, as a toast."""
    from datetime import datetime, timedelta, timezone

    from packages.install import install
    from player.events import Event
    from player.learners import Learners
    from player.progress import EventLog

    pack = write_pack(tmp_path / "src")
    course_toml = (pack / "course.toml").read_text(encoding="utf-8")
    (pack / "course.toml").write_text(
        course_toml.replace('requires = [\n    "all-types",\n]', "unlock_after_days = 7"), encoding="utf-8"
    )
    assert "unlock_after_days = 7" in (pack / "course.toml").read_text(encoding="utf-8")
    install(layout, str(pack), quiet=True)
    learner = Learners(layout).current()

    def ago(days: int) -> str:
        return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    EventLog.for_course(layout, learner.id, "tui-test").append(
        Event(
            "enrolled", "tui-test", "1.0.0", data={"registration": "5b0f3c36-7c1e-4b7e-9a3c-1d2e3f4a5b6c"}, time=ago(10)
        ),
        Event("lesson_opened", "tui-test", "1.0.0", item_id="intro", time=ago(9)),
    )
    app = make_app(layout, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause(0.1)
        said = [n.message for n in app._notifications]
        assert "New since your last visit: the module Module two is now open." in said
    app = make_app(layout, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause(0.1)
        assert not any("New since your last visit" in n.message for n in app._notifications)


async def test_long_match_options_wrap_whole_at_80_columns() -> None:
    """Issue 14: options were cut with "…" at 80 columns. A matching question's chosen
    option and every option of its open list show whole, wrapped, never ellipsised."""
    import re

    from textual.app import App

    from packages.questions import Match
    from tui.screens.quiz import QuestionBox

    long_a = "The mean is pulled toward the long tail of a skewed distribution while the median stays put"
    long_b = "The standard deviation measures the spread around the mean in the very units of the data"
    q = Match(
        id="m",
        prompt="Match each",
        pairs=(("A rather long left-hand side label", long_a), ("Spread", long_b)),
        distractors=(),
    )

    class OneQuestion(App):
        def compose(self) -> Any:
            yield QuestionBox(1, q, [0, 1])

    def screen_words(app: Any) -> list[str]:
        texts = re.findall(r">([^<]*)</text>", app.export_screenshot())
        return " ".join(t.replace("&#160;", " ") for t in texts).split()

    app = OneQuestion()
    async with app.run_test(size=SIZE) as pilot:
        first = list(app.query("Select"))[0]
        first.value = 0
        await pilot.pause(0.1)
        words = screen_words(app)
        assert all(w in words for w in long_a.split()), words
        assert not any(w.endswith("…") and w != "choose…" for w in words)
        first.focus()
        await pilot.press("enter")  # the open list: both options, whole
        await pilot.pause(0.2)
        words = screen_words(app)
        assert all(w in words for w in (long_a + " " + long_b).split()), words
        assert not any(w.endswith("…") and w != "choose…" for w in words)


async def test_question_text_renders_as_markdown_like_lessons() -> None:
    """Issue 15: choices, feedback, hints and explanations render as Markdown (as the lesson view
    does): `**bold**` in a choice is bold, not asterisks; `snake\\_case` loses its backslash;
    the blank of an imported fill-in-the-blank is `_____`. Course text never acts as markup."""
    from rich.style import Style
    from textual.app import App

    from packages.questions import Choice, SingleChoice
    from player.feedback import QuestionReview
    from tui.screens.quiz import QuestionBox
    from tui.widgets.choice_list import ChoiceList

    q = SingleChoice(
        id="s",
        prompt="Python names a variable in \\_\\_\\_\\_\\_ style.",
        choices=(
            Choice(text="**bold** choice"),
            Choice(text="snake\\_case", correct=True),
            Choice(text="[b]not markup[/b]"),
        ),
        hints=("Look at **PEP 8**.",),
        explanation="Write *my\\_var*.",
    )

    class OneQuestion(App):
        def compose(self) -> Any:
            yield QuestionBox(1, q, [0, 1, 2])

    app = OneQuestion()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        box = app.query_one(QuestionBox)
        assert "Python names a variable in _____ style." in shown(box.query_one(".prompt"))
        rows = [line for _row, line in box.query_one(ChoiceList).lines(60)]
        assert [line.plain[2:] for line in rows] == ["( ) bold choice", "( ) snake_case", "( ) [b]not markup[/b]"]
        bold = rows[0]
        start = bold.plain.index("bold")
        assert any(
            s.start <= start
            and s.end >= start + 4
            and (s.style.bold if isinstance(s.style, Style) else "bold" in s.style)
            for s in bold.spans
        ), bold.spans
        assert not any("bold" in str(s.style) for s in rows[1].spans + rows[2].spans)  # only the Markdown is bold
        review = QuestionReview(1, q, "wrong", 0.0, ("Not **this** one.",), q.hints, "snake\\_case", q.explanation)
        box.show_feedback(review)
        await pilot.pause()
        feedback = " ".join(shown(box.query_one(".feedback")).split())
        assert "Not this one." in feedback and "Hint: Look at PEP 8." in feedback, feedback
        assert "Answer: snake_case" in feedback and "Explanation: Write my_var." in feedback, feedback
        assert "*" not in feedback and "\\" not in feedback


async def test_match_sides_render_their_markdown() -> None:
    """A matching question's left side renders as Markdown (bold, not asterisks); its options,
    one line each in a list, read as words (no stars, no escapes), as plain mode reads them."""
    import re

    from textual.app import App

    from packages.questions import Match
    from tui.screens.quiz import QuestionBox

    q = Match(id="m", prompt="Match", pairs=(("**Python** style", "snake\\_case"), ("Java", "**camel**Case")))

    class OneQuestion(App):
        def compose(self) -> Any:
            yield QuestionBox(1, q, [0, 1])

    app = OneQuestion()
    async with app.run_test(size=SIZE) as pilot:
        first = list(app.query("Select"))[0]
        first.focus()
        await pilot.press("enter")  # the open list
        await pilot.pause(0.2)
        svg = app.export_screenshot()
        words = " ".join(t.replace("&#160;", " ") for t in re.findall(r">([^<]*)</text>", svg)).split()
        assert "Python" in words and "snake_case" in words and "camelCase" in words, " ".join(words)
        assert not any("*" in w or "\\" in w for w in words), words
        left = app.query_one(".match-left")
        assert shown(left).strip() == "Python style"
        from rich.console import Console

        segments = list(Console(width=40, file=open("/dev/null", "w")).render(left.content))
        assert any(s.text == "Python" and s.style is not None and s.style.bold for s in segments), segments
