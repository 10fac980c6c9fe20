"""`mooc play` as a newcomer meets it (issue 14): consent is chosen, never caught by a
stray key; grading is fair; attempts are not wasted by one key. Pilot tests at 80x24
on the real app, engine and event log (the pack comes from tests/test_tui.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from sync.consent import Consent
from tests.test_tui import SIZE, events, make_app, screen_name, wait_for, write_pack

ENDPOINT = "http://127.0.0.1:9/xapi/"  # loopback: allowed over http; nobody listens there
HOST = "127.0.0.1:9"


@pytest.fixture
def with_lrs(layout: Layout, tmp_path: Path) -> Layout:
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src", endpoint=ENDPOINT)), quiet=True)
    return layout


@pytest.fixture
def layout(mooc_home: Any) -> Layout:
    return Layout.default(mooc_home.home)


def approved(layout: Layout, app: Any) -> bool:
    return Consent(layout, app.learner.id).allowed(HOST)


# ------------------------------------------------------------------------ consent


async def test_consent_is_asked_at_course_open_and_no_key_answers_it(with_lrs: Layout) -> None:
    """The question comes as the course opens, before anything takes focus; y, n,
    Enter and Space (the keys of an answer being typed, or of "sync now") do nothing;
    only a button chosen on purpose answers."""
    from tui.screens.dialog import ChoiceDialog

    app = make_app(with_lrs, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog) and HOST in str(dialog.query_one("#dialog-body").content)
        assert dialog.focused is None  # no button waits for a stray Enter
        await pilot.press(*"yes no", "enter", "space", "y", "g", "question_mark")
        await pilot.pause()
        assert app.screen is dialog and not approved(with_lrs, app)  # nothing answered, nothing opened
        await pilot.press("tab")  # the first button is the safe one
        assert dialog.focused is not None and dialog.focused.id == "choice-deny"
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert approved(with_lrs, app)


async def test_consent_declined_with_escape_is_not_asked_again_while_typing(with_lrs: Layout) -> None:
    """Esc means "not now"; the question is then not asked again by itself (a quiz
    answer being typed is never interrupted); `y` asks again, with the same buttons."""
    from textual.widgets import Input

    app = make_app(with_lrs, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert any("Nothing is sent to 127.0.0.1:9" in str(n.message) for n in app._notifications)
        await pilot.press("enter")  # start the quiz
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        field = app.screen.query_one("#q-5 Input", Input)
        field.focus()
        app.unapproved_hosts = [HOST]  # as the background sync reports it
        await pilot.press(*"yes and no")
        await pilot.pause(0.3)
        assert screen_name(app) == "QuizScreen" and field.value == "yes and no"
        app.screen.query_one("#quiz-body").focus()
        await pilot.press("y")  # asked for: the question comes back
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        await pilot.press("n", "y", "escape")
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
    assert not Consent(with_lrs, app.learner.id).allowed(HOST)


async def test_no_question_without_an_endpoint(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause(0.2)
        assert screen_name(app) == "CourseScreen"


@pytest.fixture
def installed(layout: Layout, tmp_path: Path) -> Layout:
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src")), quiet=True)
    return layout


# ------------------------------------------------------------------------ fair grading


async def test_untouched_order_question_is_not_answered(layout: Layout, tmp_path: Path) -> None:
    """An order question the learner never touched is graded on nothing: listed in "Not
    answered", 0 points, recorded with no response (its starting order is random)."""
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src", questions=6)), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        await pilot.press("down", "enter")  # question 1 answered (B), the others left alone
        await submit(pilot, app)
        result = str(app.screen.query_one("#quiz-result").content)
        assert "Not answered: questions 2, 3, 4, 5, 6" in result
        assert "Score: 1/6" in result
        assert "not answered" in str(app.screen.query_one("#q-6 .feedback").content)
    attempt = [e for e in events(layout, app.learner.id) if e["type"] == "attempt"][0]["data"]
    order = next(q for q in attempt["questions"] if q["id"] == "ord")
    assert order["response"] is None and order["earned"] == 0


async def test_a_moved_order_question_is_answered(layout: Layout, tmp_path: Path) -> None:
    from packages.install import install
    from tui.widgets.order_list import OrderList

    install(layout, str(write_pack(tmp_path / "src", questions=6)), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        order_list = app.screen.query_one(OrderList)
        order_list.focus()
        await pilot.press("J")
        moved = list(order_list.order)
        await submit(pilot, app)
        assert "6" not in str(app.screen.query_one("#quiz-result").content).split("Not answered")[1].split("\n")[0]
    attempt = [e for e in events(layout, app.learner.id) if e["type"] == "attempt"][0]["data"]
    assert next(q for q in attempt["questions"] if q["id"] == "ord")["response"] == moved


async def submit(pilot: Any, app: Any, *, confirm: bool = True) -> None:
    """ctrl+s, and when the quiz asks whether to submit an incomplete or last attempt,
    choose "Submit" on purpose."""
    await pilot.press("ctrl+s")
    await pilot.pause()
    if confirm and screen_name(app) == "ChoiceDialog":
        app.screen.query_one("#choice-submit").focus()
        await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(app) == "QuizScreen" and app.screen.result is not None)
