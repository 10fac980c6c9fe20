"""`/`: search the course's lessons as you type; Enter on a result opens the lesson at that line.

The query never runs on the UI thread: each change of the field starts a thread worker
(exclusive: a newer keystroke cancels the older query), which asks the session's search
index (packages/search_index.py) and posts the hits back as a `Results` message. Every
query carries a serial number and only the latest one's results are shown, so a slow
early query can never replace the answer to the last keystroke.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from packages.i18n import _, ngettext
from packages.safe_text import one_line
from player.markdown_text import plain_snippet
from tui import keymap

_GROUP = "search"


class SearchScreen(ModalScreen[Any]):
    """Dismisses with (item_id, line_no) or None."""

    BINDINGS = keymap.scope("dialogs")

    class Results(Message):
        """The hits of query number `serial` (posted by the worker)."""

        def __init__(self, serial: int, hits: list[tuple[str, int, str]], options: list[Option]) -> None:
            super().__init__()
            self.serial = serial
            self.hits = hits
            self.options = options

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.hits: list[tuple[str, int, str]] = []
        self._serial = 0  # of the latest query asked for
        self._shown = 0  # of the query whose results are on screen
        self._focus_results = False  # Enter came before the results: go to them when they come
        self._count = ""  # the words under the list

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(_("Search the lessons as you type (Enter or ↓: results, Esc: close)"), style="bold"))
            yield Input(placeholder=_("words to find"), id="query")
            yield OptionList(id="results")
            yield Static(id="search-count")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._prepare()

    @work(thread=True, exit_on_error=False, group="search-index")
    def _prepare(self) -> None:
        """Read or build the index now, so that the first keystroke finds it ready."""
        self.session.search_index()

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        """All the UI thread does per keystroke: number the query, start its worker."""
        self._serial += 1
        self._focus_results = False
        if not event.value.strip():
            self.workers.cancel_group(self, _GROUP)
            self._show(self._serial, [], [], empty=True)
            return
        if not self.session.search_index_ready():
            self._say(_("Searching…"))
        self._query(self._serial, event.value, self.session.searchable_modules())

    @work(thread=True, exclusive=True, exit_on_error=False, group=_GROUP)
    def _query(self, serial: int, text: str, modules: frozenset[int]) -> None:
        worker = get_current_worker()
        index = self.session.search_index()  # waits here, not in the UI, while it is built
        if worker.is_cancelled:
            return
        hits = index.find(text, modules)
        options = [Option(self._label(item_id, snippet)) for item_id, _line_no, snippet in hits]
        if not worker.is_cancelled:
            self.post_message(self.Results(serial, hits, options))

    def _label(self, item_id: str, snippet: str) -> Text:
        label = Text(one_line(self.session.course.item(item_id).title), style="bold")
        label.append("\n  ")
        label.append(one_line(plain_snippet(snippet)))  # words, not Markdown source
        return label

    def on_search_screen_results(self, message: Results) -> None:
        if message.serial == self._serial:  # else an older keystroke's: never shown
            self._show(message.serial, message.hits, message.options)

    def _show(
        self, serial: int, hits: list[tuple[str, int, str]], options: list[Option], *, empty: bool = False
    ) -> None:
        results = self.query_one(OptionList)
        if hits != self.hits or results.option_count != len(hits):  # the same hits: leave the list be
            results.clear_options()
            results.add_options(options)
        self.hits = hits
        self._shown = serial
        count = len(hits)
        if empty:
            self._say("")
        elif count:
            self._say(ngettext("{n} result", "{n} results", count).format(n=count))
        else:
            self._say(_("Nothing found."))
        if hits:
            results.highlighted = 0
            if self._focus_results:
                results.focus()
        self._focus_results = False

    def _say(self, words: str) -> None:
        """The words under the list (changed only when they change: each change lays the dialog out again)."""
        if words != self._count:
            self._count = words
            self.query_one("#search-count", Static).update(Text(words))

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter: to the results, now if they are this query's, else as soon as they come."""
        if self._shown == self._serial:
            if self.hits:
                self.query_one(OptionList).focus()
        else:
            self._focus_results = True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group in (_GROUP, "search-index"):
            error = event.worker.error
            self._say(_("Search failed: {error}").format(error=one_line(str(error))))

    @on(OptionList.OptionSelected, "#results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        item_id, line_no, _ = self.hits[event.option_index]
        self.dismiss((item_id, line_no))

    def key_down(self) -> None:
        if self.query_one(Input).has_focus and self.hits:
            self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)
