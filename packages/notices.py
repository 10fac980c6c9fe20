"""Warnings for the user about damage mooc worked around (a skipped progress line).

Engine code below the UIs calls `warn()`; each message is shown once per process,
on stderr as ``mooc: warning: ...`` unless a UI installed its own sink (the TUI
shows a toast). Messages are cleaned: they can quote file names and course text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from packages.i18n import _

_sink: Callable[[str], None] | None = None
_said: set[str] = set()


def set_sink(sink: Callable[[str], None] | None) -> None:
    """Where warnings go from now on (None: stderr)."""
    global _sink
    _sink = sink


def warn(message: str) -> None:
    """Tell the user once (per process) about `message`, one line."""
    from packages.safe_text import one_line

    text = one_line(message)
    if text in _said:
        return
    _said.add(text)
    if _sink is not None:
        _sink(text)
    else:
        print(_("mooc: warning: {text}").format(text=text), file=sys.stderr)
