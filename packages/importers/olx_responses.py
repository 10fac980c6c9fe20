"""Open edX capa response fields -> the answer half of a pack question.

One converter per response type the pack format can grade (multiple choice,
checkboxes, dropdown options, numbers with tolerances and ranges, text answers and
regular expressions), each returning the question's type and answers; a field
that cannot be represented raises `_Unsupported`, saying why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from packages.importers.olx_problem_text import ProblemContext, _choice_text, _md


class _Unsupported(Exception):
    """This particular response cannot be represented (message says why)."""


def _multiplechoice(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    group = response.find("choicegroup")
    if group is None:
        raise _Unsupported("no choicegroup")
    choices, n_correct = [], 0
    partial = "points" in (response.get("partial_credit") or "")
    for choice in group.findall("choice"):
        entry: dict[str, Any] = {"text": _choice_text(choice, ctx)}
        state = (choice.get("correct") or "false").strip().lower()
        if state == "true":
            entry["correct"] = True
            n_correct += 1
        elif state == "partial" and partial:
            credit = _float(choice.get("point_val"))
            entry["credit"] = credit if credit is not None else 0.5
        hint = choice.find("choicehint")
        if hint is not None:
            entry["feedback"] = _md(hint, ctx) or None
        choices.append(entry)
    if len(choices) < 2:
        raise _Unsupported("fewer than two choices")
    if n_correct == 0:
        raise _Unsupported("no choice is marked correct")
    if n_correct > 1 or any("credit" in c for c in choices):
        for c in choices:  # several right answers: each worth full credit (format 1.1 `credit`)
            if c.get("correct"):
                c["credit"] = 1.0
    out: dict[str, Any] = {"type": "single", "choices": choices}
    if (group.get("shuffle") or response.get("shuffle") or "").lower() == "true":
        out["_shuffle"] = True
    return out


def _checkbox(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    group = response.find("checkboxgroup")
    if group is None:
        raise _Unsupported("no checkboxgroup")
    choices, missed_notes = [], []
    for choice in group.findall("choice"):
        text = _choice_text(choice, ctx)
        entry: dict[str, Any] = {"text": text}
        if (choice.get("correct") or "").strip().lower() == "true":
            entry["correct"] = True
        for hint in choice.findall("choicehint"):
            body = _md(hint, ctx)
            if not body:
                continue
            if (hint.get("selected") or "true").lower() == "true":
                entry["feedback"] = body
            else:  # shown by Open edX when the choice was NOT selected: keep it in the explanation
                missed_notes.append(f"- If you did not select “{text}”: {body}")
        choices.append(entry)
    if not any(c.get("correct") for c in choices):
        raise _Unsupported("no choice is marked correct")
    out: dict[str, Any] = {"type": "multiple", "choices": choices}
    if missed_notes:
        out["_explanation_extra"] = "\n".join(missed_notes)
    if response.find("checkboxgroup/compoundhint") is not None or response.find(".//compoundhint") is not None:
        ctx.report.changed(
            "choiceresponse", ctx.where, "compound hints (feedback for combinations) dropped", ctx.url_name
        )
    return out


_OPTION = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def _option(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    field_ = response.find(".//optioninput")
    if field_ is None:
        raise _Unsupported("no optioninput")
    choices: list[dict[str, Any]] = []
    options = field_.findall("option")
    if options:
        for option in options:
            label = "".join(option.itertext()) if option.find("optionhint") is None else (option.text or "")
            entry: dict[str, Any] = {"text": " ".join(label.split())}
            if (option.get("correct") or "").lower() == "true":
                entry["correct"] = True
            hint = option.find("optionhint")
            if hint is not None:
                entry["feedback"] = _md(hint, ctx) or None
            choices.append(entry)
    else:
        raw = field_.get("options") or ""
        names = [(a if a or b == "" else b).replace("\\'", "'") for a, b in _OPTION.findall(raw[:20000])]
        correct = (field_.get("correct") or "").strip()
        for name in names:
            entry = {"text": name.strip()}
            if name.strip() == correct:
                entry["correct"] = True
            choices.append(entry)
    if not any(c.get("correct") for c in choices):
        raise _Unsupported("no option is marked correct")
    if sum(1 for c in choices if c.get("correct")) > 1:
        for c in choices:
            if c.get("correct"):
                c["credit"] = 1.0
    for c in choices:
        c["text"] = c["text"] or "(empty)"
    return {"type": "single", "choices": choices}


def _numerical(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    answer = (response.get("answer") or "").strip()
    if not answer:
        raise _Unsupported("no answer given")
    tolerance_raw = "0"
    for param in response.findall("responseparam"):
        if param.get("type") == "tolerance" and param.get("default") is not None:
            tolerance_raw = param.get("default", "0").strip()
    value, tolerance, relative = _number_with_range(answer, tolerance_raw)
    answers = [_numeric_entry(value, tolerance, relative, 1.0)]
    modes = (response.get("partial_credit") or "").replace(" ", "").split(",")
    if "list" in modes:
        for param in response.findall("responseparam"):
            for extra in (param.get("partial_answers") or "").split(","):
                if extra.strip():
                    v, t, r = _number_with_range(extra.strip(), tolerance_raw)
                    answers.append(_numeric_entry(v, t, r, 0.5))
    if "close" in modes:
        factor = 2.0
        for param in response.findall("responseparam"):
            f = _float(param.get("partial_range"))
            if f:
                factor = f
        answers.append(_numeric_entry(value, tolerance * factor, relative, 0.5))
    for _hint in response.findall("numerichint") + response.findall("correcthint"):
        ctx.report.changed("numericalresponse", ctx.where, "answer-specific hint dropped", ctx.url_name)
    if len(answers) == 1:
        a = answers[0]
        out: dict[str, Any] = {"type": "numeric", "answer": a["value"]}
        if a.get("tolerance"):
            out["tolerance"] = a["tolerance"]
        return out
    return {"type": "numeric", "answers": answers}


def _numeric_entry(value: float, tolerance: float, relative: bool, credit: float) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": value}
    if tolerance:
        entry["tolerance"] = f"{_fmt(tolerance)}%" if relative else tolerance
    if credit != 1.0:
        entry["credit"] = credit
    return entry


def _number_with_range(answer: str, tolerance_raw: str) -> tuple[float, float, bool]:
    """`answer` may be a number or an Open edX range `[a, b]` / `(a, b)`."""
    m = re.fullmatch(r"[\[(]\s*([^,]+?)\s*,\s*([^,]+?)\s*[\])]", answer)
    if m:
        low, high = _number(m.group(1)), _number(m.group(2))
        return (low + high) / 2, abs(high - low) / 2, False
    value = _number(answer)
    relative = tolerance_raw.endswith("%")
    tol = _number(tolerance_raw.rstrip("%") or "0")
    return value, abs(tol), relative


def _number(text: str) -> float:
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", text)  # a plain fraction like 1/3
    if m and float(m.group(2)) != 0:
        return float(m.group(1)) / float(m.group(2))
    raise _Unsupported(f"answer {text!r} is an expression, not a number")


def _string(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    kinds = (response.get("type") or "").lower().split()
    case_sensitive = "ci" not in kinds
    regexp = "regexp" in kinds
    answers = [response.get("answer") or ""]
    answers += [a.get("answer", a.text or "") for a in response.findall("additional_answer")]
    answers = [a.strip() for a in answers if a and a.strip()]
    if not answers:
        raise _Unsupported("no accepted answer")
    feedback: dict[str, str] = {}
    for hint in response.findall("correcthint") + response.findall("stringequalhint"):
        key = (hint.get("answer") or answers[0]) if hint.tag == "stringequalhint" else answers[0]
        body = _md(hint, ctx)
        if body:
            feedback[key] = body
    out: dict[str, Any] = {"type": "text"}
    if regexp:
        for pattern in answers:
            try:
                re.compile(pattern)
            except re.error as err:
                raise _Unsupported(f"regular expression {pattern!r} is invalid ({err})") from None
        joined = "|".join(f"(?:{p})" for p in answers) if len(answers) > 1 else answers[0]
        out["pattern"] = joined  # case folding follows case_sensitive, as in Open edX
        if feedback:
            ctx.report.changed(
                "stringresponse", ctx.where, "feedback on regular-expression answers dropped", ctx.url_name
            )
    elif any(a in feedback for a in answers):
        out["answers"] = [{"text": a, **({"feedback": feedback[a]} if a in feedback else {})} for a in answers]
    else:
        out["answers"] = answers
    if case_sensitive:
        out["case_sensitive"] = True
    wrong = [k for k in feedback if k not in answers]
    if wrong:
        ctx.report.changed(
            "stringresponse",
            ctx.where,
            f"feedback for {len(wrong)} wrong answer{'s' if len(wrong) != 1 else ''} dropped",
            ctx.url_name,
        )
    return out


CONVERTERS: dict[str, Callable[[Element, ProblemContext], dict[str, Any]]] = {
    "multiplechoiceresponse": _multiplechoice,
    "choiceresponse": _checkbox,
    "optionresponse": _option,
    "numericalresponse": _numerical,
    "stringresponse": _string,
}


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _fmt(x: float) -> str:
    return f"{x:g}"
