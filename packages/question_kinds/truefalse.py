"""True-or-false questions (`type = "truefalse"`): the response is a boolean."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packages.i18n import N_
from packages.question_kinds.base import NOT_UNDERSTOOD, Accepted, Question, Reader, RightAnswer


def _word(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True, kw_only=True)
class TrueFalse(
    Question,
    name="truefalse",
    keys=frozenset({"answer", "feedback_true", "feedback_false"}),
    interaction="true-false",
    widget="ChoiceList",
):
    """A statement that is true or false (`type = "truefalse"`)."""

    answer: bool
    feedback_true: str | None = None  # extension: feedback shown for each response
    feedback_false: str | None = None

    @classmethod
    def parse(cls, reader: Reader, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answer = reader.get(raw, "answer", "bool", f, qp, required=True)
        fb_true = reader.get(raw, "feedback_true", "str", f, qp, default=None) if "feedback_true" in raw else None
        fb_false = reader.get(raw, "feedback_false", "str", f, qp, default=None) if "feedback_false" in raw else None
        return cls(answer=bool(answer), feedback_true=fb_true, feedback_false=fb_false, **common)

    def right_answer(self) -> RightAnswer:
        return RightAnswer("one of", (Accepted(_word(self.answer), said=N_("true") if self.answer else N_("false")),))

    def response_text(self, response: object) -> str:
        return _word(response) if isinstance(response, bool) else NOT_UNDERSTOOD

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        return _word(value) if isinstance(value, bool) else None

    def xapi_pattern(self) -> list[str] | None:
        return [_word(self.answer)]
