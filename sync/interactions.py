"""Question activities as standard xAPI `cmi.interaction`s, so an ordinary LRS dashboard
can read and score them (docs/xapi.md, "Questions as cmi.interaction").

Ids of the components are positions in pack order, the same indexes the progress
format uses (docs/progress-format.md): choice `"2"`, sequencing item `"0"`, matching
source `"L0"` and target `"R1"` (right-hand options: the pairs' right sides, then the
distractors). Responses use the xAPI response format of the interaction type; the
table of every type is in docs/xapi.md.

Each question type gives its own interaction type, response, pattern and components
(packages/question_kinds/); this module wraps them in the xAPI envelope (language maps,
descriptions clipped). Pure functions, no I/O: the question comes from the installed pack.
"""

from __future__ import annotations

from typing import Any

MAX_DESCRIPTION = 500  # characters of a prompt or option kept in a definition


def definition(question: Any, language: str, activity_type: str) -> dict[str, Any]:
    """The activity definition of QUESTION (a packages.questions dataclass)."""
    out: dict[str, Any] = {
        "type": activity_type,
        "interactionType": question.INTERACTION,
        "description": _lang(language, question.prompt),
    }
    pattern = question.xapi_pattern()
    if pattern is not None:
        out["correctResponsesPattern"] = pattern
    for key, components in question.xapi_components().items():
        out[key] = [{"id": cid, "description": _lang(language, text)} for cid, text in components]
    return out


def response(kind: str, value: Any) -> str | None:
    """A mooc response (progress format) in the xAPI response format; None when it has no form."""
    from packages.questions import QUESTION_CLASSES

    cls = QUESTION_CLASSES.get(kind)
    if value is None or cls is None:
        return None
    return cls.xapi_response(value)


def _lang(language: str, text: str) -> dict[str, str]:
    clipped = text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"
    return {language or "und": clipped}
