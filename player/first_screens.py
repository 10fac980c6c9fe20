"""The first screen of the lesson a learner was reading, kept as it was painted.

`mooc play` resumes where the learner left off. Painting that lesson's first screen
needs Rich's Markdown (with markdown-it and Pygments: ~20 ms of imports, more on a
lab's old PC) before anything is on the screen. So when the course screen closes, the
first screen of the lesson on it is kept, per learner and course, as plain data: lines
of (text, style) segments. The next start paints it from there and renders Markdown
only afterwards (tui/first_screen.py turns it into strips and back).

It is a cache, trusted as the course cache is (packages/tree_cache.py): read only when
nobody but this account or root could have written it, bounded, every field checked,
every text free of escape sequences and controls (packages/safe_text.py), every style
a plain one (no links). It is used only for the same course version, the same Markdown
blocks at the lesson's start (compared as text) and the same look (renderer, width, colours): anything else, or
anything wrong with it, means "render as usual", never an error. Losing it loses
nothing: a write that fails leaves the older file or none.

File: one JSON object {"format", "course", "version", "item", "look", "width",
"sources": [Markdown, ...], "more": bool, "styles": [style, ...],
"blocks": [[[[text, style index], ...], ...], ...]}: for each Markdown block of the
first screen, its source and its painted lines; `more` says whether the lesson goes on
after them (a block is painted with a blank line after it unless it is the last).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from packages.layout import Layout
from packages.safe_text import clean

FORMAT = 1
MAX_BYTES = 512 * 1024
MAX_LINES = 400  # rows of the first screen's blocks: a tall terminal, a block taller still
MAX_SEGMENTS = 2000  # segments in one line
MAX_STYLES = 512
MAX_WIDTH = 2000
_STYLE = re.compile(r"[a-z0-9 #(),._]{0,200}")  # "bold #e0e0e0 on #1e1e1e", "color(3)", "none"

Segments = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class FirstScreen:
    """One lesson's first screen as painted: `blocks[i]` holds block i's lines."""

    course: str
    version: str
    item: str
    look: str  # what the painting depends on besides the text (tui/first_screen.py)
    width: int
    sources: tuple[str, ...]  # the Markdown of each block kept, as the lesson view split it
    more: bool  # the lesson has blocks after those kept
    styles: tuple[str, ...]
    blocks: tuple[tuple[Segments, ...], ...]

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "course": self.course,
            "version": self.version,
            "item": self.item,
            "look": self.look,
            "width": self.width,
            "sources": list(self.sources),
            "more": self.more,
            "styles": list(self.styles),
            "blocks": [[[list(s) for s in line] for line in block] for block in self.blocks],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def recall(layout: Layout, learner: str, course: str, version: str) -> FirstScreen | None:
    """The kept first screen of `learner`'s lesson in this course version, or None."""
    from packages.tree_cache import read_bounded

    data = read_bounded(layout.first_screen_file(learner, course), MAX_BYTES)
    if data is None:
        return None
    try:
        screen = _parse(json.loads(data))
    except Exception:  # damaged, truncated, another mooc's: render as usual
        return None
    if (screen.course, screen.version) != (course, version):
        return None
    return screen


def keep(layout: Layout, learner: str, screen: FirstScreen) -> None:
    """Keep `screen` as this learner's first screen of its course (replacing the one kept).

    Written whole under a temporary name, then renamed over the old one, but not synced
    to the disk: it is written while the learner reads, where a sync could make a key
    wait on a lab PC's slow disk, and a crash can only cost the cache (a file cut short
    is not read). A write that fails (a full disk, a folder we cannot write) keeps
    nothing new and leaves nothing behind."""
    import tempfile

    from packages.layout import make_dirs

    path = layout.first_screen_file(learner, screen.course)
    with contextlib.suppress(OSError):
        make_dirs(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".first-screen-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(screen.to_json())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # gone already once renamed


def _parse(data: Any) -> FirstScreen:
    if type(data) is not dict or data.get("format") != FORMAT:
        raise ValueError("not a first screen of this mooc")
    texts: dict[str, str] = {}
    for key in ("course", "version", "item", "look"):
        value = data.get(key)
        if type(value) is not str or len(value) > 1000:
            raise ValueError(f"bad {key}")
        texts[key] = value
    width, styles, blocks = data.get("width"), data.get("styles"), data.get("blocks")
    sources, more = data.get("sources"), data.get("more")
    if type(width) is not int or not 0 < width <= MAX_WIDTH:
        raise ValueError("bad width")
    if type(styles) is not list or len(styles) > MAX_STYLES:
        raise ValueError("bad styles")
    for style in styles:
        if type(style) is not str or not _STYLE.fullmatch(style) or "link" in style:
            raise ValueError("bad style")
    if type(blocks) is not list or not blocks:
        raise ValueError("bad blocks")
    if type(sources) is not list or len(sources) != len(blocks) or not all(type(s) is str for s in sources):
        raise ValueError("bad sources")
    if type(more) is not bool:
        raise ValueError("bad more")
    lines = 0
    parsed: list[tuple[Segments, ...]] = []
    for block in blocks:
        if type(block) is not list or not block:
            raise ValueError("bad block")
        lines += len(block)
        if lines > MAX_LINES:
            raise ValueError("too many lines")
        parsed.append(tuple(_line(line, len(styles)) for line in block))
    return FirstScreen(
        texts["course"], texts["version"], texts["item"], texts["look"],
        width, tuple(sources), more, tuple(styles), tuple(parsed),
    )  # fmt: skip


def _line(line: Any, styles: int) -> Segments:
    if type(line) is not list or len(line) > MAX_SEGMENTS:
        raise ValueError("bad line")
    segments = []
    for segment in line:
        if type(segment) is not list or len(segment) != 2:
            raise ValueError("bad segment")
        text, style = segment
        if type(text) is not str or type(style) is not int or not 0 <= style < styles:
            raise ValueError("bad segment")
        segments.append((text, style))
    joined = "".join(text for text, _ in segments)
    if "\n" in joined or "\t" in joined or clean(joined) != joined:  # nothing that acts on a terminal
        raise ValueError("a control character")
    return tuple(segments)


def forget_course(layout: Layout, course: str) -> None:
    """Drop every learner's kept first screen of `course` (it was removed). Never fails:
    a file that cannot go is only never used (it is for a version no longer installed)."""
    with contextlib.suppress(OSError):
        for learner in os.listdir(layout.learners_dir):
            with contextlib.suppress(OSError):
                os.unlink(layout.first_screen_file(learner, course))
