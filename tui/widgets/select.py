"""The answer widget of `match` questions: one Textual `Select` per left item, offering
the right-hand options in the order the attempt presents them. A left-hand side renders
as Markdown (as prompts do); an option, one line in a list, as its words.

`compose_answer` and `read_answer` are what the quiz screen's `QuestionBox`
(tui/screens/quiz.py) calls for a question whose type names the `Select` widget.
"""

from __future__ import annotations

from typing import Any

from rich.markdown import Markdown
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Select, Static

from packages.i18n import _
from packages.questions import Match, Question
from packages.safe_text import clean, one_line
from player.markdown_text import inline_plain


def _label(text: str) -> Content:
    """An option as a one-line widget label: its inline Markdown read as words, as plain mode
    reads it (player/markdown_text.py: no stars, escapes as their characters); cleaned, never markup."""
    return Content(inline_plain(one_line(text)))


def _left(text: str) -> Markdown:
    """A left-hand side, rendered as Markdown the way prompts and lessons are."""
    return Markdown(clean(text), hyperlinks=False)


def compose_answer(question: Question, presented: list[int], number: int) -> ComposeResult:
    assert isinstance(question, Match)
    options = question.options()
    for left_index, (left, _right) in enumerate(question.pairs):
        with Horizontal(classes="match-row"):
            yield Static(_left(left), classes="match-left")
            yield Select[int](
                [(_label(options[i]), i) for i in presented],
                prompt=_("choose…"),
                id=f"q-{number}-m{left_index}",
                classes="answer",
            )


def read_answer(box: Widget, question: Question, presented: list[int]) -> Any:
    """The option picked for each left item (None where none is), None when none is."""
    values = [s.value for s in box.query(Select)]
    picked = [v if isinstance(v, int) else None for v in values]
    return None if all(v is None for v in picked) else picked
