"""The search dialog's results list (tui/widgets/hit_list.py) through Textual's Pilot, in
the real app: keys and the mouse move the highlight and open the hit chosen at its line,
a new query replaces the rows, 200 hits scroll with only the lines on screen rendered,
and hostile course text reaches the terminal cleaned.

The pack: tests/support/genpack.py's, 20 lessons in one open module, each rewritten to
18 short body lines ("Point N with *emphasis*." with N = lesson * 1000 + line), so
"emphasis" finds 200 hits (the index's limit), each shown whole, and hit k is lesson
k // 18, point 1000 * (k // 18) + k % 18, at line k % 18 + 3 of its lesson.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from packages.layout import Layout
from tests.test_tui import layout, make_app, screen_name, wait_for  # noqa: F401 (fixtures)
from tui.widgets.hit_list import HitList, HitRow, wrap, wrap_rows

ID = "big-course"
SIZE = (80, 24)
PAGE = 6  # hits in the list at 80x24: height 14, less the border, two lines each
BODY = 18  # body lines per lesson


def point(k: int) -> int:
    return 1000 * (k // BODY) + k % BODY


def short_lines_pack(root: Path) -> Path:
    from tests.support.genpack import generate_pack

    src = generate_pack(root, lessons=20, questions=0)
    for lesson in range(20):
        body = [f"Point {lesson * 1000 + j} with *emphasis*." for j in range(BODY)]
        (src / "lessons" / f"l{lesson:05d}.md").write_text("\n".join([f"# Lesson {lesson}", "", *body]) + "\n")
    return src


@pytest.fixture
def pack(layout: Layout, tmp_path: Path) -> Layout:  # noqa: F811
    from packages.install import install

    install(layout, str(short_lines_pack(tmp_path / "src")), quiet=True)
    return layout


@pytest.fixture
def chosen(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the search dialog handed the course screen: (item id, line) or None."""
    from tui.screens.course import CourseScreen

    log: list[Any] = []
    real = CourseScreen._search_done

    def done(screen: Any, hit: Any) -> None:
        log.append(hit)
        real(screen, hit)

    monkeypatch.setattr(CourseScreen, "_search_done", done)
    return log


async def search(pilot: Any, app: Any, query: str) -> HitList:
    """`/`, type `query`, wait for its results; the list (not focused)."""
    if screen_name(app) != "SearchScreen":
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("slash")
        await wait_for(pilot, lambda: screen_name(app) == "SearchScreen")
    screen = app.screen
    screen.query_one(Input).value = ""
    await pilot.press(*query)
    expected = app.session.search(query)
    await wait_for(pilot, lambda: screen.hits == expected and screen._shown == screen._serial)
    await pilot.pause()
    return screen.query_one(HitList)


def screen_text(app: Any) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def list_lines(hits: HitList) -> list[str]:
    """The list's lines as on screen (inside its border and padding), down to the last
    that is not blank (the list keeps its height: blank lines below fewer hits)."""
    region = hits.scrollable_content_region
    rows = [strip.text for strip in hits.app.screen._compositor.render_strips()]
    lines = [rows[y][region.x : region.right].rstrip() for y in range(region.y, region.bottom)]
    while lines and not lines[-1]:
        lines.pop()
    return lines


async def test_keys_move_the_highlight_and_enter_opens_that_hit_at_its_line(pack: Layout, chosen: list[Any]) -> None:
    app = make_app(pack, course_id=ID)
    async with app.run_test(size=SIZE) as pilot:
        hits = await search(pilot, app, "emphasis")
        assert hits.row_count == 200 and hits.highlighted == 0
        await pilot.press("enter")  # from the field to the results
        assert hits.has_focus
        moves = [
            ("down", 1),
            ("down", 2),
            ("up", 1),
            ("up", 0),
            ("up", 199),  # from the first to the last, as OptionList did
            ("down", 0),  # and back round
            ("pagedown", PAGE),
            ("pagedown", 2 * PAGE),
            ("pageup", PAGE),
            ("end", 199),
            ("pagedown", 199),
            ("home", 0),
            ("pageup", 0),
        ]
        for key, where in moves:
            await pilot.press(key)
            assert hits.highlighted == where, (key, hits.highlighted, where)
        await pilot.press(*["down"] * 20)  # hit 20: lesson 1, its third body line (line 5)
        await pilot.pause()
        highlighted = [line for line in list_lines(hits) if "Point 1002 with emphasis." in line]
        assert highlighted, list_lines(hits)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert chosen == [("lesson-00001", 5)]
        assert app.screen.current == "lesson-00001"
        lesson = app.screen.query_one("#lesson")
        await pilot.pause()
        shown = " ".join(lesson.rendered_text(int(lesson.scroll_y), lesson.size.height).split())
        assert "Point 1002 with emphasis." in shown


async def test_200_hits_scroll_and_only_the_lines_on_screen_are_rendered(pack: Layout) -> None:
    app = make_app(pack, course_id=ID)
    async with app.run_test(size=SIZE) as pilot:
        hits = await search(pilot, app, "emphasis")
        assert hits.virtual_size.height == 400 and hits.content_region.height == 2 * PAGE
        assert hits.vertical_scrollbar.window_virtual_size == 400
        first = list_lines(hits)
        assert first[:4] == ["Lesson 0", "  Point 0 with emphasis.", "Lesson 0", "  Point 1 with emphasis."]
        assert first[-1] == "  Point 5 with emphasis."
        await pilot.press("enter", "end")
        await pilot.pause()
        assert hits.highlighted == 199 and hits.scroll_offset.y == 400 - 2 * PAGE
        last = list_lines(hits)
        assert last[-2:] == ["Lesson 11", f"  Point {point(199)} with emphasis."]
        assert last[1] == f"  Point {point(194)} with emphasis."
        # only what has been on screen was rendered: the first page and the last
        rendered = {line for line, _width, _style in hits._strips}
        assert rendered <= set(range(2 * PAGE)) | set(range(400 - 2 * PAGE, 400)), sorted(rendered)
        hits.scroll_to(y=200, animate=False, immediate=True)  # the wheel or the scrollbar: no cursor move
        await pilot.pause()
        assert list_lines(hits)[1] == f"  Point {point(100)} with emphasis." and hits.highlighted == 199


async def test_a_new_query_replaces_the_rows_and_never_lays_the_dialog_out(
    pack: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.screen import Screen

    layouts: list[str] = []  # screens laid out again while typing
    real = Screen._refresh_layout

    def counted(screen: Any, *args: Any, **kwargs: Any) -> None:
        layouts.append(type(screen).__name__)
        real(screen, *args, **kwargs)

    app = make_app(pack, course_id=ID)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, app, "e")  # the dialog open and laid out
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        hits = await search(pilot, app, "emphasis")
        await pilot.press("enter", "end")
        assert hits.scroll_offset.y > 0 and hits.region.height == 2 * PAGE + 2
        # fewer hits, still more than a page: the list keeps its height, rows and scrollbar follow
        app.screen.query_one(Input).focus()
        hits = await search(pilot, app, "point 50")
        assert hits.row_count == 18 and hits.highlighted == 0 and hits.scroll_offset.y == 0
        assert hits.vertical_scrollbar.window_virtual_size == 36 and hits.region.height == 2 * PAGE + 2
        lines = list_lines(hits)
        assert lines[:2] == ["Lesson 5", "  Point 5000 with emphasis."] and lines[-1] == "  Point 5005 with emphasis."
        assert "18 results" in screen_text(app)
        # one hit: the list keeps its height, blank below it
        hits = await search(pilot, app, "point 5007")
        assert hits.row_count == 1 and hits.region.height == 2 * PAGE + 2
        assert list_lines(hits) == ["Lesson 5", "  Point 5007 with emphasis."]
        assert "1 result" in screen_text(app) and "Point 5000" not in screen_text(app)
        # and fills again
        hits = await search(pilot, app, "emphasis")
        assert hits.row_count == 200 and hits.region.height == 2 * PAGE + 2
        assert list_lines(hits)[1] == "  Point 0 with emphasis." and "200 results" in screen_text(app)
        # nothing found: no rows at all
        hits = await search(pilot, app, "zzz")
        assert hits.row_count == 0 and hits.highlighted is None and "Nothing found." in screen_text(app)
        assert hits.region.height == 2 * PAGE + 2
        # Results came and went, the count under the list changed: the dialog (and the course
        # screen under it) never laid out again, only the list and the words repainted.
        assert layouts == []
        await pilot.press("down", "enter")  # nothing to go to or open
        assert screen_name(app) == "SearchScreen" and app.screen.query_one(Input).has_focus


async def test_a_click_opens_the_hit_under_the_mouse(pack: Layout, chosen: list[Any]) -> None:
    app = make_app(pack, course_id=ID)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, app, "point 30")
        # the list's first line is under its top border: hit 1's line is its fourth
        await pilot.click("#results", offset=(10, 4))
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert chosen == [("lesson-00003", 4)]  # "Point 3001", lesson 3's second body line


async def test_hostile_course_text_reaches_the_terminal_cleaned(layout: Layout, tmp_path: Path) -> None:  # noqa: F811
    from packages.install import install
    from tests.support.genpack import generate_pack

    src = generate_pack(tmp_path / "src", lessons=20, questions=0)
    toml = src / "course.toml"
    toml.write_text(
        toml.read_text().replace(
            'title = "Lesson 1"', 'title = "Lesson \\u202eevil\\u001b[31m red \\u001b]0;pwned\\u0007one"'
        )
    )
    (src / "lessons" / "l00001.md").write_text(
        "# Lesson 1\n\nA trap \x1b[2J\x1b]0;pwned\x07 here \u202eesrever\u2066 and \x9b31m **more** hostile words.\n",
        encoding="utf-8",
    )
    install(layout, str(src), quiet=True)
    app = make_app(layout, course_id=ID)
    async with app.run_test(size=SIZE) as pilot:
        hits = await search(pilot, app, "hostile")
        assert hits.rows == [HitRow("Lesson evil red one", "A trap here esrever and more hostile words.")]
        lines = list_lines(hits)
        assert lines == ["Lesson evil red one", "  A trap here esrever and more hostile words."]
        text = "".join(seg.text for strip in app.screen._compositor.render_strips() for seg in strip)
        for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "pwned", "**"):
            assert bad not in text, repr(bad)


async def test_long_lines_wrap_whole_at_the_lists_width(
    layout: Layout,  # noqa: F811
    tmp_path: Path,
    chosen: list[Any],
) -> None:
    """As OptionList showed them: a title or line longer than the list goes on over more
    lines (wrapped as if the scrollbar showed, so that it coming or going never wraps
    them again); the hits under it move down, and the keys and the mouse follow."""
    from packages.install import install

    src = short_lines_pack(tmp_path / "src")
    words = " ".join(f"word{n}" for n in range(12))
    (src / "lessons" / "l00002.md").write_text(
        "# Lesson 2\n\nPoint 2000 with *emphasis* and some more words to go past the edge, the end.\n"
        "Point 2001 with *emphasis*.\n"
    )
    toml = src / "course.toml"
    toml.write_text(toml.read_text().replace('title = "Lesson 2"', f'title = "Lesson 2 {words}"'))
    install(layout, str(src), quiet=True)
    app = make_app(layout, course_id=ID)
    async with app.run_test(size=(60, 24)) as pilot:
        hits = await search(pilot, app, "point 200")
        width = hits.scrollable_content_region.width
        assert hits.wrap_width == width  # beside the scrollbar, always there
        assert list_lines(hits) == [
            "Lesson 2 word0 word1 word2 word3 word4 word5",
            "word6 word7 word8 word9 word10 word11",
            "  Point 2000 with emphasis and some more",
            "words to go past the edge, the end.",
            "Lesson 2 word0 word1 word2 word3 word4 word5",
            "word6 word7 word8 word9 word10 word11",
            "  Point 2001 with emphasis.",
        ]
        assert all(len(line) <= hits.wrap_width for line in hits.lines_text())
        before = list_lines(hits)
        await pilot.resize_terminal(80, 24)  # wider: wrapped again, here
        await pilot.pause()
        assert hits.wrap_width == hits.scrollable_content_region.width > width
        after = list_lines(hits)
        assert after[:2] == ["Lesson 2 word0 word1 word2 word3 word4 word5 word6 word7 word8", "word9 word10 word11"]
        assert " ".join(after).split() == " ".join(before).split() and len(after) <= len(before)
        await pilot.press("enter", "down")
        assert hits.highlighted == 1
        await pilot.click("#results", offset=(5, 4))  # the list's line 3 (under its border): hit 0's last
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert chosen == [("lesson-00002", 3)]


def test_rows_wrap_only_what_is_too_long() -> None:
    short, long = HitRow("Title", "a line"), HitRow("A long title " * 3, "words " * 10)
    assert short.lines(20) == ("Title", "  a line") and short.lines(0) == ("Title", "  a line")
    assert all(len(line) <= 20 for line in long.lines(20)) and len(long.lines(20)) == 6
    assert " ".join(long.lines(20)).split() == (long.title + long.line).split()
    wrapped = wrap_rows([short, long, short], 20)
    assert wrapped.starts == [0, 2, 8, 10] and wrapped.lines[1] == long.lines(20)


def test_wrap_breaks_at_spaces_keeps_no_break_spaces_and_cuts_what_is_wider_than_a_line() -> None:
    assert wrap("  short", 20) == ["  short"] and wrap("  no limit at all", 0) == ["  no limit at all"]
    assert wrap("  one two three four five", 12) == ["  one two", "three four", "five"]
    french = "  Appuyez sur la touche\u00a0? pour l'aide\u00a0: c'est tout"
    for width in range(10, 40):  # every word fits on a line
        lines = wrap(french, width)
        assert all(len(line) <= width for line in lines), (width, lines)
        assert not any(line.startswith(("?", ":", "\u00a0")) for line in lines), (width, lines)
        assert " ".join(lines).split() == french.split()
    assert wrap("  " + "x" * 25, 10) == ["  xxxxxxxx", "xxxxxxxxxx", "xxxxxxx"]  # the indent kept, then cut
    assert wrap("日本語のテキスト " * 3, 9) == ["日本語の", "テキスト"] * 3  # two cells a character
