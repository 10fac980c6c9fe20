"""The bottom line of every screen: the keys that work here, and a click presses one.

Textual's `Footer` mounts a widget per key and rebuilds them all at every focus
change; on the course screen that cost ~20 ms of a big course's start. One widget
rendering one line of `Text` shows the same keys from the same source
(`Screen.active_bindings`, so remapped keys show as remapped).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.widget import Widget

from packages.i18n import N_, _
from tui.keymap import KEYS, key_bar_name

# Textual's own bindings that can show here, for the catalog: the command palette's
# ("palette", App) and the open drop-down's ("Dismiss menu", Select); shown through `_()`.
TEXTUAL_WORDS = (N_("palette"), N_("Dismiss menu"))
_ORDER = {k.id: (k.scope == "everywhere", n) for n, k in enumerate(KEYS)}  # this screen's keys first


class KeyBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--disabled {
        text-style: dim;
    }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--disabled"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str, bool]] = []  # start, end, key, enabled

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Any) -> None:
        self.refresh()

    def shown_keys(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """(key, key as displayed, description, enabled) for each action shown here,
        and the same for the command palette (shown on the right when it fits).
        Keys a focused text field would type are not among the active bindings, so
        there the hint shows as F2 rather than `h`."""
        active = self.screen.active_bindings
        palette_key = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        seen: set[str] = set()
        shown = []
        palette = None
        for key, (_node, binding, enabled, _tooltip) in active.items():
            entry = (binding.key, key_bar_name(self.app.get_key_display(binding)), _(binding.description), enabled)
            if key == palette_key:
                palette = entry
            elif binding.show and binding.action not in seen:
                seen.add(binding.action)
                shown.append((_ORDER.get(binding.id or "", (True, len(_ORDER))), entry))
        shown.sort(key=lambda pair: pair[0])  # a remapped key keeps its place (Textual lists it last)
        return [entry for _order, entry in shown], palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        dim = self.get_component_rich_style("key-bar--disabled", partial=True)
        width = self.size.width
        shown, palette = self.shown_keys()
        # " n Next " per entry; when that is too wide (longer remapped keys), "n Next ";
        # an entry that still does not fit is left out whole, never cut in half.
        pad = " " if sum(len(f" {d} {desc} ") for _k, d, desc, _e in shown) <= width else ""
        text = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []

        def add(entry: tuple[str, str, str, bool]) -> bool:
            key, display, description, enabled = entry
            label = f"{pad}{display} "
            if len(text) + len(label) + len(description) + 1 > width:
                return False
            start = len(text)
            text.append(label, key_style if enabled else key_style + dim)
            text.append(f"{description} ", None if enabled else dim)
            self._spans.append((start, len(text), key, enabled))
            return True

        for entry in shown:
            if not add(entry):
                break
        if palette is not None:
            room = width - len(text) - len(f"{pad}{palette[1]} {palette[2]} ")
            if room >= 1:
                text.append(" " * room)
                add(palette)
        return text

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
