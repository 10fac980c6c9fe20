"""Numeric questions (`type = "numeric"`): a number within a tolerance of an accepted value.

The response is the number typed (a string that did not parse stays the string it was).
A tolerance is absolute, or relative ("2%" in the pack, held as the fraction 0.02).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from packages.i18n import _
from packages.local_numbers import format_number, format_percent
from packages.question_kinds.base import NOT_UNDERSTOOD, Accepted, Question, Reader, RightAnswer
from packages.safe_text import one_line

PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


@dataclass(frozen=True, kw_only=True)
class NumericAnswer:
    """An accepted number: `value` ± tolerance (absolute, or relative when `relative`)."""

    value: float
    tolerance: float = 0.0
    relative: bool = False  # tolerance given as "N%": the fraction N/100 of |value|
    credit: float = 1.0  # extension: partial credit for this answer
    feedback: str | None = None


def shown_number(value: float) -> str:
    """A number as the learner reads it, the way their language writes it (1 234,5 in
    French: packages/local_numbers.py)."""
    return format_number(value)


def _xapi_number(value: float) -> str:
    text = repr(round(value, 9))
    return text[:-2] if text.endswith(".0") else text


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _tolerance(reader: Reader, table: dict[str, Any], f: str, path: str) -> tuple[float, bool]:
    if "tolerance" not in table:
        return 0.0, False
    tol = table["tolerance"]
    where = f"{path}.tolerance"
    if isinstance(tol, bool) or not isinstance(tol, (int, float, str)):
        reader.error(
            f, where, _('must be a number or a percentage like "2%", not {tol}').format(tol=reader.describe(tol))
        )
    elif isinstance(tol, str):
        m = PERCENT_RE.match(tol)
        if not m:
            reader.error(
                f,
                where,
                _('{tol!r} is not a percentage like "2%" (or give an absolute number)').format(tol=one_line(tol)),
            )
        else:
            return float(m.group(1)) / 100.0, True
    elif not math.isfinite(tol) or tol < 0:
        reader.error(f, where, _("must not be negative, not {tol}").format(tol=tol))
    else:
        return float(tol), False
    return 0.0, False


def _answers(reader: Reader, raw: dict[str, Any], f: str, qp: str) -> list[NumericAnswer]:
    """The `answers = [{ value, tolerance, credit, feedback }]` of the 1.1 extension."""
    answers: list[NumericAnswer] = []
    raw_answers = reader.get(raw, "answers", "list", f, qp, default=[])
    known = {"value", "tolerance", "credit", "feedback"}
    for _index, ap, a in reader.tables(raw_answers, f, f"{qp}.answers", known, "{ value = 3.14, tolerance = 0.01 }"):
        value = reader.get(a, "value", "number", f, ap, required=True)
        tol, rel = _tolerance(reader, a, f, ap)
        credit = reader.get(a, "credit", "number", f, ap, default=1.0)
        if not -1 <= credit <= 1:
            reader.error(f, f"{ap}.credit", _("must be between -1 and 1, not {credit}").format(credit=credit))
        feedback = reader.get(a, "feedback", "str", f, ap, default=None)
        if value is not None:
            answers.append(
                NumericAnswer(value=float(value), tolerance=tol, relative=rel, credit=float(credit), feedback=feedback)
            )
    if raw_answers and not any(a.credit == 1 for a in answers):
        reader.error(f, f"{qp}.answers", _("no answer is worth full credit (credit = 1)"))
    if isinstance(raw_answers, list) and not raw_answers:
        reader.error(f, f"{qp}.answers", _("needs at least one answer"))
    return answers


@dataclass(frozen=True, kw_only=True)
class Numeric(
    Question, name="numeric", keys=frozenset({"answer", "tolerance", "answers"}), interaction="numeric", widget="Input"
):
    """A number within a tolerance of one of `answers` (`type = "numeric"`)."""

    answers: tuple[NumericAnswer, ...]  # v1 `answer` + `tolerance` is one answer with credit 1

    @classmethod
    def parse(cls, reader: Reader, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answers: list[NumericAnswer] = []
        if "answer" in raw and "answers" in raw:
            reader.error(f, f"{qp}.answers", _("give either answer (with tolerance) or answers, not both"))
        elif "answers" in raw:
            answers = _answers(reader, raw, f, qp)
        else:
            value = reader.get(raw, "answer", "number", f, qp, required=True)
            tol, rel = _tolerance(reader, raw, f, qp)
            if value is not None:
                answers.append(NumericAnswer(value=float(value), tolerance=tol, relative=rel))
        if "tolerance" in raw and "answers" in raw and "answer" not in raw:
            reader.error(f, f"{qp}.tolerance", _("put tolerance inside each of answers"))
        return cls(answers=tuple(answers), **common)

    def right_answer(self) -> RightAnswer:
        best = [a for a in self.answers if a.credit >= 1] or sorted(self.answers, key=lambda a: -a.credit)[:1]
        return RightAnswer(
            "one of",
            tuple(
                Accepted(
                    shown_number(a.value),
                    a.credit,
                    (f"± {format_percent(a.tolerance * 100)}" if a.relative else f"± {shown_number(a.tolerance)}")
                    if a.tolerance
                    else None,
                )
                for a in best
            ),
        )

    def response_text(self, response: object) -> str:
        return shown_number(float(response)) if _is_number(response) else NOT_UNDERSTOOD  # type: ignore[arg-type]

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        return _xapi_number(float(value)) if _is_number(value) else None

    def xapi_pattern(self) -> list[str] | None:
        ranges = []
        for a in self.answers:
            if a.credit < 1.0:
                continue
            tol = abs(a.value) * a.tolerance if a.relative else a.tolerance
            ranges.append(
                _xapi_number(a.value) if tol == 0 else f"{_xapi_number(a.value - tol)}[:]{_xapi_number(a.value + tol)}"
            )
        return ranges or None
