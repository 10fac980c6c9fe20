"""Make untrusted course text harmless for a terminal.

Course packs, catalogs and server answers are untrusted: their text must never act
on the terminal (escape sequences, control characters) and never be interpreted as
Rich/Textual markup. `clean()` removes the former; `literal()` builds a Rich `Text`
that shows markup characters as they are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported lazily: plain commands must start fast
    from rich.text import Text

# CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST), DCS/SOS/PM/APC (ESC P/X/^/_ ... ST),
# other two-byte escapes, and C1 controls in their 8-bit form.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?      # DCS, SOS, PM, APC
  | \x1b[@-Z\\-_]                      # other Fe escapes
  | \x1b.?                             # a lone ESC and whatever follows
  | \x9b[0-?]*[ -/]*[@-~]              # 8-bit CSI
    """,
    re.VERBOSE,
)
# C0 controls except tab and newline, DEL, C1 controls, and the bidi embeddings,
# overrides and isolates that reorder what follows them ("Trojan Source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str, *, keep_newlines: bool = True) -> str:
    """Remove escape sequences and control characters; CR becomes nothing, tabs stay."""
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    if not keep_newlines:
        text = " ".join(text.split("\n"))
    return text


def one_line(text: str) -> str:
    """Clean text for a single line of output (titles in tables, error messages)."""
    return " ".join(clean(text).split())


def clean_data(value: Any) -> Any:
    """A copy of decoded JSON data with every string (keys too) cleaned: for `--json`
    output, whose escapes (\\u001b) would decode back into terminal escape codes."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): clean_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_data(v) for v in value]
    return value


def literal(text: str, style: str = "") -> "Text":
    """A Rich Text showing `text` exactly (cleaned), with no markup interpretation."""
    from rich.text import Text

    return Text(clean(text), style=style)
