"""Connects the engine's background sync (sync/worker.py) to the TUI.

`attach(app)` (called when the learner is known) starts one `SyncWorker` thread,
feeds its status into the status bar (online/offline, pending count), makes the
`y` key (`action_sync_now`) wake it, and asks the learner, once per session, to
approve a host their course wants to send records to: a pack alone never makes
mooc send anything. The worker thread never touches widgets: it hands each
status to the UI thread with `call_from_thread`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from packages.safe_text import one_line


class ConsentScreen(ModalScreen[bool]):
    """Ask before the first record goes to a host. Returns True when approved."""

    DEFAULT_CSS = """
    ConsentScreen { align: center middle; }
    ConsentScreen > Vertical { width: 70; height: auto; border: thick $accent; background: $surface;
                               padding: 1 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Allow", id="consent-allow"),
        Binding("n,escape", "answer(False)", "Not now", id="consent-deny"),
    ]

    def __init__(self, host: str, learner_name: str) -> None:
        super().__init__()
        self.host = host
        self.learner_name = learner_name

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Send your learning records?\n\n", style="bold")
        text.append("Your course wants to send ")
        text.append(one_line(self.learner_name), style="bold")
        text.append("'s progress (lessons done, quiz answers and scores) to\n\n    ")
        text.append(one_line(self.host), style="bold")
        text.append("\n\nNothing is sent until you allow it. You can withdraw this later with\n"
                    f"`mooc consent revoke {one_line(self.host)}`.\n\n")
        text.append("[y] allow    [n] not now")
        with Vertical():
            yield Static(text, id="consent-text")

    def action_answer(self, allowed: bool) -> None:
        self.dismiss(allowed)


class SyncBridge:
    def __init__(self, app: Any) -> None:
        from sync.worker import SyncWorker

        self.app = app
        self.asked: set[str] = set()
        self.worker = SyncWorker(app.layout, learner_id=getattr(app.learner, "id", None))

    def start(self) -> None:
        self.app.sync_hook = self.sync_now
        self.worker.start(on_status=self._from_worker)
        self._school_note()

    def _school_note(self) -> None:
        """Learners see what the school approved for them (player/lab_policy.py)."""
        from player.lab_policy import load

        policy = load(self.app.layout)
        if policy.approved_hosts:
            hosts = ", ".join(one_line(h) for h in policy.approved_hosts)
            self.app.say(f"{policy.who} approved sending learning records to {hosts} for every learner of "
                         "this computer.", timeout=8)

    def learner_changed(self, learner: Any) -> None:
        self.asked.clear()
        self.worker.set_learner(getattr(learner, "id", None))

    def sync_now(self, app: Any) -> str:
        self.asked.clear()  # an explicit sync may ask again about a host declined earlier
        self.worker.sync_now()
        return "Syncing…"

    def stop(self) -> None:
        self.worker.stop(timeout=2.0)

    def _from_worker(self, status: Any) -> None:
        try:
            self.app.call_from_thread(self._show, status)
        except RuntimeError:  # the app is gone
            pass

    def _show(self, status: Any) -> None:
        state = status.label
        if status.waiting_consent and not status.pending and status.online is None:
            state = "not approved"
        self.app.set_sync_status(state, status.pending)
        hosts = [h for h in status.hosts_needing_consent if h not in self.asked]
        if hosts and not isinstance(self.app.screen, ConsentScreen):
            host = hosts[0]
            self.asked.add(host)
            learner = self.app.learner
            self.app.push_screen(ConsentScreen(host, getattr(learner, "name", "")),
                                 lambda ok: self._answered(host, learner, ok))

    def _answered(self, host: str, learner: Any, allowed: bool | None) -> None:
        if not allowed or learner is None:
            self.app.say(f"Nothing is sent to {host}. Press y to be asked again.")
            return
        from packages.errors import MoocError
        from sync.consent import Consent

        try:
            Consent(self.app.layout, learner.id).allow(host)
        except MoocError as err:
            self.app.say(str(err), error=True)
            return
        self.app.say(f"Your records will be sent to {host}.")
        self.worker.sync_now()


def attach(app: Any) -> SyncBridge:
    """Start (once) or retarget the background sync for the app's current learner."""
    bridge = getattr(app, "_sync_bridge", None)
    if bridge is None:
        bridge = SyncBridge(app)
        app._sync_bridge = bridge
        bridge.start()
    else:
        bridge.learner_changed(app.learner)
    return bridge


def detach(app: Any) -> None:
    bridge = getattr(app, "_sync_bridge", None)
    if bridge is not None:
        bridge.stop()
        app._sync_bridge = None
