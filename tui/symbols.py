"""Status marks for the outline, with ASCII fallbacks.

A 16-colour Linux console (and some SSH setups) cannot draw `◐` or `🔒`; with
`MOOC_ASCII=1`, `TERM=linux` or a non-UTF-8 locale the ASCII set is used, so a
mark is never a tofu box.
"""

from __future__ import annotations

import locale
import os

UNICODE_MARKS: dict[str, str] = {
    "new": "·",
    "started": "◐",
    "done": "✓",
    "passed": "✓",
    "failed": "✗",
    "locked": "🔒",
}
ASCII_MARKS: dict[str, str] = {
    "new": ".",
    "started": "o",
    "done": "+",
    "passed": "+",
    "failed": "x",
    "locked": "L",
}


UNICODE_GLYPHS: dict[str, str] = {
    "cursor": "›",  # the row under the cursor of the focused list
    "radio_on": "(•)",
    "radio_off": "( )",
    "checked": "[x]",
    "unchecked": "[ ]",
}
ASCII_GLYPHS: dict[str, str] = {
    "cursor": ">",
    "radio_on": "(*)",
    "radio_off": "( )",
    "checked": "[x]",
    "unchecked": "[ ]",
}


def use_ascii() -> bool:
    """True when the terminal likely cannot show the Unicode marks."""
    if os.environ.get("MOOC_ASCII", "") not in ("", "0"):
        return True
    if os.environ.get("TERM", "") == "linux":
        return True
    encoding = (locale.getpreferredencoding(False) or "").lower().replace("-", "")
    return encoding not in ("utf8", "utf16", "utf32")


def marks() -> dict[str, str]:
    return ASCII_MARKS if use_ascii() else UNICODE_MARKS


def glyphs() -> dict[str, str]:
    """Marks of options: chosen or not, and the cursor; they differ by shape, not shade."""
    return ASCII_GLYPHS if use_ascii() else UNICODE_GLYPHS


def bar(fraction: float, width: int = 10, *, ascii: bool | None = None) -> str:
    """A text progress bar (`████░░░░` or `####....`) that needs no colour to read."""
    ascii = use_ascii() if ascii is None else ascii
    full, empty = ("#", ".") if ascii else ("█", "░")
    fraction = min(1.0, max(0.0, fraction))
    filled = round(fraction * width)
    return full * filled + empty * (width - filled)
