"""`c`: the Class screen, the class report of `mooc report` for whoever runs the player.

Every learner of this account, per course (player/class_report.py); the lines are
those of `mooc report` (player/class_render.py), laid out for the screen's width:
plain text whose bars are Unicode blocks, so NO_COLOR loses nothing. Gathering the
class reads every learner's progress, so it runs in a worker thread and ends in a
message; the screen only shows what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from packages.errors import MoocError
from packages.i18n import _
from tui import keymap
from tui.widgets.key_bar import KeyBar
from tui.widgets.status_bar import StatusBar


class ClassScreen(Screen[None]):
    DEFAULT_CSS = """
    #class-body { padding: 0 1; }
    """
    BINDINGS = keymap.bindings("dialog.close")

    @dataclass
    class Ready(Message):
        report: Any  # player.class_report.ClassReport, or None
        error: str | None = None

    def __init__(self, layout: Any) -> None:
        super().__init__()
        self.data_layout = layout  # (Screen.layout is Textual's)
        self.report: Any = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with VerticalScroll(id="class-body"):
            yield Static(Text(_("Gathering the class…")), id="class-report")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        self.gather()

    @work(thread=True, exclusive=True, exit_on_error=False, group="class-report")
    def gather(self) -> None:
        from player.class_data import ClassData
        from player.class_report import build
        from sync import class_sources
        from sync.class_sources import course_loader

        try:
            data = ClassData()
            class_sources.from_account(data, self.data_layout, _("this account"))
            data.fold_unstarted_namesakes()
            data.notes += data.namesakes()
            report = build(data, course_loader(self.data_layout))
        except MoocError as err:
            self.post_message(self.Ready(None, str(err)))
            return
        self.post_message(self.Ready(report))

    def on_class_screen_ready(self, message: ClassScreen.Ready) -> None:
        self.report = message.report
        self.show()

    def on_resize(self) -> None:
        if self.report is not None:
            self.show()

    def show(self) -> None:
        from packages.safe_text import one_line
        from player.class_render import text_lines

        target = self.query_one("#class-report", Static)
        if self.report is None:
            return
        width = max(60, self.query_one(VerticalScroll).scrollable_content_region.width - 1)
        lines = [_("Class report: every learner of this account (mooc report)"), ""]
        lines += text_lines(self.report, width)
        lines += [one_line(_("Note: {note}").format(note=note)) for note in self.report.data.notes]
        target.update(Text("\n".join(lines), no_wrap=True, overflow="ellipsis"))

    def action_close(self) -> None:
        self.dismiss(None)
