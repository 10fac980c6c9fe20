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
        return CertificateOffer(False, None, (f"Certificate: you passed, but {one_line(str(err))}",))
    if endpoint is None:
        return CertificateOffer(
            False,
            None,
            (
                "Certificate: you passed. This course names no learning record store, so there is "
                "nowhere to send a certificate request; your result is recorded on this computer.",
            ),
        )
    requests = [r for r in status(layout, learner, course.id) if r.course_version == course.version]
    if not requests:
        return CertificateOffer(
            True,
            None,
            (
                f"Certificate: you passed and can request it. The request goes to {endpoint.host} "
                f"in the name of {one_line(learner.name)}, with your scores as evidence.",
            ),
        )
    req = requests[-1]
    when = req.requested[:10]
    if req.state == "issued":
        return CertificateOffer(False, req.state, _issued_lines(req, course.id))
    said = {
        "waiting for approval": f"requested on {when}; it waits until you allow sending your records to "
        f"{endpoint.host}.",
        "queued": f"requested on {when}; it goes to {endpoint.host} with the next sync.",
        "sent": f"requested on {when} and sent to {endpoint.host}; the course team issues it from there.",
        "set aside": f"requested on {when}, but {endpoint.host} set it aside: {one_line(req.detail)}",
        "refused": f"requested on {when}; the course team refused it: {one_line(req.detail)}",
        "issued, but it does not verify": f"an answer came back, but it does not verify: {one_line(req.detail)}",
    }.get(req.state, f"requested on {when} ({req.state}).")
    return CertificateOffer(False, req.state, (f"Certificate: {said}",))


def _issued_lines(req: Any, course_id: str) -> tuple[str, ...]:
    from sync.credential import verify

    shown = verify(req.credential, course_id, issuer=None)  # status() checked it against the pack's issuer
    return (
        f"Certificate: issued on {shown.issued_at:%Y-%m-%d} by {one_line(shown.issuer_name)} to "
        f"{one_line(shown.learner_name)}, score {one_line(shown.score)}.",
        f"Save it: mooc certificate export {course_id} -o {course_id}.jwt --pdf {course_id}.pdf",
    )


def request_certificate(layout: Layout, learner: Any, course_id: str) -> str:
    """Record the request (sync/certificates.py); one line saying what happens next."""
    from sync.certificates import request

    event, created = request(layout, learner, course_id)
    if not created:
        return f"Your certificate was already requested on {event.time[:10]}."
    return "Certificate requested: it is sent with the next sync."
