"""The search dialog's results: each hit its lesson's title, then the matching line read
as words (both in bold, wrapped to the list's width), a highlighted hit, Enter or a click
to choose one.

Textual's `OptionList` measured and laid out every option it was given on the UI
thread (~15 ms for 200 results, at every keystroke that changed them). This is a
line-API `ScrollView` over rows prepared elsewhere: the text cleaned and the lines
wrapped in the search worker (`HitRow`, `wrap`, `wrap_rows`), with where each hit starts, so
which hit a screen line shows is a binary search, the list's height a number given,
and only the lines on screen are ever rendered (their strips kept per width and style
until the rows change). Lines are wrapped to the width the list has when its
scrollbar shows, so a scrollbar coming or going never wraps them again; a new width
(the terminal resized) wraps them again here, once.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from rich.cells import cell_len, chop_cells
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

from tui.widgets.list_keys import LIST_KEYS


@dataclass(frozen=True)
class HitRow:
    """One hit as shown: its lesson's title and its line as words, both cleaned and on
    one line (packages/safe_text.py)."""

    title: str
    line: str

    def lines(self, width: int) -> tuple[str, ...]:
        """The hit's screen lines at `width` (no wrapping at 0 or less): the title, then
        the line indented by two, each wrapped at spaces if too long."""
        return (*wrap(self.title, width), *wrap("  " + self.line, width))


def wrap(text: str, width: int) -> list[str]:
    """`text` (one line, single spaces, perhaps indented) as lines of at most `width`
    cells, broken at spaces; a word wider than a line is cut. What Textual's
    `Content.wrap` does with such text, but ~10 times faster (~3 µs a line: the worker
    wraps up to 200 hits per keystroke), and never at a no-break space (French puts one
    before « : ; ? ! », which must not start a line)."""
    if width <= 0 or cell_len(text) <= width:
        return [text]
    body = text.lstrip(" ")
    line, used, empty = text[: len(text) - len(body)], len(text) - len(body), True
    if used >= width:  # no room after the indent: none
        line, used = "", 0
    out: list[str] = []
    for word in body.split(" "):
        size = cell_len(word)
        if not size:
            continue
        if used + (0 if empty else 1) + size <= width:
            line, used, empty = (
                (line + word, used + size, False) if empty else (f"{line} {word}", used + 1 + size, False)
            )
            continue
        if not empty:
            out.append(line)
            line, used = "", 0
        while used + size > width:  # wider than a whole line: cut
            piece = chop_cells(word, width - used)[0] or word[0]
            out.append(line + piece)
            line, used, word = "", 0, word[len(piece) :]
            size = cell_len(word)
        line, used, empty = line + word, used + size, False
    out.append(line)
    return out


@dataclass(frozen=True)
class Wrapped:
    """Rows' screen lines at one width, and the first line of each (`starts`, one more
    than the rows: the last is the number of lines)."""

    width: int
    lines: list[tuple[str, ...]]
    starts: list[int]

    @classmethod
    def of(cls, width: int, lines: list[tuple[str, ...]]) -> Wrapped:
        starts = [0]
        for hit in lines:
            starts.append(starts[-1] + len(hit))
        return cls(width, lines, starts)


def wrap_rows(rows: list[HitRow], width: int) -> Wrapped:
    return Wrapped.of(width, [row.lines(width) for row in rows])


class HitList(ScrollView, can_focus=True):
    """Rows of hits (`set_rows`); Enter or a click on one posts `Chosen` with its index."""

    ALLOW_SELECT = False
    BINDINGS = [*LIST_KEYS, Binding("enter", "select", "Select", show=False)]
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
        self._wrapped = Wrapped.of(0, [])
        self.highlighted: int | None = None  # the hit the cursor is on; None when there are none
        self._hover: int | None = None
        self._strips: dict[tuple[int, int, Style], Strip] = {}  # (screen line, width, style) -> strip

    # ------------------------------------------------------------------ content
    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def wrap_width(self) -> int:
        """The width lines are wrapped to: the list's when its scrollbar shows (0 before
        it is laid out: not wrapped)."""
        return max(0, self.content_region.width - self.styles.scrollbar_size_vertical)

    def set_rows(self, rows: list[HitRow], wrapped: Wrapped | None = None) -> None:
        """Show these hits instead, the first highlighted, scrolled to the top. `wrapped`:
        their lines as the worker wrapped them (`wrap_rows` at `wrap_width`); wrapped here
        if missing or made for another width. Nothing is measured or rendered here, and
        the dialog is laid out again only when the list's height changes (never, for a
        list given a height: its scrollbar always shown, `overflow-y: scroll`)."""
        if wrapped is None or wrapped.width != self.wrap_width:
            wrapped = wrap_rows(rows, self.wrap_width)
        before, after = self._wrapped.starts[-1], wrapped.starts[-1]
        shown = self.scrollable_content_region.height
        # A height of its own (not auto), or cut to its max-height already (more lines than
        # shown) and still at least as tall: the same height, so no layout (a layout
        # repaints the whole screen and the one below).
        fixed = self.styles.height is not None and not self.styles.height.is_auto
        same_height = fixed or before == after or (before > shown > 0 and after >= shown)
        self.rows, self._wrapped = rows, wrapped
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

    def _hit_of_line(self, line: int) -> int | None:
        """The hit shown on line `line` of the whole list."""
        if not 0 <= line < self._wrapped.starts[-1]:
            return None
        return bisect_right(self._wrapped.starts, line) - 1

    # ------------------------------------------------------------------ cursor
    def _move(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(len(self.rows) - 1, index))
        if index != self.highlighted:
            old, self.highlighted = self.highlighted, index
            self._refresh_hit(old)
            self._refresh_hit(index)
        starts = self._wrapped.starts
        self.scroll_to_region(
            Region(0, starts[index], self.scrollable_content_region.width, starts[index + 1] - starts[index]),
            animate=False,
            force=True,
            immediate=True,
        )

    def _refresh_hit(self, index: int | None) -> None:
        """Repaint a hit's lines if they are on screen (`refresh_line` counts from the top
        of the whole list and takes the scroll off itself)."""
        if index is None or index >= len(self.rows):
            return
        top = int(self.scroll_offset.y)
        for y in range(self._wrapped.starts[index], self._wrapped.starts[index + 1]):
            if 0 <= y - top < self.size.height:
                self.refresh_line(y)

    def _page(self, direction: int) -> None:
        """A screenful of lines up or down, to the hit there (as OptionList did)."""
        if not self.rows:
            return
        starts = self._wrapped.starts
        line = starts[self.highlighted or 0] + direction * self.scrollable_content_region.height
        hit = self._hit_of_line(max(0, min(starts[-1] - 1, line)))
        self._move(hit if hit is not None else 0)

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
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Chosen(self, self.highlighted))

    # ------------------------------------------------------------------ mouse
    def _hit_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        return None if offset is None else self._hit_of_line(int(self.scroll_offset.y) + offset.y)

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
        if self._wrapped.width != self.wrap_width:  # a new width: the lines wrapped again, here
            self._wrapped = wrap_rows(self.rows, self.wrap_width)
            self._strips.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, self._wrapped.starts[-1])

    # ------------------------------------------------------------------ rendering
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_offset.y) + y
        index = self._hit_of_line(line)
        if index is None:
            return Strip.blank(width, self.get_visual_style().rich_style)
        if index == self.highlighted:
            style = self.get_visual_style("hit-list--highlighted")
        elif index == self._hover:
            style = self.get_visual_style("hit-list--hover")
        else:
            style = self.get_visual_style()
        key = (line, width, style.rich_style)
        strip = self._strips.get(key)
        if strip is None:
            text = Text(self._wrapped.lines[index][line - self._wrapped.starts[index]], style="bold")
            text.truncate(width, overflow="ellipsis")  # wrapped to fit: only a narrower list cuts it
            # Through Textual's Content, as OptionList drew its options: the same cells and styles.
            strips = Visual.to_strips(self, Content.from_rich_text(text), width, 1, style)
            strip = (strips[0] if strips else Strip.blank(0)).extend_cell_length(width, style.rich_style)
            self._strips[key] = strip
        return strip

    def lines_text(self) -> list[str]:
        """Every line of the list as shown at the current width (for tests and screen readers)."""
        return [line for hit in self._wrapped.lines for line in hit]
