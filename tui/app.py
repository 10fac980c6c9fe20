"""The mooc Textual app: `mooc play`.

`run()` is the one entry point the CLI calls. The app owns who is learning, the
store and the keymap; screens own one view each (tui/screens/), are given what they
need when they are made, and ask the app for the rest by messages (tui/messages.py),
never by importing it. Asking the learner before their records are sent, and the
sync state, are tui/sync_consent.py's. Every piece of course text reaches the screen
through `Text`/`Content` objects built from `packages.safe_text.clean`, never
through markup strings.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from typing import Any

from rich.text import Text
from textual.app import App

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from packages.safe_text import one_line
from tui import frame_timer, keymap, messages
from tui.commands import MoocCommands
from tui.sync_consent import SyncConsent
from tui.widgets.status_bar import StatusBar

READY_ENV = "MOOC_TUI_EXIT_ON_READY"  # benchmarks: exit when the first screen is interactive
T0_ENV = "MOOC_TUI_T0"  # benchmarks: time.time() when the process was spawned

frame_timer.pace_frames()  # a frame soon after another comes at the next 1/60 s, not the one after


class MoocApp(SyncConsent, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "mooc"
    COMMANDS = {MoocCommands}  # mooc's commands only: not Textual's Keys/Maximize/Screenshot/Theme
    BINDINGS = keymap.scope("everywhere")

    def __init__(
        self,
        *,
        layout: Layout,
        learner: str | None = None,
        course_id: str | None = None,
        item_id: str | None = None,
        exit_on_ready: bool = False,
    ) -> None:
        super().__init__()
        self.layout = layout
        self.requested_learner = learner
        self.start_course = course_id
        self.start_item = item_id
        self.exit_on_ready = exit_on_ready
        self.ready_ms: float | None = None
        self.keymap: dict[str, str] = {}
        self.learner: Any = None  # player.learners.Learner
        self.session: Any = None  # player.session.CourseSession of the open course
        self.sync_hook: Any = None  # set by the sync layer: callable(app) -> str message
        self._learners: Any = None
        self._store: Any = None
        self.config: dict[str, Any] = {}
        self.sync_enabled = os.environ.get("MOOC_NO_SYNC", "") in ("", "0")
        self.sync_state = "offline"
        self.pending = 0
        self._consent_asked: set[tuple[str, str]] = set()  # (learner id, host) asked in this run
        self.unapproved_hosts: list[str] = []  # the sync layer's: hosts this learner has not approved

    # ---------------------------------------------------------------- services
    @property
    def learners(self) -> Any:
        if self._learners is None:
            from player.learners import Learners

            self._learners = Learners(self.layout)
        return self._learners

    @property
    def store(self) -> Any:
        if self._store is None:
            from packages.store import Store

            self._store = Store(self.layout)
        return self._store

    def say(self, message: str, *, error: bool = False, timeout: float = 5) -> None:
        """A toast; never markup (messages can name course titles and files)."""
        self.notify(one_line(message), severity="error" if error else "information", markup=False, timeout=timeout)

    def _warn(self, message: str) -> None:
        """Where engine warnings (packages/notices.py) go while the app runs: a toast."""
        try:
            self.call_from_thread(self.say, message, error=True, timeout=10)
        except RuntimeError:  # already on the app's thread
            self.say(message, error=True, timeout=10)

    # ---------------------------------------------------------------- startup
    def on_mount(self) -> None:
        from packages import notices

        notices.set_sink(self._warn)
        self._apply_keymap()
        try:
            first = not self.requested_learner and not os.environ.get("MOOC_LEARNER") and not self.learners.list()
            if first or self.learners.needs_choice(self.requested_learner):
                from tui.screens.learner_picker import LearnerPicker

                _collector_on()  # a person is choosing now: no start to hurry
                self.push_screen(LearnerPicker(self.learners, self.learner, first_start=True), self._learner_chosen)
                return
            learner = self.learners.current(self.requested_learner)
        except MoocError as err:
            self.exit(1, message=Text(_("mooc: error: {message}").format(message=one_line(str(err)))))
            return
        if learner.pin:  # asked before anything of theirs opens
            from tui.screens.pin import PinScreen

            def answered(ok: bool | None) -> None:
                if ok:
                    self._learner_chosen(learner)
                else:
                    self.exit(
                        1,
                        message=Text(
                            _("mooc: error: {name}'s PIN was not given; nothing was opened").format(
                                name=one_line(learner.name)
                            )
                        ),
                    )

            self.push_screen(PinScreen(learner), answered)
            return
        self.set_learner(learner)
        self._start()

    def _apply_keymap(self) -> None:
        try:
            from player.config import load_config

            self.config = load_config(self.layout)
        except MoocError as err:
            self.say(str(err), error=True)
            return
        self.keymap, problems = keymap.keymap_from_config(self.config)
        for problem in problems:
            self.say(problem, error=True, timeout=10)
        if self.keymap:
            self.set_keymap(self.keymap)

    def _learner_chosen(self, learner: Any) -> None:
        if learner is None:  # closed without choosing: nobody to record progress for
            self.exit(0)
            return
        self.set_learner(learner)
        if not isinstance(self.screen, _screen_types()):
            self._start()

    def set_learner(self, learner: Any) -> None:
        self.learner = learner
        self.update_status()
        if self.ready_ms is not None:
            self._attach_sync()
        # else mark_ready attaches it: the first screen comes first

    def on_unmount(self) -> None:
        from packages import notices
        from tui.sync_bridge import detach

        notices.set_sink(None)
        detach(self)

    def update_status(self) -> None:
        for screen in self.screen_stack:
            for bar in screen.query(StatusBar):
                bar.refresh()

    def _start(self) -> None:
        # Started straight into a course, the library is built only when the learner
        # goes back to it: composing it first cost ~30 ms of the course's start.
        if self.start_course and self.open_course(self.start_course, self.start_item):
            return
        self.push_screen(self._library())

    def _library(self) -> Any:
        """The library screen, given the store and who is learning (asked when it gathers figures)."""
        from tui.screens.library import LibraryScreen

        return LibraryScreen(self.store, self.layout, lambda: self.learner)

    def back_to_library(self) -> None:
        """Leave the course screen for the library, building it if the app started in a course."""
        from tui.screens.library import LibraryScreen

        if any(isinstance(screen, LibraryScreen) for screen in self.screen_stack[:-1]):
            self.pop_screen()
        else:
            self.switch_screen(self._library())

    def mark_ready(self, at: float | None = None) -> None:
        """The first interactive screen is up (painted `at`): benchmarks measure to then.

        Work that can wait starts now: background sync, and the garbage collector,
        which `mooc play` turns off while it starts (its passes over the objects of
        every import cost ~13 ms; they live as long as the process, so they are frozen
        out of later passes too).
        """
        if self.ready_ms is not None:
            return
        t0 = os.environ.get(T0_ENV)
        self.ready_ms = ((at or time.time()) - float(t0)) * 1000 if t0 else 0.0
        _collector_on()
        if self.exit_on_ready:
            self.exit(0)
            return
        if self.learner is not None:
            self._attach_sync()

    # ---------------------------------------------------------------- messages from the screens
    def on_mooc_say(self, message: messages.Say) -> None:
        self.say(message.text, error=message.error, timeout=message.timeout)

    def on_mooc_ready(self, message: messages.Ready) -> None:
        self.mark_ready(message.at)

    def on_mooc_status_changed(self, message: messages.StatusChanged) -> None:
        self.session = message.session
        self.update_status()

    def on_mooc_back_to_library(self, message: messages.BackToLibrary) -> None:
        self.back_to_library()

    def on_mooc_open_course(self, message: messages.OpenCourse) -> None:
        self.open_course(message.course_id)

    # ---------------------------------------------------------------- courses
    def open_course(self, course_id: str, item_id: str | None = None) -> bool:
        from player.progress import EventLog
        from player.session import CourseSession
        from tui.screens.course import CourseScreen

        try:
            course, source = self.store.load(course_id)
            log = EventLog.for_course(self.layout, self.learner.id, course.id)
            session = CourseSession(course, source, log, self.learner)
            if item_id is not None and not course.has_item(item_id):
                raise MoocError(_("{course}: no item '{item}' in this course").format(course=course.id, item=item_id))
        except MoocError as err:
            self.say(str(err), error=True)
            return False
        self.session = session
        self.update_status()
        self.push_screen(CourseScreen(session, item_id, self.layout))
        host = self.host_needing_consent(course)
        if host is not None and (self.learner.id, host) not in self._consent_asked:
            self.ask_consent(host)  # now, before the learner reads or types anything
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a question needs a deliberate answer, the app's keys do nothing but quit."""
        if getattr(self.screen, "BLOCKS_APP_KEYS", False) and action not in ("quit", "focus_next", "focus_previous"):
            return False
        return True

    # ---------------------------------------------------------------- actions
    async def action_quit(self) -> None:
        """Record the active time of the open item before leaving."""
        for screen in self.screen_stack:
            flush = getattr(screen, "flush_time", None) or getattr(screen, "_record_time", None)
            if flush is not None:
                try:
                    flush()
                except MoocError:
                    pass
        self.exit(0)

    def action_command_palette(self) -> None:
        """Textual's palette, with its placeholder in the reader's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap))

    def action_progress(self) -> None:
        from tui.screens.progress import ProgressScreen

        if self.session is None:
            self.say(_("Open a course first: progress is shown per course"))
            return
        if not isinstance(self.screen, ProgressScreen):
            self.push_screen(ProgressScreen(self.session, self.layout))

    def action_class_report(self) -> None:
        """The class report of this account (tui/screens/class_report.py)."""
        from tui.screens.class_report import ClassScreen

        if not isinstance(self.screen, ClassScreen):
            self.push_screen(ClassScreen(self.layout))

    def action_switch_learner(self) -> None:
        from tui.screens.learner_picker import LearnerPicker

        if self.session is not None:
            self.say(_("Go back to the library (Esc) to switch learner"))
            return
        self.push_screen(LearnerPicker(self.learners, self.learner, first_start=False), self._learner_switched)

    def _learner_switched(self, learner: Any) -> None:
        if learner is not None:
            self.set_learner(learner)
            from tui.screens.library import LibraryScreen

            if isinstance(self.screen, LibraryScreen):
                self.screen.refresh_courses()


def _collector_on() -> None:
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _screen_types() -> tuple[type, ...]:
    from tui.screens.library import LibraryScreen

    return (LibraryScreen,)


def run(*, layout: Layout, learner: str | None, course_id: str | None, item_id: str | None) -> int:
    """Run `mooc play`; returns the exit code. Errors before the UI starts are MoocErrors."""
    exit_on_ready = os.environ.get(READY_ENV, "") not in ("", "0")
    app = MoocApp(layout=layout, learner=learner, course_id=course_id, item_id=item_id, exit_on_ready=exit_on_ready)
    code = app.run()
    if exit_on_ready and app.ready_ms is not None:
        print(f"ready_ms={app.ready_ms:.1f}", file=sys.stderr)
    return int(code or 0) if app.return_code is None else int(app.return_code or code or 0)
