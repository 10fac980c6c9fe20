"""The top line of every screen: who is learning, the open course and the sync state.

It reads them from the app when it renders (`learner`, `session`, `sync_state`,
`pending`, each looked up with a default); the app refreshes every bar when one of
them changes (`MoocApp.update_status`).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from packages.safe_text import one_line


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
            text.append("  learner: ")
            text.append(one_line(learner.name), style="bold")
        text.append(f"  │  {getattr(app, 'sync_state', 'offline')} · {getattr(app, 'pending', 0)} pending")
        session = getattr(app, "session", None)
        if session is not None:
            text.append("  │  ")
            text.append(one_line(session.course.title))
        return text
