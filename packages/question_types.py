"""Every question type, and where each part of mooc handles it: the map to read when a
type is added. `tests/test_question_registry.py` takes each type through every part
named here and fails when one lacks it.

| part | where |
| --- | --- |
| model: fields, keys and checks, right answer, responses in words and in xAPI form | one module of `packages/question_kinds/`, its class named in `packages/questions.py` (`KINDS`) |
| grader | `player/grading.py` (`_GRADERS`) |
| plain mode | `player/plain_quiz.py` (`PlainQuiz.show_options` / `parse`, or a question of its own like `ask_match`) |
| TUI | the widget named by `widget` below: `tui/widgets/<snake_case>.py` (`compose_answer`, `read_answer`), found by `QuestionBox` (`tui/screens/quiz.py`) |
| tests | `tests/test_question_registry.py`: `_right` (a full-credit response of each type), `SAMPLES` (a sample question of a type `tests/support/genpack.py` does not write), and what the type does that no other does |

The generic parts read each type from its class: the loader (`packages/quiz_parser.py`),
feedback (`player/feedback.py`), the xAPI envelope (`sync/interactions.py`) and the
order options are shown in (`player/attempts.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from packages.questions import KINDS


@dataclass(frozen=True)
class QuestionType:
    name: str  # `type = "..."` in a quiz file
    model: str  # its class in packages/questions.py
    keys: frozenset[str]  # the keys only this type has (its `parse`)
    interaction: str  # the xAPI cmi.interaction type (sync/interactions.py)
    widget: str  # what the TUI asks it with (tui/widgets/, QuestionBox in tui/screens/quiz.py)


REGISTRY: dict[str, QuestionType] = {
    cls.TYPE: QuestionType(cls.TYPE, cls.__name__, cls.KEYS, cls.INTERACTION, cls.WIDGET) for cls in KINDS
}
