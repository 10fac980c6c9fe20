"""A translated sentence with styled parts: `fill(_("Send {name}'s progress"), name=Text(n, "bold"))`.

A translator must see the whole sentence, so a sentence with a bold name in it is one
`_()` string with a named placeholder, and the styled part is put in its place here,
as a `Text` (never markup: names and titles come from outside)."""

from __future__ import annotations

import re

from rich.text import Text

_FIELD = re.compile(r"\{(\w+)\}")


def fill(template: str, style: str = "", **values: str | Text) -> Text:
    """`template` with each `{name}` replaced by `values[name]` (a `Text` keeps its style);
    `{{`/`}}` are literal braces, as in str.format."""
    out = Text(style=style)
    parts = template.replace("{{", "\0").replace("}}", "\1")
    at = 0
    for match in _FIELD.finditer(parts):
        out.append(_literal(parts[at : match.start()]))
        value = values[match.group(1)]
        out.append(value if isinstance(value, Text) else Text(value))
        at = match.end()
    out.append(_literal(parts[at:]))
    return out


def _literal(chunk: str) -> str:
    return chunk.replace("\0", "{").replace("\1", "}")
