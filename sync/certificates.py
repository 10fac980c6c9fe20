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
from typing import Any, TypedDict

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from player.events import PROVIDER_EVENT_TYPES, Event


@dataclass(frozen=True)
class CertificateRequest:
    course_id: str
    course_version: str
    requested: str
    score: float
    # "issued" | "refused" | "queued" | "sent" | "set aside" | "local only" | "waiting for approval"
    # | "issued, but it does not verify"
    state: str
    endpoint: str | None
    detail: str = ""
    event_id: str = ""
    credential: str | None = None  # the signed VC-JWT, once issued
    answered: str | None = None  # when the provider answered

    def to_json(self) -> dict[str, Any]:
        return {
            "course": self.course_id,
            "version": self.course_version,
            "requested": self.requested,
            "score": self.score,
            "state": self.state,
            "endpoint": self.endpoint,
            "detail": self.detail,
            "statement_id": self.event_id,
            "answered": self.answered,
            "credential": self.credential,
        }


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
        raise MoocError(
            _("{course_id}: no certificate yet: {reasons}").format(
                course_id=course.id, reasons="; ".join(status.reasons)
            )
        )
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


class _Asked(TypedDict):
    """The fields of a CertificateRequest that the request and its answer give, whatever the answer."""

    course_id: str
    course_version: str
    requested: str
    score: float
    endpoint: str | None
    event_id: str
    answered: str | None


def _answered(
    layout: Layout, learner: Any, request: Event, answer: Event, score: float, endpoint: str | None
) -> CertificateRequest:
    """The provider's answer: a refusal with its reason, or a credential checked against
    the issuer the installed pack names (anyone who can write to the LRS can post an
    answer; only the issuer's key makes one that verifies)."""
    row = _Asked(
        course_id=request.course_id,
        course_version=request.course_version,
        requested=request.time,
        score=score,
        endpoint=endpoint,
        event_id=request.id,
        answered=answer.time,
    )
    if answer.type == "certificate_refused":
        return CertificateRequest(state="refused", detail=str(answer.data.get("reason") or ""), **row)
    token = str(answer.data.get("credential") or "")
    problem = credential_problem(layout, request.course_id, token, learner_subject(learner))
    if problem:
        return CertificateRequest(state="issued, but it does not verify", detail=problem, credential=token, **row)
    return CertificateRequest(state="issued", credential=token, **row)


def course_issuer(layout: Layout, course_id: str) -> str | None:
    """The certificate issuer (did:key) the installed pack of `course_id` names."""
    from packages.store import Store

    try:
        course, _source = Store(layout).load(course_id)
    except MoocError:
        return None
    return course.certificate_issuer


def learner_subject(learner: Any) -> str:
    """What a credential for this learner names as its subject (sync/credential.py)."""
    email = getattr(learner, "email", None)
    return f"mailto:{email}" if email else f"urn:mooc:account:{getattr(learner, 'account_id', '')}"


def credential_problem(layout: Layout, course_id: str, token: str, subject: str | None = None) -> str | None:
    from sync.credential import verify

    issuer = course_issuer(layout, course_id)
    if issuer is None:
        return f"the installed pack of {course_id} names no certificate issuer to check it against"
    try:
        verify(token, "the credential", issuer=issuer, course_id=course_id, learner=subject)
    except MoocError as err:
        return str(err)
    return None


def status(layout: Layout, learner: Any, course_id: str | None = None) -> list[CertificateRequest]:
    from player.progress import EventLog
    from player.progress_files import iter_logs
    from sync.collect import endpoint_for
    from sync.consent import may_send
    from sync.outbox import Outbox

    out: list[CertificateRequest] = []
    for lid, cid, _path in iter_logs(layout):
        if lid != learner.id or (course_id and cid != course_id):
            continue
        events = EventLog.for_course(layout, lid, cid).events()
        requests = [e for e in events if e.type == "certificate_requested"]
        if not requests:
            continue
        answers = {str(e.data.get("request")): e for e in events if e.type in PROVIDER_EVENT_TYPES}
        no_endpoint = "the course names no LRS endpoint"
        try:
            endpoint = endpoint_for(layout, cid)
        except MoocError as err:
            endpoint, no_endpoint = None, str(err)
        acks = Outbox(layout, endpoint).acks() if endpoint else {}
        for e in requests:
            score = float(e.data.get("score") or 0.0)
            detail = ""
            answer = answers.get(e.id)
            if answer is not None:
                out.append(_answered(layout, learner, e, answer, score, endpoint.url if endpoint else None))
                continue
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
            out.append(
                CertificateRequest(
                    cid, e.course_version, e.time, score, state, endpoint.url if endpoint else None, detail, e.id
                )
            )
    return out
