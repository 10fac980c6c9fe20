"""An `order` question answered by keys alone: move the item under the cursor up/down.

The answer widget (`compose_answer`, `read_answer`) of `order` questions in the quiz
screen (tui/screens/quiz.py `QuestionBox`).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from packages.i18n import _
from packages.questions import Order, Question
from tui import keymap
from tui.widgets.option_rows import OptionRows


class OrderList(OptionRows):
    """Items shown in `order` (pack indexes); `K`/`J` (or ctrl+up/down) move the current one.

    `touched` turns True at the first move: a list the learner never touched is not an
    answer (its starting order is random), so the question counts as not answered."""

    BINDINGS = keymap.scope("order question")

    def __init__(
        self, labels: list[str], order: list[int], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(labels, id=id, classes=classes)
        self.order = list(order)
        self.locked = False
        self.touched = False

    def row_label(self, row: int) -> int:
        return self.order[row]

    def prefix(self, row: int) -> Text:
        width = len(str(len(self.order)))
        return Text(f"{row + 1:>{width}}. ", style="bold")

    def action_move_up(self) -> None:
        self._swap(-1)

    def action_move_down(self) -> None:
        self._swap(1)

    def _swap(self, step: int) -> None:
        if self.locked or self.disabled:
            return
        other = self.cursor + step
        if 0 <= other < len(self.order):
            self.order[self.cursor], self.order[other] = self.order[other], self.order[self.cursor]
            self.cursor = other
            self.touched = True
            self.refresh()


def compose_answer(question: Question, presented: list[int], number: int) -> ComposeResult:
    assert isinstance(question, Order)
    yield Static(Text(_("Put in order: j/k choose an item, K/J (or ctrl+up/down) move it."), style="dim"))
    yield OrderList(list(question.items), presented, classes="answer")


def read_answer(box: Widget, question: Question, presented: list[int]) -> Any:
    """The items in the order shown now; None while untouched (not answered)."""
    order_list = box.query_one(OrderList)
    return list(order_list.order) if order_list.touched else None
