"""Search as you type in `mooc play` (tui/screens/search.py), through Textual's Pilot.

The query runs in a worker thread, never on the UI thread. To show that typing and the
last query do not wait for earlier ones, and that an earlier keystroke's answer never
replaces the last one's, the tests hold every query but the last inside the index
(`SearchIndex.find` waits on an event the test sets) while the learner types on;
nothing else is faked: the real app, session, index and lessons.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from packages.layout import Layout
from packages.search_index import SearchIndex
from tests.test_tui import SIZE, installed, layout, make_app, screen_name, wait_for  # noqa: F401 (fixtures)
from tui.widgets.hit_list import HitList

WORD = "needle"  # the intro lesson of tests/test_tui.py's pack: "The word needle is here."


class Held:
    """Makes `SearchIndex.find` wait for `release` on any query but `free`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, free: str | None) -> None:
        self.free = free
        self.release = threading.Event()
        self.waiting: list[str] = []  # the queries held so far
        self.finished: list[str] = []  # the queries answered (held ones once released)
        real = SearchIndex.find

        def find(index: SearchIndex, text: str, modules: Any, **kw: Any) -> Any:
            if text != self.free:
                self.waiting.append(text)
                assert self.release.wait(timeout=60), "never released"
            try:
                return real(index, text, modules, **kw)
            finally:
                self.finished.append(text)

        monkeypatch.setattr(SearchIndex, "find", find)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    """Every set of results the search screen put on screen: (the field's text then, hits)."""
    from tui.screens.search import SearchScreen

    log: list[tuple[str, list[Any]]] = []
    real = SearchScreen._show

    def show(screen: Any, serial: int, hits: list[Any], rows: list[Any], **kw: Any) -> None:
        log.append((screen.query_one(Input).value, list(hits)))
        real(screen, serial, hits, rows, **kw)

    monkeypatch.setattr(SearchScreen, "_show", show)
    return log


async def open_search(pilot: Any, app: Any) -> None:
    await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
    await pilot.press("slash")
    await wait_for(pilot, lambda: screen_name(app) == "SearchScreen")
    await wait_for(pilot, lambda: app.session.search_index_ready())  # the screen prepares it at once


async def test_typing_runs_ahead_of_slow_queries_and_only_the_last_is_shown(
    installed: Layout,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    shown: list[tuple[str, list[Any]]],
) -> None:
    held = Held(monkeypatch, free=WORD)
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, app)
        await pilot.press(WORD[0])
        await wait_for(pilot, lambda: held.waiting)  # the first query is stuck in the index
        await pilot.press(*WORD[1:])
        screen = app.screen
        await wait_for(pilot, lambda: screen.hits != [])
        # the field took every key and the last query was answered, all while earlier ones wait
        assert screen.query_one(Input).value == WORD
        assert held.waiting and not any(text in held.finished for text in held.waiting)
        expected = app.session.search(WORD)
        assert screen.hits == expected and len(expected) == 1
        held.release.set()
        await wait_for(pilot, lambda: all(text in held.finished for text in held.waiting))
        for _ in range(5):
            await pilot.pause(0.05)  # time for a late answer to arrive, were one posted
        assert screen.hits == expected
        assert str(screen.query_one("#search-count").render()) == "1 result"
        assert shown == [(WORD, expected)]  # nothing from an earlier keystroke, before or after


async def test_enter_before_the_results_goes_to_them_when_they_come(
    installed: Layout,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held = Held(monkeypatch, free=None)  # every query waits, the last one too
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, app)
        await pilot.press(*WORD, "enter")
        screen = app.screen
        assert screen.query_one(Input).has_focus and screen.hits == []
        held.release.set()
        results = screen.query_one(HitList)
        await wait_for(pilot, lambda: results.has_focus)
        assert results.highlighted == 0 and screen.hits == app.session.search(WORD)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert app.screen.current == "intro"


async def test_emptying_the_field_empties_the_results(installed: Layout) -> None:  # noqa: F811
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, app)
        await pilot.press(*"point")
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.hits) == 2)  # "- first point", "- second point"
        await pilot.press(*["backspace"] * 5)
        assert screen.hits == [] and screen.query_one(HitList).row_count == 0
        assert str(screen.query_one("#search-count").render()) == ""
        await pilot.press(*"zzz")
        await wait_for(pilot, lambda: str(screen.query_one("#search-count").render()) == "Nothing found.")


async def test_typing_fast_on_the_2000_lesson_course(
    layout: Layout,  # noqa: F811
    tmp_path: Path,
    shown: list[tuple[str, list[Any]]],
) -> None:
    """No holding here: the real index of the benchmark's pack, keys as fast as Pilot
    sends them; the last results shown are the last query's."""
    from packages.install import install
    from tests.support.genpack import generate_pack

    install(layout, str(generate_pack(tmp_path / "big", lessons=2000, questions=0)), quiet=True)
    app = make_app(layout, course_id="big-course")
    query = "number 42"
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, app)
        await pilot.press(*query)
        expected = app.session.search(query)
        assert len(expected) == 18  # lesson 42's body lines (later lessons holding "42" are locked)
        await wait_for(pilot, lambda: shown and shown[-1][0] == query)
        for _ in range(5):
            await pilot.pause(0.05)
        assert shown[-1] == (query, expected) and app.screen.hits == expected
        assert all(value == query[: len(value)] for value, _ in shown)
