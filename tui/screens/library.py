"""The library: every installed course (the bundled demo course when nothing else is).

Rows appear at once from the store's small summaries; progress, score and "last
studied" are filled in by a worker thread that folds each course's events, so a
large library never delays the first screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.safe_text import one_line
from tui import keymap
from tui.messages import OpenCourse, Ready, Say, StatusChanged
from tui.symbols import bar
from tui.widgets.key_bar import KeyBar
from tui.widgets.status_bar import StatusBar


@dataclass(frozen=True)
class CourseStats:
    done: int
    total: int
    score: float | None  # None: no graded quiz attempted
    threshold: float
    last_studied: datetime | None


class LibraryScreen(Screen[None]):
    DEFAULT_CSS = """
    #library-title { padding: 0 1; }
    #courses { height: 1fr; }
    #library-hint { padding: 0 1; color: $text-muted; }
    """
    BINDINGS = keymap.scope("library")

    def __init__(self, store: Any, layout: Any, current_learner: Callable[[], Any]) -> None:
        """`current_learner()` is who is learning when the figures are gathered (None: nobody yet)."""
        super().__init__()
        self.store = store  # packages.store.Store
        self.data_layout = layout  # (Screen.layout is Textual's)
        self.current_learner = current_learner
        self.courses: list[Any] = []
        self.stats: dict[str, CourseStats] = {}

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(Text(_("Your courses"), style="bold"), id="library-title")
        yield OptionList(id="courses")
        yield Static(Text(_("Enter: open  ·  u: switch learner  ·  ?: every key  ·  ctrl+q: quit")), id="library-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.call_after_refresh(lambda: self.post_message(Ready()))  # made once painted: its time counts

    def on_screen_resume(self) -> None:
        # Filled in each time it is shown: coming back from a course, its figures changed.
        if self.app.screen is not self:
            return
        self.post_message(StatusChanged(None))
        self.refresh_courses()

    def refresh_courses(self) -> None:
        try:
            self.courses = self.store.list()
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
            self.courses = []
        self._render_rows()
        self._load_stats()

    def _render_rows(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for course in self.courses:
            options.add_option(Option(self._row(course), id=course.id))
        if self.courses:
            options.highlighted = min(highlighted or 0, len(self.courses) - 1)

    def _row(self, course: Any) -> Text:
        text = Text()
        text.append(one_line(course.title), style="bold")
        text.append(f"  {one_line(course.version)}")
        if course.origin == "bundled":
            text.append(_("  (demo)"), style="italic")
        if course.flavour != "full":
            text.append(_("  {flavour} pack: media in the full pack").format(flavour=course.flavour), style="italic")
        text.append("\n  ")
        stats = self.stats.get(course.id)
        if stats is None:
            text.append("…")
        else:
            fraction = stats.done / stats.total if stats.total else 0.0
            text.append(f"{bar(fraction)} " + _("{percent}%").format(percent=f"{fraction * 100:3.0f}") + "  ")
            if stats.score is not None:
                text.append(
                    _("score {score}% (pass {threshold}%)").format(
                        score=f"{stats.score * 100:.0f}", threshold=f"{stats.threshold * 100:.0f}"
                    )
                    + "  "
                )
            text.append(_("last studied {when}").format(when=_ago(stats.last_studied)))
        if course.summary:
            text.append("\n  ")
            summary = one_line(course.summary)
            text.append(summary[:150] + ("…" if len(summary) > 150 else ""), style="dim")
        return text

    @work(thread=True, exclusive=True, exit_on_error=False, group="library-stats")
    def _load_stats(self) -> None:
        from player.progress import EventLog
        from player.session import CourseSession

        learner = self.current_learner()
        if learner is None:
            return
        for course in list(self.courses):
            try:
                loaded, source = self.store.load(course.id)
                log = EventLog.for_course(self.data_layout, learner.id, loaded.id)
                session = CourseSession(loaded, source, log, learner, enroll=False)
                done, total = session.progress_counts()
                graded = any(session.attempts(i.id) for i in loaded.graded_quizzes())
                stats = CourseStats(
                    done, total, session.course_score() if graded else None, loaded.pass_threshold, session.last_studied
                )
            except (MoocError, OSError, ValueError):
                continue
            self.app.call_from_thread(self._set_stats, course.id, stats)

    def _set_stats(self, course_id: str, stats: CourseStats) -> None:
        self.stats[course_id] = stats
        options = self.query_one(OptionList)
        for index, course in enumerate(self.courses):
            if course.id == course_id:
                options.replace_option_prompt_at_index(index, self._row(course))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(OpenCourse(event.option.id))

    def action_open_course(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.courses:
            self.post_message(OpenCourse(self.courses[options.highlighted].id))

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()


def _ago(when: datetime | None) -> str:
    if when is None:
        return _("never")
    delta = datetime.now(timezone.utc) - when
    days = delta.days
    if days <= 0:
        minutes = int(delta.total_seconds() // 60)
        if minutes < 1:
            return _("just now")
        if minutes < 60:
            return _("{n} min ago").format(n=minutes)
        return _("{n} h ago").format(n=minutes // 60)
    if days == 1:
        return _("yesterday")
    return ngettext("{n} day ago", "{n} days ago", days).format(n=days)
