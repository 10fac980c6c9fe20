"""The answer block of one GIFT question -> the answer half of a pack question.

One reader per question type GIFT writes: multiple choice (weights, several right
answers, Moodle's multiple-answer form), short answer, true/false, matching and
numerical (tolerances, ranges, several weighted answers). A syntax error raises
`GiftSyntax`; a number a pack cannot hold raises `NotFinite`.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

from packages.importers.gift_text import FORMAT, TAG, convert, restore
from packages.importers.html_markdown import html_to_text
from packages.importers.report import ImportReport

_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")


class GiftSyntax(Exception):
    """A real syntax error: the import stops, naming the file and line."""


class GiftAnswers:
    """The readers of answer blocks; `GiftParser` gives them the report."""

    report: ImportReport

    def split_answers(self, answer: str, lead_marker: str | None = None) -> list[tuple[str, str]]:
        """[(marker, body)] for each `=`/`~` answer, in order.

        Text before the first marker is an error, unless `lead_marker` is given: then it
        is one more answer with that marker (Moodle reads `{One}` as a short answer).
        """
        parts = re.split(r"([=~])", answer)
        lead = parts[0].strip()
        if lead and lead_marker is None:
            raise GiftSyntax(f"text {restore(lead)[:30]!r} before the first answer (answers start with = or ~)")
        first = [(lead_marker, parts[0])] if lead and lead_marker else []
        return first + [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]

    def weighted(self, body: str) -> tuple[float | None, str, str | None]:
        """'%50%text#feedback' -> (0.5, 'text', 'feedback')."""
        body = body.strip()
        weight = None
        m = _WEIGHT.match(body)
        if m:
            weight = float(m.group(1).replace(",", ".")) / 100
            if not -1 <= weight <= 1:
                raise GiftSyntax(f"weight {m.group(0)} is outside -100%..100%")
            weight = moodle_fraction(weight)
            body = body[m.end() :]
        elif body.startswith("%"):
            raise GiftSyntax(f"bad weight {restore(body)[:20]!r} (write %50% or %-100%)")
        text, _hash, feedback = body.partition("#")
        return weight, text.strip(), feedback.strip() or None

    def choice(self, answer: str, fmt: str, where: str, ident: str) -> dict[str, Any]:
        choices = []
        n_right = 0
        for marker, body in self.split_answers(answer):
            weight, text, feedback = self.weighted(body)
            entry: dict[str, Any] = {"text": convert(text, fmt) or "(empty)"}
            if marker == "=":
                n_right += 1
                entry["correct"] = True
                if weight is not None and weight != 1:
                    raise GiftSyntax("'=' marks the right answer; give partial weights with '~%50%'")
            elif weight:
                entry["credit"] = weight
                if weight > 0:
                    entry["correct"] = True
            if feedback:
                entry["feedback"] = convert(feedback, fmt)
            choices.append(entry)
        if len(choices) < 2:
            raise GiftSyntax("a multiple-choice question needs at least two answers")
        partial = [c for c in choices if "credit" in c]
        if n_right == 0 and not any(c.get("credit", 0) > 0 for c in choices):
            raise GiftSyntax("no right answer (mark one with '=' or give weights like '~%50%')")
        if n_right == 0:
            # Moodle's multiple-answer question: several weighted right answers to tick.
            for c in choices:  # unweighted answers are worth 0 (Moodle), not a penalty
                c.setdefault("credit", 0.0)
            self.report.found["multiple choice: several answers (weights)"] += 1
            return {"type": "multiple", "choices": choices}
        if partial or n_right > 1:
            for c in choices:
                if c.get("correct") and "credit" not in c:
                    c["credit"] = 1.0
                if c.get("credit", 0) <= 0:
                    c.pop("correct", None)
                elif c.get("credit", 0) < 1:
                    c.pop("correct", None)  # partial credit: not "the" right answer
            self.report.found["multiple choice: partial credit"] += 1 if partial else 0
        return {"type": "single", "choices": choices}

    def short(self, answer: str, fmt: str, where: str, ident: str) -> dict[str, Any]:
        answers: list[dict[str, Any]] = []
        patterns: list[str] = []
        for marker, body in self.split_answers(answer, lead_marker="="):
            if marker != "=":
                raise GiftSyntax("a short-answer question lists accepted answers with '='")
            weight, text, feedback = self.weighted(body)
            credit = 1.0 if weight is None else weight
            value = answer_text(text, fmt)
            if "*" in value:
                if credit == 1.0:
                    patterns.append(".*".join(re.escape(part) for part in value.split("*")))
                else:
                    self.report.changed(
                        "short answer",
                        where,
                        f"wildcard answer {value!r} worth {credit:.0%} "
                        "dropped (only full-credit wildcards can be kept)",
                        ident,
                    )
                continue
            entry: dict[str, Any] = {"text": value}
            if credit != 1.0:
                entry["credit"] = credit
            if feedback:
                entry["feedback"] = convert(feedback, fmt)
            answers.append(entry)
        if not answers and not patterns:
            raise GiftSyntax("no accepted answer")
        out: dict[str, Any] = {"type": "text"}
        if answers:
            simple = all(set(a) == {"text"} for a in answers)
            out["answers"] = [a["text"] for a in answers] if simple else answers
            if not any(a.get("credit", 1.0) == 1.0 for a in answers) and not patterns:
                raise GiftSyntax("no answer is worth 100%")
        if patterns:
            out["pattern"] = "|".join(f"(?:{p})" for p in patterns) if len(patterns) > 1 else patterns[0]
        return out

    def truefalse(self, answer: str, fmt: str) -> dict[str, Any]:
        word, *feedbacks = answer.split("#")
        value = word.strip().upper() in ("T", "TRUE")
        out: dict[str, Any] = {"type": "truefalse", "answer": value}
        # GIFT: the first feedback is shown for a wrong response, the second for the right one.
        wrong = convert(feedbacks[0], fmt) if len(feedbacks) > 0 and feedbacks[0].strip() else None
        right = convert(feedbacks[1], fmt) if len(feedbacks) > 1 and feedbacks[1].strip() else None
        if len(feedbacks) > 2:
            raise GiftSyntax("true/false takes at most two feedbacks (#wrong#right)")
        out["feedback_true"] = right if value else wrong
        out["feedback_false"] = wrong if value else right
        return {k: v for k, v in out.items() if v is not None}

    def matching(self, answer: str, fmt: str) -> dict[str, Any]:
        pairs: list[list[str]] = []
        distractors: list[str] = []
        for marker, body in self.split_answers(answer):
            if marker != "=":
                raise GiftSyntax("matching pairs are written '=left -> right'")
            if "->" not in body:
                raise GiftSyntax(f"matching pair {restore(body).strip()[:30]!r} has no '->'")
            left, right = body.split("->", 1)
            left_md = convert(left, fmt)
            right_md = answer_text(right, fmt)
            if not left_md.strip():
                distractors.append(right_md)
            else:
                pairs.append([left_md, right_md])
        if len(pairs) < 2:
            raise GiftSyntax("a matching question needs at least two pairs")
        out: dict[str, Any] = {"type": "match", "pairs": pairs}
        if distractors:
            out["distractors"] = distractors
        return out

    def numeric(self, body: str, fmt: str) -> dict[str, Any]:
        body = body.strip()
        if not body:
            raise GiftSyntax("numerical answer '{#}' has no number")
        if body[0] not in "=~" and not re.search(r"[=~]", body):
            value, tol, feedback = self.number(body)
            out: dict[str, Any] = {"type": "numeric"}
            if feedback:
                out["answers"] = [{"value": value, "tolerance": tol, "feedback": convert(feedback, fmt)}]
            else:
                out["answer"] = value
                if tol:
                    out["tolerance"] = tol
            return out
        parts = re.split(r"([=~])", body)
        chunks = [("=", parts[0])] if parts[0].strip() else []
        chunks += [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
        answers = []
        any_other: dict[str, Any] | None = None
        for marker, chunk in chunks:
            weight, text, feedback = self.weighted(chunk)
            if not text:  # '~#feedback': feedback for any other number (Moodle's '*' answer)
                if feedback:
                    self.report.found["numerical: 'any other answer' feedback"] += 1
                    any_other = {"value": 0.0, "tolerance": ANY_NUMBER, "credit": 0.0}
                    any_other["feedback"] = convert(feedback, fmt)
                continue
            value, tol, fb = self.number(text + (f"#{feedback}" if feedback else ""))
            credit = (1.0 if marker == "=" else 0.0) if weight is None else weight
            entry: dict[str, Any] = {"value": value}
            if tol:
                entry["tolerance"] = tol
            if credit != 1.0:
                entry["credit"] = credit
            if fb:
                entry["feedback"] = convert(fb, fmt)
            answers.append(entry)
        if not any(a.get("credit", 1.0) == 1.0 for a in answers):
            raise GiftSyntax("no numerical answer is worth 100%")
        if any_other is not None:  # last: the grader keeps the best-credit answer a number is within
            answers.append(any_other)
        return {"type": "numeric", "answers": answers}

    def number(self, text: str) -> tuple[float, float, str | None]:
        """'3.14:0.01', '1..5' or '1822', optionally '#feedback' -> (value, tolerance, feedback)."""
        spec, _hash, feedback = text.partition("#")
        spec = restore(spec).strip().replace(" ", "")
        try:
            if ".." in spec:
                low_s, high_s = spec.split("..", 1)
                low, high = _finite(low_s), _finite(high_s)
                value, tolerance = low / 2 + high / 2, abs(high / 2 - low / 2)  # no overflow near 1e308
            elif ":" in spec:
                value_s, tol_s = spec.split(":", 1)
                value, tolerance = _finite(value_s), abs(_finite(tol_s))
            else:
                value, tolerance = _finite(spec), 0.0
        except ValueError:
            raise GiftSyntax(f"{spec[:40]!r} is not a number (write 3.14, 3.14:0.01 or 1..5)") from None
        return value, tolerance, feedback.strip() or None


# Moodle's grade options (question_bank::fraction_options_full), kept to 7 decimals in its
# database: a weight within 0.00001 of one of them is that option (match_grade_options).
MOODLE_FRACTIONS: tuple[float, ...] = (1, 9 / 10, 5 / 6, 4 / 5, 3 / 4, 7 / 10, 2 / 3, 3 / 5, 1 / 2, 2 / 5)
MOODLE_FRACTIONS += (1 / 3, 3 / 10, 1 / 4, 1 / 5, 1 / 6, 1 / 7, 1 / 8, 1 / 9, 1 / 10, 1 / 20, 0)
# "Any other answer" of a numerical question: every finite number is within this of 0.
ANY_NUMBER = sys.float_info.max


def moodle_fraction(weight: float) -> float:
    """A GIFT weight as Moodle reads it: 33.33333% is 1/3, so three of them add up to full credit."""
    for fraction in MOODLE_FRACTIONS:
        if abs(abs(weight) - fraction) < 0.00001:
            return math.copysign(fraction, weight) if fraction else 0.0
    return weight


def answer_text(raw: str, fmt: str) -> str:
    """An accepted answer or a matching option: plain text, its own `[format]` tag removed."""
    sub = FORMAT.match(raw)
    if sub:
        fmt, raw = sub.group(1).lower(), raw[sub.end() :]
    text = restore(raw)
    if fmt == "html" or (fmt == "moodle" and TAG.search(text)):
        text = html_to_text(text)
    return " ".join(text.split())


class NotFinite(Exception):
    """A GIFT number Python reads but a pack cannot hold: inf, nan, 1e400."""


def _finite(text: str) -> float:
    value = float(text)  # ValueError: not a number at all
    if not math.isfinite(value):
        raise NotFinite(repr(text[:40]))
    return value
