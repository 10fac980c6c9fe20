"""Placeholders, at render time, for the media a flavoured pack left out.

A `text` or `novideo` pack holds the same lessons as the full one (progress, item ids
and statements do not depend on the flavour); its manifest lists what it left out
(packages/omitted_media.py). Where a lesson links to such a file, both UIs show the
link as written (its text and target kept) followed by a short placeholder:
"[video, 14 MB: in the full pack]". An image left out reads as a link to it, its alt
text (or else its file name) the link's text: there is no picture to show, and the
`o` list offers it like any other link. Inline links and images, reference
links and HTML `src`/`href` attributes are marked; code is not.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.flavours import placeholder

if TYPE_CHECKING:
    from packages.manifest import ManifestEntry  # loaded where a manifest is read
    from player.session import CourseSession

# The patterns are compiled at their first use (`re` keeps them): a full pack, the
# common case, never needs them, and compiling them cost ~1 ms of every start.
# `[text](target "title")` and `![alt](target)`, one line, nested brackets one deep
_INLINE = (
    r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"
)
_REF_DEF = r"(?m)^ {0,3}\[([^\]\n]+)\]:\s*<?([^\s>]+)>?.*$"
_REF_USE = r"!?\[([^\[\]\n]+)\](?:\[([^\[\]\n]*)\])?(?![(:\[])"
_CLOSE_A = r"(?i)</a\s*>"
_HTML = r"(?i)<[A-Za-z][^<>]*?\b(?:src|href)\s*=\s*[\"']([^\"'<>]+)[\"'][^<>]*>"


def escaped_placeholder(entry: ManifestEntry) -> str:
    r"""The placeholder as Markdown that shows its brackets: `\[video, 14 MB: in the full pack\]`."""
    return f"\\[{placeholder(entry.path, entry.size)}\\]"


def mark_omitted(text: str, lesson_file: str, omitted: dict[str, ManifestEntry]) -> str:
    """The lesson's Markdown with a placeholder after each link, image or HTML tag whose
    target the pack left out. Unchanged (the same object) when nothing is left out."""
    if not omitted or ("](" not in text and "]:" not in text and "src" not in text and "href" not in text):
        return text
    from packages.validation import blank_code  # code shows paths as examples, not links

    scan = blank_code(text)  # same length, code blanked: positions stay the same
    edits: list[tuple[int, int, str]] = []  # (start, end, new text), never overlapping

    def entry_for(target: str) -> ManifestEntry | None:
        return _target_entry(lesson_file, target.strip("<>"), omitted)

    def mark(m: re.Match[str], entry: ManifestEntry) -> None:
        if m.group(0).startswith("!"):  # an image the pack left out reads as a link to it
            alt_empty = scan.startswith("[]", m.start() + 1)
            edits.append(
                (m.start(), m.start() + (3 if alt_empty else 1), f"[{_escaped_name(entry.path)}]" if alt_empty else "")
            )
        edits.append((m.end(), m.end(), " " + escaped_placeholder(entry)))

    for m in re.finditer(_INLINE, scan):
        entry = entry_for(m.group(1))
        if entry is not None:
            mark(m, entry)
    for m in re.finditer(_HTML, scan):
        entry = entry_for(m.group(1))
        if entry is not None:
            end = m.end()
            if m.group(0)[:2].lower() == "<a":  # after the link's text: <a href="v.mp4">the video</a> [video, ...]
                close = re.compile(_CLOSE_A).search(scan, end, end + 4000)
                end = close.end() if close else end
            edits.append((end, end, " " + escaped_placeholder(entry)))
    refs = {m.group(1).casefold(): entry for m in re.finditer(_REF_DEF, scan) if (entry := entry_for(m.group(2)))}
    if refs:
        for m in re.finditer(_REF_USE, scan):
            label = (m.group(2) or m.group(1)).casefold()
            if label in refs:
                mark(m, refs[label])
    if not edits:
        return text
    out, last = [], 0
    for start, end, new in sorted(edits):
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


_MARKUP = r"([\\`*_\[\]<>()#!|~])"


def _escaped_name(path: str) -> str:
    """A file's name as Markdown text (its punctuation escaped)."""
    return re.sub(_MARKUP, r"\\\1", path.rsplit("/", 1)[-1])


def _target_entry(lesson_file: str, target: str, omitted: dict[str, ManifestEntry]) -> ManifestEntry | None:
    """The entry a link's target names, resolved as `mooc pack check` resolves it."""
    from packages.validation import resolve_link

    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target or "://" in target or target.startswith(("mailto:", "//")):
        return None
    path = resolve_link(lesson_file, target)
    return omitted.get(path) if path is not None else None


def session_omitted(session: CourseSession) -> dict[str, ManifestEntry]:
    """What the session's pack left out ({} for a full pack; a damaged installed manifest
    leaves the lessons as written: install verified it, and the links still read)."""
    from packages.omitted_media import omitted_of

    try:
        return omitted_of(session.source)
    except MoocError:
        return {}


def shown_lesson(session: CourseSession, item_id: str) -> str:
    """The lesson's Markdown as the UIs show it: placeholders for what the pack left out."""
    return shown_markdown(session, session.course.item(item_id).file, session.lesson_text(item_id))


def shown_markdown(session: Any, file: str, text: str) -> str:
    """Markdown of the pack file `file` (a quiz's prompt: links resolve from the quiz
    file) as the UIs show it: placeholders for what the pack left out."""
    return mark_omitted(text, file, session_omitted(session))


def omitted_link(session: Any, lesson_file: str, target: str) -> ManifestEntry | None:
    """The `omitted` entry a lesson's link points to (its target as written in
    `lesson_file`), or None when the pack holds it or it is not a file of the pack."""
    return _target_entry(lesson_file, target, session_omitted(session))
