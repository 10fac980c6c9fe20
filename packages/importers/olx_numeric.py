"""Open edX `numericalresponse` -> a `numeric` question, graded as Open edX grades it.

- The answer is a number, arithmetic Open edX evaluates (`9.3*10^7`, Studio's own
  template: `olx_arithmetic`), or a range: `[a, b]` includes its ends, `(a, b)`
  excludes them, `[a, b)` and `(a, b]` one of them. mooc's tolerances include
  their boundary, so an excluded end is moved in by one part in 10⁹ of the range's
  magnitude.
- Without a tolerance Open edX still allows 0.001% (capa's `default_tolerance`,
  relative): so does the question.
- `partial_credit="list"` (`partial_answers`, half credit), `"close"` (within
  `partial_range` times the tolerance, or the range widened by `partial_range`
  times its width on each side, half credit), both (a quarter near a partial answer).
- `correcthint` becomes the right answer's feedback; the legacy `hintgroup`'s
  `numericalhint` a 0-credit answer carrying its hint as feedback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from packages.importers.olx_arithmetic import NotArithmetic, evaluate
from packages.importers.olx_problem_text import ProblemContext, Unsupported, legacy_hints, md

DEFAULT_TOLERANCE = "0.001%"  # Open edX's capa/util.py default_tolerance
EXCLUDED_END = 1e-9  # an excluded range end moves in by this fraction of the range's magnitude
DEFAULT_PARTIAL_RANGE = 2.0


@dataclass(frozen=True)
class _Accepted:
    value: float
    tolerance: float
    relative: bool  # tolerance is a fraction of |value| (written "N%")

    def widened(self, factor: float) -> _Accepted:
        return _Accepted(self.value, self.tolerance * factor, self.relative)

    def entry(self, credit: float = 1.0, feedback: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        if self.tolerance:
            out["tolerance"] = f"{self.tolerance * 100:.12g}%" if self.relative else self.tolerance
        if credit != 1.0:
            out["credit"] = credit
        if feedback:
            out["feedback"] = feedback
        return out

    def holds(self, value: float) -> bool:
        limit = self.tolerance * abs(self.value) if self.relative else self.tolerance
        return abs(value - self.value) <= limit * (1 + 1e-12)


def numerical(response: Element, ctx: ProblemContext) -> dict[str, Any]:
    answer = (response.get("answer") or "").strip()
    if not answer:
        raise Unsupported("no answer given")
    modes = (response.get("partial_credit") or "").replace(" ", "").split(",")
    factor = DEFAULT_PARTIAL_RANGE
    for param in response.findall("responseparam"):
        if param.get("partial_range"):
            factor = _number(param.get("partial_range", ""), "partial_range")
    tolerance = DEFAULT_TOLERANCE
    bounds = _range(answer)
    if bounds is None:  # Open edX reads a tolerance only for a single answer, not for a range
        for param in response.findall("responseparam"):
            if param.get("type") == "tolerance" and param.get("default") is not None:
                tolerance = param.get("default", "").strip()
        right = _single(answer, tolerance)
        close = right.widened(factor)
    else:
        low, high, width = bounds
        right = _between(low, high)
        close = _between((low[0] - factor * width, False), (high[0] + factor * width, False))
    correct_hint = response.find("correcthint")
    accepted: list[tuple[_Accepted, float, str | None]] = [
        (right, 1.0, (md(correct_hint, ctx) or None) if correct_hint is not None else None)
    ]
    params = response.findall("responseparam") if "list" in modes else []
    partials = [_single(a, tolerance) for p in params for a in _list(p)]
    if "list" in modes:
        accepted += [(p, 0.5, None) for p in partials]
    if "close" in modes:
        accepted.append((close, 0.5, None))
        if "list" in modes:
            accepted += [(p.widened(factor), 0.25, None) for p in partials]
    for hinted, text in legacy_hints(response, "numericalhint", ctx):
        value = _number(hinted, "hint answer")
        if right.holds(value) and accepted[0][2] is None:
            accepted[0] = (right, 1.0, text)
        elif not right.holds(value):
            accepted.append((_single(hinted, tolerance), 0.0, text))
    entries = [a.entry(credit, feedback) for a, credit, feedback in accepted]
    if len(entries) == 1 and "feedback" not in entries[0]:
        single: dict[str, Any] = {"type": "numeric", "answer": entries[0]["value"]}
        if "tolerance" in entries[0]:
            single["tolerance"] = entries[0]["tolerance"]
        return single
    return {"type": "numeric", "answers": entries}


def _list(param: Element) -> list[str]:
    return [a for a in (param.get("partial_answers") or "").split(",") if a.strip()]


def _range(answer: str) -> tuple[tuple[float, bool], tuple[float, bool], float] | None:
    """`[a, b]`, `(a, b)`, `[a, b)`, `(a, b]` -> ((low, included), (high, included), width); None if no range."""
    if not (answer[:1] in "[(" and answer[-1:] in "])" and answer.count(",") == 1):
        return None
    low_text, high_text = answer[1:-1].split(",")
    low, high = _number(low_text, "range start"), _number(high_text, "range end")
    if low > high or (low == high and not (answer[0] == "[" and answer[-1] == "]")):
        raise Unsupported(f"range {answer!r} holds no number")
    return (low, answer[0] == "["), (high, answer[-1] == "]"), high - low


def _between(low: tuple[float, bool], high: tuple[float, bool]) -> _Accepted:
    """The numbers from low to high (each end included or not) as value ± tolerance."""
    lo, hi = low[0], high[0]
    nudge = EXCLUDED_END * max(abs(lo), abs(hi), hi - lo)
    lo, hi = lo if low[1] else lo + nudge, hi if high[1] else hi - nudge
    return _Accepted(lo / 2 + hi / 2, abs(hi / 2 - lo / 2), False)


def _single(answer: str, tolerance: str) -> _Accepted:
    relative = tolerance.endswith("%")
    amount = _number(tolerance.rstrip("%").strip() or "0", "tolerance")
    return _Accepted(_number(answer, "answer"), abs(amount) / 100 if relative else abs(amount), relative)


def _number(text: str, what: str) -> float:
    try:
        return evaluate(text.strip())
    except NotArithmetic as err:
        raise Unsupported(f"{what} {text.strip()[:40]!r} cannot be read as a number ({err})") from None
