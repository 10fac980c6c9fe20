"""Errors that mooc reports to the user as one clear line (never a traceback)."""

from __future__ import annotations

import re


class MoocError(Exception):
    """A problem the user can act on. `str(err)` is the whole one-line message.

    Name the file (or URL, course, catalog) and the problem, e.g.
    ``stats.mooc: lessons/../x.md: path leaves the pack``.
    """

    exit_code = 1


class UsageError(MoocError):
    """The command line itself is wrong."""

    exit_code = 2


_OPEN = "\u27e6"  # the pseudo-locale's opening bracket (packages/pseudo_locale.py)
_SEPARATOR = re.compile(r"[ \u00a0]?: ")  # "path: problem", "chemin\u00a0: problème"


def after_subject(message: str, subject: str, *, anywhere: bool = False) -> str | None:
    """The problem of a "<subject>: <problem>" message, in any language (French puts a
    no-break space before the colon, the pseudo-locale wraps the line in brackets, kept);
    None when the message does not start with SUBJECT (`anywhere`: does not hold it)."""
    start = 1 if message.startswith(_OPEN) else 0
    at = message.find(subject, start) if anywhere else (start if message.startswith(subject, start) else -1)
    if at < 0:
        return None
    match = _SEPARATOR.match(message, at + len(subject))
    if match is None:
        return None
    return message[:start] + message[match.end() :]
