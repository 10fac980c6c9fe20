"""`/`: search the course's lessons; Enter on a result opens the lesson at that line."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from packages.safe_text import one_line
from player.markdown_text import plain_snippet
from tui import keymap


class SearchScreen(ModalScreen[Any]):
    """Dismisses with (item_id, line_no) or None."""

    BINDINGS = keymap.scope("dialogs")

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.hits: list[tuple[str, int, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Search the lessons (Enter: search, ↓: results, Esc: close)", style="bold"))
            yield Input(placeholder="words to find", id="query")
            yield OptionList(id="results")
            yield Static(id="search-count")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#query")
    def _search(self, event: Input.Submitted) -> None:
        self.hits = self.session.search(event.value)
        results = self.query_one(OptionList)
        results.clear_options()
        for item_id, _line_no, snippet in self.hits:
            label = Text(one_line(self.session.course.item(item_id).title), style="bold")
            label.append("\n  ")
            label.append(one_line(plain_snippet(snippet)))  # words, not Markdown source
            results.add_option(Option(label))
        count = len(self.hits)
        self.query_one("#search-count", Static).update(
            Text(f"{count} result{'s' if count != 1 else ''}" if count else "Nothing found.")
        )
        if self.hits:
            results.highlighted = 0
            results.focus()

    @on(OptionList.OptionSelected, "#results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        item_id, line_no, _ = self.hits[event.option_index]
        self.dismiss((item_id, line_no))

    def key_down(self) -> None:
        if self.query_one(Input).has_focus and self.hits:
            self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)
