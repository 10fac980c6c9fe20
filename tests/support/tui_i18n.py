"""Driving `mooc play` in another language, for tests/test_i18n_tui*.py.

Every string tui/ shows is translated where it is shown (keymap descriptions too:
the key bar and the help screen call `_()` on them), so one pytest process can run the
real app in English, French or the pseudo-locale by `packages.i18n.use_language`.
The screens are the ones locked in as English SVG snapshots (tests/test_snapshots.py
SHOTS), on the same pack with every question type, reached by the same keys.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from tests.test_snapshots import SHOTS, Shot, _ada_read_a_lesson, _name_an_lrs, name, settle, until

REPO = Path(__file__).resolve().parent.parent.parent
DEMO = REPO / "packages" / "demo_course"


async def palette_open(pilot: Any) -> None:
    """The palette as it opens (every command listed): typing English into it would
    only find nothing in another language."""
    await until(pilot, lambda: name(pilot) == "CourseScreen")
    await settle(pilot)
    await pilot.press("ctrl+p")
    await until(pilot, lambda: name(pilot) == "CommandPalette")
    await pilot.pause(0.5)
    await settle(pilot)


async def palette_nothing(pilot: Any) -> None:
    """The palette when nothing matches what was typed."""
    await palette_open(pilot)
    await pilot.press(*"zqzq")
    await pilot.pause(1.0)  # past Textual's own "no matches" delay (0.5 s): it must not show
    await settle(pilot)


async def library_ready(pilot: Any) -> None:
    """The library with the figures of every course it lists (in French, mooc also lists
    its French demo course once that has landed: the count is not fixed)."""
    await until(
        pilot,
        lambda: (
            name(pilot) == "LibraryScreen"
            and bool(pilot.app.screen.courses)
            and len(pilot.app.screen.stats) == len(pilot.app.screen.courses)
        ),
    )
    await settle(pilot)


async def class_ready(pilot: Any) -> None:
    await library_ready(pilot)
    await pilot.press("c")
    await until(
        pilot,
        lambda: name(pilot) == "ClassScreen" and "Ada" in str(pilot.app.screen.query_one("#class-report").render()),
    )
    await settle(pilot)


async def toasts(pilot: Any) -> None:
    """The library's and a course's one-line messages: progress with no course open, the
    first item's `p`, marking a lesson done, sync not set up."""
    await library_ready(pilot)
    await pilot.press("g")
    tui_test = next(n for n, course in enumerate(pilot.app.screen.courses) if course.id == "tui-test")
    pilot.app.screen.query_one("#courses").highlighted = tui_test
    await pilot.press("enter")
    await until(pilot, lambda: name(pilot) == "CourseScreen")
    await pilot.press("p", "d", "d", "y")
    await until(pilot, lambda: len(pilot.app._notifications) >= 5)
    await settle(pilot)


SCREENS: dict[str, Shot] = {
    **SHOTS,
    "library": Shot(None, None, library_ready),
    "class": Shot(None, None, class_ready),
    "palette": Shot("tui-test", "intro", palette_open),
    "palette-nothing": Shot("tui-test", "intro", palette_nothing),
    "toasts": Shot(None, None, toasts),
}


def prepare(shot: str, home: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """What tests/test_snapshots.py's test_screen sets up before each shot."""
    from player.learners import Learners

    if shot == "learner-picker":
        Learners(home).add("Grace")
    if shot == "class":
        _ada_read_a_lesson(home, monkeypatch)
    if shot == "pin":
        from player.pin import hash_pin

        Learners(home).add("Grace", pin=hash_pin("1357"))
    if shot == "consent":
        monkeypatch.setenv("MOOC_NO_SYNC", "0")
        monkeypatch.setattr("sync.worker.SyncWorker.start", lambda self, on_status=None: self)
        _name_an_lrs(home)


def screen_rows(app: Any) -> list[str]:
    """The terminal's rows as composed: what a learner sees of the top screen."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


# Widgets that show only the course's own text (lesson, outline, prompts, options,
# search snippets): blanked before looking for English, which there is the author's.
COURSE_TEXT = ("LessonView", "OutlineView", ".prompt", ".answer", "#results")


def rows_without_course_text(app: Any) -> list[str]:
    """`screen_rows` with the course text widgets blanked, cell for cell (wide characters
    too): the top screen's, and under a dialog those of the screen below where the
    dialog does not cover them."""
    from textual.strip import Strip

    strips = app.screen._compositor.render_strips()
    width = max((strip.cell_length for strip in strips), default=0)
    top = [w.region for sel in COURSE_TEXT for w in app.screen.query(sel) if w.display]
    below: list[Any] = []
    covers: list[Any] = []
    if app.screen.is_modal and len(app.screen_stack) > 1:
        below = [w.region for sel in COURSE_TEXT for w in app.screen_stack[-2].query(sel) if w.display]
        covers = [w.region for w in app.screen.query("*") if w.display and w.region.area]
    out = []
    for y, strip in enumerate(strips):
        spans = [(r.x, r.right) for r in top if r.y <= y < r.bottom]
        over = [(c.x, c.right) for c in covers if c.y <= y < c.bottom]
        for r in below:
            if r.y <= y < r.bottom:
                spans += _minus((r.x, r.right), over)
        for x0, x1 in spans:
            x0, x1 = max(0, x0), min(width, x1)
            if x1 > x0:
                strip = Strip.join([strip.crop(0, x0), Strip.blank(x1 - x0), strip.crop(x1, width)])
        out.append(strip.text)
    return out


def _minus(span: tuple[int, int], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `span` outside every hole."""
    parts = [span]
    for h0, h1 in holes:
        parts = [piece for a, b in parts for piece in ((a, min(b, h0)), (max(a, h1), b)) if piece[1] > piece[0]]
    return parts


def course_text(layout: Layout) -> tuple[list[str], set[str]]:
    """What the installed courses say themselves, shown outside COURSE_TEXT widgets too:
    their titles (exact phrases: the course, its modules, items and quizzes) and the
    words of their summaries and of their lessons' link texts (the links dialog)."""
    from packages.safe_text import one_line
    from packages.store import Store

    store = Store(layout)
    phrases: list[str] = []
    words: set[str] = set()
    roots: list[Path] = []
    for summary in store.list():
        course, source = store.load(summary.id)
        roots.append(Path(getattr(source, "root", DEMO)))
        words.update(re.findall(r"[A-Za-z][A-Za-z']+", one_line(course.summary)))
        phrases.append(one_line(course.title))
        for module in course.modules:
            phrases.append(one_line(module.title))
        for item in course.items():
            phrases.append(one_line(item.title))
            if item.quiz is not None:
                phrases.append(one_line(item.quiz.title))
    for folder in roots:
        for path in folder.rglob("*.md"):
            for text in re.findall(r"!?\[([^\]\n]*)\]\(", path.read_text(encoding="utf-8")):
                words.update(re.findall(r"[A-Za-z][A-Za-z']+", text))
    # a title cut at the right edge (the status line's course, at 80 columns) shows
    # its first words only
    cut = [" ".join(title.split()[:n]) for title in phrases for n in range(2, len(title.split()))]
    return phrases + cut, words
