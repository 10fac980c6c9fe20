"""The keys every list-like widget of ours moves its cursor with (the outline, the
search results): arrows, Home/End, Page Up/Down. Not shown in the key bar."""

from __future__ import annotations

from textual.binding import Binding

LIST_KEYS = [
    Binding("up", "cursor_up", "Up", show=False),
    Binding("down", "cursor_down", "Down", show=False),
    Binding("home", "first", "First", show=False),
    Binding("end", "last", "Last", show=False),
    Binding("pageup", "page_up", "Page up", show=False),
    Binding("pagedown", "page_down", "Page down", show=False),
]
