"""Connects the engine's background sync (sync/worker.py) to the TUI.

`attach(app)` (called when the learner is known) starts one `SyncWorker` thread,
feeds its status into the status bar (online/offline, pending count, "not
approved" when this learner has not approved a host their course names), and
makes the `y` key (`action_sync_now`) wake it and then say how the round ended.
It never asks for consent itself: a question popping up while the learner types
would catch stray keys. The app asks when a course opens (tui/sync_consent.py),
and again when the learner presses `y`. The worker thread never touches widgets:
it hands each status to the UI thread with `call_from_thread`.
"""

from __future__ import annotations

from typing import Any

from packages.i18n import _, ngettext
from packages.safe_text import one_line


class SyncBridge:
    def __init__(self, app: Any) -> None:
        from sync.worker import SyncWorker

        self.app = app
        self.report = ""  # "" | "asked": `y` was pressed | "running": its round started
        self.told_login: set[str] = set()  # endpoints whose refused credentials we told about
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
            self.app.say(
                _("{who} approved sending learning records to {hosts} for every learner of this computer.").format(
                    who=policy.who, hosts=hosts
                ),
                timeout=8,
            )

    def learner_changed(self, learner: Any) -> None:
        self.worker.set_learner(getattr(learner, "id", None))

    def sync_now(self, app: Any) -> str:
        self.report = "asked"
        self.worker.sync_now()
        return _("Syncing…")

    def consent_given(self) -> None:
        self.report = "asked"
        self.worker.sync_now()

    def stop(self) -> None:
        self.worker.stop(timeout=2.0)

    def _from_worker(self, status: Any) -> None:
        try:
            self.app.call_from_thread(self._show, status)
        except RuntimeError:  # the app is gone
            pass

    def _show(self, status: Any) -> None:
        hosts = list(status.hosts_needing_consent)  # this learner's only: others' are theirs to approve
        self.app.unapproved_hosts = hosts
        self.app.set_sync_status("not approved" if hosts and not status.syncing else status.label, status.pending)
        for url in status.needs_login:
            if url not in self.told_login:
                self.told_login.add(url)
                self.app.say(
                    _(
                        "The LRS refused the credentials for {url}: nothing more is sent there "
                        "until you run `mooc login {url} --user NAME` in a shell."
                    ).format(url=one_line(url)),
                    error=True,
                    timeout=15,
                )
        if status.syncing:
            if self.report == "asked":
                self.report = "running"
            return
        if self.report == "running":
            self.report = ""
            message, error = outcome(status)
            self.app.say(message, error=error, timeout=8)


def outcome(status: Any) -> tuple[str, bool]:
    """What a finished round did, in one sentence (and whether it is an error)."""
    if status.last_error:
        return _("Sync failed: {error}. Your records are kept here; mooc tries again later.").format(
            error=status.last_error
        ), True
    if status.hosts_needing_consent:
        return (
            _("Nothing was sent: you have not allowed sending to {hosts}. Press y to be asked.").format(
                hosts=", ".join(status.hosts_needing_consent)
            ),
            False,
        )
    if status.online is False:
        return ngettext(
            "Offline: {n} record waits on this computer; mooc sends it when it is online.",
            "Offline: {n} records wait on this computer; mooc sends them when it is online.",
            status.pending,
        ).format(n=status.pending), False
    if status.stored:
        sent = ngettext("Sent {n} record.", "Sent {n} records.", status.stored).format(n=status.stored)
        if status.pending:
            sent = ngettext(
                "Sent {sent} record; {n} still to send.",
                "Sent {sent} records; {n} still to send.",
                status.stored,
            ).format(sent=status.stored, n=status.pending)
        return sent, False
    return _("Nothing was waiting to be sent: everything is up to date."), False


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
