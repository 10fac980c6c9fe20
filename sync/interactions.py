"""Question activities as standard xAPI `cmi.interaction`s, so an ordinary LRS dashboard
can read and score them (docs/xapi.md, "Questions as cmi.interaction").

Ids of the components are positions in pack order, the same indexes the progress
format uses (docs/progress-format.md): choice `"2"`, sequencing item `"0"`, matching
source `"L0"` and target `"R1"` (right-hand options: the pairs' right sides, then the
distractors). Responses use the xAPI response format of the interaction type:

| mooc type | interactionType | response              | correctResponsesPattern          |
|-----------|-----------------|-----------------------|----------------------------------|
| single    | choice          | `"1"`                 | each right choice (`["1"]`)      |
| multiple  | choice          | `"0[,]2"`             | the right set (`["0[,]2"]`)      |
| truefalse | true-false      | `"true"`              | `["true"]`                       |
| numeric   | numeric         | `"5.2"`               | each full-credit range `"4.9[:]5.1"` |
| text      | fill-in         | the text              | each full-credit answer (`{case_matters=false}`), none for a pattern |
| order     | sequencing      | `"2[,]0[,]1"`         | `["0[,]1[,]2"]`                  |
| match     | matching        | `"L0[.]R1[,]L1[.]R0"` | `["L0[.]R0[,]L1[.]R1"]`          |

Pure functions, no I/O: the question comes from the installed pack.
"""

from __future__ import annotations

from typing import Any

from packages.question_types import REGISTRY

INTERACTION_TYPES = {name: t.interaction for name, t in REGISTRY.items()}
MAX_DESCRIPTION = 500  # characters of a prompt or option kept in a definition


def definition(question: Any, language: str, activity_type: str) -> dict[str, Any]:
    """The activity definition of QUESTION (a packages.questions dataclass)."""
    kind = question.type
    out: dict[str, Any] = {
        "type": activity_type,
        "interactionType": INTERACTION_TYPES[kind],
        "description": _lang(language, question.prompt),
    }
    pattern = _correct_pattern(question)
    if pattern is not None:
        out["correctResponsesPattern"] = pattern
    if kind in ("single", "multiple"):
        out["choices"] = [
            {"id": str(i), "description": _lang(language, c.text)} for i, c in enumerate(question.choices)
        ]
    elif kind == "order":
        out["choices"] = [{"id": str(i), "description": _lang(language, text)} for i, text in enumerate(question.items)]
    elif kind == "match":
        out["source"] = [
            {"id": f"L{i}", "description": _lang(language, left)} for i, (left, _r) in enumerate(question.pairs)
        ]
        rights = [right for _l, right in question.pairs] + list(question.distractors)
        out["target"] = [{"id": f"R{i}", "description": _lang(language, right)} for i, right in enumerate(rights)]
    return out


def response(kind: str, value: Any) -> str | None:
    """A mooc response (progress format) in the xAPI response format; None when it has no form."""
    if value is None:
        return None
    if kind == "single" and _is_int(value):
        return str(value)
    if kind in ("multiple", "order") and isinstance(value, list) and all(map(_is_int, value)):
        return "[,]".join(str(v) for v in value)
    if kind == "truefalse" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "numeric" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(float(value))
    if kind == "text" and isinstance(value, str):
        return value
    if kind == "match" and isinstance(value, list):
        return "[,]".join(f"L{i}[.]R{v}" for i, v in enumerate(value) if _is_int(v))
    return None


def _correct_pattern(question: Any) -> list[str] | None:
    kind = question.type
    if kind == "single":
        right = [str(i) for i, c in enumerate(question.choices) if c.correct]
        return right or None
    if kind == "multiple":
        return ["[,]".join(str(i) for i, c in enumerate(question.choices) if c.correct)]
    if kind == "truefalse":
        return ["true" if question.answer else "false"]
    if kind == "numeric":
        ranges = []
        for a in question.answers:
            if a.credit < 1.0:
                continue
            tol = abs(a.value) * a.tolerance if a.relative else a.tolerance
            ranges.append(_number(a.value) if tol == 0 else f"{_number(a.value - tol)}[:]{_number(a.value + tol)}")
        return ranges or None
    if kind == "text":
        if question.pattern is not None:
            return None  # a regular expression has no xAPI form
        case = "true" if question.case_sensitive else "false"
        return [f"{{case_matters={case}}}{a.text}" for a in question.answers if a.credit >= 1.0] or None
    if kind == "order":
        return ["[,]".join(str(i) for i in range(len(question.items)))]
    if kind == "match":
        return ["[,]".join(f"L{i}[.]R{i}" for i in range(len(question.pairs)))]
    return None


def _lang(language: str, text: str) -> dict[str, str]:
    clipped = text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"
    return {language or "und": clipped}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: float) -> str:
    text = repr(round(value, 9))
    return text[:-2] if text.endswith(".0") else text
