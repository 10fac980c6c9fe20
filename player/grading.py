"""Grade quiz responses exactly as the pack format's scoring table says.

Pure functions over the typed model: no I/O, no UI; the only clock is the time bound
on answer patterns (packages/answer_pattern.py). A response that is
malformed (wrong type, an index out of range, a duplicate pick) scores 0 and never
raises: a pack or an event log written by another tool must not crash grading.
Response shapes are those of the ``attempt`` event (player/events.py). Every rule
and decision is written down in docs/grading.md.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from packages.answer_pattern import MAX_ANSWER_CHARS, MatchBudget, Outcome, fullmatch
from packages.i18n import _
from packages.model import SCORE_EPSILON, Quiz
from packages.question_kinds.reflection import reflection_of
from packages.questions import (
    Match,
    MultipleChoice,
    Numeric,
    NumericAnswer,
    Order,
    Question,
    Reflection,
    SingleChoice,
    Text,
    TrueFalse,
)

# Two numbers closer than this fraction of their magnitude are equal: tolerance
# boundaries are INCLUDED, and 0.1 + 0.2 must still be within 0.3 ± 0.
REL_EPSILON = 1e-12


@dataclass(frozen=True)
class Grade:
    """The grade of one response: score in [0, 1]; `valid` is False for a malformed response."""

    score: float
    correct: bool
    feedback: list[str] = field(default_factory=list)
    valid: bool = True


@dataclass(frozen=True)
class QuestionGrade:
    """One question of a graded attempt: the response given and its grade."""

    question: Question
    response: Any  # the normalised JSON response (None when unanswered)
    grade: Grade

    @property
    def earned(self) -> float:
        return self.grade.score * self.question.points

    def record(self, statement_id: str) -> dict[str, Any]:
        """This question as the `attempt` event records it (player/events.py); one that is
        never scored (a reflection) without score, earned and correct."""
        out = {
            "id": self.question.id,
            "type": self.question.type,
            "statement_id": statement_id,
            "response": self.response,
            "score": round(self.grade.score, 6),
            "earned": round(self.earned, 6),
            "points": self.question.points,
            "correct": self.grade.correct,
        }
        if not self.question.SCORED:
            for key in ("score", "earned", "correct"):
                del out[key]
        return out


@dataclass(frozen=True)
class AttemptGrade:
    """A whole attempt: sum(points × score) / sum(points)."""

    questions: list[QuestionGrade]
    earned: float
    total: float
    score: float

    def passed(self, threshold: float) -> bool:
        return self.score >= threshold - SCORE_EPSILON

    @property
    def scored(self) -> bool:
        """False for a quiz of questions that are never scored (reflections): done once submitted."""
        return not self.questions or any(g.question.SCORED for g in self.questions)


# ---------------------------------------------------------------------------
# Parsing learner input (shared by the TUI and plain mode)

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def parse_number(text: str) -> float:
    """A number typed by a learner: `3.14`, `3,14`, ` -2 `, `1e-3`. ValueError says why not.

    `,` is a decimal mark (many locales write 3,14). A number holding both `,` and
    `.` ("1,234.5") is ambiguous and refused rather than guessed.
    """
    raw = text.strip().replace("\u2212", "-")  # U+2212 MINUS SIGN, as pasted from documents
    if not raw:
        raise ValueError(_("type a number"))
    if "," in raw and "." in raw:
        raise ValueError(
            _("{raw} mixes ',' and '.': write the number without a thousands separator").format(raw=repr(raw))
        )
    if not _NUMBER.fullmatch(raw):
        raise ValueError(_("{raw} is not a number").format(raw=repr(raw)))
    value = float(raw.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(_("{raw} is too large").format(raw=repr(raw)))
    return value


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """NFKC, trim, collapse white space, and Unicode case folding unless case-sensitive.

    NFKC makes full-width letters, ligatures (ﬁ) and composed/decomposed accents
    compare equal; casefold makes "Straße" equal "STRASSE".
    """
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    return text if case_sensitive else text.casefold()


# ---------------------------------------------------------------------------
# Grading one question


def grade_question(question: Question, response: Any, budget: MatchBudget | None = None) -> Grade:
    """Score one response in [0, 1] with the feedback the pack gives for it.

    `budget`: the time left for pattern matching (one attempt shares one budget).
    """
    if response is None:
        return Grade(0.0, False, [], valid=True)
    try:
        grader = _GRADERS[type(question)]
    except KeyError:
        return Grade(0.0, False, [], valid=False)
    try:
        if isinstance(question, Text):
            return _grade_text(question, response, budget)
        return grader(question, response)
    except (TypeError, ValueError, IndexError, KeyError, OverflowError, RecursionError):
        return Grade(0.0, False, [], valid=False)


def _malformed() -> Grade:
    return Grade(0.0, False, [], valid=False)


def _is_index(value: Any, size: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size


def _clamp(score: float) -> float:
    if not math.isfinite(score):
        return 0.0
    return max(0.0, min(1.0, score))


def _grade_single(q: SingleChoice, response: Any) -> Grade:
    if not _is_index(response, len(q.choices)):
        return _malformed()
    choice = q.choices[response]
    credit = choice.credit if choice.credit is not None else (1.0 if choice.correct else 0.0)
    score = _clamp(credit)
    return Grade(score, score >= 1.0 - SCORE_EPSILON, [choice.feedback] if choice.feedback else [])


def _grade_multiple(q: MultipleChoice, response: Any) -> Grade:
    if not isinstance(response, (list, tuple)) or not all(_is_index(r, len(q.choices)) for r in response):
        return _malformed()
    if len(set(response)) != len(response):
        return _malformed()
    n_right = sum(1 for c in q.choices if c.correct) or 1
    total = 0.0
    for index in response:
        choice = q.choices[index]
        if choice.credit is not None:
            total += choice.credit
        else:
            total += (1.0 if choice.correct else -1.0) / n_right
    score = _clamp(total)
    feedback = [q.choices[i].feedback for i in sorted(response) if q.choices[i].feedback]
    return Grade(score, score >= 1.0 - SCORE_EPSILON, feedback)


def _grade_truefalse(q: TrueFalse, response: Any) -> Grade:
    if not isinstance(response, bool):
        return _malformed()
    feedback = q.feedback_true if response else q.feedback_false
    ok = response == q.answer
    return Grade(1.0 if ok else 0.0, ok, [feedback] if feedback else [])


def allowed_error(answer: NumericAnswer) -> float:
    """The absolute tolerance of an accepted answer.

    A relative tolerance ("N%" in the pack) is held as the fraction N/100 (the loader
    turns "2%" into 0.02), applied to |value|: "2%" of -50 is 1, "2%" of 0 is 0.
    """
    tolerance = abs(answer.tolerance)
    return tolerance * abs(answer.value) if answer.relative else tolerance


def within(value: float, answer: NumericAnswer) -> bool:
    """`value` is within the answer's tolerance, the boundary included (up to float error)."""
    diff = abs(value - answer.value)
    limit = allowed_error(answer)
    epsilon = REL_EPSILON * max(abs(value), abs(answer.value), limit)
    return diff <= limit + epsilon


def _grade_numeric(q: Numeric, response: Any) -> Grade:
    if isinstance(response, bool):
        return _malformed()
    if isinstance(response, str):
        value = parse_number(response)
    elif isinstance(response, (int, float)):
        value = float(response)
    else:
        return _malformed()
    if not math.isfinite(value):
        return _malformed()
    best: NumericAnswer | None = None
    for answer in q.answers:
        if within(value, answer) and (best is None or answer.credit > best.credit):
            best = answer
    if best is None:
        return Grade(0.0, False, [])
    score = _clamp(best.credit)
    return Grade(score, score >= 1.0 - SCORE_EPSILON, [best.feedback] if best.feedback else [])


# Said when an answer could not be checked against the question's pattern in time.
PATTERN_TIMED_OUT = (
    "This answer took too long to check against the question's answer pattern, so it "
    "counts as wrong (a problem in the course: tell its author)."
)
ANSWER_TOO_LONG = "This answer is too long to be checked ({limit} characters at most), so it counts as wrong."


def _grade_text(q: Text, response: Any, budget: MatchBudget | None = None) -> Grade:
    if not isinstance(response, str):
        return _malformed()
    if len(response) > MAX_ANSWER_CHARS:  # not even normalised: 10 MB pasted is not an answer
        return Grade(0.0, False, [ANSWER_TOO_LONG.format(limit=MAX_ANSWER_CHARS)])
    given = normalise_text(response, case_sensitive=q.case_sensitive)
    best_credit = 0.0
    feedback: list[str] = []
    matched = False
    for answer in q.answers:
        if normalise_text(answer.text, case_sensitive=q.case_sensitive) == given:
            if not matched or answer.credit > best_credit:
                best_credit = answer.credit
                feedback = [answer.feedback] if answer.feedback else []
            matched = True
    notes: list[str] = []
    if q.pattern is not None and (not matched or best_credit < 1.0):
        # The whole trimmed (NFKC, white space collapsed) response must match, within the time bound.
        subject = normalise_text(response, case_sensitive=True)
        outcome = fullmatch(q.pattern, subject, ignore_case=not q.case_sensitive, budget=budget)
        if outcome is Outcome.MATCH:
            best_credit = 1.0
            if not matched:
                feedback = []
            matched = True
        elif outcome is Outcome.TIMED_OUT:
            notes = [PATTERN_TIMED_OUT]
        elif outcome is Outcome.TOO_LONG:
            notes = [ANSWER_TOO_LONG.format(limit=MAX_ANSWER_CHARS)]
    if not matched:
        return Grade(0.0, False, notes)
    score = _clamp(best_credit)
    return Grade(score, score >= 1.0 - SCORE_EPSILON, feedback)


def _grade_order(q: Order, response: Any) -> Grade:
    n = len(q.items)
    if (
        not isinstance(response, (list, tuple))
        or len(response) != n
        or not all(_is_index(r, n) for r in response)
        or len(set(response)) != n
    ):
        return _malformed()
    if n == 0:
        return Grade(1.0, True, [])
    right = sum(1 for place, index in enumerate(response) if place == index)
    return Grade(right / n, right == n, [])


def match_options(q: Match) -> list[str]:
    """The right-hand options in pack order: each pair's right side, then the distractors."""
    return q.options()


def _grade_match(q: Match, response: Any) -> Grade:
    n = len(q.pairs)
    options = match_options(q)
    if not isinstance(response, (list, tuple)) or len(response) != n:
        return _malformed()
    if not all(r is None or _is_index(r, len(options)) for r in response):
        return _malformed()
    if n == 0:
        return Grade(1.0, True, [])
    # Compared by text: two pairs sharing a right side accept either copy.
    right = sum(1 for (_, wanted), r in zip(q.pairs, response) if r is not None and options[r] == wanted)
    return Grade(right / n, right == n, [])


def _grade_reflection(q: Reflection, response: Any) -> Grade:
    """Never scored: any text written (with a rating 1-5, or none) is valid; the author's
    feedback is shown for it."""
    if reflection_of(response) is None:
        return _malformed()
    return Grade(0.0, False, [q.feedback] if q.feedback else [])


_GRADERS: dict[type, Any] = {
    SingleChoice: _grade_single,
    MultipleChoice: _grade_multiple,
    TrueFalse: _grade_truefalse,
    Numeric: _grade_numeric,
    Text: _grade_text,
    Order: _grade_order,
    Match: _grade_match,
    Reflection: _grade_reflection,
}


# ---------------------------------------------------------------------------
# A whole attempt


def normalise_response(question: Question, response: Any) -> Any:
    """The JSON form stored in the attempt event (numeric text parsed, lists as lists).

    Unparseable numeric text stays the string it was, so the event shows what was typed.
    """
    if response is None:
        return None
    if isinstance(question, Numeric) and isinstance(response, str):
        try:
            return parse_number(response)
        except ValueError:
            return response
    if isinstance(question, MultipleChoice) and isinstance(response, (list, tuple, set, frozenset)):
        try:
            return sorted(response)
        except TypeError:
            return list(response)
    if isinstance(response, tuple):
        return list(response)
    return response


def grade_attempt(quiz: Quiz, responses: Mapping[str, Any]) -> AttemptGrade:
    """Grade every question of `quiz`; a missing response scores 0.

    Questions never scored (reflections) count nowhere. With no points at all in the
    quiz (a survey), the score is the mean score of the scored questions; a quiz of
    questions never scored scores 1 once one of them is answered (done), else 0.
    """
    graded: list[QuestionGrade] = []
    budget = MatchBudget()
    for question in quiz.questions:
        response = normalise_response(question, responses.get(question.id))
        graded.append(QuestionGrade(question, response, grade_question(question, response, budget)))
    scored = [g for g in graded if g.question.SCORED]
    total = sum(g.question.points for g in scored)
    earned = sum(g.earned for g in scored)
    if total > 0:
        score = earned / total
    elif scored:
        score = sum(g.grade.score for g in scored) / len(scored)
    elif any(g.response is not None and g.grade.valid for g in graded):
        score = 1.0  # questions never scored alone (reflections): done once one is written
    else:
        score = 0.0
    return AttemptGrade(graded, earned, total, _clamp(score))
