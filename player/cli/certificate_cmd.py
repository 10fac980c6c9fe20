"""`mooc certificate`: the learner's requests and certificates, and the provider's side
(see docs/certificates.md)."""

from __future__ import annotations

import argparse
from typing import Any

from packages.safe_text import clean, one_line
from player.cli import common

CERT_EPILOG = """\
examples:
  mooc certificate request stats-101   ask the provider for a certificate (sent with the next sync)
  mooc certificate status              queued / sent, per course
"""


def register(sub: Any) -> None:
    cert = common.add_subcommand(sub, "certificate", help="request a certificate, see requests' status",
                                 epilog=CERT_EPILOG)
    cert.set_defaults(func=lambda args: _help(cert))
    cactions = cert.add_subparsers(dest="certificate_command", metavar="ACTION", title="actions")
    c_req = common.add_subcommand(cactions, "request", help="request the certificate of a course you passed")
    c_req.add_argument("course", metavar="COURSE", help="course id")
    c_req.add_argument("--json", action="store_true", help="machine-readable output")
    c_req.set_defaults(func=cmd_certificate_request)
    c_st = common.add_subcommand(cactions, "status", help="your certificate requests: queued or sent")
    c_st.add_argument("course", metavar="COURSE", nargs="?", help="only this course")
    c_st.add_argument("--json", action="store_true", help="machine-readable output")
    c_st.set_defaults(func=cmd_certificate_status)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def _learner(args: argparse.Namespace) -> Any:
    return common.learner(args)  # asks the learner's PIN when they have one


def _say(text: str) -> None:
    print(clean(text, keep_newlines=False))


def cmd_certificate_request(args: argparse.Namespace) -> int:
    from sync.certificates import request

    layout = common.layout(args)
    learner = _learner(args)
    event, created = request(layout, learner, args.course)
    if args.json:
        common.print_json({"course": event.course_id, "version": event.course_version, "created": created,
                           "statement_id": event.id, "score": event.data.get("score"),
                           "evidence": len(event.data.get("evidence") or [])})
        return 0
    if created:
        _say(f"certificate requested for {event.course_id} {event.course_version} in the name of "
              f"{one_line(learner.name)}: score {float(event.data['score']) * 100:.0f}%, "
              f"{len(event.data.get('evidence') or [])} graded answer"
              f"{'s' if len(event.data.get('evidence') or []) != 1 else ''} as evidence")
        _say("it is sent with the next `mooc sync`; see `mooc certificate status`")
    else:
        _say(f"a certificate for {event.course_id} {event.course_version} was already requested on {event.time}")
    return 0


def cmd_certificate_status(args: argparse.Namespace) -> int:
    from sync.certificates import status

    layout = common.layout(args)
    learner = _learner(args)
    rows = status(layout, learner, args.course)
    if args.json:
        common.print_json({"learner": learner.id, "requests": [r.to_json() for r in rows]})
        return 0
    if not rows:
        _say("no certificate requested yet (`mooc certificate request COURSE` once you passed a course)")
        return 0
    for r in rows:
        _say(f"{r.course_id} {r.course_version}: {r.state} (requested {r.requested}, score {r.score * 100:.0f}%)"
              + (f": {one_line(r.detail)}" if r.detail else ""))
    return 0
