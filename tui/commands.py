"""The command palette (ctrl+p): mooc's actions, installed courses and the open course's items.

Curated, as posting and harlequin do: the app lists only this provider, so Textual's
own Keys/Maximize/Screenshot/Theme commands are not mixed in with the learner's."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeGuard

from textual.command import DiscoveryHit, Hit, Hits, Provider

from packages.safe_text import one_line

if TYPE_CHECKING:
    from tui.screens.course import CourseScreen


class MoocCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app: Any = self.app
        found: list[tuple[str, Callable[[], Any], str]] = [
            ("Help: every key", app.action_help, "Every key, what it does and where"),
            ("Progress", app.action_progress, "Scores, attempts and certificate for the open course"),
            ("Sync now", app.action_sync_now, "Send your progress to the learning record store (asks first)"),
            ("Switch learner", app.action_switch_learner, "Choose who is learning, or add a learner"),
            ("Class report", app.action_class_report, "Every learner of this account: progress and quiz results"),
            ("Quit", app.action_quit, "Leave mooc (your progress is saved as you go)"),
        ]
        try:
            courses = app.store.list()
        except Exception:  # the palette must open even when the store is damaged
            courses = []
        for course in courses:
            found.append(
                (
                    f"Open course: {one_line(course.title)}",
                    partial(app.open_course, course.id),
                    one_line(course.summary)[:80],
                )
            )
        screen = self.screen  # the screen the palette was opened from
        session = app.session
        if session is not None and _is_course_screen(screen):
            found += [
                ("Search lessons", screen.action_search, "Find words in this course's lessons"),
                ("Open links and media", screen.action_open_media, "The lesson's links, images and files"),
                ("Mark lesson done", screen.action_mark_done, "Record the open lesson as done"),
                ("Back to library", screen.action_back, "Every installed course"),
            ]
            for item in session.course.items():
                found.append(
                    (
                        f"Go to: {one_line(item.title)}",
                        partial(screen.open, item.id),
                        f"{item.kind} in {one_line(session.course.module_of(item.id).title)}",
                    )
                )
        return found

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _is_course_screen(screen: Any) -> TypeGuard[CourseScreen]:
    from tui.screens.course import CourseScreen  # loaded already whenever a course is open

    return isinstance(screen, CourseScreen)
