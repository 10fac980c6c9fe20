"""A lesson viewer that opens a lesson of any length at once.

Textual's `Markdown` widget builds one widget per block and takes ~10 s on a
2,000-line lesson. This viewer is a line-API `ScrollView`: the lesson is split
into blocks (tui/lesson_blocks.py), each rendered to strips by Rich's Markdown
only when it is needed, and cached per width. Blocks not yet rendered count with
an estimated height; an idle-time filler renders the rest in small batches so the
scrollbar settles, keeping the line at the top of the screen where it was.
"""

from __future__ import annotations

import time
from bisect import bisect_right

from rich.markdown import Markdown
from rich.segment import Segment
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from packages.safe_text import clean
from tui.lesson_blocks import Block, split_blocks

FILL_BUDGET_S = 0.012  # work per idle tick of the background filler


class LessonView(ScrollView, can_focus=True):
    """Shows one lesson's Markdown; `show(text)` replaces it."""

    DEFAULT_CSS = """
    LessonView {
        padding: 0 1;
        overflow-x: hidden;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._blocks: list[Block] = []
        self._heights: list[int] = []
        self._exact: list[bool] = []
        self._offsets: list[int] = [0]
        self._strips: dict[int, list[Strip]] = {}
        self._width = 0
        self._fill_next = 0
        self._fill_timer_pending = False
        self.text = ""
        self.end_seen = False  # the lesson's last line has been on screen

    # public API ---------------------------------------------------------
    def show(self, text: str) -> None:
        """Display `text` (untrusted Markdown): escapes are stripped, markup is not interpreted."""
        self.text = clean(text).replace("\r", "")
        self.end_seen = False
        self._blocks = split_blocks(self.text)
        self._reset_layout()
        self.scroll_to(0, 0, animate=False, immediate=True)

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

    def _reset_layout(self) -> None:
        self._width = self._content_width()
        self._strips.clear()
        self._heights = [self._estimate(b) for b in self._blocks]
        self._exact = [False] * len(self._blocks)
        self._recompute_offsets()
        self._sync_virtual_size()
        self._fill_next = 0
        self._schedule_fill()
        self.refresh()

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
        block = self._blocks[index]
        console = self.app.console
        options = console.options.update(width=self._width, height=None, highlight=False)
        markdown = Markdown(block.source, code_theme="ansi_dark", hyperlinks=False)
        lines = console.render_lines(markdown, options, style=self.rich_style, pad=True)
        strips = [Strip(line, self._width) for line in lines]
        if index < len(self._blocks) - 1:
            strips.append(Strip([Segment(" " * self._width, self.rich_style)], self._width))
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
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        strip = self._line(int(self.scroll_y) + y)
        return strip.crop_extend(0, self.size.width, self.rich_style)

    # background filler --------------------------------------------------
    def _schedule_fill(self) -> None:
        if not self._fill_timer_pending and self.is_mounted:
            self._fill_timer_pending = True
            self.set_timer(0.05, self._fill)

    def _fill(self) -> None:
        self._fill_timer_pending = False
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
