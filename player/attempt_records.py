"""What a quiz attempt is and shows: the attempt in progress, its submitted result, and
the quiz's front page. `QuizAttempts` (player/attempts.py) makes them; they load with
the first quiz, not at the start of `mooc play`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from packages.errors import MoocError
from packages.i18n import _
from packages.model import Item, Quiz
from player.events import Event

if TYPE_CHECKING:  # grading and the question types load with the first quiz, not at start
    from player.grading import AttemptGrade, QuestionGrade


class AttemptOwner(Protocol):
    """Who grades an attempt and reveals its hints: `QuizAttempts` (player/attempts.py)."""

    def show_hint(self, attempt: Attempt, question_id: str) -> str | None: ...

    def submit(self, attempt: Attempt) -> AttemptResult: ...


@dataclass(frozen=True)
class QuizSummary:
    """The front page of a quiz: threshold, attempts used and left, best score."""

    item: Item
    threshold: float
    attempts_used: int
    attempts_left: int | None
    best_score: float | None
    last_score: float | None
    passed: bool
    may_show_solution: bool
    history: list[dict[str, Any]]  # the attempt events' data, oldest first


@dataclass(frozen=True)
class AttemptResult:
    """A submitted attempt as the learner sees it, and the event that recorded it."""

    item: Item
    number: int
    grade: AttemptGrade
    threshold: float
    passed: bool
    duration_s: float
    best_score: float
    attempts_left: int | None
    show_solutions: bool
    event: Event
    course_completed_now: bool = False
    course_passed_now: bool = False

    @property
    def score(self) -> float:
        return self.grade.score

    @property
    def earned(self) -> float:
        return self.grade.earned

    @property
    def total(self) -> float:
        return self.grade.total

    @property
    def questions(self) -> list[QuestionGrade]:
        return self.grade.questions


@dataclass
class Attempt:
    """One quiz attempt in progress: its presentation order, answers and hints."""

    session: AttemptOwner
    item: Item
    number: int
    id: str
    started: float  # monotonic clock
    order: dict[str, list[int]] = field(default_factory=dict)  # question id -> pack indexes as shown
    responses: dict[str, Any] = field(default_factory=dict)
    hints_shown: dict[str, int] = field(default_factory=dict)
    submitted: bool = False

    @property
    def quiz(self) -> Quiz:
        assert self.item.quiz is not None
        return self.item.quiz

    def presented(self, question_id: str) -> list[int]:
        """The display order of the question's options as indexes into pack order.

        single/multiple: choices; order: items; match: right-hand options (pairs'
        right sides then distractors); other types: [].
        """
        self.quiz.question(question_id)  # KeyError for an unknown id
        return list(self.order.get(question_id, []))

    def answer(self, question_id: str, response: Any) -> None:
        """Record (or replace) the response to a question, in the events.py JSON shape."""
        if self.submitted:
            raise MoocError(_("{item}: this attempt was already submitted").format(item=self.item.id))
        try:
            self.quiz.question(question_id)
        except KeyError:
            raise MoocError(
                _("{item}: no question '{question_id}'").format(item=self.item.id, question_id=question_id)
            ) from None
        self.responses[question_id] = response

    def show_hint(self, question_id: str) -> str | None:
        return self.session.show_hint(self, question_id)

    def hints(self, question_id: str) -> list[str]:
        """The hints revealed so far for this question."""
        q = self.quiz.question(question_id)
        return list(q.hints[: self.hints_shown.get(question_id, 0)])

    def submit(self) -> AttemptResult:
        return self.session.submit(self)
