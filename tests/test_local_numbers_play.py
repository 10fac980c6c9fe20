"""`1 234,5` in French and `1,234.5` in English earn the credit `1234.5` earns, in the
real `mooc play --plain` (a subprocess under LANGUAGE) and in the TUI (Pilot, the
language chosen in-process before the app starts), and the attempt records the
language the learner answered in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from tests.conftest import Homes
from tests.test_local_numbers import write_numbers_pack

NNBSP = "\u202f"


def attempts(home: Path) -> list[dict[str, Any]]:
    [log] = list((home / "learners").glob("*/progress/num-101.jsonl"))
    lines = log.read_text(encoding="utf-8").splitlines()[1:]
    return [e for e in map(json.loads, filter(None, lines)) if e["type"] == "attempt"]


@pytest.mark.parametrize(
    "language,typed,shown",
    [
        ("fr", "1 234,5", "Answer: 1234,5"),
        ("fr", f"1{NNBSP}234,5", "Answer: 1234,5"),
        ("en", "1,234.5", "Answer: 1234.5"),
    ],
)
def test_plain_mode_gives_credit_for_digits_grouped_the_learners_way(
    run_mooc: Any, mooc_home: Homes, tmp_path: Path, language: str, typed: str, shown: str
) -> None:
    assert run_mooc("install", str(write_numbers_pack(tmp_path / "pack"))).returncode == 0
    other = "1,234.5" if language == "fr" else "1 234,5"  # the other language's way: asked again
    r = run_mooc("play", "--plain", "num-101", "quiz", input=f"{other}\n{typed}\n", env={"LANGUAGE": language})
    assert r.returncode == 0, r.stderr
    assert "1/1" in r.stdout, r.stdout
    if language == "en":
        assert "Score: 1/1" in r.stdout and shown in r.stdout
        assert "'1 234,5' is not a number" in r.stdout
    else:
        assert "'1,234.5' mélange" in r.stdout and "12\u00a0345,5" in r.stdout  # said the French way
    [attempt] = attempts(mooc_home.home)
    assert attempt["data"]["score"] == 1.0 and attempt["data"]["language"] == language
    assert attempt["data"]["questions"][0]["response"] == 1234.5


@pytest.fixture
def numbers_course(mooc_home: Any, tmp_path: Path) -> Layout:
    from packages.install import install
    from player.learners import Learners

    layout = Layout.default(mooc_home.home)
    Learners(layout).current()
    install(layout, str(write_numbers_pack(tmp_path / "pack")), quiet=True)
    return layout


async def take_quiz(layout: Layout, typed: str) -> Any:
    from textual.widgets import Input

    from tests.test_tui import make_app, screen_name, submit, wait_for

    app = make_app(layout, course_id="num-101", item_id="quiz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) in ("CourseScreen", "QuizScreen"))
        if screen_name(app) == "CourseScreen":
            await pilot.press("enter")  # "Start the quiz" has the focus
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        field = app.screen.query_one(Input)
        placeholder = str(field.placeholder)
        field.focus()
        await pilot.press(*typed)
        await submit(pilot, app)
        result = app.screen.result
        await pilot.press("ctrl+q")
    return result, placeholder


async def test_the_tui_gives_credit_for_french_grouped_digits(numbers_course: Layout, french: None) -> None:
    result, placeholder = await take_quiz(numbers_course, "1 234,5")
    assert result.grade.score == 1.0
    assert placeholder == "saisissez un nombre, par ex. 3,14"  # the example written the French way
    assert result.event.data["language"] == "fr"
    [attempt] = attempts(numbers_course.home)
    assert attempt["data"]["questions"][0]["response"] == 1234.5


async def test_the_tui_gives_credit_for_english_grouped_digits(numbers_course: Layout) -> None:
    result, placeholder = await take_quiz(numbers_course, "1,234.5")
    assert result.grade.score == 1.0
    assert placeholder == "type a number, e.g. 3.14"
    assert result.event.data["language"] == "en"
