"""Who is learning? Asked on start only when several learners share this account
(a lab PC); a single user is never asked. Also reachable later with `u`."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from packages.errors import MoocError
from packages.i18n import _
from packages.safe_text import one_line
from tui import keymap
from tui.messages import Say
from tui.widgets.steady_input import SteadyInput


class LearnerPicker(ModalScreen[Any]):
    """Dismisses with the chosen (or newly added) Learner, or None."""

    BINDINGS = keymap.scope("dialogs")

    def __init__(self, learners: Any, current: Any, *, first_start: bool) -> None:
        """`learners`: this account's (player.learners.Learners); `current`: who is learning now, or None."""
        super().__init__()
        self.learner_store = learners
        self.current = current
        self.first_start = first_start
        self.learners: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(_("Who is learning?"), style="bold"))
            yield OptionList(id="learners")
            yield Static(Text(_("Not in the list? Type your name and press Enter:")), id="new-learner-label")
            yield SteadyInput(placeholder=_("your name"), id="new-learner")
            yield Static(
                Text(
                    _("Enter: choose · Tab: add a new learner · Esc: quit")
                    if self.first_start
                    else _("Enter: choose · Tab: add a new learner · Esc: cancel"),
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        self.learners = self.learner_store.list()
        options = self.query_one(OptionList)
        default = self.learner_store.default_id()
        now = getattr(self.current, "id", None)
        for learner in self.learners:
            label = Text(one_line(learner.name))
            if learner.email:
                label.append(f"  <{one_line(learner.email)}>", style="dim")
            marks = [
                word
                for word, here in ((_("learning now"), learner.id == now), (_("default"), learner.id == default))
                if here
            ]
            if marks:
                label.append(f"  ({', '.join(marks)})", style="italic")
            options.add_option(Option(label, id=learner.id))
        if self.learners:
            ids = [lr.id for lr in self.learners]
            start = now if now in ids else default
            options.highlighted = ids.index(start) if start in ids else 0
            options.focus()
        else:  # the first learner on this computer: the login name is offered, no empty list
            from player.learners import login_name

            options.display = False
            self.query_one("#new-learner-label", Static).update(
                Text(_("Nobody has learned on this computer yet. Type your name and press Enter:"))
            )
            field = self.query_one(Input)
            field.value = login_name()
            field.focus()

    @on(OptionList.OptionSelected, "#learners")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        for learner in self.learners:
            if learner.id == event.option.id:
                self._open(learner)
                return

    def _open(self, learner: Any) -> None:
        """A learner with a PIN opens once it is given (tui/screens/pin.py)."""
        if not learner.pin:
            self.dismiss(learner)
            return
        from tui.screens.pin import PinScreen

        def answered(ok: bool | None) -> None:
            if ok:
                self.dismiss(learner)
            else:
                self.post_message(
                    Say(
                        _("{name}'s progress stays closed: the PIN was not given").format(name=learner.name), error=True
                    )
                )

        self.app.push_screen(PinScreen(learner), answered)

    @on(Input.Submitted, "#new-learner")
    def _add(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            return
        try:
            learner = self.learner_store.add(name)
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
            return
        self.post_message(Say(_("Welcome, {name}!").format(name=learner.name)))
        self.dismiss(learner)

    def action_close(self) -> None:
        self.dismiss(None)
