"""The course screen: the outline beside the open lesson (or a quiz's front page).

The outline (`OutlineView`) lists modules and items with a status mark each; a
locked item shows why it is locked instead of opening. Lessons render through
`LessonView` (lazy, any length). Active time is measured from the learner's own
key and mouse events (`ActivityClock`) and recorded when they leave the item.
The lesson's links and media (`o`) are tui/screens/course_links.py's, the outline's
labels and marks tui/screens/course_outline.py's.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Static

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.safe_text import one_line
from player.placeholders import shown_lesson
from player.wording import titled
from tui import first_screen, keymap
from tui.messages import BackToLibrary, Ready, Say, StatusChanged
from tui.screens.course_links import LessonLinks
from tui.screens.course_outline import Outline, OutlineMarks
from tui.symbols import marks
from tui.widgets.key_bar import KeyBar
from tui.widgets.lesson_view import LessonView
from tui.widgets.outline_view import OutlineView
from tui.widgets.status_bar import StatusBar

CATCH_UP_S = 2.0  # how often the screen looks for events other processes appended
AHEAD_S = 0.1  # after an item is painted, the next lesson's first screen is rendered ahead


class Lesson(LessonView):
    BINDINGS = keymap.scope("lesson text")


class CourseScreen(OutlineMarks, LessonLinks, Screen[None]):
    BINDINGS = keymap.scope("course")

    def __init__(self, session: Any, item_id: str | None = None, layout: Any = None) -> None:
        super().__init__()
        from player.session import ActivityClock

        self.session = session
        self.home_layout = layout  # where media fetched one by one go (None: not fetched)
        self.start_item = item_id
        self.current: str | None = None
        self.clock = ActivityClock()
        self._shown: dict[str, tuple[str, float | None]] = {}  # item id -> (status, best) on screen
        self._resumed_once = False
        self._ahead_timer: Timer | None = None
        self._marks_timer: Timer | None = None
        self._kept: Any = None  # the first screen kept from the last visit (tui/first_screen.py)
        self._opening: ExitStack | None = None  # the opening's records, written once the first screen is up

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Horizontal(id="course-body"):
            yield Outline(id="outline")
            with Vertical(id="content"):
                yield Static(id="item-title")
                yield Lesson(id="lesson")  # the quiz/lock panel joins it when first needed
        yield KeyBar()

    def on_mount(self) -> None:
        opened = self.session.opened_since_last_visit()  # before this visit records anything
        self.build_outline()
        target = self.start_item or self.session.resume_item()
        # The text has the keys at first: Space pages the lesson, j/k scroll it, n/p move
        # on; `h` (or Tab) goes to the outline. A lock notice has nothing to focus.
        self.query_one(Outline).focus()
        self._kept = first_screen.offer_kept(
            self.query_one(Lesson), self.home_layout, self.session, target, self.app.console
        )
        # What opening the course records (the resume point, the lesson opened) is written
        # with one durable append once the first screen is up, not before it: on an old
        # PC's disk that fsync can take longer than the whole paint. Nothing on the first
        # screen says it is saved; a failed write is said, and the outline shows the log.
        self._opening = ExitStack()
        self._opening.enter_context(self.session.one_write())
        self.open(target, focus_content=True)
        self.call_after_refresh(self._cursor_to_current)  # scrolled into view once the outline has a height
        self.call_after_refresh(self._first_paint)
        self.set_interval(CATCH_UP_S, self._catch_up)
        for module in opened:
            self.notify(
                _("New since your last visit: the module {title} is now open.").format(title=one_line(module.title)),
                title=_("Unlocked"),
                timeout=8,
                markup=False,
            )

    def _first_paint(self) -> None:
        self.post_message(Ready())
        self._write_opening()
        if not self.query_one(Lesson).painted_offered:  # a first visit, or another look: kept now
            self._keep_first_screen()

    def _write_opening(self, *, shown: bool = True) -> None:
        """Write what the start recorded (on_mount); anything done before it joined it."""
        opening, self._opening = self._opening, None
        if opening is None:
            return
        try:
            opening.close()
        except MoocError as err:  # none of it kept: the session was folded again from the log
            if shown:
                self.post_message(Say(str(err), error=True))
                self.refresh_outline()
            else:  # leaving: the app says it
                self.app.post_message(Say(str(err), error=True))

    def on_unmount(self) -> None:
        self._write_opening(shown=False)  # gone before its first paint (a quit typed ahead)

    def _keep_first_screen(self) -> None:
        """The lesson on screen is where the next start resumes: its first screen is kept
        (tui/first_screen.py), once painted and whenever another lesson is."""
        if self.current is not None and self.showing_lesson:
            lesson = self.query_one(Lesson)
            self._kept = first_screen.keep_shown(
                lesson, self.home_layout, self.session, self.current, self.app.console, self._kept
            )

    def _catch_up(self) -> None:
        """Show what another mooc process recorded for this learner meanwhile (the same
        course in `mooc play --plain` in another terminal, `mooc sync --pull`)."""
        try:
            changed = self.session.catch_up()
        except MoocError:
            return  # unreadable just now: the next tick tries again
        if changed:
            self.refresh_outline()
            current = self.current
            if (
                current is not None
                and not self.showing_lesson
                and not self.session.item_lock(current)
                and self.session.course.item(current).kind == "quiz"
            ):
                self.show_quiz_front(current, focus=False)

    def _cursor_to_current(self) -> None:
        if self.current is not None:
            self._outline_to(self.current)

    # ---------------------------------------------------------------- opening
    def open(self, item_id: str, *, focus_content: bool = True, outline_later: bool = False) -> None:
        """Show an item in place: the lesson view, the title and the outline's cursor are
        updated, nothing is mounted or laid out again. With `outline_later` (`n`, `p`) the
        outline's cursor and marks follow a moment after the content is painted, so the
        first frame repaints the content alone (docs/tui.md)."""
        self.flush_time(outline_later=outline_later)
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
            self._ahead_timer = None
        session = self.session
        item = session.course.item(item_id)
        self.current = item_id
        reason = session.item_lock(item_id)
        if reason:
            self._show_panel(
                Text(_("{mark} Locked: {reason}").format(mark=marks()["locked"], reason=one_line(reason))), button=False
            )
        else:
            try:
                session.open_item(item_id)
                if item.kind == "lesson":
                    lesson = self.query_one(Lesson)
                    lesson.show(shown_lesson(session, item_id))  # with placeholders for left-out media
                    self._show("lesson")
                    if focus_content and not lesson.has_focus:  # focusing again costs a message and a repaint
                        lesson.focus()
                else:
                    self.show_quiz_front(item_id, focus=focus_content)
            except MoocError as err:
                self._show_panel(Text(one_line(str(err))), button=False)
        title = self.query_one("#item-title", Static)
        # One line high whatever it says: no layout pass (a layout repaints the whole screen).
        title.update(
            Text(titled(_("Lesson") if item.kind == "lesson" else _("Quiz"), item.title), style="bold"), layout=False
        )
        if outline_later:
            self.outline_soon()
        elif self.query_one(Outline).cursor_item != item_id:
            self._outline_to(item_id)
        if reason:
            return
        if not outline_later:
            self.refresh_item(item_id)
        self._ahead_timer = self.set_timer(AHEAD_S, self._prepare_next)

    def _prepare_next(self) -> None:
        """While the learner reads, render the next lesson's first screen (`n` then only
        swaps it in). Anything wrong with it is left for `n` to say."""
        self._ahead_timer = None
        if self.current is None:
            return
        self._keep_first_screen()
        session = self.session
        nxt = session.next_item(self.current)
        if nxt is None or session.course.item(nxt).kind != "lesson" or session.item_lock(nxt):
            return
        try:
            text = shown_lesson(session, nxt)  # with placeholders, as open shows it
        except MoocError:
            return
        if not self.query_one(Lesson).prepare(text) and self.showing_lesson:
            self._ahead_timer = self.set_timer(AHEAD_S, self._prepare_next)  # not laid out yet: a slow start

    def show_quiz_front(self, item_id: str, *, focus: bool = True) -> None:
        summary = self.session.quiz_summary(item_id)
        quiz = summary.item.quiz
        text = Text()
        if one_line(quiz.title) != one_line(summary.item.title):  # the title bar says the item's already
            text.append(one_line(quiz.title) + "\n\n", style="bold")
        n = len(quiz.questions)
        text.append(
            ngettext("{n} question · pass mark {mark}%", "{n} questions · pass mark {mark}%", n).format(
                n=n, mark=f"{summary.threshold * 100:.0f}"
            )
        )
        if summary.item.weight == 0:
            text.append(_(" · practice (does not count)"))
        text.append("\n" + _("Attempts used: {n}").format(n=summary.attempts_used))
        left = _("unlimited") if summary.attempts_left is None else str(summary.attempts_left)
        text.append(_(" · left: {n}").format(n=left))
        if summary.best_score is not None:
            verdict = _("passed") if summary.passed else _("not passed yet")
            text.append(
                "\n"
                + _("Best score: {score}% ({verdict})").format(score=f"{summary.best_score * 100:.0f}", verdict=verdict)
            )
        can_start = summary.attempts_left != 0
        if summary.attempts_left == 1:
            text.append("\n" + _("The next attempt is your last one."), style="bold")
        if not can_start:
            text.append("\n\n" + _("No attempts left."))
        else:
            text.append("\n\n" + _("Press Enter to start. Answer with the keyboard; ctrl+s submits."))
        self._show_panel(text, button=can_start, focus=focus)

    @property
    def showing_lesson(self) -> bool:
        return bool(self.query_one(Lesson).display)

    def _show(self, which: str) -> None:
        """Show the lesson text or the panel in the content area, never both."""
        self.query_one(Lesson).display = which == "lesson"
        panel = self.query("#panel")
        if panel:
            panel.first().display = which == "panel"

    def _panel(self) -> tuple[Static, Button]:
        """The quiz front page (or a lock notice) and its button, mounted when first
        shown: a course that opens on a lesson saves their styling at start."""
        try:
            return self.query_one("#panel-text", Static), self.query_one("#start-quiz", Button)
        except NoMatches:
            text = Static(id="panel-text")
            start = Button(_("Start the quiz"), id="start-quiz", variant="primary")
            panel = VerticalScroll(text, start, id="panel")
            panel.display = False
            self.query_one("#content").mount(panel)
            return text, start

    def _show_panel(self, text: Text, *, button: bool, focus: bool = True) -> None:
        text_widget, start = self._panel()
        text_widget.update(text)
        start.display = button
        self._show("panel")
        if button and focus:
            self.call_after_refresh(start.focus)  # a panel mounted just now takes focus only once it is laid out

    # ---------------------------------------------------------------- time
    def flush_time(self, *, outline_later: bool = False) -> None:
        """Record the active time spent on the current item (idle gaps are not counted),
        and a lesson read to the end as done: its last line was on screen."""
        if self.current is None:
            self.clock.take()
            return
        seconds = self.clock.take()
        if seconds >= 1.0:
            try:
                self.session.add_active_time(self.current, seconds)
            except MoocError as err:
                self.post_message(Say(str(err), error=True))
        lesson = self.query_one(Lesson)
        if lesson.end_seen and self.showing_lesson and self.session.status(self.current).status != "done":
            lesson.end_seen = False
            self._complete_current(quiet=True, outline_later=outline_later)

    def on_key(self) -> None:
        self.clock.touch()

    def on_mouse_down(self) -> None:
        self.clock.touch()

    def on_mouse_scroll_down(self) -> None:
        self.clock.touch()

    def on_mouse_scroll_up(self) -> None:
        self.clock.touch()

    def on_screen_suspend(self) -> None:
        self.flush_time()

    def on_screen_resume(self) -> None:
        self.clock.take()  # time on another screen is counted there
        if not self._resumed_once:  # the first show is not a return from elsewhere
            self._resumed_once = True
            return
        self.post_message(StatusChanged(self.session))
        if self.current is not None:
            self.refresh_outline()
            if self.session.course.item(self.current).kind == "quiz" and not self.session.item_lock(self.current):
                self.show_quiz_front(self.current)

    # ---------------------------------------------------------------- events
    @on(OutlineView.ItemSelected, "#outline")
    def _item_selected(self, event: OutlineView.ItemSelected) -> None:
        item_id = event.item_id
        if (
            item_id == self.current
            and self.session.course.item(item_id).kind == "quiz"
            and not self.session.item_lock(item_id)
            and self.session.attempts_left(item_id) != 0
        ):
            self.start_quiz(item_id)  # Enter on the open quiz starts it
            return
        self.open(item_id)

    @on(Button.Pressed, "#start-quiz")
    def _start_quiz(self) -> None:
        if self.current is not None:
            self.start_quiz(self.current)

    def start_quiz(self, item_id: str) -> None:
        from tui.screens.quiz import QuizScreen

        try:
            screen = QuizScreen(self.session, item_id)
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
            return
        self.app.push_screen(screen)

    # ---------------------------------------------------------------- actions
    def action_next_item(self) -> None:
        if self.current is None:
            return
        nxt = self.session.next_item(self.current)
        self._move(nxt, complete=True)
        if nxt is None:
            self.post_message(Say(_("This is the last item of the course. Press g to see your progress.")))

    def action_previous_item(self) -> None:
        if self.current is None:
            return
        prev = self.session.previous_item(self.current)
        if prev is None:
            self.post_message(Say(_("This is the first item of the course.")))
            return
        self._move(prev, complete=False)

    def _move(self, to: str | None, *, complete: bool) -> None:
        """`n` and `p`: the time on the item left (with `n`, its completion) and the opening
        of the next are written together, once, before anything of the move is painted."""
        try:
            with self.session.one_write():
                if complete:
                    self._complete_current(quiet=True, outline_later=True)
                if to is not None:
                    self.open(to, outline_later=True)
        except MoocError as err:  # not saved, none of it: said where the lesson would be
            self._show_panel(Text(one_line(str(err))), button=False)

    def action_mark_done(self) -> None:
        if self.current is None:
            return
        if self.session.course.item(self.current).kind != "lesson":
            self.post_message(Say(_("A quiz is done when you pass it.")))
            return
        self._complete_current(quiet=False)

    def _complete_current(self, *, quiet: bool, outline_later: bool = False) -> None:
        item_id = self.current
        if item_id is None or self.session.course.item(item_id).kind != "lesson" or self.session.item_lock(item_id):
            return
        self.flush_time(outline_later=outline_later)
        try:
            recorded = self.session.complete_lesson(item_id)
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
            return
        if outline_later:  # `n`: the next lesson's text is painted first, the marks right after
            self.outline_soon()
        else:
            self.refresh_outline()
        if not quiet:
            self.post_message(Say(_("Lesson marked done.") if recorded else _("This lesson was already done.")))

    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.session), self._search_done)

    def _search_done(self, hit: tuple[str, int] | None) -> None:
        if hit is None:
            return
        item_id, line_no = hit
        if self.current != item_id or not self.showing_lesson:
            self.open(item_id)
        lesson = self.query_one(Lesson)
        lesson.focus()
        lesson.scroll_to_source_line(line_no)

    def action_focus_outline(self) -> None:
        self.query_one(Outline).focus()

    def action_focus_content(self) -> None:
        if self.showing_lesson:
            self.query_one(Lesson).focus()
        else:
            self._panel()[1].focus()

    def action_back(self) -> None:
        self.flush_time()
        self.current = None
        self.post_message(BackToLibrary())
