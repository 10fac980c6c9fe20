"""Finding English that escaped translation in output shown in the pseudo-locale `qps`
(packages/pseudo_locale.py): every translated string is inside ⟦ ⟧, so a word left
outside them was never passed through `_()`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from packages.pseudo_locale import CLOSE, OPEN

# Not words a translator translates: options, metavars (COURSE), paths and URLs,
# placeholders the program fills (ids, versions), file names.
_NOT_WORDS = re.compile(
    r"(?<![\w-])--?[A-Za-z][\w-]*"  # --json, -h
    r"|\b(?:[a-z]+\|)*[A-Z][A-Z0-9_]+(?:\.[a-z]+)?(?:\|[a-z]+)*\b"  # COURSE, MOOC_HOME, QUIZ.toml, all|LIST
    r"|\S*(?:/|\\|://)\S*"  # paths and URLs
    r"|\b[\w.]*\d[\w.]*(?:-[\w.]+)*\b|\b[\w.]+(?:-[\w.]+)*-[\w.]*\d[\w.]*\b"  # ids and versions: stats-101, 1.0.2
    r"|\b[\w-]+\.(?:mooc|toml|json|jsonl|csv|md|po|mo|pdf|xml|txt|gift|zip|tar|gz|png|html)\b"  # file names
)
_WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")


def outside_brackets(text: str) -> str:
    """`text` without everything inside ⟦ ⟧ (nested ones too)."""
    depth = 0
    kept = []
    for ch in text:
        if ch == OPEN:
            depth += 1
            kept.append(" ")
        elif ch == CLOSE and depth:
            depth -= 1
            kept.append(" ")
        elif depth == 0 or ch == "\n":  # lines stay where they were
            kept.append(ch)
    return "".join(kept)


def escaped_words(text: str, allowed: Iterable[str] = (), words: Iterable[str] = ()) -> list[str]:
    """English words of `text` outside ⟦ ⟧: each is a string that escaped translation.
    `allowed`: text rightly left as is (a course's title, a learner's name, command
    names), removed wherever it appears; `words`: single words rightly left as is (the
    words of a course's own text, shown as the author wrote them)."""
    return _words(outside_brackets(text), list(allowed), set(words))


def escaped_lines(text: str, allowed: Iterable[str] = (), words: Iterable[str] = ()) -> list[str]:
    """The lines of `text` with escaped words, for an assertion message that shows where."""
    keep, own = list(allowed), set(words)
    rest = outside_brackets(text).splitlines()
    return [line for line, outside in zip(text.splitlines(), rest) if _words(outside, keep, own)]


def _words(rest: str, allowed: list[str], words: set[str]) -> list[str]:
    for keep in sorted(allowed, key=len, reverse=True):
        if keep:
            rest = rest.replace(keep, " ")
    rest = _NOT_WORDS.sub(" ", rest)
    return [w for w in _WORD.findall(rest) if w not in words]
