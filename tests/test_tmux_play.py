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
    wait_screen(tmux, "Next item (marks lesson done)")  # the help lists every key
    tmux("send-keys", "Escape")
    tmux("send-keys", "C-q")
    # the app quit: the pane now runs only the `sleep`, showing the shell's scrollback
    end = time.monotonic() + 10
    while time.monotonic() < end and "Start the quiz" in tmux("capture-pane", "-p"):
        time.sleep(0.1)
    assert "Start the quiz" not in tmux("capture-pane", "-p")


def _consent_pack(root: Any) -> Any:
    """One lesson and a quiz with one text question; the pack names an LRS (loopback,
    where nobody listens), so opening it asks whether records may go there."""
    import tomli_w

    pack = root / "consent-pack"
    (pack / "lessons").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "lessons" / "a.md").write_text("# A\n\nRead me.\n", encoding="utf-8")
    quiz = {
        "title": "Words",
        "questions": [{"id": "w", "type": "text", "prompt": "Say yes and no", "answers": ["yes and no"]}],
    }
    (pack / "quizzes" / "q.toml").write_text(tomli_w.dumps(quiz), encoding="utf-8")
    course = {
        "format": 1,
        "id": "consent-test",
        "version": "1.0.0",
        "title": "Consent test",
        "sync": {"xapi_endpoint": "http://127.0.0.1:9/xapi/"},
        "modules": [
            {
                "id": "m",
                "title": "M",
                "items": [
                    {"id": "a", "kind": "lesson", "file": "lessons/a.md", "title": "A"},
                    {"id": "q", "kind": "quiz", "file": "quizzes/q.toml", "title": "Words"},
                ],
            }
        ],
    }
    (pack / "course.toml").write_text(tomli_w.dumps(course), encoding="utf-8")
    return pack


def test_typing_y_and_n_never_gives_consent(tmux: Any, mooc_home: Any, tmp_path: Any) -> None:
    """Issue 14: keys typed while the consent question is due never answer it. First the
    question as the course opens, with "yes no" and Enter typed at once; then, declined,
    an answer with y and n typed into a quiz while the background sync finds the
    unapproved host: the answer stays whole and nothing is approved."""
    from packages.install import install
    from packages.layout import Layout

    layout = Layout.default(mooc_home.home)
    install(layout, str(_consent_pack(tmp_path)), quiet=True)
    _learner_id(layout)  # a learner already: a first start would ask who is learning first
    env = f"MOOC_HOME={shlex.quote(str(mooc_home.home))} MOOC_SYSTEM_HOME={shlex.quote(str(mooc_home.system))}"
    command = f"env {env} TERM=xterm-256color {shlex.quote(str(MOOC_BIN))} play consent-test q; sleep 30"
    tmux("new-session", "-d", "-x", "80", "-y", "24", command)
    wait_screen(tmux, "Send your learning records?")
    tmux("send-keys", "-l", "yes no")
    tmux("send-keys", "Enter", "Space", "y")
    time.sleep(1.0)
    screen = tmux("capture-pane", "-p")
    assert "Send your learning records?" in screen  # still asked: no key answered it
    consent_file = layout.consent_file(_learner_id(layout))
    assert not consent_file.exists()
    tmux("send-keys", "Escape")  # "Not now"
    wait_screen(tmux, "Start the quiz")
    tmux("send-keys", "Enter")
    wait_screen(tmux, "Say yes and no")
    tmux("send-keys", "-l", "yes and no")
    screen = wait_screen(tmux, "not approved")  # the background sync found the host meanwhile
    time.sleep(0.5)
    screen = tmux("capture-pane", "-p")
    assert "yes and no" in screen and "Send your learning records?" not in screen
    tmux("send-keys", "C-q")
    end = time.monotonic() + 10
    while time.monotonic() < end and "Say yes and no" in tmux("capture-pane", "-p"):
        time.sleep(0.1)
    assert not consent_file.exists() or "127.0.0.1" not in consent_file.read_text(encoding="utf-8")


def _learner_id(layout: Any) -> str:
    from player.learners import Learners

    return Learners(layout).current(None).id
