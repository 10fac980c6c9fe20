"""Quiz attempts: one attempt in progress, its submission, and what the learner sees of it.

An attempt shows the questions' options in an order of its own (reproducible from its
id), records each hint revealed as it is asked for, and is graded (player/grading.py)
into ONE `attempt` event when submitted. `QuizAttempts` is the part of
`CourseSession` (player/session.py) that starts, grades and sums up attempts; rules in
docs/grading.md.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.i18n import _
from packages.model import Item, Quiz
from player.events import Event
from player.scores import Scores

if TYPE_CHECKING:  # grading and the question types load with the first quiz, not at start
    from player.grading import AttemptGrade, QuestionGrade


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

    session: QuizAttempts
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


def _presentation(quiz: Quiz, attempt_id: str) -> dict[str, list[int]]:
    """Per-attempt display order, reproducible from the attempt id (each question type
    draws its own: `presentation` in packages/question_kinds/)."""
    rng = random.Random(attempt_id)
    order: dict[str, list[int]] = {}
    for q in quiz.questions:
        shown = q.presentation(rng, quiz.shuffle_choices)
        if shown is not None:
            order[q.id] = shown
    return order


class QuizAttempts(Scores):
    """Starting, grading and summing up the learner's quiz attempts."""

    _clock: Callable[[], float]

    if TYPE_CHECKING:  # from the rest of CourseSession

        def _require_open(self, item_id: str) -> Item: ...

        def ensure_enrolled(self) -> None: ...

    def start_attempt(self, item_id: str) -> Attempt:
        item = self._require_open(self._quiz_item(item_id).id)
        left = self.attempts_left(item_id)
        if left == 0:
            raise MoocError(
                _("'{title}': no attempts left (the quiz allows {max_attempts})").format(
                    title=item.title,
                    max_attempts=item.quiz.max_attempts,  # type: ignore[union-attr]
                )
            )
        self.ensure_enrolled()
        if self._p.position != item_id:
            self._record("position", item_id)
            self._p.position = item_id  # what the learner just did wins, whatever this PC's clock says
        attempt_id = str(uuid.uuid4())
        assert item.quiz is not None
        return Attempt(
            session=self,
            item=item,
            number=len(self._p.attempts.get(item_id, [])) + 1,
            id=attempt_id,
            started=self._clock(),
            order=_presentation(item.quiz, attempt_id),
        )

    def show_hint(self, attempt: Attempt, question_id: str) -> str | None:
        """Reveal the next hint of a question (one per call); None when there is no more."""
        question = attempt.quiz.question(question_id)
        shown = attempt.hints_shown.get(question_id, 0)
        if shown >= len(question.hints):
            return None
        attempt.hints_shown[question_id] = shown + 1
        self._record("hint_shown", attempt.item.id, question_id=question_id)
        return question.hints[shown]

    def submit(self, attempt: Attempt) -> AttemptResult:
        """Grade the attempt and record ONE `attempt` event (plus course milestones)."""
        if attempt.submitted:
            raise MoocError(_("{item}: this attempt was already submitted").format(item=attempt.item.id))
        item = attempt.item
        if self.attempts_left(item.id) == 0:
            raise MoocError(_("'{title}': no attempts left").format(title=item.title))
        assert item.quiz is not None
        from packages.i18n import language
        from player.grading import grade_attempt

        answered_in = language()  # numbers typed as text are read the way it writes them
        grade = grade_attempt(item.quiz, attempt.responses, answered_in)
        threshold = self.course.quiz_pass_threshold(item)
        passed = grade.passed(threshold)
        duration = max(0.0, self._clock() - attempt.started)
        number = len(self._p.attempts.get(item.id, [])) + 1
        data = {
            "attempt": number,
            "score": round(grade.score, 6),
            "earned": round(grade.earned, 6),
            "total": round(grade.total, 6),
            "passed": passed,
            "duration_s": round(duration, 3),
            "threshold": threshold,
            "questions": [g.record(str(uuid.uuid4())) for g in grade.questions],
            "language": answered_in,
        }
        event = self._record("attempt", item.id, **data)
        attempt.submitted = True
        completed_now, passed_now = self._check_course_milestones()
        return AttemptResult(
            item=item,
            number=number,
            grade=grade,
            threshold=threshold,
            passed=passed,
            duration_s=duration,
            best_score=self.best_score(item.id) or 0.0,
            attempts_left=self.attempts_left(item.id),
            show_solutions=self.may_show_solution(item.id),
            event=event,
            course_completed_now=completed_now,
            course_passed_now=passed_now,
        )

    def quiz_summary(self, item_id: str) -> QuizSummary:
        item = self._quiz_item(item_id)
        attempts = self.attempts(item_id)
        return QuizSummary(
            item=item,
            threshold=self.threshold(item_id),
            attempts_used=len(attempts),
            attempts_left=self.attempts_left(item_id),
            best_score=self.best_score(item_id),
            last_score=attempts[-1]["score"] if attempts else None,
            passed=self.quiz_passed(item_id),
            may_show_solution=self.may_show_solution(item_id),
            history=attempts,
        )


def responses_from_event(data: Mapping[str, Any]) -> dict[str, Any]:
    """The responses of a recorded attempt, by question id (to show a past attempt)."""
    return {q["id"]: q.get("response") for q in data.get("questions", []) if isinstance(q, dict) and "id" in q}
