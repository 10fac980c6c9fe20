"""Quiz attempts: one attempt in progress, its submission, and what the learner sees of it.

An attempt shows the questions' options in an order of its own (reproducible from its
id), records each hint revealed as it is asked for, and is graded (player/grading.py)
into ONE `attempt` event when submitted. `QuizAttempts` is the part of
`CourseSession` (player/session.py) that starts, grades and sums up attempts; rules in
docs/grading.md. The records it hands out (`Attempt`, `AttemptResult`, `QuizSummary`)
are player/attempt_records.py's, loaded with the first quiz: defining a dataclass costs
~0.5 ms, and the start of `mooc play` needs none of them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.i18n import _
from packages.model import Item, Quiz
from player.scores import Scores

if TYPE_CHECKING:  # what an attempt is and shows load with the first quiz, not at start
    from player.attempt_records import Attempt, AttemptResult, QuizSummary


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
        from player.attempt_records import Attempt

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
        from player.attempt_records import AttemptResult
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
        from player.attempt_records import QuizSummary

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
