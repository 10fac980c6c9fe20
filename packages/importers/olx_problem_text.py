"""Open edX capa problem XML -> the Markdown of its questions' text.

The problem's own text with a token where each response field was (the prompt),
a field's label, choice and option labels, hints and solutions: capa's own tags
turned into HTML, the answer machinery left out, and asset links resolved through
the `ProblemContext` every step of a problem's conversion is given.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, tostring

from packages.importers.html_markdown import html_to_markdown
from packages.importers.report import ImportReport

# Elements inside a response that are answer machinery, not prompt text.
INPUT_TAGS = {
    "choicegroup",
    "checkboxgroup",
    "optioninput",
    "textline",
    "formulaequationinput",
    "responseparam",
    "additional_answer",
    "solution",
    "hintgroup",
    "correcthint",
    "stringequalhint",
    "numerichint",
    "jsinput",
    "imageinput",
    "schematic",
    "annotationinput",
    "textbox",
    "designprotein2dinput",
    "drag_and_drop_input",
    "choicetextgroup",
    "radiotextgroup",
    "checkboxtextgroup",
    "chemicalequationinput",
    "crystallography",
    "vsepr_input",
    "editamoleculeinput",
    "editageneinput",
    "filesubmission",
    "matlabinput",
    "demandhint",
    "optionhint",
    "choicehint",
    "compoundhint",
    "answer",
}
TOKEN = "MOOCRESPONSEFIELD{}X"
_TOKEN_RE = re.compile(r"MOOCRESPONSEFIELD(\d+)X")


@dataclass
class ProblemContext:
    url_name: str
    where: str
    title: str
    resolve: Callable[[str, str], str | None]
    report: ImportReport
    default_showanswer: str = "finished"
    default_max_attempts: int | None = None


OLX_TO_HTML = {
    "label": "p",
    "description": "p",
    "text": "div",
    "center": "div",
    "startouttext": None,
    "endouttext": None,
}


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


class Unsupported(Exception):
    """This particular response cannot be represented (the message says why)."""


def _md(el: Element, ctx: ProblemContext) -> str:
    return html_to_markdown(_to_html(el), ctx.resolve).strip()


md = _md  # the Markdown of a hint, a label, a solution


def legacy_hints(response: Element, hint_tag: str, ctx: ProblemContext) -> list[tuple[str, str]]:
    """The old `<hintgroup>` of a response: (answer, hint Markdown) for each `<hint_tag answer= name=>`
    with its `<hintpart on=name>`. A hint computed by a Python function (`hintfn`) is reported."""
    out: list[tuple[str, str]] = []
    for group in response.findall("hintgroup"):
        if group.get("hintfn"):
            ctx.report.changed(
                response.tag, ctx.where, "hints computed by a Python function (hintfn) dropped", ctx.url_name
            )
            continue
        parts = {part.get("on"): md(part, ctx) for part in group.findall("hintpart")}
        for hint in group.findall(hint_tag):
            text = parts.get(hint.get("name"))
            if hint.get("answer") and text:
                out.append((hint.get("answer", ""), text))
            else:
                ctx.report.changed(
                    response.tag, ctx.where, f"a {hint_tag} without an answer or its hintpart dropped", ctx.url_name
                )
    return out


def float_or_none(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _choice_text(choice: Element, ctx: ProblemContext) -> str:
    c = copy.deepcopy(choice)
    hints = [child for child in c if child.tag in ("choicehint", "optionhint")]
    if hints:  # rebuilt once: no O(k) remove per hint
        c[:] = [child for child in c if child.tag not in ("choicehint", "optionhint")]
        c.text = (c.text or "") + "".join(h.tail for h in hints if h.tail)
    text = html_to_markdown(_to_html(c), ctx.resolve).strip()
    return " ".join(text.split("\n")) if "\n" in text and "|" not in text else text or "(empty)"


def _strip_machinery(el: Element) -> None:
    _remove_children(el, lambda child: child.tag in INPUT_TAGS or child.tag in ("script", "startouttext", "endouttext"))


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
    _remove_children(
        p, lambda child: child.tag in ("solution", "demandhint", "script", "style", "startouttext", "endouttext")
    )
    return html_to_markdown(_to_html(p), ctx.resolve)


def _solution_md(solution: Element, ctx: ProblemContext) -> str:
    text = _md(solution, ctx)
    # Studio's template starts every solution with a bare "Explanation" paragraph.
    return re.sub(r"^(?:\*\*)?Explanation:?(?:\*\*)?\s*\n+", "", text, flags=re.IGNORECASE).strip()
