"""The search dialog's results: two lines per hit (the lesson's title, then the matching
line read as words, both in bold), a highlighted hit, Enter or a click to choose one.

Textual's `OptionList` measured and laid out every option it was given on the UI
thread (~15 ms for 200 results, at every keystroke that changed them). This is a
line-API `ScrollView` over rows prepared elsewhere (`HitRow`: text already cleaned,
one line each, built in the search worker): every hit is two lines high, so which hit
a screen line shows is a division, the list's height is a multiplication, and only
the lines on screen are ever rendered (their strips kept per width and style until
the rows change). A long title or line is cut at the list's edge with "…"; the line
is cut so that the words found stay in view.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

LINES = 2  # screen lines per hit: its title, then its line


@dataclass(frozen=True)
class HitRow:
    """One hit as shown: its lesson's title and its line as words (both cleaned, one
    line: packages/safe_text.py), and where the words found are in that line
    (`at`, -1 if they are not there as typed; `size` characters)."""

    title: str
    line: str
    at: int = -1
    size: int = 0


class HitList(ScrollView, can_focus=True):
    """Rows of hits (`set_rows`); Enter or a click on one posts `Chosen` with its index."""

    ALLOW_SELECT = False
    BINDINGS = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("home", "first", "First", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
    ]
    COMPONENT_CLASSES = {"hit-list--highlighted", "hit-list--hover"}
    # The look of Textual's OptionList, which this list replaced: the same screen.
    DEFAULT_CSS = """
    HitList {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .hit-list--highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .hit-list--highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .hit-list--hover {
            background: $block-hover-background;
        }
    }
    """

    class Chosen(Message):
        """Enter or a click on hit number `index`."""

        def __init__(self, hit_list: HitList, index: int) -> None:
            super().__init__()
            self.hit_list = hit_list
            self.index = index

        @property
        def control(self) -> HitList:
            return self.hit_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[HitRow] = []
        self.highlighted: int | None = None  # the hit the cursor is on; None when there are none
        self._hover: int | None = None
        self._strips: dict[tuple[int, int, int, Style], Strip] = {}  # (hit, line, width, style) -> strip

    # ------------------------------------------------------------------ content
    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: list[HitRow]) -> None:
        """Show these hits instead, the first highlighted, scrolled to the top. Costs the
        same for 200 hits as for 2: nothing is measured or rendered here, and the dialog is
        laid out again only when the list's height changes."""
        before, after = len(self.rows) * LINES, len(rows) * LINES
        shown = self.scrollable_content_region.height
        # Cut to its max-height already (more lines than shown) and still at least as tall:
        # the same height, so no layout (a layout repaints the whole screen and the one below).
        same_height = before == after or (before > shown > 0 and after >= shown)
        self.rows = rows
        self._strips.clear()
        self._hover = None
        self.highlighted = 0 if rows else None
        self.scroll_to(0, 0, animate=False, immediate=True)
        size = Size(self.scrollable_content_region.width, after)
        if same_height:
            self.set_reactive(Widget.virtual_size, size)  # the reactive would lay out
            self._scroll_update(size)  # the scrollbar's thumb (and its showing, which lays out if it changes)
            self.refresh()
        else:
            self.virtual_size = size

    def same_hits(self, rows: list[HitRow]) -> None:
        """The same hits again (typing on often keeps the same 200 lines), their rows made
        for the longer query: where the words found are may differ, which matters only to a
        line cut at the edge. The lines on screen that change are repainted, no others;
        the highlight goes back to the first hit, as with new rows."""
        old, self.rows = self.rows, rows
        top = int(self.scroll_offset.y) // LINES
        width = self.scrollable_content_region.width - 2
        for index in range(top, min(len(rows), top + self._page() + 2)):
            if _in_view(old[index], width) != _in_view(rows[index], width):
                self._strips = {key: strip for key, strip in self._strips.items() if key[0] != index}
                self._refresh_hit(index)
        self.action_first()

    # ------------------------------------------------------------------ cursor
    def _move(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(len(self.rows) - 1, index))
        if index != self.highlighted:
            old, self.highlighted = self.highlighted, index
            self._refresh_hit(old)
            self._refresh_hit(index)
        self.scroll_to_region(
            Region(0, index * LINES, self.scrollable_content_region.width, LINES),
            animate=False,
            force=True,
            immediate=True,
        )

    def _refresh_hit(self, index: int | None) -> None:
        """Repaint a hit's lines if they are on screen (`refresh_line` counts from the top
        of the whole list and takes the scroll off itself)."""
        if index is None:
            return
        top = int(self.scroll_offset.y)
        for y in range(index * LINES, index * LINES + LINES):
            if 0 <= y - top < self.size.height:
                self.refresh_line(y)

    def _page(self) -> int:
        """Hits in a screenful (at least one)."""
        return max(1, self.scrollable_content_region.height // LINES)

    def action_cursor_down(self) -> None:
        """Down: the next hit; from the last, the first (as OptionList did)."""
        if self.rows:
            self._move(0 if self.highlighted is None else (self.highlighted + 1) % len(self.rows))

    def action_cursor_up(self) -> None:
        """Up: the hit before; from the first, the last (as OptionList did)."""
        if self.rows:
            self._move(len(self.rows) - 1 if self.highlighted is None else (self.highlighted - 1) % len(self.rows))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.rows) - 1)

    def action_page_down(self) -> None:
        self._move((self.highlighted or 0) + self._page())

    def action_page_up(self) -> None:
        self._move((self.highlighted or 0) - self._page())

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Chosen(self, self.highlighted))

    # ------------------------------------------------------------------ mouse
    def _hit_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = (int(self.scroll_offset.y) + offset.y) // LINES
        return index if 0 <= index < len(self.rows) else None

    def on_click(self, event: events.Click) -> None:
        index = self._hit_at(event)
        if index is not None:
            self._move(index)
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._hit_at(event)
        if index != self._hover:
            old, self._hover = self._hover, index
            self._refresh_hit(old)
            self._refresh_hit(index)

    def on_leave(self) -> None:
        old, self._hover = self._hover, None
        self._refresh_hit(old)

    def notify_style_update(self) -> None:
        self.refresh()  # focus, hover, theme: the strips are kept per style, the lines repainted
        super().notify_style_update()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows) * LINES)

    # ------------------------------------------------------------------ rendering
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_offset.y) + y
        index, part = divmod(line, LINES)
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.get_visual_style().rich_style)
        if index == self.highlighted:
            style = self.get_visual_style("hit-list--highlighted")
        elif index == self._hover:
            style = self.get_visual_style("hit-list--hover")
        else:
            style = self.get_visual_style()
        key = (index, part, width, style.rich_style)
        strip = self._strips.get(key)
        if strip is None:
            row = self.rows[index]
            text = Text(row.title if part == 0 else "  " + _in_view(row, width - 2), style="bold")
            text.truncate(width, overflow="ellipsis")
            # Through Textual's Content, as OptionList drew its options: the same cells and styles.
            strips = Visual.to_strips(self, Content.from_rich_text(text), width, 1, style)
            strip = (strips[0] if strips else Strip.blank(0)).extend_cell_length(width, style.rich_style)
            self._strips[key] = strip
        return strip

    def lines_text(self) -> list[str]:
        """The text of every hit as shown at the current width (for tests and screen readers)."""
        width = self.scrollable_content_region.width or 80
        out = []
        for row in self.rows:
            for text in (Text(row.title), Text("  " + _in_view(row, width - 2))):
                text.truncate(width, overflow="ellipsis")
                out.append(text.plain)
        return out


def _in_view(row: HitRow, room: int) -> str:
    """The hit's line, its start cut off ("…") when the words found would otherwise be
    past the right edge of `room` cells."""
    line = row.line
    if row.at <= 0 or cell_len(line) <= room or cell_len(line[: row.at + row.size]) < room:
        return line
    start = max(1, row.at - max(0, room - 1 - row.size) // 2)
    return "…" + line[start:].lstrip()
