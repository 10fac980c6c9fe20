"""Reflection questions (`type = "reflection"`): the learner writes freely, then reads the
model answer and the author's feedback and rates their own answer from 1 to 5.

Never scored: no points (a `points` key is ignored, with a warning), left out of every
score, and a quiz of reflections alone is done once submitted (docs/grading.md). The
response is `[text, rating]`: the text written and the self-rating, 1 to 5, or null
when the learner gave none. The text travels in the progress file and, as an xAPI
`long-fill-in` response, to the LRS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packages.i18n import _
from packages.question_kinds.base import NOT_UNDERSTOOD, Accepted, Question, Reader, RightAnswer
from packages.safe_text import one_line

MAX_CHARS = 10_000  # a reflection longer than this is refused where it is typed
RATINGS = range(1, 6)  # the self-rating scale: 1 (missed it) to 5 (got it all)


def reflection_of(response: object) -> tuple[str, int | None] | None:
    """(text, rating) of a recorded response; None when it is not `[text, rating]`."""
    if not isinstance(response, list) or len(response) != 2 or not isinstance(response[0], str):
        return None
    rating = response[1]
    if rating is None or (isinstance(rating, int) and not isinstance(rating, bool) and rating in RATINGS):
        return response[0], rating
    return None


@dataclass(frozen=True, kw_only=True)
class Reflection(
    Question,
    name="reflection",
    keys=frozenset({"answer", "feedback"}),
    interaction="long-fill-in",
    widget="ReflectionInput",
    scored=False,
):
    """Free text, then the model answer and feedback, then a self-rating; never scored."""

    answer: str | None = None  # the model answer (Markdown), shown once the learner has written
    feedback: str | None = None  # the author's feedback (Markdown), shown with it

    @classmethod
    def parse(cls, reader: Reader, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        if "points" in raw:
            reader.warn(f, f"{qp}.points", _("a reflection is never scored: its points are ignored"))
        answer = reader.get(raw, "answer", "str", f, qp, default=None)
        feedback = reader.get(raw, "feedback", "str", f, qp, default=None)
        return cls(answer=answer, feedback=feedback, **{**common, "points": 0.0})

    def right_answer(self) -> RightAnswer:
        return RightAnswer("model", (Accepted(one_line(self.answer), 0.0),)) if self.answer else RightAnswer("none")

    def response_text(self, response: object) -> str:
        written = reflection_of(response)
        if written is None:
            return NOT_UNDERSTOOD
        text, rating = written
        return one_line(text)[:200] + (f" (self-rating {rating} of 5)" if rating is not None else "")

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        written = reflection_of(value)
        return written[0] if written is not None else None
