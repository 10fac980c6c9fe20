"""Where the learner stands with the certificate of one course, in words both UIs show.

The progress screen (`g`) and plain mode's `progress` and `certificate` commands
read this one rule: not eligible yet (the reasons), eligible but the course names
no learning record store (so there is nowhere to send a request: say so, never
promise to send it), eligible and not requested (offer the request), requested
(its state: waiting for the learner's approval of the host, queued, sent, set
aside), then the provider's answer (issued, with how to save it; refused, with the
reason). No UI keys in the words: each UI adds its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from packages.safe_text import one_line


@dataclass(frozen=True)
class CertificateOffer:
    can_request: bool  # eligible, an LRS named, not requested yet for this version
    # of this version's request: "queued", "sent", "set aside", "waiting for approval", "issued", "refused"
    state: str | None
    lines: tuple[str, ...]


def certificate_offer(layout: Layout, learner: Any, session: Any) -> CertificateOffer:
    from sync.certificates import status
    from sync.collect import endpoint_for

    course = session.course
    cert = session.certificate_status()
    if not cert.eligible:
        return CertificateOffer(False, None, (_("Certificate: not yet."), *(f"- {r}" for r in cert.said)))
    try:
        endpoint = endpoint_for(layout, course.id)
    except MoocError as err:
        return CertificateOffer(
            False, None, (_("Certificate: you passed, but {problem}").format(problem=one_line(str(err))),)
        )
    if endpoint is None:
        return CertificateOffer(
            False,
            None,
            (
                _(
                    "Certificate: you passed. This course names no learning record store, so there is "
                    "nowhere to send a certificate request; your result is recorded on this computer."
                ),
            ),
        )
    requests = [r for r in status(layout, learner, course.id) if r.course_version == course.version]
    if not requests:
        return CertificateOffer(
            True,
            None,
            (
                _(
                    "Certificate: you passed and can request it. The request goes to {host} "
                    "in the name of {name}, with your scores as evidence."
                ).format(host=endpoint.host, name=one_line(learner.name)),
            ),
        )
    req = requests[-1]
    when = req.requested[:10]
    if req.state == "issued":
        return CertificateOffer(False, req.state, _issued_lines(req, course.id))
    said = {
        "waiting for approval": _(
            "Certificate: requested on {when}; it waits until you allow sending your records to {host}."
        ),
        "queued": _("Certificate: requested on {when}; it goes to {host} with the next sync."),
        "sent": _("Certificate: requested on {when} and sent to {host}; the course team issues it from there."),
        "set aside": _("Certificate: requested on {when}, but {host} set it aside: {detail}"),
        "refused": _("Certificate: requested on {when}; the course team refused it: {detail}"),
        "issued, but it does not verify": _("Certificate: an answer came back, but it does not verify: {detail}"),
    }.get(req.state, _("Certificate: requested on {when} ({state})."))
    line = said.format(when=when, host=endpoint.host, detail=one_line(req.detail), state=req.state)
    return CertificateOffer(False, req.state, (line,))


def _issued_lines(req: Any, course_id: str) -> tuple[str, ...]:
    from sync.credential import verify

    shown = verify(req.credential, course_id, issuer=None)  # status() checked it against the pack's issuer
    return (
        _("Certificate: issued on {date} by {issuer} to {name}, score {score}.").format(
            date=f"{shown.issued_at:%Y-%m-%d}",
            issuer=one_line(shown.issuer_name),
            name=one_line(shown.learner_name),
            score=one_line(shown.score),
        ),
        _("Save it: {command}").format(
            command=f"mooc certificate export {course_id} -o {course_id}.jwt --pdf {course_id}.pdf"
        ),
    )


def request_certificate(layout: Layout, learner: Any, course_id: str) -> str:
    """Record the request (sync/certificates.py); one line saying what happens next."""
    from sync.certificates import request

    event, created = request(layout, learner, course_id)
    if not created:
        return _("Your certificate was already requested on {date}.").format(date=event.time[:10])
    return _("Certificate requested: it is sent with the next sync.")
