"""Text questions' `pattern`: matched with a bound on time and size, checked for danger.

A pattern comes from a pack, so it is hostile: `(a+)+$` against a long answer makes a
backtracking engine run for hours. Matching uses the `regex` module (the syntax of
Python's `re`, which the format promises, with a `timeout=`): one match stops after
MATCH_TIMEOUT seconds, all matches of one attempt share ATTEMPT_BUDGET seconds, and
a match that stops early counts as "does not match". Before anything is compiled,
the pattern's shape is measured (length, nesting, repeats multiplied out), because
`regex` expands counted repeats at compile time: `(?:a{3000}){1000}` takes 800 MB.
Answers longer than MAX_ANSWER_CHARS are never matched.

`pack_problems` is what `mooc pack check` reports: patterns grading refuses (errors)
and patterns that may hit the time bound on some answers (warnings). Why `regex` and
not RE2 is written down in docs/grading.md.
"""

from __future__ import annotations

import enum
import functools
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packages.i18n import _

if TYPE_CHECKING:
    from packages.model import Course
    from packages.pack_report import Report
    from packages.source import PackSource

MATCH_TIMEOUT = 0.25  # seconds for one match of one answer
ATTEMPT_BUDGET = 2.0  # seconds for every pattern match of one submitted attempt
MIN_TIMEOUT = 0.01  # a match once the attempt's budget is spent still gets this long
MAX_ANSWER_CHARS = 2_000  # longer answers never match a pattern
MAX_PATTERN_CHARS = 5_000
MAX_PATTERN_SIZE = 20_000  # characters the pattern stands for, counted repeats multiplied out
MAX_PATTERN_DEPTH = 50  # groups inside groups
PROBE_BUDGET = 3.0  # seconds `mooc pack check` spends probing all patterns of a pack


class Outcome(enum.Enum):
    MATCH = "match"
    NO_MATCH = "no match"
    TIMED_OUT = "timed out"  # stopped at the time bound: counts as no match
    REFUSED = "refused"  # the pattern is too large or does not compile: never matches
    TOO_LONG = "too long"  # the answer is longer than MAX_ANSWER_CHARS: not matched


@dataclass
class MatchBudget:
    """Seconds left for the pattern matches of one attempt."""

    remaining: float = ATTEMPT_BUDGET

    def timeout(self) -> float:
        return max(MIN_TIMEOUT, min(MATCH_TIMEOUT, self.remaining))

    def spend(self, seconds: float) -> None:
        self.remaining -= seconds


@dataclass(frozen=True)
class Shape:
    """What the pattern looks like before any engine sees it."""

    refused: str | None = None  # why grading will not use it
    nested: str | None = None  # a repeat inside a repeat that can match the same text many ways
    probe_chars: tuple[str, ...] = field(default=())


def fullmatch(pattern: str, subject: str, *, ignore_case: bool, budget: MatchBudget | None = None) -> Outcome:
    """Whether `pattern` matches all of `subject`, within the time bound (never raises)."""
    if len(subject) > MAX_ANSWER_CHARS:
        return Outcome.TOO_LONG
    compiled = _compile(pattern, ignore_case)
    if compiled is None:
        return Outcome.REFUSED
    budget = budget if budget is not None else MatchBudget()
    timeout = budget.timeout()
    start = time.monotonic()
    try:
        return Outcome.MATCH if compiled.fullmatch(subject, timeout=timeout) else Outcome.NO_MATCH
    except TimeoutError:
        return Outcome.TIMED_OUT
    except (RecursionError, MemoryError, ValueError):
        return Outcome.REFUSED
    finally:
        budget.spend(time.monotonic() - start)


@functools.lru_cache(maxsize=256)
def _compile(pattern: str, ignore_case: bool) -> Any:
    """The compiled pattern, or None when its shape is refused or it does not compile."""
    if shape(pattern).refused:
        return None
    import regex

    try:
        return regex.compile(pattern, regex.IGNORECASE if ignore_case else 0)
    except (regex.error, RecursionError, MemoryError, OverflowError, ValueError):
        return None


@functools.lru_cache(maxsize=256)
def shape(pattern: str) -> Shape:
    """Measure a pattern with Python's own parser (the syntax the format promises)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return Shape(refused=f"longer than {MAX_PATTERN_CHARS} characters")
    if _paren_depth(pattern) > MAX_PATTERN_DEPTH:
        return Shape(refused=f"groups nested more than {MAX_PATTERN_DEPTH} deep")
    from packages.portable import re_parser

    sre_parse = re_parser()
    try:
        parsed = sre_parse.parse(pattern, 0)
    except Exception as err:  # noqa: BLE001 - re.error, RecursionError, OverflowError: all mean "refused"
        return Shape(refused=f"not a valid regular expression ({err})")
    walker = _Walker()
    try:
        size = walker.size(parsed, depth=0)
    except RecursionError:
        return Shape(refused=f"groups nested more than {MAX_PATTERN_DEPTH} deep")
    if size > MAX_PATTERN_SIZE:
        return Shape(
            refused=f"stands for more than {MAX_PATTERN_SIZE} characters once its counted repeats are multiplied out"
        )
    return Shape(nested=walker.nested, probe_chars=tuple(walker.chars)[:6])


def _paren_depth(pattern: str) -> int:
    depth = deepest = 0
    escaped = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(0, depth - 1)
    return deepest


class _Walker:
    """Walks the parsed pattern: its multiplied-out size, nested repeats, characters to probe with."""

    def __init__(self) -> None:
        from packages.portable import re_constants

        c = re_constants()
        self.c = c
        self.repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
        self.nested: str | None = None
        self.chars: dict[str, None] = {}

    def size(self, items: Any, depth: int) -> int:
        c = self.c
        if depth > MAX_PATTERN_DEPTH * 3:
            raise RecursionError
        total = 0
        for op, av in items:
            if op in self.repeats:
                low, high, body = av
                count = high if high != c.MAXREPEAT else max(low, 1)
                total += max(count, 1) * self.size(body, depth + 1)
                if high > 1 and self.nested is None:
                    self._check_nested(body)
            elif op is c.SUBPATTERN:
                total += self.size(av[-1], depth + 1)
            elif op is c.BRANCH:
                total += sum(self.size(branch, depth + 1) for branch in av[1])
            elif op in (c.ASSERT, c.ASSERT_NOT):
                total += self.size(av[1], depth + 1)
            elif op is getattr(c, "ATOMIC_GROUP", None):
                total += self.size(av, depth + 1)
            elif op is c.GROUPREF_EXISTS:
                total += self.size(av[1], depth + 1) + (self.size(av[2], depth + 1) if av[2] else 0)
            else:
                total += 1
                self._note_char(op, av)
            if total > MAX_PATTERN_SIZE:
                return total
        return total

    def _note_char(self, op: Any, av: Any) -> None:
        c = self.c
        if op is c.LITERAL:
            self.chars.setdefault(chr(av))
        elif op is c.ANY or op is c.NOT_LITERAL:
            self.chars.setdefault("a")
        elif op is c.IN:
            for kind, value in av:
                if kind is c.LITERAL:
                    self.chars.setdefault(chr(value))
                elif kind is c.RANGE:
                    self.chars.setdefault(chr(value[0]))
                elif kind is c.CATEGORY:
                    self.chars.setdefault({c.CATEGORY_DIGIT: "0", c.CATEGORY_SPACE: " "}.get(value, "a"))
                if len(self.chars) >= 6:
                    break

    def _check_nested(self, body: Any) -> None:
        """A repeat whose body is only unbounded repeats and optional parts: `(a+)+`, `(\\w+\\s?)*`, `(x+x+)+`."""
        c = self.c
        items = list(body)
        while len(items) == 1 and items[0][0] is c.SUBPATTERN:
            items = list(items[0][1][-1])
        items = [self._unwrap(item) for item in items]
        unbounded = [op in self.repeats and av[1] == c.MAXREPEAT for op, av in items]
        if any(unbounded) and all(u or _min_width([item]) == 0 for u, item in zip(unbounded, items)):
            self.nested = "a repeated group holds a repeat that can match the same text in many ways"

    def _unwrap(self, item: Any) -> Any:
        while item[0] is self.c.SUBPATTERN and len(item[1][-1]) == 1:
            item = item[1][-1][0]
        return item


def _min_width(items: list[Any]) -> int:
    from packages.portable import re_parser

    sre_parse = re_parser()
    sub = sre_parse.SubPattern(sre_parse.State(), items)
    try:
        return int(sub.getwidth()[0])
    except (RecursionError, OverflowError):
        return 0


# ---------------------------------------------------------------------------
# `mooc pack check`


@dataclass(frozen=True)
class PatternProblem:
    severity: str  # "error" or "warning"
    message: str


def problems(pattern: str, *, ignore_case: bool, budget: MatchBudget) -> list[PatternProblem]:
    """What pack check says about one pattern; `budget` bounds the probing of a whole pack."""
    found = shape(pattern)
    if found.refused:
        return [PatternProblem("error", f"grading refuses this pattern: {found.refused}; it would never match")]
    if _compile(pattern, ignore_case) is None:
        return [PatternProblem("error", "grading refuses this pattern: the matching engine cannot compile it")]
    if found.nested:
        return [
            PatternProblem(
                "warning",
                f"pattern may be very slow ({found.nested}, like '(a+)+'); answers "
                f"that take over {MATCH_TIMEOUT:g} s to check are marked wrong",
            )
        ]
    for probe in _probes(found.probe_chars):
        if budget.remaining <= 0:
            break
        probe_budget = MatchBudget(remaining=MATCH_TIMEOUT)
        start = time.monotonic()
        outcome = fullmatch(pattern, probe, ignore_case=ignore_case, budget=probe_budget)
        budget.spend(time.monotonic() - start)
        if outcome is Outcome.TIMED_OUT:
            return [
                PatternProblem(
                    "warning",
                    f"pattern took over {MATCH_TIMEOUT:g} s on a {len(probe)}-character "
                    f"answer ({probe[:3]!r}...); such answers are marked wrong",
                )
            ]
    return []


def _probes(chars: tuple[str, ...]) -> list[str]:
    """Answers that make backtracking engines work hardest: one repeated character, then a misfit."""
    n = MAX_ANSWER_CHARS - 1
    chars = chars or ("a",)
    probes = [ch * n + "!" for ch in chars]
    mixed = "".join(chars)
    if len(chars) > 1:
        probes.append((mixed * (n // len(mixed) + 1))[:n] + "!")
    probes.append("a" * n + "\n")
    return probes


def check_pack(source: PackSource, report: Report, course: Course) -> None:
    """Report dangerous or refused patterns of every quiz, naming file, key and line."""
    from packages.questions import Text

    budget = MatchBudget(remaining=PROBE_BUDGET)
    for item in course.items():
        if item.quiz is None:
            continue
        texts = [q for q in item.quiz.questions if isinstance(q, Text) and q.pattern is not None]
        if not texts:
            continue
        where = _pattern_keys(source, item.file)
        for q in texts:
            assert q.pattern is not None
            key, line, column = where.get(q.id, (f"questions.{q.id}.pattern", None, None))
            for p in problems(q.pattern, ignore_case=not q.case_sensitive, budget=budget):
                report.add("error" if p.severity == "error" else "warning", item.file, key, p.message, line, column)
    if budget.remaining <= 0:
        report.warning(
            "course.toml",
            "",
            _(
                "answer patterns were probed for {probe_budget:g} s only; later patterns were checked by their shape alone"
            ).format(probe_budget=PROBE_BUDGET),
        )


def _pattern_keys(source: PackSource, rel: str) -> dict[str, tuple[str, int | None, int | None]]:
    """Question id -> (key path, line, column) of its `pattern` in the quiz file."""
    from packages.portable import tomllib
    from packages.toml_locate import locate_key

    try:
        text = source.read_bytes(rel).decode("utf-8-sig")
        data = tomllib.loads(text)
    except Exception:  # noqa: BLE001 - the loader already reported an unreadable file
        return {}
    out: dict[str, tuple[str, int | None, int | None]] = {}
    questions = data.get("questions")
    if not isinstance(questions, list):
        return out
    for index, raw in enumerate(questions):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            key = f"questions[{index}].pattern"
            pos = locate_key(text, key)
            out[raw["id"]] = (key, pos[0] if pos else None, pos[1] if pos else None)
    return out
