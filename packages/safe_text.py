"""Make untrusted course text harmless for a terminal.

Course packs, catalogs and server answers are untrusted: their text must never act
on the terminal (escape sequences, control characters, bidirectional overrides that
make a terminal show text in another order than it is) and never be interpreted as
Rich/Textual markup. `clean()` removes the former; `literal()` builds a Rich `Text`
that shows markup characters as they are; `clean_data()` cleans every string of a
JSON document (keys too), so `--json` output decodes to clean text, not merely
escaped text; `dumps_clean()` is it encoded, checking the encoded text first.
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
# C0 controls except tab and newline, DEL, C1 controls, and the Unicode bidirectional
# controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the
# LRM/RLM marks (U+200E/F) and the Arabic letter mark (U+061C). A course title holding
# U+202E would show the rest of a line (a file name, a score) reversed: "Trojan Source".
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def clean(text: str, *, keep_newlines: bool = True) -> str:
    """Remove escape sequences and control characters; CR becomes nothing, tabs stay."""
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    if not keep_newlines:
        text = " ".join(text.split("\n"))
    return text


def clean_data(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings, numbers) with every string
    cleaned, dictionary keys included. Other values are returned as they are."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_data(v) for v in value]
    return value


# What json.dumps(ensure_ascii=False) makes of every character `_CONTROLS` holds: C0
# controls as \u00XX (lowercase hex) or \b \f \r (tab and newline, which clean()
# keeps, as \t and \n), the rest as they are. ESC and the 8-bit CSI, where every
# `_ESCAPES` match starts, are among them.
_CONTROLS_IN_JSON = re.compile(r"\\(?:u00[01]|[bfr])|[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def dumps_clean(value: Any, *, indent: int | None = None) -> str:
    """json.dumps(clean_data(value)) (ensure_ascii=False; compact when `indent` is
    None), without copying a document that has nothing to clean: the JSON is encoded
    first, and cleaned and encoded again only where it shows a character clean()
    removes (or what may be one: an escaped backslash before "u001" or "r")."""
    import json

    separators = (",", ":") if indent is None else None
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    if _CONTROLS_IN_JSON.search(text) is None:
        return text
    return json.dumps(clean_data(value), ensure_ascii=False, indent=indent, separators=separators)


_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


def one_line(text: str) -> str:
    """Clean text for a single line of output (titles in tables, error messages). Runs of
    white space become one space, but a no-break space stays (French puts one before
    « : ; ? ! », and a thin one groups digits: "Erreur\u00a0:", "1\u202f234")."""
    text = clean(text)
    if "\u00a0" not in text and "\u202f" not in text:
        return " ".join(text.split())
    return _BREAKING_SPACE.sub(" ", text).strip(" ")


def literal(text: str, style: str = "") -> Text:
    """A Rich Text showing `text` exactly (cleaned), with no markup interpretation."""
    from rich.text import Text

    return Text(clean(text), style=style)
