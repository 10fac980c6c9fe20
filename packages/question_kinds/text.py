"""Text questions (`type = "text"`): a typed answer, compared with the accepted answers
after folding case and white space, or matched whole by an answer `pattern`.

The response is the text typed. Pattern matching itself, with its bounds, is
packages/answer_pattern.py; grading is player/grading.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from packages.i18n import _
from packages.question_kinds.base import NOT_UNDERSTOOD, Accepted, Question, Reader, RightAnswer
from packages.safe_text import one_line


@dataclass(frozen=True, kw_only=True)
class TextAnswer:
    """One accepted text answer of a `Text` question, with its credit."""

    text: str
    credit: float = 1.0  # extension: partial credit
    feedback: str | None = None


@dataclass(frozen=True, kw_only=True)
class Text(
    Question,
    name="text",
    keys=frozenset({"answers", "pattern", "case_sensitive"}),
    interaction="fill-in",
    widget="Input",
):
    """A typed answer compared after folding case and white space, or a whole-match `pattern`."""

    answers: tuple[TextAnswer, ...] = ()
    pattern: str | None = None
    case_sensitive: bool = False

    @classmethod
    def parse(cls, reader: Reader, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answers: list[TextAnswer] = []
        raw_answers = reader.get(raw, "answers", "list", f, qp, default=[])
        for ai, a in enumerate(raw_answers):
            ap = f"{qp}.answers[{ai}]"
            if isinstance(a, str):
                answers.append(TextAnswer(text=a))
            elif isinstance(a, dict):
                reader.unknown_keys(a, {"text", "credit", "feedback"}, f, ap)
                text = reader.get(a, "text", "str", f, ap, required=True)
                credit = reader.get(a, "credit", "number", f, ap, default=1.0)
                if not -1 <= credit <= 1:
                    reader.error(f, f"{ap}.credit", _("must be between -1 and 1, not {credit}").format(credit=credit))
                feedback = reader.get(a, "feedback", "str", f, ap, default=None)
                if text is not None:
                    answers.append(TextAnswer(text=text, credit=float(credit), feedback=feedback))
            else:
                reader.error(
                    f, ap, _('must be a string or a table {{ text = "..." }}, not {a}').format(a=reader.describe(a))
                )
        pattern = reader.get(raw, "pattern", "str", f, qp, default=None) if "pattern" in raw else None
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as err:
                reader.error(f, f"{qp}.pattern", _("invalid regular expression: {err}").format(err=err))
        case_sensitive = (
            reader.get(raw, "case_sensitive", "bool", f, qp, default=False) if "case_sensitive" in raw else False
        )
        if not raw_answers and pattern is None:
            reader.error(f, qp, _("a text question needs answers or a pattern"))
        elif raw_answers and pattern is None and answers and not any(a.credit == 1 for a in answers):
            reader.error(f, f"{qp}.answers", _("no answer is worth full credit (credit = 1)"))
        return cls(answers=tuple(answers), pattern=pattern, case_sensitive=case_sensitive, **common)

    def right_answer(self) -> RightAnswer:
        from packages.question_kinds.pattern_example import example_of

        accepted = tuple(Accepted(one_line(a.text)) for a in self.answers if a.credit >= 1)
        if accepted:
            return RightAnswer("one of", accepted)
        example = example_of(self.pattern) if self.pattern else None
        return RightAnswer("example", (Accepted(one_line(example)),)) if example else RightAnswer("none")

    def response_text(self, response: object) -> str:
        return one_line(response)[:200] if isinstance(response, str) else NOT_UNDERSTOOD

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        return value if isinstance(value, str) else None

    def xapi_pattern(self) -> list[str] | None:
        if self.pattern is not None:
            return None  # a regular expression has no xAPI form
        case = "true" if self.case_sensitive else "false"
        return [f"{{case_matters={case}}}{a.text}" for a in self.answers if a.credit >= 1.0] or None
