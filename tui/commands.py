"""The command palette (ctrl+p): mooc's actions, installed courses and the open course's items.

Curated, as posting and harlequin do: the app lists only this provider, so Textual's
own Keys/Maximize/Screenshot/Theme commands are not mixed in with the learner's."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeGuard

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from packages.i18n import N_, _
from packages.safe_text import one_line

ITEM_KINDS = {"lesson": N_("lesson"), "quiz": N_("quiz")}

if TYPE_CHECKING:
    from tui.screens.course import CourseScreen


class MoocCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app: Any = self.app
        found: list[tuple[str, Callable[[], Any], str]] = [
            (_("Help: every key"), app.action_help, _("Every key, what it does and where")),
            (_("Progress"), app.action_progress, _("Scores, attempts and certificate for the open course")),
            (_("Sync now"), app.action_sync_now, _("Send your progress to the learning record store (asks first)")),
            (_("Switch learner"), app.action_switch_learner, _("Choose who is learning, or add a learner")),
            (_("Class report"), app.action_class_report, _("Every learner of this account: progress and quiz results")),
            (_("Quit"), app.action_quit, _("Leave mooc (your progress is saved as you go)")),
        ]
        try:
            courses = app.store.list()
        except Exception:  # the palette must open even when the store is damaged
            courses = []
        for course in courses:
            found.append(
                (
                    _("Open course: {title}").format(title=one_line(course.title)),
                    partial(app.open_course, course.id),
                    one_line(course.summary)[:80],
                )
            )
        screen = self.screen  # the screen the palette was opened from
        session = app.session
        if session is not None and _is_course_screen(screen):
            found += [
                (_("Search lessons"), screen.action_search, _("Find words in this course's lessons")),
                (_("Open links and media"), screen.action_open_media, _("The lesson's links, images and files")),
                (_("Mark lesson done"), screen.action_mark_done, _("Record the open lesson as done")),
                (_("Back to library"), screen.action_back, _("Every installed course")),
            ]
            for item in session.course.items():
                found.append(
                    (
                        _("Go to: {title}").format(title=one_line(item.title)),
                        partial(screen.open, item.id),
                        _("{kind} in {module}").format(
                            kind=_(ITEM_KINDS.get(item.kind, item.kind)),
                            module=one_line(session.course.module_of(item.id).title),
                        ),
                    )
                )
        return found

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        found = False
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                found = True
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        if not found:  # said here, in the reader's language (Textual's own line is English only)
            yield Hit(1.0, Text(_("No matches found"), style="dim"), _nothing)


def _nothing() -> None:
    """Choosing "No matches found" just closes the palette."""


def _is_course_screen(screen: Any) -> TypeGuard[CourseScreen]:
    from tui.screens.course import CourseScreen  # loaded already whenever a course is open

    return isinstance(screen, CourseScreen)
