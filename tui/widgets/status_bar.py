"""The top line of every screen: who is learning, the open course and the sync state.

It reads them from the app when it renders (`learner`, `session`, `sync_state`,
`pending`, each looked up with a default); the app refreshes every bar when one of
them changes (`MoocApp.update_status`).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from packages.i18n import N_, _
from packages.safe_text import one_line

# The sync states the status line shows (sync/worker.py's labels, and the bridge's own).
SYNC_STATES = {
    "online": N_("online"),
    "offline": N_("offline"),
    "syncing": N_("syncing"),
    "login needed": N_("login needed"),
    "not approved": N_("not approved"),
}


class StatusBar(Static):
    """One line: learner, course, sync state (online/offline + pending statements)."""

    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def render(self) -> Text:
        app = self.app
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("mooc", style="bold")
        learner = getattr(app, "learner", None)
        if learner is not None:
            text.append(_("  learner: "))
            text.append(one_line(learner.name), style="bold")
        state = getattr(app, "sync_state", "offline")
        text.append(
            _("  │  {state} · {n} pending").format(state=_(SYNC_STATES.get(state, state)), n=getattr(app, "pending", 0))
        )
        session = getattr(app, "session", None)
        if session is not None:
            text.append("  │  ")
            text.append(one_line(session.course.title))
        return text
