"""Asks a learner's PIN before their progress opens (player/pin.py: a deterrent
between classmates, at most MAX_TRIES tries). Dismisses with True when it was right."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from packages.i18n import _, ngettext
from packages.safe_text import one_line
from player.pin import MAX_TRIES, verify
from tui import keymap
from tui.widgets.steady_input import SteadyInput


class PinScreen(ModalScreen[bool]):
    BINDINGS = keymap.scope("dialogs")

    def __init__(self, learner: Any) -> None:
        super().__init__()
        self.learner = learner
        self.tries = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(_("PIN for {name}").format(name=one_line(self.learner.name)), style="bold"))
            yield SteadyInput(placeholder=_("PIN"), password=True, id="pin")
            yield Static(Text(_("Enter: open · Esc: cancel"), style="dim"), id="pin-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#pin")
    def _submitted(self, event: Input.Submitted) -> None:
        if verify(event.value, self.learner.pin or ""):
            self.dismiss(True)
            return
        self.tries += 1
        left = MAX_TRIES - self.tries
        if left <= 0:
            self.dismiss(False)
            return
        event.input.value = ""
        self.query_one("#pin-hint", Static).update(
            Text(
                ngettext(
                    "Wrong PIN. {n} try left. · Esc: cancel", "Wrong PIN. {n} tries left. · Esc: cancel", left
                ).format(n=left)
            )
        )

    def action_close(self) -> None:
        self.dismiss(False)
