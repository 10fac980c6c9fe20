"""Small wording rules both UIs share, so the TUI and plain mode say things alike."""

from __future__ import annotations

from packages.i18n import N_, _, ngettext
from packages.safe_text import one_line


def and_list(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def not_answered(numbers: list[int]) -> str:
    """ "Not answered: questions 2, 5 and 6"."""
    listed = and_list([str(n) for n in numbers])
    return ngettext("Not answered: question {numbers}", "Not answered: questions {numbers}", len(numbers)).format(
        numbers=listed
    )


# An item's status in the outline (player/session.py `Status`), in words.
STATUS_WORDS = {
    "new": N_("new"),
    "started": N_("started"),
    "done": N_("done"),
    "passed": N_("passed"),
    "failed": N_("failed"),
    "locked": N_("locked"),
}


def status_word(status: str) -> str:
    """An outline status ("new", "done"...) in the reader's language."""
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def titled(kind: str, title: str) -> str:
    """ "Quiz: Week 1", but "Quiz 1: basics" or "Quiz: Week 1" as the author wrote it: a
    title that already says what it is is not prefixed again (no "Quiz: Quiz: …")."""
    shown = one_line(title)
    if shown.casefold().startswith(kind.casefold()):
        return shown
    return _("{kind}: {title}").format(kind=kind, title=shown)


def sentence(text: str) -> str:
    """`text` ended as a sentence: a full stop added unless it already ends with one
    ("Next: What is a MOOC? Press Enter.", not "MOOC?. Press")."""
    return text if text.rstrip().endswith((".", "?", "!", "…", ":")) else f"{text}."
