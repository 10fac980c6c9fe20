"""Open edX capa response fields -> the answer half of a pack question.

One converter per response type the pack format can grade (multiple choice,
checkboxes, dropdown options, numbers with tolerances and ranges, text answers and
regular expressions), each returning the question's type and answers; a field
that cannot be represented raises `Unsupported`, saying why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from packages.importers.olx_numeric import numerical
from packages.importers.olx_problem_text import (
    ProblemContext,
    Unsupported,
    _choice_text,
    _md,
    float_or_none,
    legacy_hints,
)


def _multiplechoice(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    group = response.find("choicegroup")
    if group is None:
        raise Unsupported("no choicegroup")
    choices, n_correct = [], 0
    partial = "points" in (response.get("partial_credit") or "")
    for choice in group.findall("choice"):
        entry: dict[str, Any] = {"text": _choice_text(choice, ctx)}
        state = (choice.get("correct") or "false").strip().lower()
        if state == "true":
            entry["correct"] = True
            n_correct += 1
        elif state == "partial" and partial:
            credit = float_or_none(choice.get("point_val"))
            entry["credit"] = credit if credit is not None else 0.5
        hint = choice.find("choicehint")
        if hint is not None:
            entry["feedback"] = _md(hint, ctx) or None
        choices.append(entry)
    if len(choices) < 2:
        raise Unsupported("fewer than two choices")
    if n_correct == 0:
        raise Unsupported("no choice is marked correct")
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
        raise Unsupported("no checkboxgroup")
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
        raise Unsupported("no choice is marked correct")
    out: dict[str, Any] = {"type": "multiple", "choices": choices}
    if missed_notes:
        out["_explanation_extra"] = "\n".join(missed_notes)
    if response.find("checkboxgroup/compoundhint") is not None or response.find(".//compoundhint") is not None:
        ctx.report.changed(
            "choiceresponse", ctx.where, "compound hints (feedback for combinations) dropped", ctx.url_name
        )
    return out


# Open edX's OptionInput.parse_options: an apostrophe between two letters (don't) or escaped
# (\') belongs to the option's text; then the list is split like a shell line quoted with '.
_INNER_APOSTROPHE = re.compile(r"([a-zA-Z])('|\\')([a-zA-Z])")
APOSTROPHE = "\ue010"  # stands for a literal ' while the list is split


def _option(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    field_ = response.find(".//optioninput")
    if field_ is None:
        raise Unsupported("no optioninput")
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
        names = option_names(field_.get("options") or "")
        correct = (field_.get("correct") or "").strip()
        for name in names:
            entry = {"text": name.strip()}
            if name.strip() == correct:
                entry["correct"] = True
            choices.append(entry)
    if not any(c.get("correct") for c in choices):
        raise Unsupported("no option is marked correct")
    if sum(1 for c in choices if c.get("correct")) > 1:
        for c in choices:
            if c.get("correct"):
                c["credit"] = 1.0
    for c in choices:
        c["text"] = c["text"] or "(empty)"
    return {"type": "single", "choices": choices}


def option_names(raw: str) -> list[str]:
    """`('a','I don't know')` -> ["a", "I don't know"], as Open edX reads an optioninput's options."""
    import shlex

    text = raw.strip()[:20000]
    if text[:1] == "(" and text[-1:] == ")":
        text = text[1:-1]
    text = _INNER_APOSTROPHE.sub(lambda m: m.group(1) + APOSTROPHE + m.group(3), text).replace("\\'", APOSTROPHE)
    lexer = shlex.shlex(text)
    lexer.quotes = "'"
    lexer.whitespace = ", "
    try:
        tokens = list(lexer)
    except ValueError:  # an unclosed quote
        raise Unsupported(f"options {raw.strip()[:40]!r} cannot be read (an unclosed quote?)") from None
    return [(t[1:-1] if len(t) >= 2 and t[0] == t[-1] == "'" else t).replace(APOSTROPHE, "'") for t in tokens]


def _string(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    kinds = (response.get("type") or "").lower().split()
    case_sensitive = "ci" not in kinds
    regexp = "regexp" in kinds
    extra = response.findall("additional_answer")
    answers = [(response.get("answer") or "").strip()] + [a.get("answer", a.text or "").strip() for a in extra]
    hints = [response.find("correcthint")] + [a.find("correcthint") for a in extra]
    right = [(a, _md(h, ctx) if h is not None else "") for a, h in zip(answers, hints) if a]
    if not right:
        raise Unsupported("no accepted answer")
    same = (lambda a, b: a == b) if case_sensitive else (lambda a, b: a.casefold() == b.casefold())
    # Feedback for wrong answers (Open edX shows it on an exact match): answers worth 0 in mooc.
    wrong = [(h.get("answer", "").strip(), _md(h, ctx)) for h in response.findall("stringequalhint")]
    if not regexp:
        wrong += legacy_hints(response, "stringhint", ctx)
    elif response.find("hintgroup") is not None:
        ctx.report.changed("stringresponse", ctx.where, "hints on regular-expression answers dropped", ctx.url_name)
    wrong = [(a, fb) for a, fb in wrong if a and fb and not any(same(a, r) for r, _ in right)]
    if response.findall("regexphint"):
        ctx.report.changed(
            "stringresponse",
            ctx.where,
            "feedback for wrong answers matching a pattern (regexphint) dropped",
            ctx.url_name,
        )
    out: dict[str, Any] = {"type": "text"}
    if regexp:
        for pattern, _feedback in right:
            try:
                re.compile(pattern)
            except re.error as err:
                raise Unsupported(f"regular expression {pattern!r} is invalid ({err})") from None
        patterns = [p for p, _ in right]
        out["pattern"] = "|".join(f"(?:{p})" for p in patterns) if len(patterns) > 1 else patterns[0]
        if any(fb for _, fb in right):
            ctx.report.changed(
                "stringresponse", ctx.where, "feedback on regular-expression answers dropped", ctx.url_name
            )
        if wrong:
            out["answers"] = [{"text": a, "credit": 0.0, "feedback": fb} for a, fb in wrong]
    elif any(fb for _, fb in right) or wrong:
        out["answers"] = [{"text": a, **({"feedback": fb} if fb else {})} for a, fb in right]
        out["answers"] += [{"text": a, "credit": 0.0, "feedback": fb} for a, fb in wrong]
    else:
        out["answers"] = [a for a, _ in right]
    if case_sensitive:
        out["case_sensitive"] = True
    return out


CONVERTERS: dict[str, Callable[[Element, ProblemContext], dict[str, Any]]] = {
    "multiplechoiceresponse": _multiplechoice,
    "choiceresponse": _checkbox,
    "optionresponse": _option,
    "numericalresponse": numerical,
    "stringresponse": _string,
}
