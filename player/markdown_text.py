"""Course Markdown read as words: for plain mode, screen readers and search results.

No stars or hashes, links as "text (url)", images as "image: ALT", code between
"Code:" and "End of code.", and tables linearised row by row ("Key: n. What it
does: next item."), because a screen reader reading `| --- |` aloud helps nobody.
Text is cleaned (packages.safe_text) first: course text never acts on the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from packages.i18n import _
from packages.safe_text import clean

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)[^)]*\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPH = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def _is_local(target: str) -> bool:
    return bool(target) and "://" not in target and not target.startswith(("mailto:", "#"))


LinkNote = Callable[[str, str], str | None]  # (text shown, target) -> "file 2", "item 3" or None


# A backslash before ASCII punctuation is that character (CommonMark): `snake\_case`, `\_\_\_` (a blank).
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_HELD = 0xF0000  # escaped characters are held here (Unicode private use) until the markup is read


def _hold(m: re.Match[str]) -> str:
    return chr(_HELD + ord(m.group(1)))


def _release(text: str, *, escaped: bool = False) -> str:
    """Held characters back: as themselves, or (in code, where escapes mean nothing) with their backslash."""
    return re.sub("[\U000f0021-\U000f007e]", lambda m: ("\\" if escaped else "") + chr(ord(m.group(0)) - _HELD), text)


def inline_plain(text: str, note: LinkNote | None = None) -> str:
    r"""Markdown inline markup read aloud as words: no stars, links as `text (url)`, escapes
    as the characters they stand for (`snake\_case` is snake_case), a line's hard break
    (a `\` ending it) dropped.

    `note` may name what a link to the pack itself is: "text (file 2)".
    """
    text = _ESCAPED.sub(_hold, text)
    if text.endswith("\\"):
        text = text[:-1].rstrip()

    def said(shown: str, target: str, plain: str) -> str:
        where = note(shown, target) if note is not None and _is_local(target) else None
        return f"{shown} ({where})" if where else plain

    text = _IMAGE.sub(
        lambda m: said(_image(m.group(1) or m.group(2)), m.group(2), _image(m.group(1) or m.group(2))), text
    )
    text = _LINK.sub(
        lambda m: said(
            m.group(1), m.group(2), m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})"
        ),
        text,
    )
    text = _CODE.sub(lambda m: _release(m.group(1), escaped=True), text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPH.sub(r"\2", text)
    return _release(text)


_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def table_cells(line: str) -> list[str]:
    """The cells of a Markdown table row ("| a | b \\| c |" -> ["a", "b | c"])."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", text)]


def table_lines(header: list[str], rows: list[list[str]], note: LinkNote | None = None) -> list[str]:
    """A table read row by row: "Table: Key, What it does." then "Key: n. What it does: next." """
    names = [inline_plain(h, note) for h in header]
    out = [_("Table: {columns}.").format(columns=", ".join(n for n in names if n))]
    for row in rows:
        said = [
            _("{column}: {cell}").format(column=name, cell=inline_plain(cell, note))
            if name
            else inline_plain(cell, note)
            for name, cell in zip(names, row)
            if cell
        ]
        out.append(". ".join(said).rstrip(".") + "." if said else _("(empty row)"))
    out.append(_("End of table."))
    return out


def markdown_lines(markdown: str, note: LinkNote | None = None) -> list[str]:
    """A lesson as plain lines: headings without '#', code marked by words, tables
    linearised, text cleaned.

    `note` names the links to the pack itself (see `inline_plain`)."""
    out: list[str] = []
    in_code = False
    lines = [raw.rstrip().replace("\t", "    ") for raw in clean(markdown).splitlines()]
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if _FENCE.match(line):
            out.append(_("End of code.") if in_code else _("Code:"))
            in_code = not in_code
            continue
        if in_code:
            out.append(line)
            continue
        if "|" in line and i < len(lines) and _TABLE_RULE.match(lines[i]):
            header = table_cells(line)
            rows = []
            i += 1  # the |---| rule
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(table_cells(lines[i]))
                i += 1
            out.extend(table_lines(header, rows, note))
            continue
        heading = _HEADING.match(line)
        if heading:
            if out and out[-1]:
                out.append("")
            out.append(inline_plain(heading.group(2), note))
            continue
        out.append(inline_plain(line, note))
    while out and not out[-1]:
        out.pop()
    return out


def plain_snippet(line: str) -> str:
    """One line of lesson source (a search hit) as words: no '#', stars or table bars."""
    if "|" in line and line.strip().startswith("|"):
        return " · ".join(inline_plain(cell) for cell in table_cells(line) if cell and not set(cell) <= set("-: "))
    said = markdown_lines(line)
    return " ".join(part for part in said if part and part not in (_("Code:"), _("End of code.")))


def _image(alt: str) -> str:
    return _("image: {alt}").format(alt=alt)
