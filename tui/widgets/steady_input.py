"""A one-line `Input` whose typing repaints the field only, not the whole screen.

Textual's `Input` sets its virtual width to the text's width + 1 on every change, and a
new virtual size lays the whole screen out again (and, under a dialog, the screen below
it): 3-5 ms a keystroke here, several times that on a lab's old PC, before the letter
shows. While the text fits, that width changes nothing the learner sees: the field
never scrolls. `SteadyInput` counts its virtual width as at least the field's own, so
typing within the field keeps the same virtual size and lays nothing out; a text wider
than the field scrolls as Textual's does.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.widgets import Input


class SteadyInput(Input):
    @property
    def content_width(self) -> int:
        return max(super().content_width, self.content_size.width)

    def on_resize(self, event: events.Resize) -> None:
        """A narrower field may now have to scroll a text it showed whole."""
        self.virtual_size = Size(self.content_width, 1)
