"""Counts shown to a person agree with their noun: "1 question", "2 questions".

Read from the source itself (the f-strings of every module a person's text comes
from), so a new "{n} items" that forgets n == 1 fails here, not in front of a learner.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

TOPS = ("player", "tui", "packages", "sync")
NOUNS = (
    "questions",
    "items",
    "modules",
    "lessons",
    "quizzes",
    "courses",
    "packs",
    "files",
    "attempts",
    "points",
    "records",
    "requests",
    "statements",
    "events",
    "conflicts",
    "entries",
    "tries",
    "learners",
    "hints",
    "choices",
    "answers",
    "problems",
    "versions",
    "days",
    "hours",
    "minutes",
    "seconds",
    "errors",
    "warnings",
    "lines",
    "results",
    "pairs",
    "options",
    "links",
    "catalogs",
    "endpoints",
    "hosts",
)
# "{n} NOUNS", with at most two words between ("{n} new events", "{n} more problems").
_COUNTED = re.compile(r"^ (?:[a-z]+ ){0,2}(" + "|".join(NOUNS) + r")\b")
_BARE_S = re.compile(r"(?<!http)\(s\)")  # "file(s)": say it properly

# (file, expression) pairs that can never be 1, each with its reason.
NEVER_ONE = {
    ("packages/importers/olx_quizzes.py", "attempts"): "a list of attempt counts, not a count",
    ("sync/regrade.py", "_pct(request.claimed)"): "a percentage, and 'answers' is the subject of 'earn'",
}


def _counted_plurals(path: Path) -> list[tuple[str, int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            for value, after in zip(node.values, node.values[1:]):
                if not (isinstance(value, ast.FormattedValue) and isinstance(after, ast.Constant)):
                    continue
                if isinstance(value.value, ast.IfExp) or not isinstance(after.value, str):
                    continue
                if _COUNTED.match(after.value):
                    found.append((ast.unparse(value.value), node.lineno, after.value.strip()[:30]))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _BARE_S.search(node.value):
            found.append(("(s)", node.lineno, node.value[:30]))
    return found


def test_no_count_is_followed_by_a_plural_that_ignores_one() -> None:
    offenders = []
    seen_files = 0
    for top in TOPS:
        for path in sorted((REPO / top).rglob("*.py")):
            seen_files += 1
            rel = path.relative_to(REPO).as_posix()
            for expr, line, text in _counted_plurals(path):
                if (rel, expr) not in NEVER_ONE:
                    offenders.append(f"{rel}:{line}: {{{expr}}} {text}")
    assert seen_files > 50  # the walk really saw the tree
    assert not offenders, "counts that say '1 <plural>':\n" + "\n".join(offenders)


def test_the_scan_catches_what_it_is_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "n = 1\na = f\"{n} questions\"\nb = f\"{n} question{'s' if n != 1 else ''}\"\n"
        'c = f"{n} new events merged"\nd = "deleted file(s)"\ne = "an http(s) URL"\n'
    )
    assert [(e, line) for e, line, _ in _counted_plurals(sample)] == [("n", 2), ("n", 4), ("(s)", 5)]


def test_every_allowed_exception_still_exists() -> None:
    """An entry whose code is gone must go too, or it would excuse a future mistake."""
    for (rel, expr), _reason in NEVER_ONE.items():
        found = {e for e, _line, _text in _counted_plurals(REPO / rel)}
        assert expr in found, f"{rel}: {{{expr}}} is no longer there; drop it from NEVER_ONE"


def test_a_title_ending_in_punctuation_gets_no_second_stop() -> None:
    from player.wording import sentence

    assert sentence("Next: What is a MOOC?") == "Next: What is a MOOC?"
    assert sentence("Next: Week 2") == "Next: Week 2."
    assert sentence("Unlocked: Ready!") == "Unlocked: Ready!"
