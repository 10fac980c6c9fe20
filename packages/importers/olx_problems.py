"""Open edX capa problems -> pack quiz questions (TOML tables).

One problem may hold several response fields; each becomes one question. The
problem's text around the fields becomes the prompt (with `[1]`, `[2]` markers
where the fields were when there are several). Response types the pack format
cannot grade (custom Python, JavaScript, formulas, images, schematics, ...) are
returned as notices and reported, never dropped.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, tostring

from packages.importers.html_markdown import html_to_markdown, html_to_text
from packages.importers.report import ImportReport

SUPPORTED = {"multiplechoiceresponse", "choiceresponse", "optionresponse", "numericalresponse",
             "stringresponse"}
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
# Elements inside a response that are answer machinery, not prompt text.
INPUT_TAGS = {"choicegroup", "checkboxgroup", "optioninput", "textline", "formulaequationinput", "responseparam",
              "additional_answer", "solution", "hintgroup", "correcthint", "stringequalhint", "numerichint",
              "jsinput", "imageinput", "schematic", "annotationinput", "textbox", "designprotein2dinput",
              "drag_and_drop_input", "choicetextgroup", "radiotextgroup", "checkboxtextgroup", "chemicalequationinput",
              "crystallography", "vsepr_input", "editamoleculeinput", "editageneinput", "filesubmission",
              "matlabinput", "demandhint", "optionhint", "choicehint", "compoundhint", "answer"}
SHOWANSWER = {
    "always": "always",
    "answered": "attempted", "attempted": "attempted", "attempted_no_past_due": "attempted",
    "finished": "finished", "closed": "finished", "past_due": "finished", "correct_or_past_due": "finished",
    "after_all_attempts": "finished", "after_all_attempts_or_correct": "finished",
    "never": "never",
}
STRICTNESS = ["always", "attempted", "finished", "never"]
TOKEN = "MOOCRESPONSEFIELD{}X"
_TOKEN_RE = re.compile(r"MOOCRESPONSEFIELD(\d+)X")
MAX_FIELDS = 100  # answer fields in one problem (Studio's templates have 1 to a few)


@dataclass
class ProblemContext:
    url_name: str
    where: str
    title: str
    resolve: Callable[[str, str], "str | None"]
    report: ImportReport
    default_showanswer: str = "finished"
    default_max_attempts: int | None = None


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
        _missing(result, ctx, "problem", f"{len(responses)} answer fields (mooc imports at most {MAX_FIELDS} "
                                         "per problem)")
        return result
    uses_script_vars = script is not None and _uses_variables(problem, script)
    showanswer = problem.get("showanswer") or ctx.default_showanswer
    result.show_solutions = SHOWANSWER.get(showanswer, "finished")
    if showanswer not in SHOWANSWER:
        ctx.report.changed("problem", ctx.where, f"showanswer={showanswer!r} has no equivalent; used 'finished'",
                           ctx.url_name)
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
    top_solution = [s for s in problem.findall("solution")] + [s for s in problem.findall("./*/solution")
                                                              if s not in inside_responses]
    context_cache: list[str] = []

    def context() -> str:  # computed only when a question needs it: no media copied for notices
        if not context_cache:
            context_cache.append(_context_markdown(problem, responses, ctx))
        return context_cache[0]
    multi = len(responses) > 1
    weight = _float(problem.get("weight"))
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
        except _Unsupported as err:
            _missing(result, ctx, response.tag, str(err), where=where)
            continue
        prompt_part = _response_prompt(response, ctx)
        if multi:  # one pass over the text marks every field (not one pass per field)
            prompt = _TOKEN_RE.sub(lambda m: f"**[{m.group(1)}]**" if int(m.group(1)) == index
                                   else f"[{m.group(1)}]", context())
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
        table.update(question)
        if question.pop("_shuffle", False) or table.pop("_shuffle", False):
            result.shuffle = True
        result.questions.append(table)
        ctx.report.produced["questions"] += 1
        ctx.report.found[f"imported: {response.tag}"] += 1
    if script is not None and result.questions:
        ctx.report.changed("problem", ctx.where, "its Python script was not used (the answers do not depend on it)",
                           ctx.url_name)
    del solutions
    return result


class _Unsupported(Exception):
    """This particular response cannot be represented (message says why)."""


# -- response converters ------------------------------------------------------------

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
        ctx.report.changed("choiceresponse", ctx.where, "compound hints (feedback for combinations) dropped",
                           ctx.url_name)
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
    for hint in response.findall("numerichint") + response.findall("correcthint"):
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
    answers += [(a.get("answer") if a.get("answer") is not None else (a.text or "")) for a in
                response.findall("additional_answer")]
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
            ctx.report.changed("stringresponse", ctx.where, "feedback on regular-expression answers dropped",
                               ctx.url_name)
    elif any(a in feedback for a in answers):
        out["answers"] = [{"text": a, **({"feedback": feedback[a]} if a in feedback else {})} for a in answers]
    else:
        out["answers"] = answers
    if case_sensitive:
        out["case_sensitive"] = True
    wrong = [k for k in feedback if k not in answers]
    if wrong:
        ctx.report.changed("stringresponse", ctx.where, f"feedback for {len(wrong)} wrong answer{'s' if len(wrong) != 1 else ''} dropped",
                           ctx.url_name)
    return out


CONVERTERS: dict[str, Callable[[Element, ProblemContext], dict[str, Any]]] = {
    "multiplechoiceresponse": _multiplechoice,
    "choiceresponse": _checkbox,
    "optionresponse": _option,
    "numericalresponse": _numerical,
    "stringresponse": _string,
}


# -- prompt text ----------------------------------------------------------------------

OLX_TO_HTML = {"label": "p", "description": "p", "text": "div", "center": "div", "startouttext": None,
               "endouttext": None}


def _to_html(el: Element) -> str:
    el = copy.deepcopy(el)
    for node in el.iter():
        if node.tag in OLX_TO_HTML and OLX_TO_HTML[node.tag]:
            node.tag = OLX_TO_HTML[node.tag]  # type: ignore[assignment]
        elif node.tag == "clarification":
            node.tag = "em"
            node.text = f" ({node.text or ''}"
            node.tail = ")" + (node.tail or "")
    inner = (el.text or "") + "".join(tostring(child, encoding="unicode", method="html") for child in el)
    return inner


def _md(el: Element, ctx: ProblemContext) -> str:
    return html_to_markdown(_to_html(el), ctx.resolve).strip()


def _choice_text(choice: Element, ctx: ProblemContext) -> str:
    c = copy.deepcopy(choice)
    hints = [child for child in c if child.tag in ("choicehint", "optionhint")]
    if hints:  # rebuilt once: no O(k) remove per hint
        c[:] = [child for child in c if child.tag not in ("choicehint", "optionhint")]
        c.text = (c.text or "") + "".join(h.tail for h in hints if h.tail)
    text = html_to_markdown(_to_html(c), ctx.resolve).strip()
    return " ".join(text.split("\n")) if "\n" in text and "|" not in text else text or "(empty)"


def _strip_machinery(el: Element) -> None:
    _remove_children(el, lambda child: child.tag in INPUT_TAGS or child.tag in ("script", "startouttext",
                                                                                    "endouttext"))


def _remove_children(root: Element, drop: Callable[[Element], bool]) -> None:
    """Remove every element `drop` picks (with its subtree), keeping the text that followed it.

    Each parent's children are rebuilt once: removing them one by one is O(k) each,
    O(k²) for a parent with k children (a hostile problem has 100,000 of them).
    """
    for parent in list(root.iter()):
        children = list(parent)
        if not any(drop(child) for child in children):
            continue
        kept: list[Element] = []
        tails: list[str] = []
        for child in children:
            if drop(child):
                if child.tail and child.tail.strip():
                    tails.append(child.tail)
            else:
                kept.append(child)
        parent[:] = kept
        if tails:
            parent.text = (parent.text or "") + "".join(tails)


def _response_prompt(response: Element, ctx: ProblemContext) -> str:
    r = copy.deepcopy(response)
    _strip_machinery(r)
    return html_to_markdown(_to_html(r), ctx.resolve).strip()


def _context_markdown(problem: Element, responses: list[Element], ctx: ProblemContext) -> str:
    """The problem's own text, each response field replaced by a token."""
    p = copy.deepcopy(problem)
    originals = list(problem.iter())
    copies = list(p.iter())
    mapping = {id(o): c for o, c in zip(originals, copies)}
    targets = {id(mapping[id(r)]): n for n, r in enumerate(responses, start=1)}
    for parent in list(p.iter()):
        children = list(parent)
        if not any(id(child) in targets for child in children):
            continue
        replaced = []
        for child in children:  # rebuilt once per parent: no O(k) remove/insert per field
            n = targets.get(id(child))
            if n is not None:
                token = Element("p")
                token.text = TOKEN.format(n)
                token.tail = child.tail
                child = token
            replaced.append(child)
        parent[:] = replaced
    _remove_children(p, lambda child: child.tag in ("solution", "demandhint", "script", "style", "startouttext",
                                                    "endouttext"))
    return html_to_markdown(_to_html(p), ctx.resolve)


def _solution_md(solution: Element, ctx: ProblemContext) -> str:
    text = _md(solution, ctx)
    # Studio's template starts every solution with a bare "Explanation" paragraph.
    return re.sub(r"^(?:\*\*)?Explanation:?(?:\*\*)?\s*\n+", "", text, flags=re.IGNORECASE).strip()


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
    return (f"> **Not available in mooc:** {component}{title_part} ({reason}).\n>\n"
            f"> In the original course: {where} (`{url_name}`).")


def strictest(values: list[str]) -> str:
    present = [v for v in values if v]
    return max(present, key=STRICTNESS.index) if present else "finished"


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _fmt(x: float) -> str:
    return f"{x:g}"
