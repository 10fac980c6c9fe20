"""The screens' frame timer after a pause (tui/frame_timer.py), and the steady input field
(tui/widgets/steady_input.py): what lets search results paint in the frame after the letter's.

The timer is driven on a clock of its own (textual._time's `get_time` and `sleep` replaced),
so these tests time nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual import _time
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.timer import EventTargetGone, Timer
from textual.widgets import Input, Static

from tui import frame_timer
from tui.widgets.steady_input import SteadyInput


def test_the_app_paces_textual_s_timers() -> None:
    """With the Textual mooc pins, the loop is replaced (if a new Textual changed its loop,
    this fails: look at the new loop, then at `_RUN_NAMES`)."""
    import tui.app  # noqa: F401  (pace_frames runs as the app's module loads)

    assert Timer._run is frame_timer._paced_run


def test_the_first_tick_ahead_not_the_one_after() -> None:
    # Ticks every 1.0 from 0; at 10.3 the last passed is 10, so the next is 11 (Textual 8: 12).
    assert frame_timer.first_tick_ahead(0.0, 10.3, 1.0, 2) == 10
    assert frame_timer.first_tick_ahead(0.0, 10.0, 1.0, 2) == 10  # on a tick: the next one is ahead
    assert frame_timer.first_tick_ahead(0.0, 2.5, 1.0, 3) == 4  # never backwards, always on


class _Clock:
    """A clock that moves only when the timer sleeps or a tick says how long it took."""

    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def _ticks(monkeypatch: pytest.MonkeyPatch, interval: float, took: list[float]) -> list[float]:
    """Run a skipping timer for len(took) ticks, tick n taking took[n] on the clock; the
    times its ticks were due."""
    clock = _Clock()
    monkeypatch.setattr(_time, "get_time", clock.time)
    monkeypatch.setattr(_time, "sleep", clock.sleep)
    due: list[float] = []

    async def tick(*, next_timer: float, count: int) -> None:
        assert clock.now >= next_timer  # never early
        due.append(next_timer)
        clock.now += took[len(due) - 1]
        if len(due) == len(took):
            raise EventTargetGone()

    timer = Timer(Static(), interval, skip=True)
    timer._tick = tick  # type: ignore[method-assign]
    timer._active.set()
    import asyncio

    asyncio.run(asyncio.wait_for(frame_timer._paced_run(timer), 5))
    return due


def test_after_a_long_frame_the_next_tick_is_the_first_one_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    # Frames every 1/60 s: the first at 1/60 takes 4.3 frames' time; the next is due at 6/60
    # (the first tick ahead of 5.3/60), not 7/60 as in Textual 8's loop.
    frame = 1 / 60
    due = _ticks(monkeypatch, frame, [4.3 * frame, 0.1 * frame, 0.1 * frame])
    assert [round(t / frame, 6) for t in due] == [1, 6, 7]


def test_an_interval_of_zero_ticks_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual 8's loop divides by the interval when it skips: a 0 s timer died there."""
    assert _ticks(monkeypatch, 0.0, [0.0, 0.5, 0.0]) == [0.0, 0.0, 0.0]


def test_another_loop_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    async def other_run(self: Timer) -> None:  # a Textual whose loop uses other names
        await self._active.wait()

    monkeypatch.setattr(Timer, "_run", other_run)
    assert frame_timer.pace_frames() is False
    assert Timer._run is other_run


class _Field(App[None]):
    def __init__(self, field: Input) -> None:
        super().__init__()
        self.field = field

    def compose(self) -> ComposeResult:
        yield Static("above")
        yield self.field


async def _layouts_while_typing(field: Input, text: str, monkeypatch: pytest.MonkeyPatch) -> int:
    layouts = [0]
    real = Screen._refresh_layout

    def counted(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts[0] += 1
        real(screen, *args, **kwargs)

    app = _Field(field)
    async with app.run_test(size=(40, 6)) as pilot:
        field.focus()
        await pilot.pause()
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await pilot.press(*text)
        await pilot.pause()
        assert field.value == text
        monkeypatch.setattr(Screen, "_refresh_layout", real)
    return layouts[0]


async def test_typing_in_a_steady_field_lays_nothing_out(monkeypatch: pytest.MonkeyPatch) -> None:
    assert await _layouts_while_typing(Input(), "words", monkeypatch) > 0  # Textual's: a layout a key
    assert await _layouts_while_typing(SteadyInput(), "words", monkeypatch) == 0


async def _scrolls(field: Input) -> list[tuple[int, int]]:
    """Where the field is scrolled to and its cursor is, typing past its width, then at
    the start, then at the end again; then in a narrower and a wider terminal."""
    seen = []
    app = _Field(field)
    async with app.run_test(size=(40, 6)) as pilot:
        field.focus()
        for keys in (["x"] * 60, ["home"], ["end"]):
            await pilot.press(*keys)
            await pilot.pause()
            seen.append((field.scroll_offset.x, field.cursor_screen_offset.x))
        for width in (30, 90):
            await pilot.resize_terminal(width, 6)
            await pilot.pause()
            await pilot.press("left")
            await pilot.pause()
            seen.append((field.scroll_offset.x, field.cursor_screen_offset.x))
        assert field.value == "x" * 60
    return seen


async def test_a_steady_field_scrolls_a_long_text_as_textual_s_does() -> None:
    steady = await _scrolls(SteadyInput())
    assert steady[0][0] > 0 and steady[1][0] == 0  # scrolled to the cursor at the end, then back
    assert steady == await _scrolls(Input())
