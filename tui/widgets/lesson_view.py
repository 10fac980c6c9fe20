"""A lesson viewer that opens a lesson of any length at once.

Textual's `Markdown` widget builds one widget per block and takes ~10 s on a
2,000-line lesson. This viewer is a line-API `ScrollView`: the lesson is split
into blocks (tui/lesson_blocks.py), each rendered to strips by Rich's Markdown
only when it is needed, and cached per width. Blocks not yet rendered count with
an estimated height; an idle-time filler renders the rest in small batches so the
scrollbar settles, keeping the line at the top of the screen where it was.

Rich's Markdown (with markdown-it and Pygments) is imported at the first block to
render, not with this module: a first screen kept from the last visit
(tui/first_screen.py) is painted without it.
"""

from __future__ import annotations

import time
from bisect import bisect_right

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from packages.safe_text import clean
from tui.lesson_blocks import Block, split_blocks

FILL_BUDGET_S = 0.012  # work per idle tick of the background filler
FILL_DELAY_S = 0.05  # the filler (and a prepare made stale by a new width) waits this long
AHEAD_KEPT = 3  # lessons left kept rendered (for `p`), besides the one shown and the next prepared


class _Ahead:
    """A lesson's blocks and the strips of those rendered, at one width and style.
    (A plain class: made at every start, where a dataclass costs ~0.4 ms to define.)"""

    __slots__ = ("key", "blocks", "strips")

    def __init__(self, key: tuple[int, Style], blocks: list[Block], strips: dict[int, list[Strip]]) -> None:
        self.key = key
        self.blocks = blocks
        self.strips = strips


class LessonView(ScrollView, can_focus=True):
    """Shows one lesson's Markdown; `show(text)` replaces it."""

    DEFAULT_CSS = """
    LessonView {
        padding: 0 1;
        overflow-x: hidden;
        scrollbar-gutter: stable;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        # Lessons rendered ahead (prepare) or just left: cleaned text -> its rendered first
        # screen, so `n`/`p` paint at once; valid for one width and style (_Ahead.key).
        self._ahead: dict[str, _Ahead] = {}
        self._blocks: list[Block] = []
        self._heights: list[int] = []
        self._exact: list[bool] = []
        self._offsets: list[int] = [0]
        self._strips: dict[int, list[Strip]] = {}
        self._width = 0
        self._paint: tuple[int, int, Style] | None = None  # scroll, width, style during render_lines
        self._painted = False  # render_lines ran once: the size and style are the real ones
        self._next_text: str | None = None  # the lesson last given to prepare, not shown yet
        self._offered: tuple[list[str], bool, tuple[int, Style], dict[int, list[Strip]]] | None = None
        self._held: _Ahead | None = None  # the shown lesson's first screen, until the size is known
        self.painted_offered = False  # the lesson shown was painted from what offer() gave
        self._held_offered = False  # _held came from offer()
        self._fill_next = 0
        self._fill_timer_pending = False
        self.text = ""
        self.end_seen = False  # the lesson's last line has been on screen

    # public API ---------------------------------------------------------
    def show(self, text: str) -> None:
        """Display `text` (untrusted Markdown): escapes are stripped, markup is not interpreted.

        The view is updated in place: the first screen's blocks are rendered now (or taken
        from `prepare`), so the lesson's height is known at once and, when it is the height
        of the lesson before, no layout pass follows (a layout repaints the whole screen)."""
        self._keep_ahead()
        if text == self._next_text:
            self._next_text = None
        self.text = clean(text).replace("\r", "")
        self.end_seen = False
        self.scroll_to(0, 0, animate=False, immediate=True)  # first: the new heights are counted from the top
        ahead = self._ahead.pop(self.text, None)
        self._blocks = ahead.blocks if ahead is not None else split_blocks(self.text)
        self.painted_offered = False
        self._held_offered = False
        if ahead is None and self._offered is not None:
            ahead = self._take_offered()
            self._held_offered = ahead is not None
        self._held = ahead
        self._reset_layout(ahead, top=True)

    def offer(self, sources: list[str], more: bool, key: tuple[int, Style], strips: dict[int, list[Strip]]) -> None:
        """A first screen painted before (tui/first_screen.py): the strips of a lesson's
        first blocks, whose Markdown is `sources` (`more`: the lesson went on after them),
        at `key` (width, style). The next `show` paints them if its lesson starts with
        those very blocks (each block is rendered on its own) and the view has that width
        and style then."""
        self._offered = (sources, more, key, strips)

    def _take_offered(self) -> _Ahead | None:
        assert self._offered is not None
        sources, more, key, strips = self._offered
        self._offered = None  # once: the lesson shown next, or never
        blocks = self._blocks
        if len(strips) != len(sources) or (len(blocks) > len(sources)) != more or len(blocks) < len(sources):
            return None
        if any(blocks[index].source != source for index, source in enumerate(sources)):
            return None
        return _Ahead(key, blocks, strips)

    def block_sources(self, count: int) -> list[str]:
        """The Markdown of the lesson's first `count` blocks, as split for rendering."""
        return [block.source for block in self._blocks[:count]]

    @property
    def settled(self) -> bool:
        """Rendered at the width it has (its scrollbar's column is kept whether the lesson
        needs it or not: no lesson is painted at a width it is about to lose)."""
        return self._width == self._content_width()

    def painted_first_screen(self) -> tuple[str, tuple[int, Style], dict[int, list[Strip]]] | None:
        """The lesson shown, its key (width, style) and the strips of the blocks of its first
        screen, if they are rendered at the current width; else None."""
        if not self._blocks or not self.settled:
            return None
        first: dict[int, list[Strip]] = {}
        rows, index = 0, 0
        while index in self._strips and rows < (self.size.height or 24):
            first[index] = self._strips[index]
            rows += len(first[index])
            index += 1
        if not first or (rows < (self.size.height or 24) and index < len(self._blocks)):
            return None
        return self.text, (self._width, self.rich_style), first

    def prepare(self, text: str) -> bool:
        """Render the first screen of a lesson about to be shown (the next one, while the
        learner reads this one): `show(text)` then paints without rendering Markdown.
        False if the view was not painted yet: nothing done, ask again later."""
        self._forget_oldest()
        self._next_text = text  # prepared again if the width changes before it is shown
        if not self._painted:  # before the first paint, size and style may not be final yet
            return False
        cleaned = clean(text).replace("\r", "")
        key = self._ahead_key()
        if cleaned == self.text or (cleaned in self._ahead and self._ahead[cleaned].key == key):
            return True
        blocks = split_blocks(cleaned)
        strips: dict[int, list[Strip]] = {}
        rows, index = 0, 0
        while index < len(blocks) and rows < self.size.height:
            strips[index] = self._block_strips(blocks, index, key[0])
            rows += len(strips[index])
            index += 1
        self._remember(cleaned, _Ahead(key, blocks, strips))
        return True

    @property
    def next_ready(self) -> bool:
        """The lesson last given to `prepare` is rendered at the current width and style."""
        if self._next_text is None:
            return True
        ahead = self._ahead.get(clean(self._next_text).replace("\r", ""))
        return ahead is not None and ahead.key == self._ahead_key()

    def _ahead_key(self) -> tuple[int, Style]:
        return (self._content_width(), self.rich_style)

    def _keep_ahead(self) -> None:
        """The lesson being left keeps the blocks of its first screen (where `show` starts):
        `p` comes back to it at once."""
        painted = self.painted_first_screen()
        if painted is not None:
            text, key, first = painted
            self._remember(text, _Ahead(key, self._blocks, first))

    def _remember(self, text: str, ahead: _Ahead) -> None:
        """Keep a lesson's rendering; the oldest go in idle time (`prepare`, the filler):
        letting go of hundreds of strips costs what a key should not wait for."""
        self._ahead.pop(text, None)
        self._ahead[text] = ahead

    def _forget_oldest(self) -> None:
        while len(self._ahead) > AHEAD_KEPT:
            del self._ahead[next(iter(self._ahead))]

    @property
    def block_count(self) -> int:
        return len(self._blocks)

    @property
    def rendered_count(self) -> int:
        return len(self._strips)

    def rendered_text(self, first: int = 0, count: int | None = None) -> str:
        """Plain text of rendered lines (for tests and screen readers)."""
        self._ensure_rendered(first, count or self.size.height or 24)
        end = first + (count or self.size.height or 24)
        out = []
        for y in range(first, min(end, self._offsets[-1])):
            out.append(self._line(y).text.rstrip())
        return "\n".join(out)

    def scroll_to_source_line(self, line_no: int) -> None:
        """Scroll so the lesson's source line `line_no` (1-based) is at the top."""
        if not self._blocks:
            return
        starts = [b.first_line for b in self._blocks]
        index = max(0, bisect_right(starts, line_no) - 1)
        for i in range(index + 1):  # exact offsets above the target
            self._render_block(i)
        self._recompute_offsets()
        block = self._blocks[index]
        within = (line_no - block.first_line) * self._heights[index] // max(1, block.line_count)
        y = self._offsets[index] + max(0, min(self._heights[index] - 1, within))
        self._sync_virtual_size()
        self.scroll_to(y=y, animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        """End: to the real last line. The blocks near the end are rendered first, since
        their estimated heights would leave the view short of it."""
        for _ in range(20):
            bottom = max(0, self._offsets[-1] - self.scrollable_content_region.height)
            self._ensure_rendered(bottom, self.scrollable_content_region.height)
            if self._offsets[-1] - self.scrollable_content_region.height == bottom:
                break
        self._sync_virtual_size()
        self.scroll_to(
            y=max(0, self._offsets[-1] - self.scrollable_content_region.height), animate=False, immediate=True
        )

    # layout -------------------------------------------------------------
    def _content_width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 78)

    def _reset_layout(self, ahead: _Ahead | None = None, *, top: bool = False) -> None:
        """Forget the rendered blocks (a new text or width). With `top` (a new text, shown
        from its first line) the first screen is rendered now, once the view has a size."""
        self._width = self._content_width()
        self._strips.clear()
        self._heights = [self._estimate(b) for b in self._blocks]
        self._exact = [False] * len(self._blocks)
        if ahead is None and self._held is not None and self._held.blocks is self._blocks:
            ahead = self._held  # shown before the view had its size: the size is known now
        if ahead is not None and ahead.key == (self._width, self.rich_style):
            if ahead is self._held:
                self.painted_offered = self._held_offered
                self._held = None
            for index, strips in ahead.strips.items():
                self._strips[index] = strips
                self._heights[index] = len(strips)
                self._exact[index] = True
        elif ahead is not None:  # the heights it had: the first layout has the scrollbar it will need
            for index, strips in ahead.strips.items():
                self._heights[index] = len(strips)
        self._recompute_offsets()
        if top and self.size.width:  # their exact heights settle the size once
            self._ensure_rendered(0, self.scrollable_content_region.height or self.size.height)
        self._sync_virtual_size()
        self._fill_next = 0
        self._schedule_fill()
        self.refresh()
        if not top and self._next_text is not None and self.is_mounted:
            # a new width (the scrollbar came or went, a resize): what was prepared is stale
            self.set_timer(FILL_DELAY_S, self._prepare_again)

    def _prepare_again(self) -> None:
        if self._next_text is not None:
            self.prepare(self._next_text)

    def _estimate(self, block: Block) -> int:
        width = max(1, self._width)
        rows = sum(1 + len(line) // width for line in block.source.split("\n"))
        return rows + 1

    def _recompute_offsets(self) -> None:
        offsets = [0]
        total = 0
        for h in self._heights:
            total += h
            offsets.append(total)
        self._offsets = offsets

    def _sync_virtual_size(self) -> None:
        size = Size(self._width, self._offsets[-1])
        if self.virtual_size != size:
            self.virtual_size = size

    def on_resize(self) -> None:
        if self._blocks and self._content_width() != self._width:
            top_block = self._block_at(int(self.scroll_y))
            first_line = self._blocks[top_block].first_line
            self._reset_layout()
            self.scroll_to_source_line(first_line)

    # rendering ----------------------------------------------------------
    def _block_at(self, y: int) -> int:
        return max(0, min(len(self._blocks) - 1, bisect_right(self._offsets, y) - 1))

    def _render_block(self, index: int) -> bool:
        """Render block `index` into the cache; True if its height changed."""
        if index in self._strips:
            return False
        strips = self._block_strips(self._blocks, index, self._width)
        self._strips[index] = strips
        self._exact[index] = True
        changed = len(strips) != self._heights[index]
        if changed:
            delta = len(strips) - self._heights[index]
            above = self._offsets[index] < int(self.scroll_y)
            self._heights[index] = len(strips)
            self._recompute_offsets()
            if above:  # keep the line at the top of the screen where it was
                self._sync_virtual_size()
                self.set_scroll(None, self.scroll_y + delta)
        return changed

    def _block_strips(self, blocks: list[Block], index: int, width: int) -> list[Strip]:
        """Block `index` of `blocks` rendered at `width` in the current style."""
        from rich.markdown import Markdown

        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False)
        markdown = Markdown(blocks[index].source, code_theme="ansi_dark", hyperlinks=False)
        lines = console.render_lines(markdown, options, style=self.rich_style, pad=True)
        strips = [Strip(line, width) for line in lines]
        if index < len(blocks) - 1:
            strips.append(Strip([Segment(" " * width, self.rich_style)], width))
        return strips

    def _ensure_rendered(self, top: int, height: int) -> None:
        """Render every block that shows in rows top..top+height (heights may change as we go)."""
        for _ in range(1000):
            first = self._block_at(top)
            last = self._block_at(top + height)
            changed = False
            for i in range(first, last + 1):
                changed |= self._render_block(i)
            if not changed:
                break
        self._sync_virtual_size()

    def _line(self, y: int) -> Strip:
        if y >= self._offsets[-1] or not self._blocks:
            return Strip.blank(self._width, self.rich_style)
        index = self._block_at(y)
        self._render_block(index)
        strips = self._strips[index]
        row = y - self._offsets[index]
        if 0 <= row < len(strips):
            return strips[row]
        return Strip.blank(self._width, self.rich_style)

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._blocks:
            if self._content_width() != self._width:
                self._reset_layout()
            self._ensure_rendered(int(self.scroll_y) + crop.y, crop.height)
            if int(self.scroll_y) + self.scrollable_content_region.height >= self._offsets[-1]:
                self.end_seen = True  # read to the end (CourseScreen marks the lesson done on leaving)
        # What every line of this paint needs, looked up once (each is a computed property).
        self._paint = (int(self.scroll_y), self.size.width, self.rich_style)
        self._painted = True
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        top, width, style = self._paint or (int(self.scroll_y), self.size.width, self.rich_style)
        return self._line(top + y).crop_extend(0, width, style)

    # background filler --------------------------------------------------
    def _schedule_fill(self) -> None:
        if not self._fill_timer_pending and self.is_mounted:
            self._fill_timer_pending = True
            self.set_timer(FILL_DELAY_S, self._fill)

    def _fill(self) -> None:
        self._fill_timer_pending = False
        self._forget_oldest()
        deadline = time.perf_counter() + FILL_BUDGET_S
        changed = False
        while self._fill_next < len(self._blocks) and time.perf_counter() < deadline:
            changed |= self._render_block(self._fill_next)
            self._fill_next += 1
        if changed:
            self._sync_virtual_size()
        if self._fill_next < len(self._blocks):
            self._schedule_fill()

    def on_mount(self) -> None:
        super().on_mount()
        if self._blocks:
            self._schedule_fill()
