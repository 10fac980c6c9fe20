"""`o`: the links and media of the open lesson. Enter on a link to another lesson or
quiz goes there; on a file or web page, the system viewer opens it (or the learner is
told where it is, when nothing can open it)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from packages.i18n import N_, _
from packages.safe_text import one_line
from tui import keymap
from tui.lesson_links import Link

LINK_KINDS = {"lesson": N_("lesson"), "quiz": N_("quiz"), "image": N_("image"), "file": N_("file"), "web": N_("web")}


class MediaScreen(ModalScreen[Any]):
    """Dismisses with the chosen Link, or None."""

    BINDINGS = keymap.scope("dialogs")

    def __init__(self, links: list[Link], items: list[str | None] | None = None) -> None:
        super().__init__()
        self.links = links
        self.items = items or [None] * len(links)  # "lesson"/"quiz" for a link to a course item

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(_("Links and media in this lesson (Enter: open or go there, Esc: close)"), style="bold"))
            options = OptionList(id="links")
            for link, item_kind in zip(self.links, self.items):
                kind = item_kind or ("image" if link.is_image else ("file" if link.is_local else "web"))
                label = Text(f"[{_(LINK_KINDS.get(kind, kind))}] ")
                label.append(one_line(link.text) or _("(no text)"), style="bold")
                label.append(f"  {one_line(link.target)}", style="dim")
                options.add_option(Option(label))
            yield options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
