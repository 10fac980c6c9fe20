"""Certificate requests: evidence the provider can re-grade, sent like any statement.

When a learner passed a course that offers a certificate, `request()` records ONE
`certificate_requested` event per course version (player/events.py) holding the
learner's name and email as they entered them, the course score and threshold, the
best score per graded quiz and the statement ids of every graded attempt's answers
(the evidence). It becomes a statement in the outbox (sync/statements.py) and goes
out with the next sync; `status()` tells queued / sent / set aside per course.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packages.errors import MoocError
from packages.layout import Layout
from player.events import Event


@dataclass(frozen=True)
class CertificateRequest:
    course_id: str
    course_version: str
    requested: str
    score: float
    state: str  # "queued" | "sent" | "set aside" | "local only" | "waiting for approval"
    endpoint: str | None
    detail: str = ""
    event_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"course": self.course_id, "version": self.course_version, "requested": self.requested,
                "score": self.score, "state": self.state, "endpoint": self.endpoint, "detail": self.detail,
                "statement_id": self.event_id}


def _session(layout: Layout, learner: Any, course_id: str) -> Any:
    from packages.store import Store
    from player.progress import EventLog
    from player.session import CourseSession

    course, source = Store(layout).load(course_id)
    log = EventLog.for_course(layout, learner.id, course.id)
    return CourseSession(course, source, log, learner, enroll=False), log


def request(layout: Layout, learner: Any, course_id: str) -> tuple[Event, bool]:
    """(the request event, created now?). Refuses, with every reason, when not eligible."""
    session, log = _session(layout, learner, course_id)
    course = session.course
    status = session.certificate_status()
    if not status.eligible:
        raise MoocError(f"{course.id}: no certificate yet: " + "; ".join(status.reasons))
    for e in log.events():
        if e.type == "certificate_requested" and e.course_version == course.version:
            return e, False
    evidence = session.evidence()
    event = Event(
        type="certificate_requested",
        course_id=course.id,
        course_version=course.version,
        data={
            "score": round(session.course_score(), 6),
            "threshold": course.pass_threshold,
            "quizzes": evidence["quizzes"],
            "evidence": evidence["evidence"],
            "learner_name": learner.name,
            "learner_email": learner.email,
        },
    )
    log.append(event)
    return event, True


def status(layout: Layout, learner: Any, course_id: str | None = None) -> list[CertificateRequest]:
    from player.progress import EventLog, iter_logs
    from sync.collect import endpoint_for
    from sync.consent import may_send
    from sync.outbox import Outbox

    out: list[CertificateRequest] = []
    for lid, cid, _path in iter_logs(layout):
        if lid != learner.id or (course_id and cid != course_id):
            continue
        requests = [e for e in EventLog.for_course(layout, lid, cid).events() if e.type == "certificate_requested"]
        if not requests:
            continue
        no_endpoint = "the course names no LRS endpoint"
        try:
            endpoint = endpoint_for(layout, cid)
        except MoocError as err:
            endpoint, no_endpoint = None, str(err)
        acks = Outbox(layout, endpoint).acks() if endpoint else {}
        for e in requests:
            score = float(e.data.get("score") or 0.0)
            detail = ""
            if endpoint is None:
                state = "local only"
                detail = no_endpoint
            elif e.id in acks and acks[e.id].state == "stored":
                state = "sent"
            elif e.id in acks:
                state = "set aside"
                detail = acks[e.id].reason
            elif not may_send(layout, lid, endpoint.host):
                state = "waiting for approval"
                detail = f"approve {endpoint.host} with `mooc consent allow {endpoint.host}`"
            else:
                state = "queued"
            out.append(CertificateRequest(cid, e.course_version, e.time, score, state,
                                          endpoint.url if endpoint else None, detail, e.id))
    return out
