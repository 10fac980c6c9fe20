"""The answer widget of `numeric` and `text` questions: Textual's one-line `Input`
(as `SteadyInput`: typing repaints the field, not the quiz screen).

`compose_answer` and `read_answer` are what the quiz screen's `QuestionBox`
(tui/screens/quiz.py) calls for a question whose type names the `Input` widget.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Input

from packages.i18n import _
from packages.questions import Numeric, Question
from tui.widgets.steady_input import SteadyInput


def compose_answer(question: Question, presented: list[int], number: int) -> ComposeResult:
    if isinstance(question, Numeric):
        from packages.local_numbers import format_number

        yield SteadyInput(
            placeholder=_("type a number, e.g. {example}").format(example=format_number(3.14)), classes="answer"
        )
    else:
        yield SteadyInput(placeholder=_("type your answer"), classes="answer")


def read_answer(box: Widget, question: Question, presented: list[int]) -> Any:
    """The text typed (a number parsed: ValueError says why not), None when blank."""
    raw = box.query_one(Input).value
    if not raw.strip():
        return None
    if isinstance(question, Numeric):
        from packages.i18n import language
        from player.grading import parse_number

        return parse_number(raw, language())  # grouped digits the way the learner's language writes them
    return raw
