"""The questions of a quiz: every question type of the pack format, in one list.

Each type is one frozen dataclass in its own module of packages/question_kinds/, which
holds everything mooc knows about the type's data (its keys and checks, right answer,
responses in words and in xAPI form: see packages/question_kinds/base.py). To add a
type, write its module and name its class in `KINDS` below; the loader, feedback, xAPI
and the registry (packages/question_types.py) then know it.

Kept apart from packages/model.py so that opening a course does not define them: a
course's quizzes stay encoded in the course cache (packages/course_cache.py) until
the learner opens one, and so does the code that describes their questions.
"""

from __future__ import annotations

from packages.question_kinds.base import Accepted, Question, RightAnswer
from packages.question_kinds.choice import Choice, MultipleChoice, SingleChoice
from packages.question_kinds.match import Match
from packages.question_kinds.numeric import Numeric, NumericAnswer
from packages.question_kinds.order import Order
from packages.question_kinds.reflection import Reflection
from packages.question_kinds.text import Text, TextAnswer
from packages.question_kinds.truefalse import TrueFalse

# Every question type, in the order the docs and messages list them.
KINDS: tuple[type[Question], ...] = (SingleChoice, MultipleChoice, TrueFalse, Numeric, Text, Order, Match, Reflection)

QUESTION_CLASSES: dict[str, type[Question]] = {cls.TYPE: cls for cls in KINDS}
QUESTION_TYPES: tuple[str, ...] = tuple(QUESTION_CLASSES)

__all__ = [
    "KINDS",
    "QUESTION_CLASSES",
    "QUESTION_TYPES",
    "Accepted",
    "Choice",
    "Match",
    "MultipleChoice",
    "Numeric",
    "NumericAnswer",
    "Order",
    "Reflection",
    "Question",
    "RightAnswer",
    "SingleChoice",
    "Text",
    "TextAnswer",
    "TrueFalse",
]
