"""Turn a quiz file's TOML into the typed `Quiz`, recording every problem.

`QuizParser` adds the quiz rules to `TomlReader`: a quiz's own keys and the keys every
question shares; each question type reads and checks its own keys (`parse` of its class
in packages/question_kinds/). `packages.loading` builds the course on it.
"""

from __future__ import annotations

from typing import Any

from packages.i18n import _
from packages.model import Quiz
from packages.questions import QUESTION_CLASSES, QUESTION_TYPES, Question
from packages.safe_text import one_line
from packages.toml_reader import TomlReader, describe

SHOW_SOLUTIONS = ("always", "attempted", "finished", "never")

_QUIZ_KEYS = {"title", "max_attempts", "pass_threshold", "shuffle_choices", "show_solutions", "questions"}
_COMMON_Q_KEYS = {"id", "type", "prompt", "points", "hint", "hints", "explanation"}
# every key a question of each type may have (the shared ones and its own)
_QUESTION_KEYS = {name: _COMMON_Q_KEYS | cls.KEYS for name, cls in QUESTION_CLASSES.items()}


class QuizParser(TomlReader):
    """A quiz file's TOML as a `Quiz`: the quiz's own keys, then each question by its type."""

    # -- quizzes -----------------------------------------------------------------------
    def parse_quiz(self, data: dict[str, Any], f: str, default_title: str) -> Quiz:
        if "questions" not in data and not (data.keys() & _QUIZ_KEYS):
            self.error(f, "", _("not a quiz file (no title or [[questions]])"))
        self.unknown_keys(data, _QUIZ_KEYS, f, "")
        title = self.get(data, "title", "str", f, "", default=default_title)
        max_attempts = self.non_negative(data, "max_attempts", "int", f, "", 0)
        pass_threshold = self.fraction(data, "pass_threshold", f, "", None)
        shuffle = self.get(data, "shuffle_choices", "bool", f, "", default=False)
        show = self.get(data, "show_solutions", "str", f, "", default="finished")
        if show not in SHOW_SOLUTIONS:
            self.error(
                f,
                "show_solutions",
                _("must be one of {show_solutions}; not {show!r}").format(
                    show_solutions=", ".join(SHOW_SOLUTIONS), show=one_line(show)
                ),
            )
            show = "finished"
        raw_questions = self.get(data, "questions", "list", f, "", default=[])
        if not raw_questions:
            self.warn(f, "", _("quiz has no questions"))
        questions: list[Question] = []
        seen: dict[str, int] = {}
        for qi, raw in enumerate(raw_questions):
            q = self.parse_question(raw, f, f"questions[{qi}]")
            if q is None:
                continue
            if q.id in seen:
                self.error(
                    f,
                    f"questions[{qi}].id",
                    _("duplicate question id {id!r} (also questions[{seen}])").format(
                        id=one_line(q.id), seen=seen[q.id]
                    ),
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
            self.error(f, qp, _("must be a table, not {raw}").format(raw=describe(raw)))
            return None
        problems = self.report.problems
        first = len(problems)  # a question with an error of its own is left out
        qid = self.get(raw, "id", "str", f, qp, required=True)
        qtype = self.get(raw, "type", "str", f, qp, required=True)
        if qtype is not None and qtype not in QUESTION_TYPES:
            self.error(
                f,
                f"{qp}.type",
                _("unknown question type {qtype!r} (one of {question_types})").format(
                    qtype=one_line(qtype), question_types=", ".join(QUESTION_TYPES)
                ),
            )
            qtype = None
        self.unknown_keys(raw, _QUESTION_KEYS.get(qtype or "", _COMMON_Q_KEYS), f, qp)
        prompt = self.get(raw, "prompt", "str", f, qp, required=True)
        # The optional keys are read only when present: 10,000 questions, most without them.
        points = self.non_negative(raw, "points", "number", f, qp, 1.0) if "points" in raw else 1.0
        hint = self.get(raw, "hint", "str", f, qp, default=None) if "hint" in raw else None
        hints = self.get(raw, "hints", "strlist", f, qp, default=None) if "hints" in raw else None
        if hint is not None and hints is not None:
            self.error(f, f"{qp}.hints", _("give either hint or hints, not both"))
        all_hints = tuple(hints) if hints is not None else ((hint,) if hint is not None else ())
        explanation = self.get(raw, "explanation", "str", f, qp, default=None) if "explanation" in raw else None
        if qid is None or qtype is None or prompt is None:
            return None
        common = dict(id=qid, prompt=prompt, points=float(points), hints=all_hints, explanation=explanation)
        q = QUESTION_CLASSES[qtype].parse(self, raw, f, qp, common)
        if len(problems) > first and any(p.severity == "error" for p in problems[first:]):
            return None
        return q
