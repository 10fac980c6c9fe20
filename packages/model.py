"""The in-memory model of a course pack (format v1 plus its documented extensions).

Everything here is plain, immutable data: loaders build it, the engine reads it,
importers produce the TOML it is loaded from. No I/O, no UI.
See docs/format.md for the contract and every extension.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FORMAT_VERSION = 1

CourseKind = Literal["xmooc", "cmooc"]
ShowSolutions = Literal["always", "attempted", "finished", "never"]
QuestionType = Literal["single", "multiple", "truefalse", "numeric", "text", "order", "match"]
QUESTION_TYPES: tuple[str, ...] = ("single", "multiple", "truefalse", "numeric", "text", "order", "match")


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


@dataclass(frozen=True, kw_only=True)
class Quiz:
    """A quiz file: its questions and the rules of its attempts."""

    title: str
    questions: tuple[Question, ...]
    max_attempts: int = 0  # 0 = unlimited
    pass_threshold: float | None = None  # None: the course's grading.pass_threshold
    shuffle_choices: bool = False
    show_solutions: ShowSolutions = "finished"

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


@dataclass(frozen=True, kw_only=True)
class Item:
    """An entry of a module: a lesson or a quiz. `file` is relative to the pack root."""

    id: str
    kind: Literal["lesson", "quiz"]
    file: str
    title: str
    weight: float = 1.0  # quizzes only: share of the course score; 0 = practice
    quiz: Quiz | None = None  # loaded quiz for kind == "quiz"

    @property
    def is_graded(self) -> bool:
        return self.kind == "quiz" and self.weight > 0


@dataclass(frozen=True, kw_only=True)
class Module:
    """A module of the course: its items in order and what unlocks it."""

    id: str
    title: str
    items: tuple[Item, ...]
    unlock_after_days: int = 0
    requires: tuple[str, ...] = ()  # quiz ids that must be passed first


@dataclass(frozen=True, kw_only=True)
class Course:
    """A whole course pack as loaded: metadata, grading rules and modules."""

    id: str
    version: str
    title: str
    modules: tuple[Module, ...]
    format: int = FORMAT_VERSION
    language: str = "en"
    summary: str = ""
    authors: tuple[str, ...] = ()
    license: str | None = None
    kind: CourseKind = "xmooc"
    weekly_hours: float | None = None
    pass_threshold: float = 0.5
    certificate_available: bool = True
    xapi_endpoint: str | None = None
    _index: dict[str, tuple[Module, Item]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for module in self.modules:
            for item in module.items:
                self._index[item.id] = (module, item)

    def items(self) -> list[Item]:
        return [item for module in self.modules for item in module.items]

    def item(self, item_id: str) -> Item:
        return self._index[item_id][1]

    def module_of(self, item_id: str) -> Module:
        return self._index[item_id][0]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._index

    def graded_quizzes(self) -> list[Item]:
        return [item for item in self.items() if item.is_graded]

    def quiz_pass_threshold(self, item: Item) -> float:
        assert item.quiz is not None
        return item.quiz.pass_threshold if item.quiz.pass_threshold is not None else self.pass_threshold
