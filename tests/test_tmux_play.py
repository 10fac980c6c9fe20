"""`mooc play` in a real terminal: tmux on a private socket, the installed command,
keys sent as a user types them, the screen read back with capture-pane."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import MOOC_BIN

@pytest.fixture
def tmux(mooc_home: Any) -> Iterator[Any]:
    socket = f"mooc-test-{os.getpid()}"

    def run(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10).stdout

    run.socket = socket  # type: ignore[attr-defined]
    yield run
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)


def wait_screen(tmux: Any, text: str, deadline_s: float = 20.0) -> str:
    end = time.monotonic() + deadline_s
    screen = ""
    while time.monotonic() < end:
        screen = tmux("capture-pane", "-p")
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} did not appear on screen; last screen:\n{screen}")


def test_mooc_play_in_tmux(tmux: Any, mooc_home: Any) -> None:
    env = f"MOOC_HOME={shlex.quote(str(mooc_home.home))} MOOC_SYSTEM_HOME={shlex.quote(str(mooc_home.system))}"
    command = f"env {env} TERM=xterm-256color {shlex.quote(str(MOOC_BIN))} play; sleep 30"
    tmux("new-session", "-d", "-x", "100", "-y", "30", command)
    wait_screen(tmux, "Who is learning?")  # the first start asks, the login name offered
    tmux("send-keys", "Enter")
    wait_screen(tmux, "Learning in the open")  # the library offers the demo course
    tmux("send-keys", "Enter")
    screen = wait_screen(tmux, "Welcome! This course does two jobs")  # the first lesson
    assert "Getting started" in screen  # outline beside the lesson
    tmux("send-keys", "n")
    wait_screen(tmux, "Start the quiz")
    tmux("send-keys", "?")
    wait_screen(tmux, "course.next")  # the help lists binding ids
    tmux("send-keys", "Escape")
    tmux("send-keys", "C-q")
    # the app quit: the pane now runs only the `sleep`, showing the shell's scrollback
    end = time.monotonic() + 10
    while time.monotonic() < end and "Start the quiz" in tmux("capture-pane", "-p"):
        time.sleep(0.1)
    assert "Start the quiz" not in tmux("capture-pane", "-p")
