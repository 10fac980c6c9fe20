"""GIFT text: escapes and `[format]` text -> Markdown.

GIFT escapes (`\\~ \\= \\# \\{ \\} \\: \\\\ \\n`) become private-use characters while a
question is parsed, so they never split answers, and literal characters after;
text in its declared format (html, markdown, plain, moodle) becomes Markdown.
"""

from __future__ import annotations

import re

from packages.importers.html_markdown import html_to_markdown
from packages.importers.markdown_escape import escape, escape_line_starts

# Escapes become private-use characters while parsing, and literal characters after.
_ESC = {
    "\\\\": "\ue000",
    "\\~": "\ue001",
    "\\=": "\ue002",
    "\\#": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\:": "\ue006",
    "\\n": "\ue007",
}
_UNESC = {
    "\ue000": "\\",
    "\ue001": "~",
    "\ue002": "=",
    "\ue003": "#",
    "\ue004": "{",
    "\ue005": "}",
    "\ue006": ":",
    "\ue007": "\n",
}
_ESC_RE = re.compile(r"\\[\\~=#{}:n]")
FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


def protect(text: str) -> str:
    return _ESC_RE.sub(lambda m: _ESC[m.group(0)], text)


def restore(text: str) -> str:
    for k, v in _UNESC.items():
        text = text.replace(k, v)
    return text


def convert(raw: str, fmt: str) -> str:
    """GIFT text in its declared format -> Markdown (escapes restored)."""
    sub = FORMAT.match(raw)
    if sub:  # an answer or feedback may declare its own format
        fmt, raw = sub.group(1).lower(), raw[sub.end() :]
    text = raw.strip()
    if fmt == "markdown":
        return restore(text)
    if fmt == "html" or (fmt == "moodle" and TAG.search(text)):
        html = restore(text)
        if fmt == "moodle":
            html = html.replace("\n", "<br>")
        return html_to_markdown(html).strip()
    # plain / moodle without tags: text shown as is, line breaks kept
    lines = [escape_line_starts(escape(" ".join(line.split()))) for line in restore(text).split("\n")]
    return "\\\n".join(line for line in lines)
