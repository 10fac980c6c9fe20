"""A single-choice (radio) or multiple-choice (checkbox) question's options, by keys.

`j`/`k` (or the arrows) move, Space or Enter chooses. Chosen and not chosen differ
by glyph, not by shade: `(•)`/`( )` for one answer, `[x]`/`[ ]` for several (ASCII
`(*)` when the terminal cannot draw `•`), so NO_COLOR shows every choice.

The answer widget (`compose_answer`, `read_answer`) of `single`, `multiple` and
`truefalse` questions in the quiz screen (tui/screens/quiz.py `QuestionBox`).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget

from packages.i18n import _
from packages.questions import MultipleChoice, Question, SingleChoice, TrueFalse
from tui import keymap
from tui.symbols import glyphs
from tui.widgets.option_rows import OptionRows


class ChoiceList(OptionRows):
    BINDINGS = keymap.scope("choices")

    def __init__(self, labels: list[str], *, multiple: bool, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(labels, id=id, classes=classes)
        self.multiple = multiple
        self.chosen: list[int] = []  # rows, in the order shown

    def prefix(self, row: int) -> Text:
        marks = glyphs()
        if self.multiple:
            box = marks["checked"] if row in self.chosen else marks["unchecked"]
        else:
            box = marks["radio_on"] if row in self.chosen else marks["radio_off"]
        return Text(box + " ", style="bold" if row in self.chosen else "")

    def action_pick(self) -> None:
        """Space/Enter: choose the option under the cursor (for several, choose or unchoose it)."""
        self.pick(self.cursor)

    def pick(self, row: int) -> None:
        if self.disabled:
            return
        if not self.multiple:
            self.chosen = [row]
        elif row in self.chosen:
            self.chosen = [r for r in self.chosen if r != row]
        else:
            self.chosen = sorted([*self.chosen, row])
        self.refresh()

    def clicked(self, row: int) -> None:
        self.pick(row)


def compose_answer(question: Question, presented: list[int], number: int) -> ComposeResult:
    """The options of QUESTION in the order PRESENTED (true and false for `truefalse`)."""
    if isinstance(question, (SingleChoice, MultipleChoice)):
        labels = [question.choices[i].text for i in presented]
        yield ChoiceList(labels, multiple=isinstance(question, MultipleChoice), classes="answer")
    else:
        yield ChoiceList([_("True"), _("False")], multiple=False, classes="answer")


def read_answer(box: Widget, question: Question, presented: list[int]) -> Any:
    """The response (player/events.py shape), None when nothing is chosen."""
    chosen = box.query_one(ChoiceList).chosen
    if not chosen:
        return None
    if isinstance(question, TrueFalse):
        return chosen[0] == 0
    if isinstance(question, SingleChoice):
        return presented[chosen[0]]
    return sorted(presented[row] for row in chosen)
