"""Open edX capa problems -> pack quiz questions (TOML tables).

One problem may hold several response fields; each becomes one question. The
problem's text around the fields becomes the prompt (with `[1]`, `[2]` markers
where the fields were when there are several). Response types the pack format
cannot grade (custom Python, JavaScript, formulas, images, schematics, ...) are
returned as notices and reported, never dropped. The text is read by
`olx_problem_text`, each field's answers by `olx_responses`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from xml.etree.ElementTree import Element

from packages.importers.html_markdown import html_to_text
from packages.importers.olx_problem_text import (
    _TOKEN_RE,
    TOKEN,
    ProblemContext,
    Unsupported,
    _context_markdown,
    _md,
    _response_prompt,
    _solution_md,
    _to_html,
    float_or_none,
)
from packages.importers.olx_responses import CONVERTERS

SUPPORTED = {"multiplechoiceresponse", "choiceresponse", "optionresponse", "numericalresponse", "stringresponse"}
UNSUPPORTED = {
    "customresponse": "graded by custom Python code",
    "formularesponse": "a symbolic formula graded by sampling",
    "imageresponse": "answered by clicking on an image",
    "schematicresponse": "a circuit drawn in a schematic editor",
    "annotationresponse": "an annotation exercise",
    "symbolicresponse": "a symbolic math expression",
    "coderesponse": "code graded by an external grader",
    "externalresponse": "graded by an external server",
    "javascriptresponse": "graded by JavaScript",
    "choicetextresponse": "choices with embedded text inputs",
    "truefalseresponse": "a legacy true/false response",
    "jsmeresponse": "a molecule editor",
    "chemicalequationresponse": "a chemical equation",
}
RESPONSE_TAGS = SUPPORTED | set(UNSUPPORTED)
SHOWANSWER = {
    "always": "always",
    "answered": "attempted",
    "attempted": "attempted",
    "attempted_no_past_due": "attempted",
    "finished": "finished",
    "closed": "finished",
    "past_due": "finished",
    "correct_or_past_due": "finished",
    "after_all_attempts": "finished",
    "after_all_attempts_or_correct": "finished",
    "never": "never",
}
STRICTNESS = ["always", "attempted", "finished", "never"]
MAX_FIELDS = 100  # answer fields in one problem (Studio's templates have 1 to a few)


@dataclass
class ProblemResult:
    questions: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # Markdown for what could not come across
    show_solutions: str | None = None
    max_attempts: int | None = None
    shuffle: bool = False


def convert_problem(problem: Element, ctx: ProblemContext) -> ProblemResult:
    result = ProblemResult()
    responses = [el for el in problem.iter() if el.tag in RESPONSE_TAGS]
    ctx.report.found["problem"] += 1
    for r in responses:
        ctx.report.found[f"problem response: {r.tag}"] += 1
    script = next((el for el in problem.iter("script") if "python" in (el.get("type") or "")), None)
    if not responses:
        other = sorted({el.tag for el in problem.iter() if el.tag.endswith("response") or el.tag.endswith("input")})
        what = ", ".join(other) or "no response field"
        _missing(result, ctx, "problem", f"no answer field mooc can grade ({what})")
        return result
    if len(responses) > MAX_FIELDS:  # each field's question repeats the whole problem text: bound the copies
        _missing(
            result, ctx, "problem", f"{len(responses)} answer fields (mooc imports at most {MAX_FIELDS} per problem)"
        )
        return result
    uses_script_vars = script is not None and _uses_variables(problem, script)
    showanswer = problem.get("showanswer") or ctx.default_showanswer
    result.show_solutions = SHOWANSWER.get(showanswer, "finished")
    if showanswer not in SHOWANSWER:
        ctx.report.changed(
            "problem", ctx.where, f"showanswer={showanswer!r} has no equivalent; used 'finished'", ctx.url_name
        )
    attempts = problem.get("max_attempts")
    if attempts and attempts.strip().isdigit():
        result.max_attempts = int(attempts)
    elif ctx.default_max_attempts:
        result.max_attempts = ctx.default_max_attempts
    if problem.get("rerandomize") not in (None, "never", "false", "per_student") and not uses_script_vars:
        pass  # randomisation only matters with a script; without one the problem is fixed

    hints = [_md(h, ctx) for demand in problem.iter("demandhint") for h in demand.findall("hint")]
    hints = [h for h in hints if h]
    solutions = [el for el in problem.iter("solution")]
    inside_responses = _all_inside(responses)  # once: not once per solution
    top_solution = [s for s in problem.findall("solution")] + [
        s for s in problem.findall("./*/solution") if s not in inside_responses
    ]
    context_cache: list[str] = []

    def context() -> str:  # computed only when a question needs it: no media copied for notices
        if not context_cache:
            context_cache.append(_context_markdown(problem, responses, ctx))
        return context_cache[0]

    multi = len(responses) > 1
    weight = float_or_none(problem.get("weight"))
    points = (weight / len(responses)) if weight and weight > 0 else 1.0

    for index, response in enumerate(responses, start=1):
        qid = ctx.url_name if not multi else f"{ctx.url_name}-{index}"
        where = ctx.where + (f" (field {index} of {len(responses)})" if multi else "")
        if response.tag not in SUPPORTED:
            _missing(result, ctx, response.tag, UNSUPPORTED[response.tag], where=where)
            continue
        if uses_script_vars and _response_uses_variables(response):
            _missing(result, ctx, response.tag, "answers computed by a Python script (randomised)", where=where)
            continue
        try:
            question = CONVERTERS[response.tag](response, ctx)
        except Unsupported as err:
            _missing(result, ctx, response.tag, str(err), where=where)
            continue
        prompt_part = _response_prompt(response, ctx)
        if multi:  # one pass over the text marks every field (not one pass per field)
            prompt = _TOKEN_RE.sub(partial(_mark_field, index), context())
            label = f"Answer for field **[{index}]**" + (f": {prompt_part}" if prompt_part else ".")
            prompt = f"{prompt.strip()}\n\n{label}".strip()
        else:
            prompt = context().replace(TOKEN.format(1), prompt_part)
        prompt = re.sub(r"\n{3,}", "\n\n", prompt).strip() or ctx.title or "Question"
        explanation_parts = [_solution_md(s, ctx) for s in response.iter("solution")]
        if not multi or index == len(responses):
            explanation_parts += [_solution_md(s, ctx) for s in top_solution]
        extra = question.pop("_explanation_extra", None)
        if extra:
            explanation_parts.append(extra)
        explanation = "\n\n".join(p for p in explanation_parts if p).strip() or None
        if result.show_solutions == "never" and explanation:
            pass  # kept: the quiz's show_solutions = "never" hides it
        table: dict[str, Any] = {"id": qid, "type": question.pop("type"), "prompt": prompt}
        if points != 1.0:
            table["points"] = round(points, 6)
        q_hints = hints if (not multi or index == 1) else []
        if len(q_hints) == 1:
            table["hint"] = q_hints[0]
        elif q_hints:
            table["hints"] = q_hints
        if explanation:
            table["explanation"] = explanation
        if question.pop("_shuffle", False):  # a quiz setting, never a key of the question
            result.shuffle = True
        table.update(question)
        result.questions.append(table)
        ctx.report.produced["questions"] += 1
        ctx.report.found[f"imported: {response.tag}"] += 1
    if script is not None and result.questions:
        ctx.report.changed(
            "problem", ctx.where, "its Python script was not used (the answers do not depend on it)", ctx.url_name
        )
    del solutions
    return result


def _all_inside(responses: list[Element]) -> set[Element]:
    return {el for r in responses for el in r.iter()}


def _uses_variables(problem: Element, script: Element) -> bool:
    return any(_response_uses_variables(r) for r in problem.iter() if r.tag in RESPONSE_TAGS) or bool(
        re.search(r"\$[A-Za-z_]", html_to_text(_to_html(problem)))
    )


def _response_uses_variables(response: Element) -> bool:
    values = [v for el in response.iter() for v in el.attrib.values()]
    return any(re.search(r"\$[A-Za-z_]", v) for v in values)


def _missing(result: ProblemResult, ctx: ProblemContext, component: str, reason: str, where: str | None = None) -> None:
    where = where or ctx.where
    ctx.report.missing(component, where, reason, ctx.url_name)
    result.notices.append(notice_markdown(component, ctx.title, ctx.url_name, where, reason))


def notice_markdown(component: str, title: str, url_name: str, where: str, reason: str) -> str:
    title_part = f" “{title}”" if title else ""
    return (
        f"> **Not available in mooc:** {component}{title_part} ({reason}).\n>\n"
        f"> In the original course: {where} (`{url_name}`)."
    )


def strictest(values: list[str]) -> str:
    present = [v for v in values if v]
    return max(present, key=STRICTNESS.index) if present else "finished"


def _mark_field(index: int, m: re.Match[str]) -> str:
    """A field token of a multi-field prompt: bold when it is the field being asked."""
    return f"**[{m.group(1)}]**" if int(m.group(1)) == index else f"[{m.group(1)}]"
