"""What a learner sees after a quiz attempt: one rule for the TUI and plain mode.

For each question: the verdict, the pack's feedback for the response given, the
question's hints when it was not fully right, and, only when the quiz's
`show_solutions` allows it (`CourseSession.may_show_solution`), the right answer
and the explanation. Feedback and hints never give the answer away (a hint can
be asked for during any attempt), so they are shown after every attempt: a learner
who fails with attempts left learns from them, and the next attempt still means
something. Rules in docs/grading.md ("After an attempt").

The right answer is one structured value (`right_answer`: the accepted answers with
credit and tolerance, which each question type gives: packages/question_kinds/),
rendered by `RightAnswer.text()` for both UIs and by `to_json()`. Course text is
untrusted: `answer_text` returns one-line cleaned text; feedback, hints and
explanations are returned raw and each UI cleans them as it renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from packages.i18n import _
from packages.question_kinds.base import Accepted as Accepted  # the model's, named here for the UIs
from packages.question_kinds.base import RightAnswer
from packages.question_kinds.pattern_example import example_of as example_of
from packages.questions import Question
from packages.safe_text import one_line

if TYPE_CHECKING:
    from player.attempt_records import AttemptResult
    from player.grading import QuestionGrade
    from player.session import CourseSession

Verdict = Literal["right", "partly", "wrong", "unanswered", "noted"]  # noted: answered, never scored


@dataclass(frozen=True)
class QuestionReview:
    """One question of a submitted attempt, as the learner may see it."""

    number: int  # from 1, in quiz order
    question: Question
    verdict: Verdict
    earned: float
    feedback: tuple[str, ...]  # the pack's feedback for the response given
    hints: tuple[str, ...]  # every hint, when the question was not fully right and no solution is shown
    answer: str | None  # the right answer on one line; None unless show_solutions allows it
    explanation: str | None  # None unless show_solutions allows it


def verdict(qg: QuestionGrade) -> Verdict:
    if qg.response is None:
        return "unanswered"
    if not qg.question.SCORED:
        return "noted"
    if qg.grade.correct:
        return "right"
    return "partly" if qg.grade.score > 0 else "wrong"


def review_question(number: int, qg: QuestionGrade, show_solution: bool) -> QuestionReview:
    q = qg.question
    said = verdict(qg)
    return QuestionReview(
        number=number,
        question=q,
        verdict=said,
        earned=qg.earned,
        feedback=tuple(qg.grade.feedback),
        hints=tuple(q.hints) if said not in ("right", "noted") and not show_solution else (),
        answer=(answer_text(q) or None) if show_solution else None,
        explanation=q.explanation if show_solution and q.explanation else None,
    )


def review(result: AttemptResult) -> list[QuestionReview]:
    """Every question of a submitted attempt, in quiz order."""
    return [review_question(n, qg, result.show_solutions) for n, qg in enumerate(result.questions, start=1)]


def solutions_note(mode: str, shown: bool) -> str | None:
    """One sentence on when the answers appear, for an attempt that did not show them."""
    if shown:
        return None
    if mode == "never":
        return _("This quiz does not show its answers.")
    if mode == "attempted":
        return _("The answers and explanations appear after your first attempt.")
    return _("The answers and explanations appear once you pass this quiz or have no attempts left.")


@dataclass(frozen=True)
class NextStep:
    """Where a learner can go after an attempt; each UI says it with its own keys."""

    retry: bool  # not passed and attempts left: trying again is the obvious step
    next_title: str | None  # the next item of the course (one cleaned line), None at the end
    unlocked: tuple[str, ...]  # titles of the modules this attempt unlocked (cleaned)


def locked_modules(session: CourseSession) -> set[str]:
    """Ids of the modules locked now (compare before and after an attempt)."""
    return {m.id for m in session.course.modules if session.module_lock(m)}


def next_step(session: CourseSession, result: AttemptResult, locked_before: set[str]) -> NextStep:
    now_open = locked_before - locked_modules(session)
    nxt = session.next_item(result.item.id)
    return NextStep(
        retry=not result.passed and result.attempts_left != 0,
        next_title=one_line(session.course.item(nxt).title) if nxt is not None else None,
        unlocked=tuple(one_line(m.title) for m in session.course.modules if m.id in now_open),
    )


def right_answer(q: Question) -> RightAnswer:
    """The right answer of Q: full-credit answers (for a numeric question without one, the
    best-credit answer), with tolerance and credit spelled out (each type says its own:
    packages/question_kinds/)."""
    return q.right_answer()


def answer_text(q: Question) -> str:
    """The right answer on one cleaned line ("" when the pack gives none to show)."""
    return right_answer(q).text()


def response_text(q: Question, response: object) -> str:
    """What a learner answered, on one cleaned line, from a recorded response (the
    shapes of player/events.py); "(not understood)" for one that does not fit the
    question (a response recorded for an older version of the pack, or damaged)."""
    if response is None:
        return _("(no answer)")
    return q.response_text(response)
