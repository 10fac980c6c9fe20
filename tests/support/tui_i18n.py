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


SCREENS: dict[str, Shot] = {**SHOTS, "palette": Shot("tui-test", "intro", palette_open)}


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


def course_words(*folders: Path) -> set[str]:
    """Every word of the courses' own files: course text is shown as the author wrote it."""
    words: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".md", ".toml", ".gift", ".txt", ".json"):
                words.update(re.findall(r"[A-Za-z][A-Za-z']+", path.read_text(encoding="utf-8", errors="replace")))
    return words
