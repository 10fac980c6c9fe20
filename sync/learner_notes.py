"""What plain mode tells a learner about their records (sync state, without the TUI).

`mooc play --plain` does not upload; the learner still has to know, as the TUI
tells them: where their course sends records and who approved it (they, or the
school: player/lab_policy.py), the approval the course waits for (asked the way
the TUI asks), how many records wait to be sent, and whether a certificate can be
requested. player/plain_records.py only says these sentences; this module finds the facts
(the certificate's: sync/certificate_offer.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from packages.errors import MoocError
from packages.layout import Layout


@dataclass
class RecordsNotes:
    """The `records` plain mode is given (player/plain_records.py `Records`)."""

    layout: Layout
    learner_id: str
    learner_name: str
    course_id: str
    pack_endpoint: str | None = None  # the course's own [sync] xapi_endpoint (the course is open already)
    interactive: bool = False  # a person at a terminal: plain mode asks for consent

    def _endpoint(self):  # -> Endpoint | None
        from sync.endpoints import resolve

        try:
            return resolve(self.layout, self.course_id, self.pack_endpoint)
        except MoocError:
            return None

    def approval(self) -> tuple[str | None, str | None]:
        """(host the course sends to, who approved it: "you", the school's name, or None)."""
        from player.lab_policy import load
        from sync.consent import Consent

        endpoint = self._endpoint()
        if endpoint is None:
            return None, None
        host = endpoint.host
        if any(a.host == host for a in Consent(self.layout, self.learner_id).list()):
            return host, "you"
        policy = load(self.layout)
        if host in policy.approved_hosts:
            return host, policy.who
        return host, None

    def allow(self, host: str) -> None:
        from sync.consent import Consent

        Consent(self.layout, self.learner_id).allow(host)

    def waiting(self) -> tuple[int, str | None, bool]:
        """(records of this learner and course not yet on the LRS, host, approved?):
        the events of their progress not confirmed stored by the LRS. Only reads."""
        from player.progress import EventLog
        from sync.outbox import Outbox

        endpoint = self._endpoint()
        if endpoint is None:
            return 0, None, False
        try:
            events = {e.id for e in EventLog.for_course(self.layout, self.learner_id, self.course_id).events()}
            outbox = Outbox(self.layout, endpoint)
            acks = outbox.acks()
            unsent: set[str] = set()
            on_lrs: set[str] = set()
            for entry in outbox.entries():
                if entry.event in events:
                    stored = entry.body is None or (entry.id in acks and acks[entry.id].state == "stored")
                    (on_lrs if stored else unsent).add(entry.event)
        except MoocError:
            return 0, endpoint.host, False
        return len(events - (on_lrs - unsent)), endpoint.host, self.approval()[1] is not None
