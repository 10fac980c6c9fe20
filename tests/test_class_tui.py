"""The TUI's Class screen (`c`): the class report for whoever runs the player, through
Pilot and in a real terminal (tmux) at 80x24 with NO_COLOR."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MOOC_BIN, Homes
from tests.support.classroom import RIGHT, study, write_class_pack
from tests.support.pilot_wait import until_screen
from tests.test_tmux_play import wait_screen

WRONG = (0, False, "mean")
GREYS = set(range(232, 256))


@pytest.fixture
def classroom(mooc_home: Homes, tmp_path: Path) -> Any:
    from packages.install import install
    from packages.layout import Layout
    from player.learners import Learners

    layout = Layout(mooc_home.home, mooc_home.system)
    install(layout, str(write_class_pack(tmp_path / "pack")), quiet=True)
    learners = Learners(layout)
    learners.add("Amina Diallo", "amina@example.org")
    learners.add("Bola \x1b[31mAde\u202e")  # cleaned on the way in, and again on the way out
    learners.add("Chen")
    study(mooc_home.home, "amina-diallo", [WRONG, RIGHT], lessons=("one", "two"), seconds=300)
    study(mooc_home.home, "bola-ade", [WRONG])
    return layout


def _text(app: Any) -> str:
    return str(app.screen.query_one("#class-report").render())


async def test_class_screen_shows_the_report_of_this_account(classroom: Any) -> None:
    from tui.app import MoocApp

    app = MoocApp(layout=classroom, learner="chen")
    async with app.run_test(size=(80, 24)) as pilot:
        await until_screen(pilot, "LibraryScreen")
        await pilot.press("c")
        for _ in range(100):
            if type(app.screen).__name__ == "ClassScreen" and "Amina" in _text(app):
                break
            await pilot.pause(0.05)
        text = _text(app)
        assert "Statistics for the class (class-101 1.0.0)" in text
        assert "3 learners, 2 started, 1 passed" in text
        lines = text.splitlines()
        amina = next(line for line in lines if line.startswith("Amina Diallo"))
        assert "2/2" in amina and "100%" in amina and "can request" in amina
        assert any(line.startswith("Chen") and "not started" in line for line in lines)
        assert "\x1b" not in text and "\u202e" not in text
        assert "Bola Ade" in text and any("█" in line for line in lines)
        assert all(len(line) <= 78 for line in lines)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "LibraryScreen"


def test_class_screen_in_tmux_at_80x24_no_color(classroom: Any, mooc_home: Homes) -> None:
    socket = f"mooc-class-{os.getpid()}"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10).stdout

    env = (
        f"MOOC_HOME={shlex.quote(str(mooc_home.home))} MOOC_SYSTEM_HOME={shlex.quote(str(mooc_home.system))} "
        "NO_COLOR=1 MOOC_NO_SYNC=1 TERM=xterm-256color"
    )
    command = f"env {env} {shlex.quote(str(MOOC_BIN))} --learner chen play; sleep 30"
    try:
        tmux("new-session", "-d", "-x", "80", "-y", "24", command)

        def wait(text: str) -> str:
            return wait_screen(tmux, text)

        wait("Statistics for the class")  # the library
        tmux("send-keys", "c")
        screen = wait("Amina Diallo")
        assert "Class report: every learner of this account" in screen and "Lessons" in screen
        assert all(len(line) <= 80 for line in screen.splitlines())
        colored = tmux("capture-pane", "-p", "-e")  # with the escape codes tmux keeps
        # NO_COLOR: Textual draws in greys only, so nothing can rest on a hue
        codes = {int(n) for n in re.findall(r"\x1b\[(?:[0-9;]*;)?[34]8;5;([0-9]+)", colored)}
        assert codes and codes <= GREYS | {0, 7, 8, 15, 16, 231}, sorted(codes)
        assert ";38;2;" not in colored and "[38;2;" not in colored
        for _ in range(6):
            tmux("send-keys", "PageDown")
        screen = wait("Best scores")
        assert "█" in screen
        tmux("send-keys", "Escape")
        wait("Statistics for the class")
        tmux("send-keys", "C-q")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)
