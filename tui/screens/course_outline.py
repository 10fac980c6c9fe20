"""The course screen's outline: its labels, status marks and cursor.

`OutlineMarks` is mixed into `CourseScreen` (tui/screens/course.py). A big course opens
with only the current module's items built; the marks are brought up to date by
`refresh_outline`, which repaints only the lines whose mark changed (after `n`, once the
next lesson's text is painted: docs/tui.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from packages.i18n import _
from packages.safe_text import one_line
from tui import keymap
from tui.symbols import marks
from tui.widgets.outline_view import ItemRows, OutlineView

MARKS_AFTER_S = 0.03  # after `n`, the outline's cursor and marks follow the painted lesson

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer

    _Host = Screen[Any]
else:
    _Host = object


class Outline(OutlineView):
    BINDINGS = keymap.scope("outline")


class OutlineMarks(_Host):
    """Mixed into `CourseScreen`, whose `session`, `current`, `start_item` and
    `_shown` (item id -> the status and best score its label shows) these use."""

    session: Any  # player.session.CourseSession
    current: str | None
    start_item: str | None
    _shown: dict[str, tuple[str, float | None]]
    _marks_timer: Timer | None

    def _outline_to(self, item_id: str) -> None:
        course = self.session.course
        self.query_one(Outline).move_to_item(item_id, course.modules.index(course.module_of(item_id)))

    def build_outline(self) -> None:
        outline = self.query_one(Outline)
        outline.fill = self._items_of_module  # a module's items are built when it is first unfolded
        self._shown.clear()
        course = self.session.course
        # A big course opens with only the current module unfolded: 2,000 lessons open at once.
        expand_all = sum(len(m.items) for m in course.modules) <= 300
        target = course.module_of(self.start_item or self.session.resume_item())
        modules = []
        for module in course.modules:
            expand = expand_all or module is target
            view = self.session.module_view(module, items=expand)
            modules.append((self._module_label(view), self._item_rows(view.items) if expand else None, expand))
        outline.set_modules(modules)

    def _item_rows(self, item_views: Any) -> ItemRows:
        rows = []
        for item_view in item_views:
            rows.append((item_view.id, self._item_label(item_view)))
            self._shown[item_view.id] = (item_view.status, item_view.best_score)
        return rows

    def _items_of_module(self, m_index: int) -> ItemRows:
        return self._item_rows(self.session.module_view(self.session.course.modules[m_index]).items)

    def refresh_outline(self) -> None:
        """Update every mark (a passed quiz can unlock the next module). Only the lines
        whose mark changed are repainted."""
        outline = self.query_one(Outline)
        for m_index, module in enumerate(self.session.course.modules):
            view = self.session.module_view(module, items=outline.module_filled(m_index))
            outline.set_module_label(m_index, self._module_label(view))
            for item_view in view.items:
                self._update_node(item_view, outline)

    def _update_node(self, item_view: Any, outline: Outline | None = None) -> None:
        outline = outline or self.query_one(Outline)
        key = (item_view.status, item_view.best_score)
        if outline.has_item(item_view.id) and self._shown.get(item_view.id) != key:
            outline.set_item_label(item_view.id, self._item_label(item_view))
            self._shown[item_view.id] = key

    def _module_label(self, view: Any) -> Text:
        label = Text(one_line(view.module.title), style="bold")
        if view.locked:
            label = Text(f"{marks()['locked']} ") + label
            label.stylize("dim")
        return label

    def _item_label(self, view: Any) -> Text:
        mark = marks()[view.status]
        label = Text(f"{mark} ")
        label.append(one_line(view.item.title))
        if view.item.kind == "quiz" and view.best_score is not None:
            label.append(" " + _("{percent}%").format(percent=f"{view.best_score * 100:.0f}"))
        if view.status == "locked":
            label.stylize("dim")
        elif view.status == "failed":
            label.stylize("red", 0, len(mark))
        elif view.status in ("done", "passed"):
            label.stylize("green", 0, len(mark))
        return label

    def refresh_item(self, item_id: str) -> None:
        self._update_node(self.session.status(item_id))

    def outline_soon(self) -> None:
        """The cursor to the open item and the marks up to date in a moment (after `n`:
        the frame that paints the next lesson repaints nothing else)."""
        if self._marks_timer is None:
            self._marks_timer = self.set_timer(MARKS_AFTER_S, self._outline_catch_up)

    def _outline_catch_up(self) -> None:
        self._marks_timer = None
        if not self.is_attached or self.current is None:
            return
        if self.query_one(Outline).cursor_item != self.current:
            self._outline_to(self.current)  # fills its module first if it was folded
        self.refresh_outline()
