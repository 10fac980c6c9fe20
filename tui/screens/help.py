"""`?`: every key, generated from the keymap (with the user's remapping applied).

For learners: key, what it does, where. The binding ids (for remapping) are in
docs/tui.md, not on this screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from packages.i18n import _
from tui import keymap


def keys_table(remapped: dict[str, str]) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)
    table.add_column(_("Key"), no_wrap=True)
    table.add_column(_("What it does"))
    table.add_column(_("Where"))
    for key, keys in keymap.effective_keys(remapped):
        table.add_row(Text(keymap.display(keys)), Text(_(key.description)), Text(_(key.scope)))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = keymap.scope("dialogs") + keymap.bindings("app.help")

    def __init__(self, remapped: dict[str, str]) -> None:
        """`remapped`: the user's [keys] (binding id -> keys), as the app applied them."""
        super().__init__()
        self.remapped = remapped

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(Text(_("Every key (Esc closes)"), style="bold"))
            yield Static(keys_table(self.remapped), id="keys-table")
            yield Static(
                Text(
                    _(
                        "To change a key: [keys] in config.toml, by the binding ids listed in "
                        '`mooc docs tui` ("Every key").'
                    ),
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.dismiss(None)
