"""Turn a quiz file's TOML into the typed `Quiz`, recording every problem.

`QuizParser` adds the quiz rules to `TomlReader`: a quiz's own keys, and each question
type's keys and checks (`q_single`, `q_numeric`, ...: one method per type of
`packages.question_types.REGISTRY`). `packages.loading` builds the course on it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from packages.model import Quiz
from packages.question_types import REGISTRY
from packages.questions import (
    QUESTION_TYPES,
    Choice,
    Match,
    MultipleChoice,
    Numeric,
    NumericAnswer,
    Order,
    Question,
    SingleChoice,
    Text,
    TextAnswer,
    TrueFalse,
)
from packages.safe_text import one_line
from packages.toml_reader import TomlReader, describe

PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
SHOW_SOLUTIONS = ("always", "attempted", "finished", "never")

_QUIZ_KEYS = {"title", "max_attempts", "pass_threshold", "shuffle_choices", "show_solutions", "questions"}
_COMMON_Q_KEYS = {"id", "type", "prompt", "points", "hint", "hints", "explanation"}
_TYPE_KEYS = {name: set(t.keys) for name, t in REGISTRY.items()}


class QuizParser(TomlReader):
    """A quiz file's TOML as a `Quiz`: the quiz's own keys, then each question by its type."""

    # -- quizzes -----------------------------------------------------------------------
    def parse_quiz(self, data: dict[str, Any], f: str, default_title: str) -> Quiz:
        if "questions" not in data and not (data.keys() & _QUIZ_KEYS):
            self.error(f, "", "not a quiz file (no title or [[questions]])")
        self.unknown_keys(data, _QUIZ_KEYS, f, "")
        title = self.get(data, "title", "str", f, "", default=default_title)
        max_attempts = self.non_negative(data, "max_attempts", "int", f, "", 0)
        pass_threshold = self.fraction(data, "pass_threshold", f, "", None)
        shuffle = self.get(data, "shuffle_choices", "bool", f, "", default=False)
        show = self.get(data, "show_solutions", "str", f, "", default="finished")
        if show not in SHOW_SOLUTIONS:
            self.error(f, "show_solutions", f"must be one of {', '.join(SHOW_SOLUTIONS)}; not {one_line(show)!r}")
            show = "finished"
        raw_questions = self.get(data, "questions", "list", f, "", default=[])
        if not raw_questions:
            self.warn(f, "", "quiz has no questions")
        questions: list[Question] = []
        seen: dict[str, int] = {}
        for qi, raw in enumerate(raw_questions):
            q = self.parse_question(raw, f, f"questions[{qi}]")
            if q is None:
                continue
            if q.id in seen:
                self.error(
                    f, f"questions[{qi}].id", f"duplicate question id {one_line(q.id)!r} (also questions[{seen[q.id]}])"
                )
                continue
            seen[q.id] = qi
            questions.append(q)
        return Quiz(
            title=title,
            questions=tuple(questions),
            max_attempts=max_attempts,
            pass_threshold=float(pass_threshold) if pass_threshold is not None else None,
            shuffle_choices=shuffle,
            show_solutions=show,
        )

    def parse_question(self, raw: Any, f: str, qp: str) -> Question | None:
        if not isinstance(raw, dict):
            self.error(f, qp, f"must be a table, not {describe(raw)}")
            return None
        errors_before = len(self.report.errors)
        qid = self.get(raw, "id", "str", f, qp, required=True)
        qtype = self.get(raw, "type", "str", f, qp, required=True)
        if qtype is not None and qtype not in QUESTION_TYPES:
            self.error(
                f, f"{qp}.type", f"unknown question type {one_line(qtype)!r} (one of {', '.join(QUESTION_TYPES)})"
            )
            qtype = None
        self.unknown_keys(raw, _COMMON_Q_KEYS | _TYPE_KEYS.get(qtype or "", set()), f, qp)
        prompt = self.get(raw, "prompt", "str", f, qp, required=True)
        points = self.non_negative(raw, "points", "number", f, qp, 1.0)
        hint = self.get(raw, "hint", "str", f, qp, default=None)
        hints = self.get(raw, "hints", "strlist", f, qp, default=None)
        if hint is not None and hints is not None:
            self.error(f, f"{qp}.hints", "give either hint or hints, not both")
        all_hints = tuple(hints) if hints is not None else ((hint,) if hint is not None else ())
        explanation = self.get(raw, "explanation", "str", f, qp, default=None)
        if qid is None or qtype is None or prompt is None:
            return None
        common = dict(id=qid, prompt=prompt, points=float(points), hints=all_hints, explanation=explanation)
        q = getattr(self, f"q_{qtype}")(raw, f, qp, common)
        return q if len(self.report.errors) == errors_before else None

    def _choices(self, raw: dict[str, Any], f: str, qp: str) -> list[Choice]:
        raw_choices = self.get(raw, "choices", "list", f, qp, required=True, default=[])
        choices = []
        for ci, c in enumerate(raw_choices):
            cp = f"{qp}.choices[{ci}]"
            if not isinstance(c, dict):
                self.error(f, cp, f'must be a table like {{ text = "..." }}, not {describe(c)}')
                continue
            self.unknown_keys(c, {"text", "correct", "feedback", "credit"}, f, cp)
            text = self.get(c, "text", "str", f, cp, required=True)
            correct = self.get(c, "correct", "bool", f, cp, default=False)
            feedback = self.get(c, "feedback", "str", f, cp, default=None)
            credit = self.get(c, "credit", "number", f, cp, default=None)
            if credit is not None and not -1 <= credit <= 1:
                self.error(f, f"{cp}.credit", f"must be between -1 and 1, not {credit}")
                credit = None
            if text is not None:
                choices.append(
                    Choice(
                        text=text,
                        correct=correct,
                        feedback=feedback,
                        credit=float(credit) if credit is not None else None,
                    )
                )
        if "choices" in raw and isinstance(raw_choices, list) and len(raw_choices) < 2:
            self.error(f, f"{qp}.choices", "needs at least 2 choices")
        return choices

    def q_single(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        choices = self._choices(raw, f, qp)
        if choices:
            if any(c.credit is not None for c in choices):
                if not any(_credit(c) == 1 for c in choices):
                    self.error(f, f"{qp}.choices", "no choice is worth full credit (credit = 1 or correct = true)")
            else:
                n = sum(c.correct for c in choices)
                if n == 0:
                    self.error(f, f"{qp}.choices", "no choice has correct = true")
                elif n > 1:
                    self.error(
                        f,
                        f"{qp}.choices",
                        f"{n} choices have correct = true; a single-choice question needs exactly one "
                        '(use type = "multiple")',
                    )
        return SingleChoice(choices=tuple(choices), **common)

    def q_multiple(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        choices = self._choices(raw, f, qp)
        if choices and not any(c.correct or (c.credit or 0) > 0 for c in choices):
            self.error(f, f"{qp}.choices", "no choice has correct = true")
        return MultipleChoice(choices=tuple(choices), **common)

    def q_truefalse(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answer = self.get(raw, "answer", "bool", f, qp, required=True)
        fb_true = self.get(raw, "feedback_true", "str", f, qp, default=None)
        fb_false = self.get(raw, "feedback_false", "str", f, qp, default=None)
        return TrueFalse(answer=bool(answer), feedback_true=fb_true, feedback_false=fb_false, **common)

    def _tolerance(self, table: dict[str, Any], f: str, path: str) -> tuple[float, bool]:
        if "tolerance" not in table:
            return 0.0, False
        tol = table["tolerance"]
        where = f"{path}.tolerance"
        if isinstance(tol, bool) or not isinstance(tol, (int, float, str)):
            self.error(f, where, f'must be a number or a percentage like "2%", not {describe(tol)}')
        elif isinstance(tol, str):
            m = PERCENT_RE.match(tol)
            if not m:
                self.error(f, where, f'{one_line(tol)!r} is not a percentage like "2%" (or give an absolute number)')
            else:
                return float(m.group(1)) / 100.0, True
        elif not math.isfinite(tol) or tol < 0:
            self.error(f, where, f"must not be negative, not {tol}")
        else:
            return float(tol), False
        return 0.0, False

    def q_numeric(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answers: list[NumericAnswer] = []
        if "answer" in raw and "answers" in raw:
            self.error(f, f"{qp}.answers", "give either answer (with tolerance) or answers, not both")
        elif "answers" in raw:
            raw_answers = self.get(raw, "answers", "list", f, qp, default=[])
            for ai, a in enumerate(raw_answers):
                ap = f"{qp}.answers[{ai}]"
                if not isinstance(a, dict):
                    self.error(f, ap, f"must be a table like {{ value = 3.14, tolerance = 0.01 }}, not {describe(a)}")
                    continue
                self.unknown_keys(a, {"value", "tolerance", "credit", "feedback"}, f, ap)
                value = self.get(a, "value", "number", f, ap, required=True)
                tol, rel = self._tolerance(a, f, ap)
                credit = self.get(a, "credit", "number", f, ap, default=1.0)
                if not -1 <= credit <= 1:
                    self.error(f, f"{ap}.credit", f"must be between -1 and 1, not {credit}")
                feedback = self.get(a, "feedback", "str", f, ap, default=None)
                if value is not None:
                    answers.append(
                        NumericAnswer(
                            value=float(value), tolerance=tol, relative=rel, credit=float(credit), feedback=feedback
                        )
                    )
            if raw_answers and not any(a.credit == 1 for a in answers):
                self.error(f, f"{qp}.answers", "no answer is worth full credit (credit = 1)")
            if isinstance(raw_answers, list) and not raw_answers:
                self.error(f, f"{qp}.answers", "needs at least one answer")
        else:
            value = self.get(raw, "answer", "number", f, qp, required=True)
            tol, rel = self._tolerance(raw, f, qp)
            if value is not None:
                answers.append(NumericAnswer(value=float(value), tolerance=tol, relative=rel))
        if "tolerance" in raw and "answers" in raw and "answer" not in raw:
            self.error(f, f"{qp}.tolerance", "put tolerance inside each of answers")
        return Numeric(answers=tuple(answers), **common)

    def q_text(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answers: list[TextAnswer] = []
        raw_answers = self.get(raw, "answers", "list", f, qp, default=[])
        for ai, a in enumerate(raw_answers):
            ap = f"{qp}.answers[{ai}]"
            if isinstance(a, str):
                answers.append(TextAnswer(text=a))
            elif isinstance(a, dict):
                self.unknown_keys(a, {"text", "credit", "feedback"}, f, ap)
                text = self.get(a, "text", "str", f, ap, required=True)
                credit = self.get(a, "credit", "number", f, ap, default=1.0)
                if not -1 <= credit <= 1:
                    self.error(f, f"{ap}.credit", f"must be between -1 and 1, not {credit}")
                feedback = self.get(a, "feedback", "str", f, ap, default=None)
                if text is not None:
                    answers.append(TextAnswer(text=text, credit=float(credit), feedback=feedback))
            else:
                self.error(f, ap, f'must be a string or a table {{ text = "..." }}, not {describe(a)}')
        pattern = self.get(raw, "pattern", "str", f, qp, default=None)
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as err:
                self.error(f, f"{qp}.pattern", f"invalid regular expression: {err}")
        case_sensitive = self.get(raw, "case_sensitive", "bool", f, qp, default=False)
        if not raw_answers and pattern is None:
            self.error(f, qp, "a text question needs answers or a pattern")
        elif raw_answers and pattern is None and answers and not any(a.credit == 1 for a in answers):
            self.error(f, f"{qp}.answers", "no answer is worth full credit (credit = 1)")
        return Text(answers=tuple(answers), pattern=pattern, case_sensitive=case_sensitive, **common)

    def q_order(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        items = self.get(raw, "items", "strlist", f, qp, required=True, default=[])
        if "items" in raw and isinstance(raw["items"], list) and len(items) < 2:
            self.error(f, f"{qp}.items", "needs at least 2 items to put in order")
        elif len(set(items)) != len(items):
            self.error(f, f"{qp}.items", "items must differ from each other (the order would be ambiguous)")
        return Order(items=tuple(items), **common)

    def q_match(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        raw_pairs = self.get(raw, "pairs", "list", f, qp, required=True, default=[])
        pairs: list[tuple[str, str]] = []
        for pi, p in enumerate(raw_pairs):
            if isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p):
                pairs.append((p[0], p[1]))
            else:
                self.error(
                    f, f"{qp}.pairs[{pi}]", f'must be a pair of strings like ["Italy", "Rome"], not {describe(p)}'
                )
        if "pairs" in raw and isinstance(raw_pairs, list) and len(raw_pairs) < 2:
            self.error(f, f"{qp}.pairs", "needs at least 2 pairs")
        lefts = [p[0] for p in pairs]
        if len(set(lefts)) != len(lefts):
            self.error(f, f"{qp}.pairs", "left sides must differ from each other")
        distractors = self.get(raw, "distractors", "strlist", f, qp, default=[])
        rights = {p[1] for p in pairs}
        for di, d in enumerate(distractors):
            if d in rights:
                self.error(f, f"{qp}.distractors[{di}]", f"{one_line(d)!r} is also a right answer")
        return Match(pairs=tuple(pairs), distractors=tuple(distractors), **common)


def _credit(c: Choice) -> float:
    return c.credit if c.credit is not None else (1.0 if c.correct else 0.0)
