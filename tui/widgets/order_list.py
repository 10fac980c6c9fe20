"""An `order` question answered by keys alone: move the item under the cursor up/down."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from packages.safe_text import one_line
from tui import keymap


class OrderList(Widget, can_focus=True):
    """Items shown in `order` (pack indexes); `K`/`J` (or ctrl+up/down) move the current one.

    `touched` turns True at the first move: a list the learner never touched is not an
    answer (its starting order is random), so the question counts as not answered."""

    DEFAULT_CSS = """
    OrderList { height: auto; padding: 0 1; border: tall $border-blurred; }
    OrderList:focus { border: tall $border; }
    """
    BINDINGS = keymap.scope("order question")

    cursor: reactive[int] = reactive(0)

    def __init__(self, labels: list[str], order: list[int], *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.labels = [one_line(label) for label in labels]
        self.order = list(order)
        self.locked = False
        self.touched = False

    def render(self) -> Text:
        text = Text()
        for row, index in enumerate(self.order):
            here = row == self.cursor and self.has_focus
            text.append("> " if row == self.cursor else "  ", style="bold" if here else "")
            text.append(f"{row + 1}. ", style="bold")
            text.append(self.labels[index], style="reverse" if here else "")
            if row < len(self.order) - 1:
                text.append("\n")
        return text

    def action_cursor_down(self) -> None:
        self.cursor = min(len(self.order) - 1, self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.cursor = max(0, self.cursor - 1)

    def action_move_up(self) -> None:
        self._swap(-1)

    def action_move_down(self) -> None:
        self._swap(1)

    def _swap(self, step: int) -> None:
        if self.locked:
            return
        other = self.cursor + step
        if 0 <= other < len(self.order):
            self.order[self.cursor], self.order[other] = self.order[other], self.order[self.cursor]
            self.cursor = other
            self.touched = True
            self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
