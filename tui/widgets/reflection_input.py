"""The answer widget of `reflection` questions: write first, then compare and rate.

The learner writes in a text area (several lines; Tab leaves it). Leaving it with
something written shows the model answer and the author's feedback below it, and the
drop-down after it takes an optional self-rating, 1 (missed it) to 5 (got it all).
Nothing here is scored. `compose_answer` and `read_answer` are what the quiz screen's
`QuestionBox` (tui/screens/quiz.py) calls for a question whose type names this widget.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Select, Static, TextArea

from packages.i18n import N_, _
from packages.question_kinds.reflection import MAX_CHARS, Reflection
from packages.questions import Question
from packages.safe_text import clean

RATING_LABELS = {
    1: N_("1 — missed it"),
    2: "2",
    3: N_("3 — partly"),
    4: "4",
    5: N_("5 — got it all"),
}  # translated where shown


class ReflectionInput(Vertical):
    """A reflection's text area, its model answer and feedback (shown once written), and the rating."""

    DEFAULT_CSS = """
    ReflectionInput { height: auto; }
    ReflectionInput TextArea { height: 6; }
    ReflectionInput .model { display: none; padding: 1 0 0 0; }
    ReflectionInput Select { width: 40; margin: 1 0 0 0; }
    """

    def __init__(self, question: Reflection, number: int, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.question = question
        self.number = number

    def compose(self) -> ComposeResult:
        yield TextArea(id=f"q-{self.number}-text", placeholder=_("write your answer, then Tab"))
        yield Static(classes="model")
        yield Select[int](
            [(_(label), n) for n, label in RATING_LABELS.items()],
            prompt=_("rate your answer (optional)"),
            id=f"q-{self.number}-rating",
        )

    def focus(self, scroll_visible: bool = True) -> ReflectionInput:
        """Focusing the question focuses its text area."""
        self.query_one(TextArea).focus(scroll_visible)
        return self

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @property
    def rating(self) -> int | None:
        value = self.query_one(Select).value
        return value if isinstance(value, int) else None

    @property
    def revealed(self) -> bool:
        return bool(self.query_one(".model", Static).display)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, TextArea) and self.text.strip():
            self.reveal()

    def reveal(self) -> None:
        """Show the model answer and the feedback (or say there is none)."""
        parts: list[RenderableType] = []
        for label, body in ((_("Model answer:"), self.question.answer), (_("Feedback:"), self.question.feedback)):
            if body:
                parts += [Text(label, style="bold"), Markdown(clean(body), hyperlinks=False)]
        if not parts:
            parts = [Text(_("This question has no model answer: rate your answer as you see it."), style="dim")]
        model = self.query_one(".model", Static)
        model.update(Group(*parts))
        model.display = True


def compose_answer(question: Question, presented: list[int], number: int) -> ComposeResult:
    assert isinstance(question, Reflection)
    yield ReflectionInput(question, number, classes="answer")


def read_answer(box: Widget, question: Question, presented: list[int]) -> Any:
    """`[text, rating]`, None while nothing is written; ValueError for a text too long."""
    widget = box.query_one(ReflectionInput)
    text = widget.text
    if not text.strip():
        return None
    if len(text) > MAX_CHARS:
        raise ValueError(_("your answer has {n} characters; {max} at most").format(n=len(text), max=MAX_CHARS))
    return [text, widget.rating]
