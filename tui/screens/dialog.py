"""A question that needs a deliberate answer: buttons, never a single letter.

Used for what must not happen by accident: sending learning records somewhere
(consent), submitting an incomplete or last quiz attempt, throwing an attempt's
answers away. A letter typed while the question is due (the `y` of "sync now",
the `n` of a word being typed into an answer) does nothing here: only a button
chosen with Tab and Enter/Space, or a click, answers. Esc always takes the safe
answer. The app's own keys (`y`, `g`, `?`...) are off while it shows
(`MoocApp.check_action` reads `BLOCKS_APP_KEYS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from packages.i18n import _
from packages.safe_text import one_line
from tui import keymap
from tui.text_fill import fill


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    variant: str = "default"  # Textual button variant: "default", "primary", "warning", "error"


class ChoiceDialog(ModalScreen[str]):
    """Dismisses with the chosen `Choice.value`; Esc dismisses with `safe`.

    `focus` names the button focused at first, or None: then nothing is focused and
    Enter does nothing until the learner moves to a button (consent)."""

    BINDINGS = keymap.scope("dialogs")
    BLOCKS_APP_KEYS = True
    AUTO_FOCUS = ""  # never the first button by itself: see `focus`
    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; }
    ChoiceDialog > Vertical { width: 72; max-width: 100%; height: auto; max-height: 100%;
                              border: thick $accent; background: $surface; padding: 0 1; }
    ChoiceDialog .dialog-title { text-style: bold; margin-bottom: 1; }
    ChoiceDialog .dialog-buttons { height: auto; margin-top: 1; align-horizontal: center; }
    ChoiceDialog .dialog-buttons Button { margin: 0 1; }
    ChoiceDialog .dialog-how { color: $text-muted; }
    """

    def __init__(
        self,
        title: str,
        body: RenderableType,
        choices: list[Choice],
        *,
        safe: str,
        focus: str | None,
        how: str | None = None,
    ) -> None:
        """`how`: the line under the buttons; by default how to answer, Esc naming the safe choice."""
        super().__init__()
        self.title_text = title
        self.body = body
        self.choices = choices
        self.safe = safe
        self.first_focus = focus
        safe_label = next((c.label for c in choices if c.value == safe), safe)
        self.how = (
            how if how is not None else _("Tab: move to a button · Enter: choose · Esc: {safe}").format(safe=safe_label)
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Static(self.body, id="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                for choice in self.choices:
                    yield Button(choice.label, id=f"choice-{choice.value}", variant=choice.variant)  # type: ignore[arg-type]
            yield Static(Text(self.how), classes="dialog-how")

    def on_mount(self) -> None:
        if self.first_focus is not None:
            self.query_one(f"#choice-{self.first_focus}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss((event.button.id or "").removeprefix("choice-") or self.safe)

    def action_close(self) -> None:
        self.dismiss(self.safe)


def consent_dialog(host: str, learner_name: str) -> ChoiceDialog:
    """ "Send your learning records?" Nothing is focused at first: a key typed by
    accident (Enter included) cannot allow it. Dismisses with "allow" or "deny"."""
    body = fill(
        _(
            "Your course wants to send {name}'s progress (lessons done, quiz answers and scores) to\n\n    {host}"
            "\n\nNothing is sent until you allow it. You can withdraw it later with\n"
            "`mooc consent revoke {host_plain}`."
        ),
        name=Text(one_line(learner_name), style="bold"),
        host=Text(one_line(host), style="bold"),
        host_plain=one_line(host),
    )
    return ChoiceDialog(
        _("Send your learning records?"),
        body,
        [Choice("deny", _("Not now")), Choice("allow", _("Allow sending"), "primary")],
        safe="deny",
        focus=None,
    )
