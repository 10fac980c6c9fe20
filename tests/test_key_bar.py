"""Pilot tests of the key bar (tui/widgets/key_bar.py), the bottom line of every screen.

It replaced Textual's Footer, so these check what the Footer gave for free: the keys
that work on this screen, remapped keys shown as remapped, a click that presses the
key, and the command palette on the right only when it fits. The real app runs on the
pack of tests/test_tui.py; nothing is faked.
"""

from __future__ import annotations

from typing import Any

from packages.layout import Layout
from tests.test_tui import SIZE, events, installed, layout, make_app, screen_name, shown, submit, wait_for  # noqa: F401
from tui.widgets.key_bar import KeyBar


async def open_screen(app: Any, pilot: Any, name: str = "CourseScreen") -> KeyBar:
    await wait_for(pilot, lambda: screen_name(app) == name)
    await pilot.pause()
    return app.screen.query_one(KeyBar)


def bottom_row(app: Any) -> str:
    """The last row of the terminal as composed (what a learner sees), not the widget's
    own idea of it: a bar that docked elsewhere or was covered would not show here."""
    return app.screen._compositor.render_strips()[-1].text


def span_of(bar: KeyBar, key: str) -> tuple[int, int]:
    """Columns [start, end) of the entry pressing `key`, as the bar laid it out."""
    for start, end, span_key, _enabled in bar._spans:
        if span_key == key:
            return start, end
    raise AssertionError(f"{key!r} is not in the bar: {bar._spans}")


async def click_entry(pilot: Any, bar: KeyBar, key: str) -> None:
    start, end = span_of(bar, key)
    assert await pilot.click(KeyBar, offset=((start + end) // 2, 0))


# ------------------------------------------------------------------------ course screen


async def test_course_keys_on_the_last_row(installed: Layout) -> None:
    """The course keys a learner needs first are on the bottom row, each entry whole."""
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        bar = await open_screen(app, pilot)
        width, height = SIZE
        assert (bar.region.y, bar.region.width) == (height - 1, width)
        for x in (0, width // 2, width - 1):
            assert app.screen.get_widget_at(x, height - 1)[0] is bar
        text = bar.render().plain
        row = bottom_row(app)
        assert row.rstrip() == text.rstrip()
        for entry in (" n Next ", " p Prev ", " ^q Quit ", " ? Help "):
            assert entry in row
        shown, _palette = bar.shown_keys()
        described = {description: (key, display) for key, display, description, _enabled in shown}
        assert described["Next"] == ("n", "n") and described["Prev"] == ("p", "p")
        assert described["Quit"] == ("ctrl+q", "^q") and described["Help"] == ("question_mark", "?")
        assert "Down" not in described and "Sync now" not in described  # show=False keys stay out
        assert described["Back"] == ("escape", "esc")  # how to go back is always on the bar
        # every entry is whole: none runs past the right edge
        assert all(end <= width for _start, end, _key, _enabled in bar._spans)


async def test_clicking_next_and_prev_works_like_the_keys(installed: Layout) -> None:
    """A click on "Next" moves on and marks the lesson done, exactly as `n` does."""
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        bar = await open_screen(app, pilot)
        screen = app.screen
        assert screen.current == "intro"
        await click_entry(pilot, bar, "n")
        await wait_for(pilot, lambda: screen.current == "all-types")
        assert app.session.status("intro").status == "done"
        assert any(
            e["type"] == "lesson_completed" and e["item_id"] == "intro" for e in events(installed, app.learner.id)
        )
        await click_entry(pilot, bar, "p")
        await wait_for(pilot, lambda: screen.current == "intro")
        assert screen_name(app) == "CourseScreen"


async def test_remapped_keys_show_as_remapped(installed: Layout) -> None:
    """The bar reads the bindings in force, so `[keys]` in config.toml shows there too,
    and a click presses the remapped key. (Keys of the same width as the defaults: at
    80 columns the default bar is full; see the xfail test below.)"""
    installed.config_file.write_text('[keys]\n"course.next" = "N"\n"app.help" = "H"\n', encoding="utf-8")
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        bar = await open_screen(app, pilot)
        row = bottom_row(app)
        assert " N Next " in row and " H Help " in row
        assert " n Next " not in row and " ? Help " not in row
        assert " p Prev " in row and " ^q Quit " in row  # the others are unchanged
        assert row.index(" N Next ") < row.index(" p Prev ") < row.index(" H Help ")  # places kept
        assert all(end <= SIZE[0] for _start, end, _key, _enabled in bar._spans)
        await click_entry(pilot, bar, "N")
        await wait_for(pilot, lambda: app.screen.current == "all-types")


async def test_documented_remap_still_fits_80_columns(installed: Layout) -> None:
    """The example of docs/tui.md, verbatim, on an 80-column terminal: every entry stays
    whole and in its place (the bar drops the padding before each key only when the
    padded entries would not fit)."""
    installed.config_file.write_text(
        '[keys]\n"course.next" = "ctrl+n"\n"course.previous" = "ctrl+b,p"\n', encoding="utf-8"
    )
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        bar = await open_screen(app, pilot)
        row = bottom_row(app)
        assert row.startswith(" ^n Next  ^b Prev ")  # order kept
        for _key, display, description, _enabled in bar.shown_keys()[0]:
            assert f"{display} {description} " in row  # no entry cut in half or lost
        assert all(end <= SIZE[0] for _start, end, _key, _enabled in bar._spans)


async def test_command_palette_entry_only_when_it_fits(installed: Layout) -> None:
    """At 120 columns "^p Command palette" sits at the right end; at 80 there is no room
    and it is left out rather than cut in half."""
    for width in (120, 80):
        app = make_app(installed, course_id="tui-test")
        async with app.run_test(size=(width, 24)) as pilot:
            bar = await open_screen(app, pilot)
            _shown, palette = bar.shown_keys()
            assert palette is not None and palette[:2] == ("ctrl+p", "^p")
            row = bottom_row(app)
            assert len(row) == width
            keys = [key for _start, _end, key, _enabled in bar._spans]
            if width == 120:
                assert row.endswith(" ^p Command palette ")
                assert keys[-1] == "ctrl+p" and span_of(bar, "ctrl+p")[1] == width
                assert " g Progress " in row  # the palette took only spare room
                await click_entry(pilot, bar, "ctrl+p")
                await wait_for(pilot, lambda app=app: screen_name(app) == "CommandPalette")
            else:
                assert "ctrl+p" not in keys
                assert "^p" not in row and "palette" not in row and "Command" not in row
                assert all(end <= width for _start, end, _key, _enabled in bar._spans)


# ------------------------------------------------------------------------ quiz screen


async def test_quiz_screen_shows_submit_and_hint(installed: Layout) -> None:
    """Each screen has its own bar: the quiz's keys there, the course's back on the course."""
    app = make_app(installed, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot)
        await pilot.press("l", "enter")  # focus the panel, then "Start the quiz"
        bar = await open_screen(app, pilot, "QuizScreen")
        row = bottom_row(app)
        assert " ^s Submit " in row and " h Hint " in row
        assert " n Next " not in row  # the course's keys do not leak into the quiz
        descriptions = [description for _key, _display, description, _enabled in bar.shown_keys()[0]]
        assert descriptions[:2] == ["Submit", "Hint"]
        # a click on "Hint" shows the hint of the focused question (the first)
        hint = app.screen.query_one("#q-1 .hint")
        assert "Not A." not in shown(hint)
        await click_entry(pilot, bar, "h")
        await wait_for(pilot, lambda: "Not A." in shown(hint))
        # back on the course screen its own bar shows the course keys again
        await pilot.press("escape")
        await open_screen(app, pilot)
        assert " n Next " in bottom_row(app) and "Submit" not in bottom_row(app)


async def test_quiz_bar_follows_what_works_now(installed: Layout) -> None:
    """In a text field `h` would type an "h": the bar shows F2 for the hint there, and
    keys that would only type (g, y) are not offered. Retry is dimmed until there is a
    result, Hint after it."""
    app = make_app(installed, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot)
        await pilot.press("l", "enter")
        bar = await open_screen(app, pilot, "QuizScreen")

        def entry(description: str) -> tuple[str, bool]:
            for _key, display, desc, enabled in bar.shown_keys()[0]:
                if desc == description:
                    return display, enabled
            raise AssertionError(f"{description!r} not in {bar.shown_keys()[0]}")

        assert entry("Hint") == ("h", True) and entry("Retry")[1] is False
        field = app.screen.query("Input").first()
        field.focus()
        await pilot.pause()
        assert entry("Hint") == ("f2", True)
        assert entry("Submit")[1] is True
        assert "Progress" not in [d for _k, _disp, d, _e in bar.shown_keys()[0]]
        row = bottom_row(app)
        assert " h Hint " not in row and "Hint" in row
        await submit(pilot, app)  # incomplete: "Submit" chosen in the question that asks first
        await pilot.pause()
        assert entry("Retry")[1] is True and entry("Hint")[1] is False
