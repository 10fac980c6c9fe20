"""Errors that mooc reports to the user as one clear line (never a traceback)."""

from __future__ import annotations


class MoocError(Exception):
    """A problem the user can act on. `str(err)` is the whole one-line message.

    Name the file (or URL, course, catalog) and the problem, e.g.
    ``stats.mooc: lessons/../x.md: path leaves the pack``.
    """

    exit_code = 1


class UsageError(MoocError):
    """The command line itself is wrong."""

    exit_code = 2
