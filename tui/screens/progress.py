"""`g`: the learner's standing in the open course: what is done and what is not,
quizzes, course score, and the certificate: its request is made here, with a button
(sync/certificate_offer.py says what can be said about it).

For cMOOC packs (no quizzes graded for a certificate) it offers a self-assessment
per module: highlight a module and press 1–5.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.safe_text import one_line
from tui import keymap
from tui.messages import Say
from tui.symbols import bar
from tui.widgets.key_bar import KeyBar
from tui.widgets.status_bar import StatusBar


class ProgressScreen(Screen[None]):
    DEFAULT_CSS = """
    #progress-body { padding: 1 2; }
    #modules { height: auto; max-height: 12; }
    #request-certificate { margin-top: 1; }
    """
    BINDINGS = keymap.bindings("dialog.close") + [
        *(keymap.Binding(str(n), f"rate({n})", f"Rate {n}", show=False) for n in range(1, 6))
    ]

    def __init__(self, session: Any, layout: Any) -> None:
        super().__init__()
        self.session = session
        self.data_layout = layout  # (Screen.layout is Textual's)

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with VerticalScroll(id="progress-body"):
            yield Static(id="progress-summary")
            yield Static(id="certificate")
            yield Button(_("Request my certificate"), id="request-certificate", variant="primary")
            if self.session.course.kind == "cmooc":
                yield Static(
                    Text(_("Self-assessment: highlight a module and press 1 (not yet) … 5 (mastered)"), style="bold")
                )
                yield OptionList(id="modules")
        yield KeyBar()

    def on_mount(self) -> None:
        self.render_progress()
        if self.session.course.kind == "cmooc":
            self._fill_modules()
            self.query_one(OptionList).focus()
        else:
            self.query_one(VerticalScroll).focus()

    def render_progress(self) -> None:
        s = self.session
        course = s.course
        done, total = s.progress_counts()
        parts: list[Any] = []
        head = Text()
        head.append(one_line(course.title), style="bold")
        head.append(
            "\n"
            + ngettext("Done: {bar} {done}/{total} item", "Done: {bar} {done}/{total} items", total).format(
                bar=bar(done / total if total else 0), done=done, total=total
            )
        )
        missing = s.items_not_done()
        if missing:
            shown = ", ".join(one_line(i.title) for i in missing[:8]) + (" …" if len(missing) > 8 else "")
            head.append("\n" + _("Not done yet: {items}").format(items=shown))
        parts.append(head)
        quizzes = [i for i in course.items() if i.kind == "quiz"]
        if quizzes:
            table = Table(box=None, header_style="bold", expand=True, pad_edge=False)
            table.add_column(_("Quiz"))
            table.add_column(_("Best"), justify="right", no_wrap=True)
            table.add_column(_("Pass"), justify="right", no_wrap=True)
            table.add_column(_("Attempts"), justify="right", no_wrap=True)
            table.add_column(_("Weight"), justify="right", no_wrap=True)
            for item in quizzes:
                summary = s.quiz_summary(item.id)
                best = (
                    "—"
                    if summary.best_score is None
                    else _("{percent}%").format(percent=f"{summary.best_score * 100:.0f}")
                )
                mark = " ✓" if summary.passed else ""
                left = "" if summary.attempts_left is None else _(" ({n} left)").format(n=summary.attempts_left)
                table.add_row(
                    Text(one_line(item.title)),
                    Text(best + mark),
                    Text(_("{percent}%").format(percent=f"{summary.threshold * 100:.0f}")),
                    Text(f"{summary.attempts_used}{left}"),
                    Text(_("practice") if item.weight == 0 else f"{item.weight:g}"),
                )
            parts.append(Text(""))
            parts.append(table)
        if course.graded_quizzes():
            tail = Text("\n")
            tail.append(
                _("Course score: {score}% (needed to pass: {threshold}%)").format(
                    score=f"{s.course_score() * 100:.0f}", threshold=f"{course.pass_threshold * 100:.0f}"
                ),
                style="bold",
            )
            tail.append(" — " + (_("passed") if s.passed() else _("not passed yet")))
            parts.append(tail)
        self.query_one("#progress-summary", Static).update(Group(*parts))
        self.render_certificate()

    def render_certificate(self) -> None:
        from sync.certificate_offer import certificate_offer

        try:
            offer = certificate_offer(self.data_layout, self.session.learner, self.session)
        except MoocError as err:
            lines: tuple[str, ...] = (_("Certificate: {error}").format(error=one_line(str(err))),)
            can_request = False
        else:
            lines, can_request = offer.lines, offer.can_request
            if offer.state == "waiting for approval":
                lines = (*lines, _("Press y to allow it."))
        text = Text("\n")
        for n, line in enumerate(lines):
            text.append(("\n" if n else "") + line, style="bold" if n == 0 else "")
        self.query_one("#certificate", Static).update(text)
        self.query_one("#request-certificate", Button).display = can_request

    @on(Button.Pressed, "#request-certificate")
    def _request(self) -> None:
        from sync.certificate_offer import request_certificate

        try:
            self.post_message(Say(request_certificate(self.data_layout, self.session.learner, self.session.course.id)))
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
        self.session.catch_up()
        self.render_certificate()

    def _fill_modules(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for module in self.session.course.modules:
            rating = self.session.self_assessment(module.id)
            label = Text(one_line(module.title))
            label.append(f"  {'★' * rating}{'☆' * (5 - rating)}" if rating else "  " + _("not rated"), style="dim")
            options.add_option(Option(label, id=module.id))
        options.highlighted = highlighted or 0

    def action_rate(self, rating: int) -> None:
        if self.session.course.kind != "cmooc":
            return
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        module = self.session.course.modules[options.highlighted]
        try:
            self.session.self_assess(module.id, rating)
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
            return
        self._fill_modules()

    @on(OptionList.OptionSelected, "#modules")
    def _selected(self) -> None:
        self.post_message(Say(_("Press 1 to 5 to rate this module.")))

    def action_close(self) -> None:
        self.app.pop_screen()
