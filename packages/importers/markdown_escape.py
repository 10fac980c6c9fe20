"""Text made literal in Markdown: imported words must never turn into markup.

`escape` guards the characters that start inline markup (emphasis, code, links,
HTML); `escape_line_starts` guards what starts a block at the beginning of a line
(`# heading`, `- item`, `1. item`, `=`/`-` underlines); `scripted` writes the
text of `<sup>`/`<sub>` with Unicode superscripts and subscripts where they all
exist, else as `^(...)` / `_(...)`, so `3×10<sup>8</sup>` stays 3×10⁸, not 3×108.
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]<>])")
# A line that would start a block: an ATX heading, a bullet, an ordered item, a rule or underline.
_BLOCK_START = re.compile(r"^(#{1,6}(?=\s|$)|[-+*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|-+\s*$)")
_UNDERLINE = re.compile(r"^=+\s*$")  # makes the line above it a heading
_SUPERSCRIPT = dict(zip("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ"))
_SUBSCRIPT = dict(zip("0123456789+-−=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))


def escape(text: str) -> str:
    """Inline markup characters made literal."""
    return _INLINE.sub(r"\\\1", text)


def escape_line_starts(text: str) -> str:
    """Every line of a paragraph that would start a heading, a list or an underline made literal."""
    return "\n".join(_escape_start(line, n > 0) for n, line in enumerate(text.split("\n")))


def _escape_start(line: str, follows_text: bool) -> str:
    if follows_text and _UNDERLINE.match(line):
        return "\\" + line
    m = _BLOCK_START.match(line)
    if m is None:
        return line
    if m.group(1)[0].isdigit():  # 1. -> 1\.  (the marker is the dot or parenthesis)
        end = m.end(1)
        return f"{line[:end]}\\{line[end:]}"
    return "\\" + line


def scripted(text: str, kind: str) -> str:
    """The text of a `<sup>` (kind "sup") or `<sub>` ("sub") element, its meaning kept in plain characters."""
    table = _SUPERSCRIPT if kind == "sup" else _SUBSCRIPT
    stripped = text.strip()
    if stripped and all(ch in table for ch in stripped):
        return "".join(table[ch] for ch in stripped)
    if not stripped:
        return text
    mark = "^" if kind == "sup" else "\\_"  # an escaped underscore: not emphasis
    return f"{mark}{stripped}" if len(stripped) == 1 else f"{mark}({stripped})"
