"""`?`: every key, generated from the keymap (with the user's remapping applied)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui import keymap


def keys_table(remapped: dict[str, str]) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)
    table.add_column("Key", no_wrap=True)
    table.add_column("What it does")
    table.add_column("Where")
    table.add_column("Binding id", style="dim", no_wrap=True)
    for key, keys in keymap.effective_keys(remapped):
        table.add_row(Text(keymap.display(keys)), Text(key.description), Text(key.scope), Text(key.id))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = keymap.scope("dialogs") + keymap.bindings("app.help")

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with VerticalScroll(id="dialog"):
            yield Static(Text("Every key (Esc closes; remap keys in config.toml [keys])", style="bold"))
            yield Static(keys_table(getattr(app, "keymap", {})), id="keys-table")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.dismiss(None)
