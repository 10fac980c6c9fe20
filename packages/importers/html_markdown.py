"""HTML -> Markdown for imported course text, on our own linear tokenizer (html_tokens).

Why our own converter: course HTML is untrusted and messy (unclosed tags, inline
scripts, iframes); we need exactly the subset the player renders (headings, lists,
tables, links, images, code, quotes), to drop scripts and styles, and to rewrite
asset URLs to files inside the pack. A small tolerant tree builder plus a renderer
does that with no dependency.

`html_to_markdown(html, resolve=...)`: `resolve(url, kind)` maps a link or image URL
(kind "link" or "image") to the URL to write, or None to keep only the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from packages.importers.html_tables import MAX_COLSPAN, MAX_ROWSPAN, Cell, grid, span
from packages.importers.html_tokens import tokens
from packages.importers.markdown_escape import escape, escape_line_starts, scripted

Resolver = Callable[[str, str], "str | None"]

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
DROP = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "title",
    "link",
    "meta",
    "object",
    "form",
    "button",
    "select",
    "textarea",
    "svg",
    "canvas",
    "map",
}
BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "blockquote",
    "pre",
    "hr",
    "dl",
    "dt",
    "dd",
    "center",
    "details",
    "summary",
    "body",
    "html",
    "address",
    "fieldset",
    "iframe",
    "video",
    "audio",
    "caption",
}
# Opening one of these closes an open element of the same kind (tolerance for <p>a<p>b, <li>..).
AUTO_CLOSE = {
    "p": {"p"},
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "option": {"option"},
}
MAX_DEPTH = 64  # deeper nesting is flattened: no recursion blow-up, bounded work per character
MAX_QUOTE_DEPTH = 16  # quotes and lists deeper than this add no more '> ' or indentation per line

_HARD_BREAKS = re.compile(r"^(?:\s*\\\n)+|(?:\\\n\s*)+$")  # <br> at the start or end of a block: nothing to break


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)


class _TreeBuilder:
    """A tolerant tree from the tokens: unclosed elements close at their parent's end."""

    def __init__(self) -> None:
        self.root = Node("root")
        self.stack: list[Node] = [self.root]
        self.open_count: dict[str, int] = {}  # tag -> how many are on the stack: unmatched end tags cost O(1)
        self.dropping = 0  # depth inside a dropped element (script, style, ...)

    def feed(self, html: str) -> Node:
        for token in tokens(html):
            if token.kind == "start":
                self.start(token.data, token.attrs)
            elif token.kind == "startend":
                if not self.dropping and token.data not in DROP:
                    self.stack[-1].children.append(Node(token.data, dict(token.attrs)))
            elif token.kind == "end":
                self.end(token.data)
            elif not self.dropping:
                self.stack[-1].children.append(token.data)
        return self.root

    def start(self, tag: str, attrs: tuple[tuple[str, str], ...]) -> None:
        if self.dropping:
            if tag in DROP and tag not in VOID:
                self.dropping += 1
            return
        if tag in DROP:
            if tag not in VOID:
                self.dropping = 1
            return
        closes = AUTO_CLOSE.get(tag)
        if closes and self.stack[-1].tag in closes:
            self._pop_to(len(self.stack) - 1)
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(node)
            self.open_count[tag] = self.open_count.get(tag, 0) + 1

    def end(self, tag: str) -> None:
        if self.dropping:
            if tag in DROP:
                self.dropping -= 1
            return
        if not self.open_count.get(tag):
            return
        for i in range(len(self.stack) - 1, 0, -1):  # pays for the nodes it pops: linear overall
            if self.stack[i].tag == tag:
                self._pop_to(i)
                return

    def _pop_to(self, index: int) -> None:
        for node in self.stack[index:]:
            self.open_count[node.tag] -= 1
        del self.stack[index:]


def parse_html(html: str) -> Node:
    return _TreeBuilder().feed(html)


def html_to_markdown(html: str, resolve: Resolver | None = None) -> str:
    """Markdown for an HTML fragment or page; scripts, styles and forms are dropped."""
    return _Renderer(resolve).document(parse_html(html))


def html_to_text(html: str) -> str:
    """Plain one-paragraph text (summaries, titles): no Markdown syntax at all."""
    parts: list[str] = []

    def walk(node: Node | str) -> None:
        if isinstance(node, str):
            parts.append(node)
        else:
            if node.tag in BLOCK or node.tag == "br":
                parts.append(" ")
            for child in node.children:
                walk(child)

    walk(parse_html(html))
    return " ".join("".join(parts).split())


def paragraph(text: str) -> str:
    """Inline Markdown as one paragraph: no hard break at its ends, no line read as a heading or list."""
    return escape_line_starts(_HARD_BREAKS.sub("", text).strip())


class _Renderer:
    def __init__(self, resolve: Resolver | None) -> None:
        self.resolve = resolve
        self.nesting = 0  # quotes and lists around the current block

    def document(self, root: Node) -> str:
        blocks = self.blocks(root.children)
        text = "\n\n".join(b for b in blocks if b.strip())
        return re.sub(r"\n{3,}", "\n\n", text).strip() + ("\n" if text.strip() else "")

    # -- blocks ---------------------------------------------------------------
    def blocks(self, children: list[Node | str]) -> list[str]:
        out: list[str] = []
        inline: list[Node | str] = []

        def flush() -> None:
            if inline:
                text = paragraph(self.inline(inline))
                if text:
                    out.append(text)
                inline.clear()

        for child in children:
            if isinstance(child, Node) and child.tag in BLOCK:
                flush()
                out.extend(self.block(child))
            else:
                inline.append(child)
        flush()
        return out

    def block(self, node: Node) -> list[str]:
        tag = node.tag
        if tag in ("ul", "ol", "blockquote"):
            if self.nesting >= MAX_QUOTE_DEPTH:  # deeper: flattened, so each line carries a bounded prefix
                return self.blocks(node.children)
            self.nesting += 1
            try:
                return self.nested_block(node)
            finally:
                self.nesting -= 1
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _HARD_BREAKS.sub("", self.inline(node.children)).strip()
            return [f"{'#' * int(tag[1])} {text}"] if text else []
        if tag == "table":
            return [self.table(node)]
        if tag == "pre":
            code = self.raw_text(node).strip("\n")
            fence = "````" if "```" in code else "```"
            return [f"{fence}\n{code}\n{fence}"] if code.strip() else []
        if tag == "hr":
            return ["---"]
        if tag == "dt":
            text = self.inline(node.children).strip()
            return [f"**{text}**"] if text else []
        if tag in ("iframe", "video", "audio"):
            return self.embedded(node)
        return self.blocks(node.children)

    def nested_block(self, node: Node) -> list[str]:
        if node.tag == "blockquote":
            inner = "\n\n".join(self.blocks(node.children))
            return ["\n".join(f"> {line}".rstrip() for line in inner.splitlines())] if inner.strip() else []
        return [self.list_block(node)] if node.children else []

    def list_block(self, node: Node) -> str:
        ordered = node.tag == "ol"
        lines: list[str] = []
        number = int(node.attrs.get("start", "1") or 1) if node.attrs.get("start", "").isdigit() else 1
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    lines.append(f"- {escape(' '.join(child.split()))}")
                continue
            items: list[Node | str] = child.children if child.tag == "li" else [child]
            if child.tag in ("ul", "ol"):  # a list directly inside a list
                lines.extend("  " + line for block in self.block(child) for line in block.splitlines())
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            body = "\n\n".join(self.blocks(items)) or ""
            body_lines = body.splitlines() or [""]
            lines.append(marker + body_lines[0])
            lines.extend((" " * len(marker) + line) if line else "" for line in body_lines[1:])
        return "\n".join(lines)

    def table(self, node: Node) -> str:
        rows: list[list[Cell]] = []
        header_row = -1

        def collect(n: Node) -> None:
            nonlocal header_row
            for child in n.children:
                if not isinstance(child, Node):
                    continue
                if child.tag == "tr":
                    cells = [c for c in child.children if isinstance(c, Node) and c.tag in ("td", "th")]
                    if cells and all(c.tag == "th" for c in cells) and header_row < 0 and not rows:
                        header_row = 0
                    rows.append(
                        [
                            Cell(
                                self.cell(c),
                                span(c.attrs.get("colspan"), MAX_COLSPAN),
                                span(c.attrs.get("rowspan"), MAX_ROWSPAN),
                            )
                            for c in cells
                        ]
                    )
                elif child.tag in ("thead", "tbody", "tfoot"):
                    collect(child)
                elif child.tag == "caption":
                    pass

        collect(node)
        caption = next((c for c in node.children if isinstance(c, Node) and c.tag == "caption"), None)
        if not rows:
            return ""
        texts = grid(rows)
        width = len(texts[0])
        if header_row < 0:  # GFM needs a header row: use an empty one rather than promote data
            texts.insert(0, [""] * width)
        lines = ["| " + " | ".join(texts[0]) + " |", "|" + "|".join(["---"] * width) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in texts[1:]]
        table = "\n".join(lines)
        if caption is not None:
            table = f"*{self.inline(caption.children).strip()}*\n\n{table}"
        return table

    def cell(self, node: Node) -> str:
        text = " ".join(b.replace("\\\n", " ").replace("\n", " ") for b in self.blocks(node.children))
        return text.replace("|", "\\|").strip()

    def embedded(self, node: Node) -> list[str]:
        src = node.attrs.get("src", "")
        if not src:
            for child in node.children:
                if isinstance(child, Node) and child.tag == "source" and child.attrs.get("src"):
                    src = child.attrs["src"]
                    break
        title = (
            node.attrs.get("title", "") or {"iframe": "Embedded content", "video": "Video", "audio": "Audio"}[node.tag]
        )
        target = self.url(src, "link") if src else None
        if target:
            return [f"[{escape(title)}]({target}) (opens outside mooc)"]
        return [f"*{escape(title)} (not available offline)*"]

    # -- inline ---------------------------------------------------------------
    def inline(self, children: list[Node | str]) -> str:
        parts = [self.inline_node(c) for c in children]
        return re.sub(r"[ \t]+", " ", "".join(parts)).replace(" \n", "\n").replace("\n ", "\n")

    def inline_node(self, node: Node | str) -> str:
        if isinstance(node, str):
            return escape(re.sub(r"\s+", " ", node))
        tag = node.tag
        if tag == "br":
            return "\\\n"
        if tag == "img":
            src = node.attrs.get("src", "")
            alt = escape(" ".join(node.attrs.get("alt", "").split()))
            target = self.url(src, "image") if src else None
            return f"![{alt}]({target})" if target else (f"*[image: {alt}]*" if alt else "")
        if tag in BLOCK:  # a block inside inline context (e.g. in a table cell): flatten
            return " " + " ".join(self.blocks(node.children)) + " "
        inner = self.inline(node.children)
        if tag in ("strong", "b"):
            return _wrap(inner, "**")
        if tag in ("em", "i", "cite"):
            return _wrap(inner, "*")
        if tag in ("sup", "sub"):
            return scripted(inner, tag)
        if tag in ("code", "kbd", "tt", "samp"):
            code = "".join(self.raw_text(node).split("\n"))
            return f"`{code}`" if "`" not in code else f"`` {code} ``"
        if tag == "a":
            href = node.attrs.get("href", "")
            target = self.url(href, "link") if href and not href.startswith("#") else None
            text = inner.strip() or escape(href)
            return f"[{text}]({target})" if target else inner
        return inner

    def raw_text(self, node: Node) -> str:
        return "".join(
            c if isinstance(c, str) else ("\n" if c.tag == "br" else self.raw_text(c)) for c in node.children
        )

    def url(self, url: str, kind: str) -> str | None:
        url = url.strip()
        if url.lower().startswith(("javascript:", "data:", "vbscript:")):
            return None
        if self.resolve is not None:
            url = self.resolve(url, kind)  # type: ignore[assignment]
            if not url:
                return None
        return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _wrap(text: str, mark: str) -> str:
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{stripped}{mark}{trail}"
