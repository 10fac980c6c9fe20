"""The course outline: modules and their items, one line each, with a cursor.

Textual's `Tree` cost ~12 ms of a big course's start (its styles, guides and a
node object per line). An outline is two levels deep, so a line-API `ScrollView`
over a flat list of rows does the job: modules fold and unfold, a module's items
can be supplied only when it is first unfolded (`fill`), and labels are `Text`
the screen builds from cleaned course text.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.list_keys import LIST_KEYS

ItemRows = list[tuple[str, Text]]  # (item id, label) of one module, in order


class _Module:
    """A module's line and its items' (a plain class: made at every start, where a
    dataclass costs ~0.4 ms to define)."""

    __slots__ = ("label", "items", "expanded")

    def __init__(self, label: Text, items: ItemRows | None, expanded: bool) -> None:
        self.label = label
        self.items = items  # None: not supplied yet (see OutlineView.fill)
        self.expanded = expanded


class OutlineView(ScrollView, can_focus=True):
    """Modules (index 0..n-1) and items (by id). Enter or a click on an item posts
    `ItemSelected`; on a module it folds or unfolds it."""

    BINDINGS = [
        *LIST_KEYS,
        Binding("enter", "select", "Open", show=False),
        Binding("space", "toggle", "Fold/unfold", show=False),
        Binding("left", "fold", "Fold", show=False),
        Binding("right", "unfold", "Unfold", show=False),
    ]
    COMPONENT_CLASSES = {"outline-view--cursor", "outline-view--hover"}
    DEFAULT_CSS = """
    OutlineView {
        background: $surface;
        overflow-x: hidden;
        & > .outline-view--cursor {
            text-style: $block-cursor-blurred-text-style;
            background: $block-cursor-blurred-background;
        }
        & > .outline-view--hover { background: $block-hover-background; }
        &:focus {
            background-tint: $foreground 5%;
            & > .outline-view--cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    class ItemSelected(Message):
        def __init__(self, outline: OutlineView, item_id: str) -> None:
            super().__init__()
            self.outline = outline
            self.item_id = item_id

        @property
        def control(self) -> OutlineView:
            return self.outline

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fill: Callable[[int], ItemRows] | None = None  # items of module N, on first unfold
        self._modules: list[_Module] = []
        self._rows: list[tuple[int, int]] = []  # (module index, item index or -1 for the module line)
        self._row_of: dict[tuple[int, int], int] = {}
        self._where: dict[str, tuple[int, int]] = {}  # item id -> (module index, item index)
        self.cursor = 0
        self._hover = -1
        self._paint: tuple[int, Style] | None = None  # width and base style during render_lines

    # ------------------------------------------------------------------ content
    def set_modules(self, modules: list[tuple[Text, ItemRows | None, bool]]) -> None:
        """Replace everything: (label, items or None, unfolded) per module."""
        self._modules = [_Module(label, items, expanded) for label, items, expanded in modules]
        self._where = {}
        for m_index, module in enumerate(self._modules):
            self._index_items(m_index, module)
            if module.expanded:
                self._ensure_items(m_index)
        self.cursor = 0
        self._rebuild()

    def _index_items(self, m_index: int, module: _Module) -> None:
        for i_index, (item_id, _label) in enumerate(module.items or ()):
            self._where[item_id] = (m_index, i_index)

    def _ensure_items(self, m_index: int) -> None:
        module = self._modules[m_index]
        if module.items is None:
            module.items = self.fill(m_index) if self.fill is not None else []
            self._index_items(m_index, module)

    def set_module_label(self, m_index: int, label: Text) -> None:
        if self._modules[m_index].label == label:
            return  # unchanged: nothing to repaint
        self._modules[m_index].label = label
        self._refresh_row(self._row_of[(m_index, -1)])

    def set_item_label(self, item_id: str, label: Text) -> None:
        where = self._where.get(item_id)
        if where is None:
            return
        m_index, i_index = where
        items = self._modules[m_index].items
        assert items is not None
        items[i_index] = (item_id, label)
        if where in self._row_of:
            self._refresh_row(self._row_of[where])

    def has_item(self, item_id: str) -> bool:
        """True once the item's module has supplied its items."""
        return item_id in self._where

    def module_filled(self, m_index: int) -> bool:
        return self._modules[m_index].items is not None

    def label_of(self, item_id: str) -> Text | None:
        where = self._where.get(item_id)
        if where is None:
            return None
        items = self._modules[where[0]].items
        return items[where[1]][1] if items else None

    def line_of(self, item_id: str) -> int | None:
        """The item's line in the outline (0 = first line), or None when folded away."""
        return self._row_of.get(self._where.get(item_id, (-1, -1)))

    @property
    def cursor_item(self) -> str | None:
        """The item under the cursor (None on a module line)."""
        if not self._rows:
            return None
        m_index, i_index = self._rows[self.cursor]
        items = self._modules[m_index].items
        return items[i_index][0] if i_index >= 0 and items else None

    def move_to_item(self, item_id: str, m_index: int) -> None:
        """Unfold module `m_index` (supplying its items if needed) and put the cursor on the item."""
        self._ensure_items(m_index)
        where = self._where.get(item_id)
        if where is None:
            return
        if not self._modules[m_index].expanded:
            self._set_expanded(m_index, True)
        self._move(self._row_of[where])

    # ------------------------------------------------------------------ folding
    def _set_expanded(self, m_index: int, expanded: bool) -> None:
        module = self._modules[m_index]
        if module.expanded == expanded:
            return
        if expanded:
            self._ensure_items(m_index)
        current = self._rows[self.cursor] if self._rows else (0, -1)
        module.expanded = expanded
        self._rebuild()
        if current[0] == m_index and not expanded:
            current = (m_index, -1)  # the cursor's item folded away: stay on its module
        self.cursor = self._row_of.get(current, 0)
        self._scroll_to_cursor()

    def _rebuild(self) -> None:
        rows: list[tuple[int, int]] = []
        for m_index, module in enumerate(self._modules):
            rows.append((m_index, -1))
            if module.expanded:
                rows.extend((m_index, i) for i in range(len(module.items or ())))
        self._rows = rows
        self._row_of = {row: n for n, row in enumerate(rows)}
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        self.virtual_size = Size(self.size.width, len(rows))
        self.refresh()

    # ------------------------------------------------------------------ cursor
    def _move(self, row: int) -> None:
        if not self._rows:
            return
        row = max(0, min(len(self._rows) - 1, row))
        if row != self.cursor:
            old, self.cursor = self.cursor, row
            self._refresh_row(old)
            self._refresh_row(row)
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _refresh_row(self, row: int) -> None:
        """Repaint one row of the outline if it is on screen (`row` counts from the top of
        the whole outline, as `refresh_line` wants it: it takes the scroll off itself)."""
        if 0 <= row - int(self.scroll_y) < self.size.height:
            self.refresh_line(row)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._rows) - 1)

    def action_page_up(self) -> None:
        self._move(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._move(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_toggle(self) -> None:  # type: ignore[override]  # the key's action, not DOMNode's toggle(attribute)
        if self._rows:
            m_index = self._rows[self.cursor][0]
            self._set_expanded(m_index, not self._modules[m_index].expanded)

    def action_fold(self) -> None:
        if self._rows:
            m_index, i_index = self._rows[self.cursor]
            if i_index >= 0:
                self._move(self._row_of[(m_index, -1)])
            else:
                self._set_expanded(m_index, False)

    def action_unfold(self) -> None:
        if self._rows:
            self._set_expanded(self._rows[self.cursor][0], True)

    def action_select(self) -> None:
        item_id = self.cursor_item
        if item_id is not None:
            self.post_message(self.ItemSelected(self, item_id))
        elif self._rows:
            self.action_toggle()

    # ------------------------------------------------------------------ mouse
    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y
        if 0 <= row < len(self._rows):
            self._move(row)
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = int(self.scroll_y) + event.y
        if row != self._hover:
            old, self._hover = self._hover, row
            self._refresh_row(old)
            self._refresh_row(row)

    def on_leave(self) -> None:
        old, self._hover = self._hover, -1
        self._refresh_row(old)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows))

    # ------------------------------------------------------------------ rendering
    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of this paint needs, looked up once (each is a computed property).
        self._paint = (self.scrollable_content_region.width or self.size.width, self.rich_style)
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        width, base = self._paint or (self.scrollable_content_region.width or self.size.width, self.rich_style)
        row = int(self.scroll_y) + y
        if not 0 <= row < len(self._rows):
            return Strip.blank(width, base)
        m_index, i_index = self._rows[row]
        module = self._modules[m_index]
        if i_index < 0:
            line = Text("▼ " if module.expanded else "▶ ") + module.label
        else:
            assert module.items is not None
            line = Text("  ") + module.items[i_index][1]
        line.truncate(width, overflow="ellipsis")
        style: Style = base
        if row == self.cursor:
            style = base + self.get_component_rich_style("outline-view--cursor", partial=True)
        elif row == self._hover:
            style = base + self.get_component_rich_style("outline-view--hover", partial=True)
        line.stylize_before(style)
        segments = list(line.render(self.app.console))
        return Strip(segments).extend_cell_length(width, style).crop(0, width)
