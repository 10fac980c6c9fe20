"""The app's side of sending learning records (the sending itself is sync/worker.py's,
started through tui/sync_bridge.py): which host a course's records would go to that
the learner has not approved, asking them with buttons (once per host in a run, and
again on `y`), `y` itself (sync now), and the sync state the status bar shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.i18n import _

if TYPE_CHECKING:
    from textual.app import App

    _Host = App[Any]
else:
    _Host = object


class SyncConsent(_Host):
    """Mixed into `MoocApp`, which sets these attributes and has `say`, `push_screen`
    and `update_status`."""

    layout: Any  # packages.layout.Layout
    config: dict[str, Any]
    learner: Any  # player.learners.Learner
    session: Any  # player.session.CourseSession of the open course
    sync_enabled: bool
    sync_hook: Any  # set by the sync layer: callable(app) -> str message
    sync_state: str
    pending: int
    unapproved_hosts: list[str]
    _consent_asked: set[tuple[str, str]]

    if TYPE_CHECKING:  # MoocApp's, which this is mixed into

        def say(self, message: str, *, error: bool = False, timeout: float = 5) -> None: ...

        def update_status(self) -> None: ...

    def _attach_sync(self) -> None:
        if self.sync_enabled:
            from tui.sync_bridge import attach

            attach(self)  # background upload (sync/worker.py); never sends without consent

    def host_needing_consent(self, course: Any) -> str | None:
        """The host this course's records would go to, when the learner has not approved it."""
        if not self.sync_enabled or self.learner is None:
            return None
        if not course.xapi_endpoint and not self.config.get("sync"):
            return None  # nothing names an endpoint: records stay on this computer
        from sync.consent import Consent
        from sync.endpoints import resolve

        try:
            endpoint = resolve(self.layout, course.id, course.xapi_endpoint)
            if endpoint is None or Consent(self.layout, self.learner.id).allowed(endpoint.host):
                return None
        except MoocError as err:
            self.say(str(err), error=True)
            return None
        return endpoint.host

    def ask_consent(self, host: str) -> None:
        """Ask the learner, with buttons only, whether their records may go to `host`."""
        from tui.screens.dialog import consent_dialog

        learner = self.learner
        self._consent_asked.add((learner.id, host))
        self.push_screen(
            consent_dialog(host, learner.name), lambda choice: self._consent_answered(host, learner, choice)
        )

    def _consent_answered(self, host: str, learner: Any, choice: str | None) -> None:
        if choice != "allow":
            self.say(_("Nothing is sent to {host}. Press y when you want to be asked again.").format(host=host))
            return
        from sync.consent import Consent

        try:
            Consent(self.layout, learner.id).allow(host)
        except MoocError as err:
            self.say(str(err), error=True)
            return
        self.say(_("Your records will be sent to {host}.").format(host=host))
        bridge = getattr(self, "_sync_bridge", None)
        if bridge is not None:
            bridge.consent_given()

    def action_sync_now(self) -> None:
        """Upload progress now; first ask about a host the learner has not approved.
        The sync layer sets `sync_hook`; until then say so."""
        host = self.host_needing_consent(self.session.course) if self.session is not None else None
        if host is None:
            host = next(iter(self.unapproved_hosts), None)
        if host is not None:
            self.ask_consent(host)
            return
        if self.sync_hook is None:
            self.say(_("sync is not set up"))
            return
        try:
            message = self.sync_hook(self)
        except MoocError as err:
            self.say(str(err), error=True)
            return
        if message:
            self.say(str(message))

    def set_sync_status(self, state: str, pending: int) -> None:
        """For the sync layer: 'online'/'offline' and statements waiting to upload."""
        self.sync_state = state
        self.pending = pending
        self.update_status()
