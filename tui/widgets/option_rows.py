"""Options shown as wrapped, rendered Markdown with a mark before each: the base of
the quiz's choice lists and order lists.

Textual's RadioButton/SelectionList cut a long option to one line with "…", show
Markdown as its source, and tell "chosen" from "not chosen" by shade alone (lost
with NO_COLOR). Here each option wraps under its mark, inline Markdown renders (the
text is course text: cleaned, never markup), and the marks are glyphs: the cursor
`›` shows only while the list has the focus (a focus marker that needs no colour).
"""

from __future__ import annotations

from rich.markdown import Markdown
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from packages.safe_text import clean
from tui.symbols import glyphs


def markdown_lines(console: object, source: str, width: int) -> list[Text]:
    """Course Markdown rendered by Rich at `width`, as one `Text` per line (no blank
    lines around it)."""
    from rich.console import Console

    assert isinstance(console, Console)
    options = console.options.update(width=max(1, width), height=None, highlight=False)
    markdown = Markdown(clean(source), hyperlinks=False, code_theme="ansi_dark")
    lines = [
        Text.assemble(*((seg.text, seg.style or "") for seg in line if not seg.control))
        for line in console.render_lines(markdown, options, pad=False)
    ]
    for line in lines:
        line.rstrip()
    while lines and not lines[-1].plain:
        lines.pop()
    while lines and not lines[0].plain:
        lines.pop(0)
    return lines or [Text("")]


class OptionRows(Widget, can_focus=True):
    """Rows of course text with a prefix each (`prefix(row)`), a cursor, and a click
    that moves the cursor (`clicked(row)` says what else it does)."""

    DEFAULT_CSS = """
    OptionRows { height: auto; padding: 0 1 0 0; }
    OptionRows:focus > .option-rows--cursor {
        color: $block-cursor-foreground; background: $block-cursor-background; text-style: bold;
    }
    OptionRows:nocolor:focus > .option-rows--cursor { text-style: bold reverse; }
    """
    COMPONENT_CLASSES = {"option-rows--cursor"}

    cursor: reactive[int] = reactive(0)

    def __init__(self, labels: list[str], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.labels = list(labels)
        self._markdown: dict[tuple[int, int], list[Text]] = {}  # (label, width) -> lines

    # ------------------------------------------------------------------ for subclasses
    def row_label(self, row: int) -> int:
        """Which label shows in `row`."""
        return row

    def prefix(self, row: int) -> Text:
        raise NotImplementedError

    def clicked(self, row: int) -> None:
        """A click on `row` (the cursor is there already)."""

    # ------------------------------------------------------------------ rendering
    def _label_lines(self, label: int, width: int) -> list[Text]:
        key = (label, width)
        if key not in self._markdown:
            self._markdown[key] = markdown_lines(self.app.console, self.labels[label], width)
        return self._markdown[key]

    def lines(self, width: int) -> list[tuple[int, Text]]:
        """(row, line) for every screen line at `width`."""
        out: list[tuple[int, Text]] = []
        cursor_style = self.get_component_rich_style("option-rows--cursor", partial=True)
        for row in range(len(self.labels)):
            prefix = self.prefix(row)
            here = row == self.cursor and self.has_focus and not self.disabled  # no focus, no cursor
            first_mark = glyphs()["cursor"] if here else " "
            for n, line in enumerate(self._label_lines(self.row_label(row), max(1, width - len(prefix) - 2))):
                text = Text(f"{first_mark} " if n == 0 else "  ")
                text.append_text(prefix if n == 0 else Text(" " * len(prefix)))
                if here:
                    line = line.copy()
                    line.stylize(cursor_style if isinstance(cursor_style, Style) else Style())
                text.append_text(line)
                out.append((row, text))
        return out

    def render(self) -> Text:
        width = self.content_size.width or 40
        return Text("\n").join(line for _row, line in self.lines(width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width)) if width else 0

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._markdown.clear()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.disabled:
            return
        lines = self.lines(self.content_size.width)
        if 0 <= offset.y < len(lines):
            self.cursor = lines[offset.y][0]
            self.clicked(self.cursor)
            self.refresh()

    def action_cursor_down(self) -> None:
        self.cursor = min(len(self.labels) - 1, self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.cursor = max(0, self.cursor - 1)
