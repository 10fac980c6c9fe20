"""What a screen asks of the app, as Textual messages (the way Textual's own widgets talk).

A screen posts one of these to itself; it bubbles Screen -> App, where `MoocApp`
acts on it in its `on_mooc_*` handler. So screens never import tui/app.py (the app
imports them), and what a screen needs from the app (the store, the layout) is
given to its constructor. The "mooc" namespace keeps the handler names apart from
Textual's own (`on_ready` is Textual's `events.Ready`).
"""

from __future__ import annotations

import time
from typing import Any

from textual.message import Message


class Say(Message, namespace="mooc"):
    """Tell the learner something in a toast (`MoocApp.say`): never markup, red when an error.

    The messages here are plain classes, not dataclasses: `mooc play` defines them before
    its first screen, and a dataclass costs ~0.5 ms to define (docs/tui.md)."""

    def __init__(self, text: str, error: bool = False, timeout: float = 5) -> None:
        super().__init__()
        self.text = text
        self.error = error
        self.timeout = timeout


class Ready(Message, namespace="mooc"):
    """The first interactive screen is up (`MoocApp.mark_ready`): work that can wait starts now.
    Post it once the screen is painted: `at` is then when it was (the benchmarks' "ready",
    measured at the same point as their minimal app's; the app reads this a moment later)."""

    def __init__(self) -> None:
        super().__init__()
        self.at = time.time()


class StatusChanged(Message, namespace="mooc"):
    """The course open on the screen now shown changed (None: no course, the library):
    the app keeps it as `session` and redraws every status bar."""

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session  # player.session.CourseSession, or None


class BackToLibrary(Message, namespace="mooc"):
    """Leave the course screen for the library (`MoocApp.back_to_library`)."""


class OpenCourse(Message, namespace="mooc"):
    """Open this installed course on its course screen (`MoocApp.open_course`)."""

    def __init__(self, course_id: str) -> None:
        super().__init__()
        self.course_id = course_id
