"""The in-memory model of a course pack (format v1 plus its documented extensions).

Everything here is plain, immutable data: loaders build it, the engine reads it,
importers produce the TOML it is loaded from. No I/O, no UI. The question types
are in packages/questions.py. See docs/format.md for the contract and every extension.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from packages.questions import Question

FORMAT_VERSION = 1
# Scores at or above threshold − this count as passed (0.7000000000000001 vs 0.7).
SCORE_EPSILON = 1e-9

CourseKind = Literal["xmooc", "cmooc"]
ShowSolutions = Literal["always", "attempted", "finished", "never"]


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
    # [certificate] issuer / issuer_name / issuer_url: who signs this course's certificates
    # (a did:key, sync/didkey.py; docs/format.md and docs/certificates.md).
    certificate_issuer: str | None = None
    certificate_issuer_name: str | None = None
    certificate_issuer_url: str | None = None
    _index: dict[str, tuple[Module, Item]] = field(default_factory=dict, init=False, repr=False, compare=False)
    # items() and graded_quizzes(), made once: the engine asks for them at every score
    _items: tuple[Item, ...] = field(default=(), init=False, repr=False, compare=False)
    _graded: tuple[Item, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for module in self.modules:
            for item in module.items:
                self._index[item.id] = (module, item)
        items = tuple(item for module in self.modules for item in module.items)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_graded", tuple(item for item in items if item.is_graded))

    def items(self) -> list[Item]:
        return list(self._items)

    def item(self, item_id: str) -> Item:
        return self._index[item_id][1]

    def module_of(self, item_id: str) -> Module:
        return self._index[item_id][0]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._index

    def graded_quizzes(self) -> list[Item]:
        return list(self._graded)

    def quiz_pass_threshold(self, item: Item) -> float:
        assert item.quiz is not None
        return item.quiz.pass_threshold if item.quiz.pass_threshold is not None else self.pass_threshold
