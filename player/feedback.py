"""What a learner sees after a quiz attempt: one rule for the TUI and plain mode.

For each question: the verdict, the pack's feedback for the response given, the
question's hints when it was not fully right, and, only when the quiz's
`show_solutions` allows it (`CourseSession.may_show_solution`), the right answer
and the explanation. Feedback and hints never give the answer away (a hint can
be asked for during any attempt), so they are shown after every attempt: a learner
who fails with attempts left learns from them, and the next attempt still means
something. Rules in docs/grading.md ("After an attempt").

The right answer is one structured value (`right_answer`: the accepted answers with
credit and tolerance), rendered by `RightAnswer.text()` for both UIs and by
`to_json()`. Course text is untrusted: `answer_text` returns one-line cleaned text; feedback,
hints and explanations are returned raw and each UI cleans them as it renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from packages.questions import Match, MultipleChoice, Numeric, Order, Question, SingleChoice, Text, TrueFalse
from packages.safe_text import one_line

if TYPE_CHECKING:
    from player.attempts import AttemptResult
    from player.grading import QuestionGrade
    from player.session import CourseSession

Verdict = Literal["right", "partly", "wrong", "unanswered"]


@dataclass(frozen=True)
class QuestionReview:
    """One question of a submitted attempt, as the learner may see it."""

    number: int  # from 1, in quiz order
    question: Question
    verdict: Verdict
    earned: float
    feedback: tuple[str, ...]  # the pack's feedback for the response given
    hints: tuple[str, ...]  # every hint, when the question was not fully right and no solution is shown
    answer: str | None  # the right answer on one line; None unless show_solutions allows it
    explanation: str | None  # None unless show_solutions allows it


def verdict(qg: QuestionGrade) -> Verdict:
    if qg.response is None:
        return "unanswered"
    if qg.grade.correct:
        return "right"
    return "partly" if qg.grade.score > 0 else "wrong"


def review_question(number: int, qg: QuestionGrade, show_solution: bool) -> QuestionReview:
    q = qg.question
    said = verdict(qg)
    return QuestionReview(
        number=number,
        question=q,
        verdict=said,
        earned=qg.earned,
        feedback=tuple(qg.grade.feedback),
        hints=tuple(q.hints) if said != "right" and not show_solution else (),
        answer=(answer_text(q) or None) if show_solution else None,
        explanation=q.explanation if show_solution and q.explanation else None,
    )


def review(result: AttemptResult) -> list[QuestionReview]:
    """Every question of a submitted attempt, in quiz order."""
    return [review_question(n, qg, result.show_solutions) for n, qg in enumerate(result.questions, start=1)]


def solutions_note(mode: str, shown: bool) -> str | None:
    """One sentence on when the answers appear, for an attempt that did not show them."""
    if shown:
        return None
    if mode == "never":
        return "This quiz does not show its answers."
    if mode == "attempted":
        return "The answers and explanations appear after your first attempt."
    return "The answers and explanations appear once you pass this quiz or have no attempts left."


@dataclass(frozen=True)
class NextStep:
    """Where a learner can go after an attempt; each UI says it with its own keys."""

    retry: bool  # not passed and attempts left: trying again is the obvious step
    next_title: str | None  # the next item of the course (one cleaned line), None at the end
    unlocked: tuple[str, ...]  # titles of the modules this attempt unlocked (cleaned)


def locked_modules(session: CourseSession) -> set[str]:
    """Ids of the modules locked now (compare before and after an attempt)."""
    return {m.id for m in session.course.modules if session.module_lock(m)}


def next_step(session: CourseSession, result: AttemptResult, locked_before: set[str]) -> NextStep:
    now_open = locked_before - locked_modules(session)
    nxt = session.next_item(result.item.id)
    return NextStep(
        retry=not result.passed and result.attempts_left != 0,
        next_title=one_line(session.course.item(nxt).title) if nxt is not None else None,
        unlocked=tuple(one_line(m.title) for m in session.course.modules if m.id in now_open),
    )


def _number(value: float) -> str:
    return f"{value:.12g}"


def _credit(credit: float | None, correct: bool, wrong: float) -> float:
    return credit if credit is not None else (1.0 if correct else wrong)


@dataclass(frozen=True)
class Accepted:
    """One answer that earns points: as shown (one cleaned line), and what it is worth."""

    text: str
    credit: float = 1.0  # the fraction of the question's points it earns
    tolerance: str | None = None  # numeric: "± 0.5" or "± 2%"

    def shown(self) -> str:
        return f"{self.text} ({self.tolerance})" if self.tolerance else self.text


@dataclass(frozen=True)
class RightAnswer:
    """The right answer of a question, computed once (`right_answer`) and rendered from
    this one value by plain mode, the TUI (`text()`) and JSON (`to_json()`).

    `how`: "one of" (any of `answers` is right), "all of" (every one, multiple choice),
    "in order" (the items as listed), "pairs" (each `left: right`), "example" (a
    pattern question: one answer the pattern accepts), "none" (nothing to show)."""

    how: Literal["one of", "all of", "in order", "pairs", "example", "none"]
    answers: tuple[Accepted, ...] = ()

    def text(self) -> str:
        """On one line, as the learner reads it ("" when there is nothing to show)."""
        if self.how == "none":
            return ""
        if self.how == "example":
            return f"{self.answers[0].text} (for example)"
        if self.how == "in order":
            return "; ".join(f"{n}. {a.text}" for n, a in enumerate(self.answers, start=1))
        joiner = " or " if self.how == "one of" else "; "
        return joiner.join(a.shown() for a in self.answers)

    def to_json(self) -> dict[str, object]:
        return {
            "how": self.how,
            "answers": [{"text": a.text, "credit": a.credit, "tolerance": a.tolerance} for a in self.answers],
        }


def right_answer(q: Question) -> RightAnswer:
    """The right answer of Q: full-credit answers (for a numeric question without one, the
    best-credit answer), with tolerance and credit spelled out."""
    if isinstance(q, SingleChoice):
        return RightAnswer(
            "one of", tuple(Accepted(one_line(c.text)) for c in q.choices if _credit(c.credit, c.correct, 0.0) >= 1.0)
        )
    if isinstance(q, MultipleChoice):
        return RightAnswer(
            "all of",
            tuple(
                Accepted(one_line(c.text), _credit(c.credit, c.correct, -1.0))
                for c in q.choices
                if _credit(c.credit, c.correct, -1.0) > 0
            ),
        )
    if isinstance(q, TrueFalse):
        return RightAnswer("one of", (Accepted("true" if q.answer else "false"),))
    if isinstance(q, Numeric):
        best = [a for a in q.answers if a.credit >= 1] or sorted(q.answers, key=lambda a: -a.credit)[:1]
        return RightAnswer(
            "one of",
            tuple(
                Accepted(
                    _number(a.value),
                    a.credit,
                    (f"± {_number(a.tolerance * 100)}%" if a.relative else f"± {_number(a.tolerance)}")
                    if a.tolerance
                    else None,
                )
                for a in best
            ),
        )
    if isinstance(q, Text):
        accepted = tuple(Accepted(one_line(a.text)) for a in q.answers if a.credit >= 1)
        if accepted:
            return RightAnswer("one of", accepted)
        example = example_of(q.pattern) if q.pattern else None
        return RightAnswer("example", (Accepted(one_line(example)),)) if example else RightAnswer("none")
    if isinstance(q, Order):
        return RightAnswer("in order", tuple(Accepted(one_line(text)) for text in q.items))
    if isinstance(q, Match):
        return RightAnswer("pairs", tuple(Accepted(f"{one_line(left)}: {one_line(right)}") for left, right in q.pairs))
    return RightAnswer("none")


def answer_text(q: Question) -> str:
    """The right answer on one cleaned line ("" when the pack gives none to show)."""
    return right_answer(q).text()


EXAMPLE_MAX = 60  # characters: an example answer longer than this is not shown


def example_of(pattern: str) -> str | None:
    """A short answer that `pattern` accepts, to show instead of the regular expression
    itself ("[0-9]+" -> "0"); None when the pattern is too complex to build one from
    (lookarounds, backreferences...). Checked against the pattern before it is used."""
    import re

    from packages.portable import re_parser

    try:
        example = _build(re_parser().parse(pattern), 0)
        compiled = re.compile(pattern)
    except Exception:  # any surprise in a pack's pattern: no example, never a crash
        return None
    if example is None or len(example) > EXAMPLE_MAX or not compiled.fullmatch(example.strip()):
        return None
    return example.strip() or None


def _build(parsed: object, depth: int) -> str | None:
    from packages.portable import re_constants

    c = re_constants()
    if depth > 20:
        return None
    out: list[str] = []
    for op, arg in parsed:  # type: ignore[attr-defined]
        if op is c.LITERAL:
            out.append(chr(arg))
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            part = _first_of_class(arg, c)
            if part is None:
                return None
            out.append(part)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, item = arg
            one = _build(item, depth + 1)
            if one is None:
                return None
            # the fewest repeats the pattern allows, but an optional part (`?`) once:
            # "ctrl[+-]?s" reads better as "ctrl+s" than as "ctrls"
            out.append(one * (1 if (low, high) == (0, 1) else low))
        elif op is c.SUBPATTERN:
            one = _build(arg[-1], depth + 1)
            if one is None:
                return None
            out.append(one)
        elif op is c.BRANCH:
            one = _build(arg[1][0], depth + 1)
            if one is None:
                return None
            out.append(one)
        elif op is c.AT:
            continue
        else:
            return None
        if sum(len(o) for o in out) > EXAMPLE_MAX:
            return None
    return "".join(out)


def _first_of_class(items: list[tuple[object, object]], c: object) -> str | None:
    for op, arg in items:
        if op is c.NEGATE:  # type: ignore[attr-defined]
            return None
        if op is c.LITERAL:  # type: ignore[attr-defined]
            return chr(arg)  # type: ignore[arg-type]
        if op is c.RANGE:  # type: ignore[attr-defined]
            return chr(arg[0])  # type: ignore[index]
        if op is c.CATEGORY:  # type: ignore[attr-defined]
            name = str(arg)
            if "DIGIT" in name and "NOT" not in name:
                return "0"
            if "WORD" in name and "NOT" not in name:
                return "a"
            if "SPACE" in name and "NOT" not in name:
                return " "
            return None
    return None


def response_text(q: Question, response: object) -> str:
    """What a learner answered, on one cleaned line, from a recorded response (the
    shapes of player/events.py); "(not understood)" for one that does not fit the
    question (a response recorded for an older version of the pack, or damaged)."""
    from player.grading import match_options

    bad = "(not understood)"

    def index(value: object, size: int) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size else None

    if response is None:
        return "(no answer)"
    if isinstance(q, (SingleChoice, MultipleChoice)):
        picks = [response] if isinstance(q, SingleChoice) else response
        if not isinstance(picks, list):
            return bad
        found = [index(p, len(q.choices)) for p in picks]
        if any(i is None for i in found) or not found:
            return bad
        return "; ".join(one_line(q.choices[i].text) for i in found if i is not None)
    if isinstance(q, TrueFalse):
        return ("true" if response else "false") if isinstance(response, bool) else bad
    if isinstance(q, Numeric):
        ok = isinstance(response, (int, float)) and not isinstance(response, bool)
        return _number(float(response)) if ok else bad  # type: ignore[arg-type]
    if isinstance(q, Text):
        return one_line(response)[:200] if isinstance(response, str) else bad
    if isinstance(q, Order):
        if not isinstance(response, list):
            return bad
        found = [index(p, len(q.items)) for p in response]
        if any(i is None for i in found):
            return bad
        return "; ".join(one_line(q.items[i]) for i in found if i is not None)
    if isinstance(q, Match):
        options = match_options(q)
        if not isinstance(response, list) or len(response) != len(q.pairs):
            return bad
        parts = []
        for (left, _), r in zip(q.pairs, response):
            i = index(r, len(options))
            if r is not None and i is None:
                return bad
            parts.append(f"{one_line(left)}: {one_line(options[i]) if i is not None else '-'}")
        return "; ".join(parts)
    return bad
