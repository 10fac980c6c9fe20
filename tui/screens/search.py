"""`/`: search the course's lessons as you type; Enter on a result opens the lesson at that line.

The query never runs on the UI thread: each change of the field starts a thread worker
(exclusive: a newer keystroke cancels the older query), which asks the session's search
index (packages/search_index.py), prepares the rows to show (titles and lines cleaned and
read as words, wrapped to the list's width: `HitRow`, `Wrapped`) and posts them back as a
`Results` message. Every query carries
a serial number and only the latest one's results are shown, so a slow early query can
never replace the answer to the last keystroke. The UI thread only hands the rows to the
results list (tui/widgets/hit_list.py), which renders the lines on screen and no others:
its cost does not grow with the number of hits.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from packages.i18n import _, ngettext
from packages.safe_text import one_line
from player.markdown_text import plain_snippet
from tui import keymap
from tui.widgets.hit_list import HitList, HitRow, Wrapped
from tui.widgets.steady_input import SteadyInput

_GROUP = "search"
_KEPT = 5000  # rows kept for the next keystrokes (a 2,000-lesson course has 40,000 lines)


class SearchScreen(ModalScreen[Any]):
    """Dismisses with (item_id, line_no) or None."""

    # The list keeps its height (and its scrollbar) whatever the hits: results coming and
    # going never lay the dialog out again, which repaints it and the course screen below
    # (~10 ms here, the slowest keystrokes when the list grew from nothing).
    DEFAULT_CSS = """
    #results { height: 14; overflow-y: scroll; }
    """

    BINDINGS = keymap.scope("dialogs")

    class Results(Message):
        """The hits of query number `serial` (posted by the worker)."""

        def __init__(self, serial: int, hits: list[tuple[str, int, str]], rows: list[HitRow], wrapped: Wrapped) -> None:
            super().__init__()
            self.serial = serial
            self.hits = hits
            self.rows = rows
            self.wrapped = wrapped

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.hits: list[tuple[str, int, str]] = []
        self._serial = 0  # of the latest query asked for
        self._shown = 0  # of the query whose results are on screen
        self._focus_results = False  # Enter came before the results: go to them when they come
        self._count = ""  # the words under the list
        # (item id, snippet, width) -> its row and screen lines, made by the workers, kept across queries
        self._made: dict[tuple[str, str, int], tuple[HitRow, tuple[str, ...]]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(_("Search the lessons as you type (Enter or ↓: results, Esc: close)"), style="bold"))
            yield SteadyInput(placeholder=_("words to find"), id="query")
            yield HitList(id="results")
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
        self._query(self._serial, event.value, self.session.searchable_modules(), self.query_one(HitList).wrap_width)

    @work(thread=True, exclusive=True, exit_on_error=False, group=_GROUP)
    def _query(self, serial: int, text: str, modules: frozenset[int], width: int) -> None:
        worker = get_current_worker()
        index = self.session.search_index()  # waits here, not in the UI, while it is built
        if worker.is_cancelled:
            return
        hits = index.find(text, modules)
        rows, lines = self._rows(hits, width)
        if not worker.is_cancelled:
            self.post_message(self.Results(serial, hits, rows, Wrapped.of(width, lines)))

    def _rows(self, hits: list[tuple[str, int, str]], width: int) -> tuple[list[HitRow], list[tuple[str, ...]]]:
        """What the list shows of each hit, made here in the worker: the lesson's title and
        the line as words (not Markdown source), both cleaned and on one line, and their
        screen lines at `width`. Kept for the next keystrokes, which mostly find the same."""
        if len(self._made) > _KEPT:
            self._made.clear()
        rows, lines = [], []
        for item_id, _line_no, snippet in hits:
            key = (item_id, snippet, width)
            made = self._made.get(key)
            if made is None:
                title = one_line(self.session.course.item(item_id).title)
                row = HitRow(title, one_line(plain_snippet(snippet)))
                made = self._made[key] = (row, row.lines(width))
            rows.append(made[0])
            lines.append(made[1])
        return rows, lines

    def on_search_screen_results(self, message: Results) -> None:
        if message.serial == self._serial:  # else an older keystroke's: never shown
            self._show(message.serial, message.hits, message.rows, wrapped=message.wrapped)

    def _show(
        self,
        serial: int,
        hits: list[tuple[str, int, str]],
        rows: list[HitRow],
        *,
        wrapped: Wrapped | None = None,
        empty: bool = False,
    ) -> None:
        results = self.query_one(HitList)
        if hits != self.hits or results.row_count != len(hits):
            results.set_rows(rows, wrapped)
        elif hits:  # the same hits (typing on often keeps the same 200): the list is left as it is
            results.action_first()
        self.hits = hits
        self._shown = serial
        count = len(hits)
        if empty:
            self._say("")
        elif count:
            self._say(ngettext("{n} result", "{n} results", count).format(n=count))
        else:
            self._say(_("Nothing found."))
        if hits and self._focus_results:
            results.focus()
        self._focus_results = False

    def _say(self, words: str) -> None:
        """The words under the list (changed only when they change; laid out again only if
        they did not or will not fit on one line)."""
        if words != self._count:
            count = self.query_one("#search-count", Static)
            width = count.content_region.width
            on_one_line = 0 < width and cell_len(words) <= width and cell_len(self._count) <= width
            self._count = words
            count.update(Text(words), layout=not on_one_line)  # one line before and after: no new layout

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter: to the results, now if they are this query's, else as soon as they come."""
        if self._shown == self._serial:
            if self.hits:
                self.query_one(HitList).focus()
        else:
            self._focus_results = True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group in (_GROUP, "search-index"):
            error = event.worker.error
            self._say(_("Search failed: {error}").format(error=one_line(str(error))))

    @on(HitList.Chosen, "#results")
    def _chosen(self, event: HitList.Chosen) -> None:
        item_id, line_no, _ = self.hits[event.index]
        self.dismiss((item_id, line_no))

    def key_down(self) -> None:
        if self.query_one(Input).has_focus and self.hits:
            self.query_one(HitList).focus()

    def action_close(self) -> None:
        self.dismiss(None)
