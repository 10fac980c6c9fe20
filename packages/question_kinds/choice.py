"""Choice questions: `single` (one right choice) and `multiple` (several right choices).

Responses: `single` the index of the choice picked (pack order), `multiple` the sorted
list of them. Choice credit (format 1.1) may give partial or negative points.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from packages.i18n import _
from packages.question_kinds.base import (
    NOT_UNDERSTOOD,
    Accepted,
    Question,
    Reader,
    RightAnswer,
    index_in,
    index_list,
    is_int,
)
from packages.safe_text import one_line

_CHOICE_KEYS = {"text", "correct", "feedback", "credit"}


@dataclass(frozen=True, kw_only=True)
class Choice:
    """One option of a `single` or `multiple` question."""

    text: str
    correct: bool = False
    feedback: str | None = None
    # Extension (format 1.1): fraction of the question's points this choice is worth,
    # in [-1, 1]. None means v1 behaviour (correct = 1, otherwise 0).
    credit: float | None = None


def credit_of(choice: Choice, wrong: float) -> float:
    """What CHOICE is worth: its credit, else 1 if correct, else WRONG."""
    return choice.credit if choice.credit is not None else (1.0 if choice.correct else wrong)


def parse_choices(reader: Reader, raw: dict[str, Any], f: str, qp: str) -> list[Choice]:
    raw_choices = reader.get(raw, "choices", "list", f, qp, required=True, default=[])
    choices = []
    for _index, cp, c in reader.tables(raw_choices, f, f"{qp}.choices", _CHOICE_KEYS, '{ text = "..." }'):
        text = reader.get(c, "text", "str", f, cp, required=True)
        correct = reader.get(c, "correct", "bool", f, cp, default=False) if "correct" in c else False
        feedback = reader.get(c, "feedback", "str", f, cp, default=None) if "feedback" in c else None
        credit = reader.get(c, "credit", "number", f, cp, default=None) if "credit" in c else None
        if credit is not None and not -1 <= credit <= 1:
            reader.error(f, f"{cp}.credit", _("must be between -1 and 1, not {credit}").format(credit=credit))
            credit = None
        if text is not None:
            choices.append(
                Choice(
                    text=text, correct=correct, feedback=feedback, credit=float(credit) if credit is not None else None
                )
            )
    if "choices" in raw and isinstance(raw_choices, list) and len(raw_choices) < 2:
        reader.error(f, f"{qp}.choices", _("needs at least 2 choices"))
    return choices


def _picked_text(choices: tuple[Choice, ...], picks: object) -> str:
    if not isinstance(picks, list):
        return NOT_UNDERSTOOD
    found = [index_in(p, len(choices)) for p in picks]
    if any(i is None for i in found) or not found:
        return NOT_UNDERSTOOD
    return "; ".join(one_line(choices[i].text) for i in found if i is not None)


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(Question):
    """What `single` and `multiple` share: the choices, read the same way, their xAPI
    components and the order they are shown in."""

    choices: tuple[Choice, ...]

    @classmethod
    def parse(cls, reader: Reader, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        choices = parse_choices(reader, raw, f, qp)
        if choices:
            cls.check(reader, choices, f, f"{qp}.choices")
        return cls(choices=tuple(choices), **common)

    @classmethod
    def check(cls, reader: Reader, choices: list[Choice], f: str, path: str) -> None:
        """Report what makes CHOICES (at key path PATH) wrong for this type."""

    def xapi_components(self) -> dict[str, list[tuple[str, str]]]:
        return {"choices": [(str(i), c.text) for i, c in enumerate(self.choices)]}

    def presentation(self, rng: random.Random, shuffle_choices: bool) -> list[int] | None:
        idx = list(range(len(self.choices)))
        if shuffle_choices:
            rng.shuffle(idx)
        return idx


@dataclass(frozen=True, kw_only=True)
class SingleChoice(
    ChoiceQuestion, name="single", keys=frozenset({"choices"}), interaction="choice", widget="ChoiceList"
):
    """One right choice (`type = "single"`); choice credit may give partial points."""

    @classmethod
    def check(cls, reader: Reader, choices: list[Choice], f: str, path: str) -> None:
        if any(c.credit is not None for c in choices):
            if not any(credit_of(c, 0.0) == 1 for c in choices):
                reader.error(f, path, _("no choice is worth full credit (credit = 1 or correct = true)"))
            return
        n = sum(c.correct for c in choices)
        if n == 0:
            reader.error(f, path, _("no choice has correct = true"))
        elif n > 1:
            reader.error(
                f,
                path,
                _(
                    '{n} choices have correct = true; a single-choice question needs exactly one (use type = "multiple")'
                ).format(n=n),
            )

    def right_answer(self) -> RightAnswer:
        return RightAnswer(
            "one of", tuple(Accepted(one_line(c.text)) for c in self.choices if credit_of(c, 0.0) >= 1.0)
        )

    def response_text(self, response: object) -> str:
        return _picked_text(self.choices, [response])

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        return str(value) if is_int(value) else None

    def xapi_pattern(self) -> list[str] | None:
        right = [str(i) for i, c in enumerate(self.choices) if c.correct]
        return right or None


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(
    ChoiceQuestion, name="multiple", keys=frozenset({"choices"}), interaction="choice", widget="ChoiceList"
):
    """Several right choices (`type = "multiple"`), graded per the contract's partial-credit rule."""

    @classmethod
    def check(cls, reader: Reader, choices: list[Choice], f: str, path: str) -> None:
        if not any(c.correct or (c.credit or 0) > 0 for c in choices):
            reader.error(f, path, _("no choice has correct = true"))

    def right_answer(self) -> RightAnswer:
        return RightAnswer(
            "all of",
            tuple(Accepted(one_line(c.text), credit_of(c, -1.0)) for c in self.choices if credit_of(c, -1.0) > 0),
        )

    def response_text(self, response: object) -> str:
        return _picked_text(self.choices, response)

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        return index_list(value)

    def xapi_pattern(self) -> list[str] | None:
        return ["[,]".join(str(i) for i, c in enumerate(self.choices) if c.correct)]
