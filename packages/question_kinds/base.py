"""What every question type shares: the common fields, the hooks each type fills in,
and the right answer as one structured value.

A type is a frozen dataclass subclassing `Question`, in its own module of this package,
listed in packages/questions.py. It says, on the class:

| hook | what |
| --- | --- |
| `TYPE`, `KEYS`, `INTERACTION`, `WIDGET` (class keywords `name`, `keys`, `interaction`, `widget`) | its registry row (packages/question_types.py): the `type = "..."` of a quiz file, the keys only it has, its xAPI interactionType, the TUI widget that asks it (tui/widgets/, by name) |
| `SCORED` (class keyword `scored`) | False for a type that is never scored: no points, left out of every score (player/grading.py) |
| `parse` (classmethod) | its keys and checks in a quiz file, every problem through the reader (packages/quiz_parser.py) |
| `right_answer()` | the answers that earn points, as a `RightAnswer` (player/feedback.py shows it) |
| `response_text(response)` | a recorded response in words (player/feedback.py) |
| `xapi_response(value)` (classmethod), `xapi_pattern()`, `xapi_components()` | the xAPI response, correctResponsesPattern and components (sync/interactions.py adds the envelope) |
| `presentation(rng, shuffle_choices)` | the order its options are shown in for one attempt (player/attempts.py) |

Responses have the shapes of the `attempt` event (player/events.py). Grading stays in
player/grading.py; asking in player/plain_quiz.py and the TUI widget.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from packages.i18n import _

Table = dict[str, Any]
NOT_UNDERSTOOD = "(not understood)"  # a response that does not fit its question


class Reader(Protocol):
    """What a type's `parse` reads its keys with: packages/quiz_parser.py's `QuizParser`
    (packages/toml_reader.py), which records every problem with file, key and line."""

    def get(
        self, t: Table, key: str, kind: str, file: str, path: str, /, *, default: Any = ..., required: bool = ...
    ) -> Any:
        """t[key] checked against `kind` (str, bool, number, strlist, list...); the problem
        reported and `default` returned when it is missing or wrong."""

    def error(self, file: str, path: str, message: str) -> None: ...

    def warn(self, file: str, path: str, message: str) -> None: ...

    def unknown_keys(self, table: dict[str, Any], known: set[str], file: str, path: str) -> None:
        """A warning for each key of `table` not in `known`."""

    def tables(
        self, items: list[Any], file: str, path: str, known: set[str], like: str | None = None, /
    ) -> Iterator[tuple[int, str, Table]]:
        """(index, key path, table) of each table in the list ITEMS at key path PATH, unknown
        keys warned about; an item that is no table reported ("must be a table like LIKE")."""
        ...

    def describe(self, value: Any) -> str:
        """A TOML value as a problem names it: `the string 'x'`, `a table`, `the number 3`."""
        ...


@dataclass(frozen=True)
class Accepted:
    """One answer that earns points: as shown (one cleaned line), and what it is worth."""

    text: str
    credit: float = 1.0  # the fraction of the question's points it earns
    tolerance: str | None = None  # numeric: "± 0.5" or "± 2%"
    said: str | None = None  # a word of mooc's own (true/false), marked N_: shown translated; `text` is for JSON

    def shown(self) -> str:
        text = _(self.said) if self.said else self.text
        return f"{text} ({self.tolerance})" if self.tolerance else text


@dataclass(frozen=True)
class RightAnswer:
    """The right answer of a question, computed once (`Question.right_answer`) and rendered
    from this one value by plain mode, the TUI (`text()`) and JSON (`to_json()`).

    `how`: "one of" (any of `answers` is right), "all of" (every one, multiple choice),
    "in order" (the items as listed), "pairs" (each `left: right`), "example" (a
    pattern question: one answer the pattern accepts), "model" (the model answer of a
    question that is never scored: worth nothing), "none" (nothing to show)."""

    how: Literal["one of", "all of", "in order", "pairs", "example", "model", "none"]
    answers: tuple[Accepted, ...] = ()

    def text(self) -> str:
        """On one line, as the learner reads it ("" when there is nothing to show)."""
        if self.how == "none":
            return ""
        if self.how == "example":
            return _("{answer} (for example)").format(answer=self.answers[0].text)
        if self.how == "in order":
            return "; ".join(f"{n}. {a.text}" for n, a in enumerate(self.answers, start=1))
        joiner = _(" or ") if self.how == "one of" else "; "
        return joiner.join(a.shown() for a in self.answers)

    def to_json(self) -> dict[str, object]:
        return {
            "how": self.how,
            "answers": [{"text": a.text, "credit": a.credit, "tolerance": a.tolerance} for a in self.answers],
        }


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields every question type shares, and the hooks each type fills in."""

    id: str
    prompt: str
    points: float = 1.0
    hints: tuple[str, ...] = ()  # v1 `hint` becomes one hint; extension `hints = [...]`
    explanation: str | None = None

    # The registry row, given as class keywords: `class Order(Question, name="order", ...)`
    TYPE: ClassVar[str]  # `type = "..."` in a quiz file
    KEYS: ClassVar[frozenset[str]]  # the keys only this type has
    INTERACTION: ClassVar[str]  # the xAPI cmi.interaction type
    WIDGET: ClassVar[str]  # the TUI widget that asks it (tui/widgets/<snake_case>.py)
    SCORED: ClassVar[bool] = True  # False: never scored, never in a score (`reflection`)

    def __init_subclass__(
        cls,
        *,
        name: str = "",
        keys: frozenset[str] = frozenset(),
        interaction: str = "",
        widget: str = "",
        scored: bool = True,
        **kw: Any,
    ) -> None:
        super().__init_subclass__(**kw)
        if name:  # else a base shared by types (choice questions), not a type
            cls.TYPE, cls.KEYS, cls.INTERACTION, cls.WIDGET = name, keys, interaction, widget
            cls.SCORED = scored

    @property
    def type(self) -> str:
        return self.TYPE

    @classmethod
    def parse(cls, reader: Reader, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        """The question from its table RAW (at key path QP of file F), its own keys read and
        checked; `common` holds the shared fields, already read. Problems go to `reader`."""
        raise NotImplementedError(cls.TYPE)

    def right_answer(self) -> RightAnswer:
        """What earns the points (for a numeric question without a full-credit answer,
        the best-credit one), with tolerance and credit spelled out."""
        return RightAnswer("none")

    def response_text(self, response: object) -> str:
        """A recorded response (not None) on one cleaned line; NOT_UNDERSTOOD for one that
        does not fit the question (recorded for an older version of the pack, or damaged)."""
        return NOT_UNDERSTOOD

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        """A recorded response (not None) in the xAPI response format of `INTERACTION`;
        None when it has no such form. A classmethod: statements are built from the event
        alone, when the pack may be gone."""
        return None

    def xapi_pattern(self) -> list[str] | None:
        """The xAPI correctResponsesPattern; None when there is none to give."""
        return None

    def xapi_components(self) -> dict[str, list[tuple[str, str]]]:
        """The interaction components ("choices", "source", "target"): (id, description) each."""
        return {}

    def presentation(self, rng: random.Random, shuffle_choices: bool) -> list[int] | None:
        """The display order of its options for one attempt (indexes into pack order, what
        `Attempt.presented` gives), drawn from `rng`; None for a type without options."""
        return None


def index_list(value: Any) -> str | None:
    """A list of indexes in the xAPI form "0[,]2" (multiple choice, sequencing); None if it is not one."""
    if isinstance(value, list) and all(map(is_int, value)):
        return "[,]".join(str(v) for v in value)
    return None


def index_in(value: object, size: int) -> int | None:
    """VALUE as an index below SIZE, or None (booleans are not indexes)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size else None


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
