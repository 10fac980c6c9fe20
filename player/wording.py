"""Small wording rules both UIs share, so the TUI and plain mode say things alike."""

from __future__ import annotations

from packages.safe_text import one_line


def and_list(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def not_answered(numbers: list[int]) -> str:
    """ "Not answered: questions 2, 5 and 6"."""
    return f"Not answered: question{'s' if len(numbers) != 1 else ''} {and_list([str(n) for n in numbers])}"


def titled(kind: str, title: str) -> str:
    """ "Quiz: Week 1", but "Quiz 1: basics" or "Quiz: Week 1" as the author wrote it: a
    title that already says what it is is not prefixed again (no "Quiz: Quiz: …")."""
    shown = one_line(title)
    if shown.casefold().startswith(kind.casefold()):
        return shown
    return f"{kind}: {shown}"


def sentence(text: str) -> str:
    """`text` ended as a sentence: a full stop added unless it already ends with one
    ("Next: What is a MOOC? Press Enter.", not "MOOC?. Press")."""
    return text if text.rstrip().endswith((".", "?", "!", "…", ":")) else f"{text}."
