"""Every screen of `mooc play` at 80x24, in colour and with NO_COLOR, locked in as SVG
snapshots (pytest-textual-snapshot; files in tests/__snapshots__/test_snapshots/).

Deterministic by construction: a fixed pack (tests/test_tui.py), a learner named
"Ada", attempt ids (and so the shuffled order of options) from a counter, no clock on
screen ("last studied never"), background sync off, the cursor not blinking, and each
screen waited for until its lazy parts (library figures, lesson filler) are done.

After a deliberate change of a screen: `pytest tests/test_snapshots.py --snapshot-update`,
then look at the report and the changed SVGs before committing them.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytest_textual_snapshot", reason="snapshot tests need the test extra: pip install -e '.[test]'")

from packages.layout import Layout  # noqa: E402
from tests.test_tui import write_pack  # noqa: E402

SIZE = (80, 24)


@dataclass(frozen=True)
class Shot:
    course: str | None  # start straight in this course, or at the library
    item: str | None
    steps: Callable[[Any], Awaitable[None]]


async def until(pilot: Any, predicate: Callable[[], bool], tries: int = 100) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen did not settle")


def name(pilot: Any) -> str:
    return type(pilot.app.screen).__name__


async def settle(pilot: Any) -> None:
    """No blinking cursor, the lesson fully laid out, then one more frame."""
    from textual.widgets import Input

    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    for lesson in pilot.app.screen.query("#lesson"):
        await until(pilot, lambda lesson=lesson: lesson._fill_next >= lesson.block_count)
    await pilot.pause(0.1)


async def library(pilot: Any) -> None:
    await until(pilot, lambda: name(pilot) == "LibraryScreen" and len(pilot.app.screen.stats) == 2)
    await settle(pilot)


async def lesson(pilot: Any) -> None:
    await until(pilot, lambda: name(pilot) == "CourseScreen")
    await settle(pilot)


async def outline_focused(pilot: Any) -> None:
    await lesson(pilot)
    await pilot.press("h", "j", "j")
    await settle(pilot)


async def quiz_front(pilot: Any) -> None:
    await until(pilot, lambda: name(pilot) == "CourseScreen" and pilot.app.screen.current == "all-types")
    await settle(pilot)


async def locked(pilot: Any) -> None:
    await until(pilot, lambda: name(pilot) == "CourseScreen" and pilot.app.screen.current == "later")
    await settle(pilot)


async def quiz(pilot: Any) -> None:
    await quiz_front(pilot)
    await pilot.press("enter")
    await until(pilot, lambda: name(pilot) == "QuizScreen")
    await pilot.press("j", "space", "tab", "space", "j", "j", "space", "shift+tab")  # B; A and C
    await settle(pilot)


async def submit_dialog(pilot: Any) -> None:
    await quiz(pilot)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: name(pilot) == "ChoiceDialog")
    await settle(pilot)


async def result(pilot: Any) -> None:
    await submit_dialog(pilot)
    await pilot.press("tab", "enter")  # "Submit"
    await until(pilot, lambda: name(pilot) == "QuizScreen" and pilot.app.screen.result is not None)
    await settle(pilot)


async def leave_dialog(pilot: Any) -> None:
    await quiz(pilot)
    await pilot.press("escape")
    await until(pilot, lambda: name(pilot) == "ChoiceDialog")
    await settle(pilot)


async def progress(pilot: Any) -> None:
    await lesson(pilot)
    await pilot.press("g")
    await until(pilot, lambda: name(pilot) == "ProgressScreen")
    await settle(pilot)


async def search(pilot: Any) -> None:
    await lesson(pilot)
    await pilot.press("slash")
    await until(pilot, lambda: name(pilot) == "SearchScreen")
    await pilot.press(*"point", "enter")
    await until(pilot, lambda: bool(pilot.app.screen.hits))
    await settle(pilot)


async def media(pilot: Any) -> None:
    await lesson(pilot)
    await pilot.press("o")
    await until(pilot, lambda: name(pilot) == "MediaScreen")
    await settle(pilot)


async def help_screen(pilot: Any) -> None:
    await lesson(pilot)
    await pilot.press("question_mark")
    await until(pilot, lambda: name(pilot) == "HelpScreen")
    await settle(pilot)


async def palette(pilot: Any) -> None:
    await lesson(pilot)
    await pilot.press("ctrl+p")
    await until(pilot, lambda: name(pilot) == "CommandPalette")
    await pilot.press(*"Go to")
    await pilot.pause(0.5)
    await settle(pilot)


async def learner_picker(pilot: Any) -> None:
    await until(pilot, lambda: name(pilot) == "LearnerPicker")
    await settle(pilot)


async def consent(pilot: Any) -> None:
    await until(pilot, lambda: name(pilot) == "ChoiceDialog")
    await settle(pilot)


async def class_screen(pilot: Any) -> None:
    await library(pilot)
    await pilot.press("c")
    await until(
        pilot,
        lambda: name(pilot) == "ClassScreen" and "Ada" in str(pilot.app.screen.query_one("#class-report").render()),
    )
    await settle(pilot)


async def pin(pilot: Any) -> None:
    await until(pilot, lambda: name(pilot) == "LearnerPicker")
    await pilot.press("down", "enter")  # Grace, who has a PIN
    await until(pilot, lambda: name(pilot) == "PinScreen")
    await pilot.press(*"12")
    await settle(pilot)


SHOTS: dict[str, Shot] = {
    "library": Shot(None, None, library),
    "lesson": Shot("tui-test", "intro", lesson),
    "outline-focused": Shot("tui-test", "intro", outline_focused),
    "quiz-front": Shot("tui-test", "all-types", quiz_front),
    "locked": Shot("tui-test", "later", locked),
    "quiz": Shot("tui-test", "all-types", quiz),
    "submit-dialog": Shot("tui-test", "all-types", submit_dialog),
    "quiz-result": Shot("tui-test", "all-types", result),
    "leave-dialog": Shot("tui-test", "all-types", leave_dialog),
    "progress": Shot("tui-test", "intro", progress),
    "search": Shot("tui-test", "intro", search),
    "media": Shot("tui-test", "intro", media),
    "help": Shot("tui-test", "intro", help_screen),
    "palette": Shot("tui-test", "intro", palette),
    "learner-picker": Shot(None, None, learner_picker),
    "consent": Shot("tui-test", "intro", consent),
    "class": Shot(None, None, class_screen),
    "pin": Shot(None, None, pin),
}


@pytest.fixture
def home(mooc_home: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    from packages.install import install
    from player.learners import Learners

    layout = Layout.default(mooc_home.home)
    install(layout, str(write_pack(tmp_path / "src")), quiet=True)
    Learners(layout).add("Ada", account_id=str(uuid.UUID(int=42)))  # shown by the Class screen
    numbers = count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(numbers)))  # attempt ids: fixed shuffles
    monkeypatch.setattr("tui.symbols.use_ascii", lambda: False)  # the same glyphs whatever the locale
    monkeypatch.setenv("MOOC_NO_SYNC", "1")  # no background status changes
    monkeypatch.delenv("MOOC_LEARNER", raising=False)
    return layout


@pytest.mark.parametrize("colour", ["colour", "no-color"])
@pytest.mark.parametrize("shot", list(SHOTS))
def test_screen(shot: str, colour: str, home: Layout, snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from player.learners import Learners
    from tui.app import MoocApp

    if colour == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    spec = SHOTS[shot]
    if shot == "learner-picker":
        Learners(home).add("Grace")
    if shot == "class":
        _ada_read_a_lesson(home, monkeypatch)
    if shot == "pin":
        from player.pin import hash_pin

        Learners(home).add("Grace", pin=hash_pin("1357"))
    if shot == "consent":
        monkeypatch.setenv("MOOC_NO_SYNC", "0")
        monkeypatch.setattr("sync.worker.SyncWorker.start", lambda self, on_status=None: self)  # asks, sends nothing
        _name_an_lrs(home)
    app = MoocApp(layout=home, course_id=spec.course, item_id=spec.item)
    assert app.no_color == (colour == "no-color")
    assert snap_compare(app, terminal_size=SIZE, run_before=spec.steps)


def _ada_read_a_lesson(layout: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ada's first lesson, at a fixed time shown in UTC: the Class screen has a row to show."""
    import time

    from player.events import Event
    from player.learners import Learners
    from player.progress import EventLog

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    ada = next(learner for learner in Learners(layout).list() if learner.name == "Ada")
    EventLog.for_course(layout, ada.id, "tui-test").append(
        Event(
            "enrolled",
            "tui-test",
            "1.0.0",
            data={"registration": str(uuid.UUID(int=7))},
            time="2026-11-02T08:00:00.000Z",
            id=str(uuid.UUID(int=8)),
        ),
        Event(
            "lesson_completed",
            "tui-test",
            "1.0.0",
            item_id="intro",
            data={"duration_s": 300},
            time="2026-11-02T08:05:00.000Z",
            id=str(uuid.UUID(int=9)),
        ),
    )


def _name_an_lrs(layout: Layout) -> None:
    layout.config_file.write_text('[sync]\nendpoint = "https://lrs.example.org/xapi/"\n', encoding="utf-8")
