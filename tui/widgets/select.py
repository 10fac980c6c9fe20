"""The answer widget of `match` questions: one Textual `Select` per left item, offering
the right-hand options in the order the attempt presents them.

`compose_answer` and `read_answer` are what the quiz screen's `QuestionBox`
(tui/screens/quiz.py) calls for a question whose type names the `Select` widget.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Select, Static

from packages.questions import Match, Question
from packages.safe_text import one_line


def _label(text: str) -> Content:
    """Course text as a widget label: cleaned, never parsed as markup."""
    return Content(one_line(text))


def compose_answer(question: Question, presented: list[int], number: int) -> ComposeResult:
    assert isinstance(question, Match)
    options = question.options()
    for left_index, (left, _right) in enumerate(question.pairs):
        with Horizontal(classes="match-row"):
            yield Static(_label(left), classes="match-left")
            yield Select[int](
                [(_label(options[i]), i) for i in presented],
                prompt="choose…",
                id=f"q-{number}-m{left_index}",
                classes="answer",
            )


def read_answer(box: Widget, question: Question, presented: list[int]) -> Any:
    """The option picked for each left item (None where none is), None when none is."""
    values = [s.value for s in box.query(Select)]
    picked = [v if isinstance(v, int) else None for v in values]
    return None if all(v is None for v in picked) else picked
