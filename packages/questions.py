"""The questions of a quiz: one frozen dataclass per question type of the pack format.

Kept apart from packages/model.py so that opening a course does not define them: a
course's quizzes stay encoded in the course cache (packages/course_cache.py) until
the learner opens one, and so does the code that describes their questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from packages.question_types import REGISTRY

QuestionType = Literal["single", "multiple", "truefalse", "numeric", "text", "order", "match"]
QUESTION_TYPES: tuple[str, ...] = tuple(REGISTRY)  # packages/question_types.py lists them


@dataclass(frozen=True, kw_only=True)
class Choice:
    """One option of a `single` or `multiple` question."""

    text: str
    correct: bool = False
    feedback: str | None = None
    # Extension (format 1.1): fraction of the question's points this choice is worth,
    # in [-1, 1]. None means v1 behaviour (correct = 1, otherwise 0).
    credit: float | None = None


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields every question type shares."""

    id: str
    prompt: str
    points: float = 1.0
    hints: tuple[str, ...] = ()  # v1 `hint` becomes one hint; extension `hints = [...]`
    explanation: str | None = None

    @property
    def type(self) -> str:
        return _TYPE_NAMES[type(self)]


@dataclass(frozen=True, kw_only=True)
class SingleChoice(Question):
    """One right choice (`type = "single"`); choice credit may give partial points."""

    choices: tuple[Choice, ...]


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(Question):
    """Several right choices (`type = "multiple"`), graded per the contract's partial-credit rule."""

    choices: tuple[Choice, ...]


@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """A statement that is true or false (`type = "truefalse"`)."""

    answer: bool
    feedback_true: str | None = None  # extension: feedback shown for each response
    feedback_false: str | None = None


@dataclass(frozen=True, kw_only=True)
class NumericAnswer:
    """An accepted number: `value` ± tolerance (absolute, or relative when `relative`)."""

    value: float
    tolerance: float = 0.0
    relative: bool = False  # tolerance given as "N%": the fraction N/100 of |value|
    credit: float = 1.0  # extension: partial credit for this answer
    feedback: str | None = None


@dataclass(frozen=True, kw_only=True)
class Numeric(Question):
    """A number within a tolerance of one of `answers` (`type = "numeric"`)."""

    answers: tuple[NumericAnswer, ...]  # v1 `answer` + `tolerance` is one answer with credit 1


@dataclass(frozen=True, kw_only=True)
class TextAnswer:
    """One accepted text answer of a `Text` question, with its credit."""

    text: str
    credit: float = 1.0  # extension: partial credit
    feedback: str | None = None


@dataclass(frozen=True, kw_only=True)
class Text(Question):
    """A typed answer compared after folding case and white space, or a whole-match `pattern`."""

    answers: tuple[TextAnswer, ...] = ()
    pattern: str | None = None
    case_sensitive: bool = False


@dataclass(frozen=True, kw_only=True)
class Order(Question):
    """Items to put in order; shown shuffled, `items` holds the right order."""

    items: tuple[str, ...]  # in the right order


@dataclass(frozen=True, kw_only=True)
class Match(Question):
    """Left items to pair with right-hand options; shown shuffled, `pairs` holds the right pairs."""

    pairs: tuple[tuple[str, str], ...]
    # extension: extra wrong right-hand options offered as distractors
    distractors: tuple[str, ...] = ()


_TYPE_NAMES: dict[type, str] = {
    SingleChoice: "single",
    MultipleChoice: "multiple",
    TrueFalse: "truefalse",
    Numeric: "numeric",
    Text: "text",
    Order: "order",
    Match: "match",
}
QUESTION_CLASSES: dict[str, type[Question]] = {name: cls for cls, name in _TYPE_NAMES.items()}
