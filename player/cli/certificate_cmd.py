"""`mooc certificate`: the learner's requests and certificates, and the provider's side
(see docs/certificates.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from packages.i18n import N_, _, ngettext
from packages.safe_text import clean, one_line
from player.cli import common

CERT_EPILOG = N_("""\
A learner who passed asks for a certificate; the request goes out with the next
sync; the course provider re-grades it and answers (`mooc certificate issue`); the
answer comes back with `mooc sync --pull`. Read `mooc docs certificates`.

examples:
  mooc certificate request stats-101   ask the provider for a certificate (sent with the next sync)
  mooc certificate status              issued / refused / sent / queued, per course
  mooc certificate show stats-101      your certificate, in the terminal
  mooc certificate export stats-101 -o stats-101.jwt    the signed file, for anyone to verify
  mooc certificate verify stats-101.jwt                 check one offline
provider:
  mooc certificate keygen -o issuer.pem
  mooc certificate issue --lrs URL --key issuer.pem --packs dist/
""")


# A request's state as the learner reads it (sync/certificates.py; --json keeps the key).
STATES = {
    "issued": N_("issued"),
    "issued, but it does not verify": N_("issued, but it does not verify"),
    "refused": N_("refused"),
    "local only": N_("local only"),
    "sent": N_("sent"),
    "set aside": N_("set aside"),
    "waiting for approval": N_("waiting for approval"),
    "queued": N_("queued"),
}


def register(sub: Any) -> None:
    cert = common.add_subcommand(
        sub,
        "certificate",
        help=_("certificates: request, status, show, export, verify; provider: keygen, issue"),
        epilog=_(CERT_EPILOG),
    )
    common.shows_help(cert)
    cactions = cert.add_subparsers(dest="certificate_command", metavar="ACTION", title=_("actions"))
    c_req = common.add_subcommand(cactions, "request", help=_("request the certificate of a course you passed"))
    c_req.add_argument("course", metavar="COURSE", help=_("course id"))
    c_req.add_argument("--json", action="store_true", help=_("machine-readable output"))
    c_req.set_defaults(func=cmd_certificate_request)
    c_st = common.add_subcommand(
        cactions, "status", help=_("your certificate requests: issued, refused, sent or queued")
    )
    c_st.add_argument("course", metavar="COURSE", nargs="?", help=_("only this course"))
    c_st.add_argument("--json", action="store_true", help=_("machine-readable output"))
    c_st.set_defaults(func=cmd_certificate_status)
    c_show = common.add_subcommand(cactions, "show", help=_("your certificate of a course, in the terminal"))
    c_show.add_argument("course", metavar="COURSE", help=_("course id"))
    c_show.add_argument("--json", action="store_true", help=_("machine-readable output"))
    c_show.set_defaults(func=cmd_certificate_show)
    c_exp = common.add_subcommand(
        cactions,
        "export",
        help=_("write your signed certificate to a file"),
        epilog=_(
            "examples:\n  mooc certificate export stats-101 -o stats-101.jwt\n"
            "  mooc certificate export stats-101 -o stats-101.json   with its content\n"
            "  mooc certificate export stats-101 --pdf stats-101.pdf  a page to print, "
            "with a QR code of the credential\n"
        ),
    )
    c_exp.add_argument("course", metavar="COURSE", help=_("course id"))
    c_exp.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help=_(".jwt: the credential alone; .json: with its content spelled out"),
    )
    c_exp.add_argument("--pdf", metavar="FILE", type=Path, help=_("a printable one-page certificate"))
    c_exp.set_defaults(func=cmd_certificate_export)
    from player.cli.certificate_provider import register_actions

    register_actions(cactions)


def _long_date(when: Any) -> str:
    """ "04 December 2026", as `%d %B %Y` wrote it, with the month translated."""
    from packages.local_dates import long_date

    return long_date(when)


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
        common.print_json(
            {
                "course": event.course_id,
                "version": event.course_version,
                "created": created,
                "statement_id": event.id,
                "score": event.data.get("score"),
                "evidence": len(event.data.get("evidence") or []),
            }
        )
        return 0
    if created:
        evidence = len(event.data.get("evidence") or [])
        _say(
            ngettext(
                "certificate requested for {course} {version} in the name of {name}: score {score}%, "
                "{n} graded answer as evidence",
                "certificate requested for {course} {version} in the name of {name}: score {score}%, "
                "{n} graded answers as evidence",
                evidence,
            ).format(
                course=event.course_id,
                version=event.course_version,
                name=one_line(learner.name),
                score=f"{float(event.data['score']) * 100:.0f}",
                n=evidence,
            )
        )
        _say(_("it is sent with the next `mooc sync`; see `mooc certificate status`"))
    else:
        _say(
            _("a certificate for {course} {version} was already requested on {time}").format(
                course=event.course_id, version=event.course_version, time=event.time
            )
        )
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
        _say(_("no certificate requested yet (`mooc certificate request COURSE` once you passed a course)"))
        return 0
    for r in rows:
        _say(
            _("{course} {version}: {state} (requested {time}, score {score}%)").format(
                course=r.course_id,
                version=r.course_version,
                state=_(STATES[r.state]) if r.state in STATES else r.state,
                time=r.requested,
                score=f"{r.score * 100:.0f}",
            )
            + (f": {one_line(r.detail)}" if r.detail else "")
        )
        if r.state == "issued":
            _say(
                _(
                    "  see it: mooc certificate show {course}; save it: mooc certificate export {course} -o {course}.jwt"
                ).format(course=r.course_id)
            )
    return 0


def _issued(args: argparse.Namespace) -> Any:
    """The learner's issued, verifying certificate of COURSE; MoocError saying where it stands."""
    from packages.errors import MoocError
    from sync.certificates import status

    layout = common.layout(args)
    rows = status(layout, _learner(args), args.course)
    good = [r for r in rows if r.state == "issued"]
    if good:
        return good[-1]
    if not rows:
        raise MoocError(
            _("{course}: no certificate requested (`mooc certificate request {course}`)").format(course=args.course)
        )
    last = rows[-1]
    hint = _("; get the provider's answer with `mooc sync --pull`") if last.state == "sent" else ""
    raise MoocError(
        _("{course}: no certificate yet: the request is {state}").format(
            course=args.course, state=_(STATES[last.state]) if last.state in STATES else last.state
        )
        + (f" ({one_line(last.detail)})" if last.detail else "")
        + hint
    )


def cmd_certificate_show(args: argparse.Namespace) -> int:
    from sync.certificates import learner_subject
    from sync.credential import verify

    row = _issued(args)
    learner = _learner(args)
    result = verify(row.credential, args.course, issuer=None, learner=learner_subject(learner), course_id=args.course)
    if args.json:
        common.print_json({**result.to_json(), "credential": row.credential})
        return 0
    from rich.panel import Panel
    from rich.text import Text

    body = Text()
    body.append(f"{one_line(result.learner_name)}\n", style="bold")
    body.append(
        _("passed {title} ({course} {version})").format(
            title=one_line(result.course_title), course=result.course_id, version=row.course_version
        )
        + "\n"
    )
    body.append(
        _("score {score}, issued {date}").format(score=one_line(result.score), date=_long_date(result.issued_at))
        + (_(", valid until {date}").format(date=_long_date(result.expires_at)) if result.expires_at else "")
        + "\n\n"
    )
    body.append(_("issued by {name}").format(name=one_line(result.issuer_name)) + f"\n{result.issuer}\n", style="dim")
    body.append(_("signature checked against the issuer the course pack names"), style="dim")
    common.console().print(Panel(body, title=_("Certificate"), expand=False))
    return 0


def cmd_certificate_export(args: argparse.Namespace) -> int:
    import json

    from packages.fsutil import write_atomic
    from sync.credential import payload_of

    if args.output is None and args.pdf is None:
        from packages.errors import UsageError

        raise UsageError(_("say where: -o FILE (.jwt or .json) and/or --pdf FILE"))
    row = _issued(args)
    out: Path | None = args.output
    if out is not None:
        if out.suffix.lower() == ".json":
            data = (
                json.dumps(
                    {"credential": row.credential, "content": payload_of(row.credential)}, ensure_ascii=False, indent=2
                )
                + "\n"
            )
        else:
            data = row.credential + "\n"
        write_atomic(out, data.encode("utf-8"))
        _say(_("wrote {file}: check it anywhere with `mooc certificate verify {file}`").format(file=out))
    if args.pdf is not None:
        import sys

        from player.certificate_pdf import render
        from sync.certificates import learner_subject
        from sync.credential import verify

        verified = verify(
            row.credential, args.course, issuer=None, learner=learner_subject(_learner(args)), course_id=args.course
        )
        pdf, notes = render(verified, row.credential, row.course_version)
        write_atomic(args.pdf, pdf)
        for note in notes:
            print(_("note: {message}").format(message=note), file=sys.stderr)
        _say(_("wrote {file}: a one-page certificate; its QR code holds the signed credential").format(file=args.pdf))
    return 0
