"""Split untrusted HTML into tags and text in time linear in its length.

Why not `html.parser`: on the Pythons mooc supports, `HTMLParser` rescans the rest
of the document for every `<` that does not close (`<b x <b x ...`): a 120 kB GIFT
question took 5 minutes. Here every construct is found by one regex match or one
`str.find` from its `<`, and a failed match costs at most the distance to the next
unquoted `<` (quotes can only hide `<` from three parses at once, see `_START`), so
the whole document is read a bounded number of times.

Tolerant like a browser where that stays linear: a `<` that starts no tag is text;
an unclosed comment or declaration is text; `<script>`/`<style>` run to their end
tag (or the end of the document). Entities are decoded with `html.unescape`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

# A start tag: the name, then attribute text where quoted values may hold < and >.
# The name cannot give characters back to the attributes (the lookahead), and each
# attribute-text step is decided by its first character, so a failing match
# backtracks in linear time. Parses from different `<` never merge (quote state
# changes are permutations), so at most three are alive over any character.
_START = re.compile(r"""<([a-zA-Z][^\s/>"'<]*)(?=[\s/>])((?:[^"'<>]|"[^"]*"|'[^']*')*)>""")
_END = re.compile(r"""</([a-zA-Z][^\s/>"'<]*)[^<>]*>""")
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
RAW_TEXT = {"script", "style"}


@dataclass(frozen=True)
class Token:
    kind: str  # "start", "startend", "end", "text"
    data: str  # the tag name (lower case) or the text (entities decoded)
    attrs: tuple[tuple[str, str], ...] = ()


def tokens(text: str) -> Iterator[Token]:
    """Tags and text of `text`, in order; comments, declarations and processing instructions dropped."""
    pos = 0
    n = len(text)
    missing: set[str] = set()  # end markers ('-->', '>') a search found nowhere after some place
    pending: list[str] = []  # text pieces not yet emitted (so entities split by a lone '<' still join)

    def flush() -> Iterator[Token]:
        if pending:
            joined = "".join(pending)
            pending.clear()
            if joined:
                yield Token("text", html.unescape(joined))

    while pos < n:
        lt = text.find("<", pos)
        if lt < 0:
            pending.append(text[pos:])
            break
        if lt > pos:
            pending.append(text[pos:lt])
        pos = lt
        nxt = text[lt + 1 : lt + 2]
        if nxt.isascii() and nxt.isalpha() and (m := _START.match(text, lt)):
            yield from flush()
            name = m.group(1).lower()
            raw_attrs = m.group(2)
            self_closing = raw_attrs.rstrip().endswith("/")
            attrs = tuple(
                (a.group(1).lower(), html.unescape(_unquote(a.group(2) or ""))) for a in _ATTR.finditer(raw_attrs)
            )
            pos = m.end()
            if name in RAW_TEXT and not self_closing:  # runs to its end tag, or to the end: read once
                end = re.compile(r"</" + name + r"[\s/>]", re.IGNORECASE).search(text, pos)
                stop = end.start() if end else n
                yield Token("start", name, attrs)
                if stop > pos:
                    yield Token("text", text[pos:stop])
                close = text.find(">", stop) if end else -1
                pos = close + 1 if close >= 0 else n
                yield Token("end", name)
            else:
                yield Token("startend" if self_closing else "start", name, attrs)
            continue
        if nxt == "/" and (m := _END.match(text, lt)):
            yield from flush()
            yield Token("end", m.group(1).lower())
            pos = m.end()
            continue
        if nxt in ("!", "?"):  # a comment, a declaration, a processing instruction: skipped
            marker, start = ("-->", lt + 4) if text.startswith("<!--", lt) else (">", lt + 2)
            close = -1 if marker in missing else text.find(marker, start)
            if close >= 0:
                pos = close + len(marker)
                continue
            missing.add(marker)  # not found from here: not from any later place either
        pending.append("<")  # starts nothing: a literal '<'
        pos = lt + 1
    yield from flush()


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
