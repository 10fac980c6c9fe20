"""A lesson view's painted first screen, kept and shown again (player/first_screens.py).

`capture` turns the strips of the lesson on screen into plain data when the course
screen closes; `offer` gives them back to the lesson view at the next start, which
paints them if the lesson text, the width and the style are the same: the first
screen is up without importing Rich's Markdown, which the view renders with only
afterwards (docs/tui.md, "Starting").

Whatever the painting depends on besides the text, width and style goes into the
kept screen's `look`: the modules that render a lesson (ours and the libraries'), by
size and modification time as Python does for .pyc files, and what the console
draws with. Another look means "render as usual".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from player.first_screens import MAX_LINES, FirstScreen
from tui.widgets.lesson_view import LessonView

_OURS = ("widgets/lesson_view.py", "lesson_blocks.py", "first_screen.py")
_THEIRS = ("rich/markdown.py", "rich/syntax.py", "rich/_loop.py", "markdown_it/__init__.py", "pygments/__init__.py")


def look(console: Any) -> str:
    """What the first screen's painting depends on besides the lesson, width and style."""
    import rich

    here = Path(__file__).parent
    site = Path(rich.__file__).parents[1]
    stamps = []
    for path in [here / name for name in _OURS] + [site / name for name in _THEIRS]:
        try:
            st = os.stat(path)
            stamps.append(f"{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamps.append("?")
    return f"{','.join(stamps)};{console.encoding};{console.legacy_windows};{console.options.ascii_only}"


def capture(view: LessonView, course: str, version: str, item: str, console: Any) -> FirstScreen | None:
    """The first screen of the lesson `view` shows, as plain data; None if it is not painted,
    or if its blocks are too tall to be read back (a lesson opening on a long code block)."""
    painted = view.painted_first_screen()
    if painted is None:
        return None
    _, (width, style), blocks = painted
    if sum(len(strips) for strips in blocks.values()) > MAX_LINES:
        return None
    styles: dict[str, int] = {}
    kept = []
    for index in range(len(blocks)):
        lines = []
        for strip in blocks[index]:
            line = []
            for segment in strip:
                if segment.control:
                    return None  # nothing of the kind in a rendered lesson: do not keep it
                name = str(segment.style) if segment.style else ""
                line.append((segment.text, styles.setdefault(name, len(styles))))
            lines.append(tuple(line))
        kept.append(tuple(lines))
    return FirstScreen(
        course,
        version,
        item,
        f"{look(console)}|{style}",
        width,
        tuple(view.block_sources(len(blocks))),
        view.block_count > len(blocks),
        tuple(styles),
        tuple(kept),
    )


def offer(view: LessonView, screen: FirstScreen, console: Any) -> bool:
    """Give `view` the kept first screen; it paints it if it shows that very lesson at that
    width and style. False (nothing given) if the screen was painted another way."""
    where, _, style_name = screen.look.rpartition("|")
    if where != look(console):
        return False
    try:
        parse = Style.parse
        styles = [parse(name) if name else None for name in screen.styles]
        view_style = parse(style_name)
    except Exception:  # checked already (player/first_screens.py): a style Rich no longer reads
        return False
    width = screen.width
    blocks: dict[int, list[Strip]] = {}
    for index, lines in enumerate(screen.blocks):
        strips = []
        for line in lines:
            segments = [Segment(text, styles[style]) for text, style in line]
            if sum(cell_len(text) for text, _ in line) != width:
                return False
            strips.append(Strip(segments, width))
        blocks[index] = strips
    view.offer(list(screen.sources), screen.more, (width, view_style), blocks)
    return True


def offer_kept(view: LessonView, layout: Any, session: Any, item_id: str, console: Any) -> FirstScreen | None:
    """Offer `view` the first screen kept of this learner's lesson `item_id` in the session's
    course (when the course screen opens on it); the kept screen, if there is one."""
    from player.first_screens import recall

    if layout is None:  # a course screen with no data folder (tests): nothing kept
        return None
    course = session.course
    screen = recall(layout, session.learner.id, course.id, course.version)
    if screen is not None and screen.item == item_id:
        offer(view, screen, console)
    return screen


def keep_shown(
    view: LessonView, layout: Any, session: Any, item_id: str, console: Any, kept: FirstScreen | None
) -> FirstScreen | None:
    """Keep the first screen of the lesson `view` shows, unless it is `kept` already; the
    first screen kept now."""
    from player.first_screens import keep

    if layout is None:
        return kept
    course = session.course
    screen = capture(view, course.id, course.version, item_id, console)
    if screen is None or screen == kept:
        return kept
    keep(layout, session.learner.id, screen)
    return screen
