"""`mooc certificate keygen | issue | verify`: the provider's side, and anyone's check
(docs/certificates.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from packages.i18n import N_, _, ngettext
from packages.safe_text import clean, one_line
from player.cli import common

KEYGEN_EPILOG = N_("""\
The key signs every certificate of the courses that name its issuer id. Keep it
like a password: readable by you only (mooc writes it 0600 and refuses to use it
otherwise), backed up offline. Anyone with it can issue your certificates; without
it you cannot issue more that verify against the packs you published.

examples:
  mooc certificate keygen -o ~/keys/stats-issuer.pem
  then add to each course's course.toml (and rebuild the pack):
    [certificate]
    issuer = "did:key:z6Mk..."       the id keygen printed
    issuer_name = "Open Stats School"
""")

ISSUE_EPILOG = N_("""\
Reads the certificate requests your learners' mooc sent to the LRS, re-grades
every answer against the answer key of the pack version each was taken on, and
answers each request in the LRS: a signed Open Badges 3.0 credential, or a refusal
with its reason. The learners get the answer with their next `mooc sync --pull`.
Run it as often as you like (a cron job): what was answered is never answered again,
and one learner gets one certificate per course major version (--reissue to give
another). A request whose pack you have not given waits for the next run.

It needs the provider's LRS credentials: `mooc login URL --user NAME` once.

examples:
  mooc certificate issue --lrs https://lrs.example.org/xAPI/ --key issuer.pem --packs dist/
  mooc certificate issue --lrs URL --key issuer.pem --packs stats-101-1.0.0.mooc --dry-run
  mooc certificate issue --lrs URL --key issuer.pem --packs dist/ --json > run.json
""")

VERIFY_EPILOG = N_("""\
Checks a certificate offline: the signature against the issuer id the course pack
names (the installed pack of the certificate's course, or --issuer), the validity
dates, and, with --issued-to / --course, whom and what it is for. Exit 0 when valid,
1 with one line saying why not.

examples:
  mooc certificate verify amina-stats-101.jwt
  mooc certificate verify cert.json --issuer did:key:z6Mk... --issued-to amina@example.org
""")


# What `issue` did with a request, as the provider reads it (sync/issuing.py; --json keeps the key).
DECISIONS = {
    "already answered": N_("already answered"),
    "pending": N_("pending"),
    "unreadable": N_("unreadable"),
}


def register_actions(cactions: Any) -> None:
    p = common.add_subcommand(
        cactions, "keygen", help=_("provider: make the key that signs your certificates"), epilog=_(KEYGEN_EPILOG)
    )
    p.add_argument("-o", "--output", metavar="KEYFILE", required=True, type=Path, help=_("where to write the key"))
    p.add_argument(
        "--force", action="store_true", help=_("overwrite an existing file (its certificates stop verifying)")
    )
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(func=cmd_keygen)

    p = common.add_subcommand(
        cactions, "issue", help=_("provider: answer the requests in your LRS with certificates"), epilog=_(ISSUE_EPILOG)
    )
    p.add_argument("--lrs", metavar="URL", required=True, help=_("the xAPI endpoint the courses send to"))
    p.add_argument("--key", metavar="KEYFILE", required=True, type=Path, help=_("the key `keygen` wrote"))
    p.add_argument(
        "--packs",
        metavar="PATH",
        action="append",
        type=Path,
        default=[],
        help=_("a .mooc, a pack folder, or a folder of them (repeat it); installed courses count too"),
    )
    p.add_argument("--dry-run", action="store_true", help=_("say what would be done; write nothing"))
    p.add_argument("--reissue", action="store_true", help=_("issue again to a learner who already has one"))
    p.add_argument("--valid-days", metavar="N", type=int, help=_("certificates expire after N days (default: never)"))
    p.add_argument("--restart", action="store_true", help=_("read every request again from the first"))
    p.add_argument(
        "--allow-insecure-http", action="store_true", help=_("allow a plain-http LRS that is not on this machine")
    )
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(func=cmd_issue)

    p = common.add_subcommand(cactions, "verify", help=_("check a certificate file offline"), epilog=_(VERIFY_EPILOG))
    p.add_argument("file", metavar="FILE", type=Path, help=_("a .jwt or .json certificate (`certificate export`)"))
    p.add_argument("--issuer", metavar="DID", help=_("the issuer id to check against (default: the course pack's)"))
    p.add_argument("--issued-to", metavar="EMAIL", help=_("it must be issued to this email (or urn:mooc:account:ID)"))
    p.add_argument("--course", metavar="COURSE", help=_("it must be for this course"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(func=cmd_verify)


def _say(text: str) -> None:
    print(clean(text, keep_newlines=False))


def cmd_keygen(args: argparse.Namespace) -> int:
    from sync.credential import generate_key

    did = generate_key(args.output, force=args.force)
    if args.json:
        common.print_json({"key": str(args.output), "issuer": did})
        return 0
    _say(_("wrote the issuer key {file} (readable by you only; back it up offline)").format(file=args.output))
    _say(_("issuer id: {did}").format(did=did))
    print(
        "\n"
        + _("add to each course's course.toml, then rebuild its pack:")
        + "\n\n[certificate]\n"
        + f'issuer = "{did}"\nissuer_name = "'
        + _("Your organisation")
        + '"'
    )
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    from sync.issuing import Options, Outcome, issue

    if args.valid_days is not None and args.valid_days < 1:
        from packages.errors import MoocError

        raise MoocError(_("--valid-days: give a number of days, at least 1"))
    layout = common.layout(args)
    options = Options(
        lrs=args.lrs,
        key=args.key,
        packs=list(args.packs),
        dry_run=args.dry_run,
        reissue=args.reissue,
        valid_days=args.valid_days,
        allow_insecure_http=args.allow_insecure_http,
        restart=args.restart,
    )
    verb = {
        "issued": _("would issue") if args.dry_run else _("issued"),
        "refused": _("would refuse") if args.dry_run else _("refused"),
    }

    def say(o: Outcome) -> None:
        if args.json:
            return
        what = verb.get(o.decision) or (_(DECISIONS[o.decision]) if o.decision in DECISIONS else o.decision)
        score = f"  {o.score * 100:.0f}%" if o.score is not None and o.decision == "issued" else ""
        line = f"{what}: {o.course} {o.version}  {one_line(o.learner)[:80]}{score}"
        if o.reason and o.decision != "issued":
            line += f": {one_line(o.reason)[:300]}"
        _say(line)

    report = issue(layout, options, say=say)
    if args.json:
        common.print_json(report.to_json())
    else:
        for note in report.notes:
            print(_("note: {message}").format(message=one_line(note)), file=sys.stderr)
        issued, refused = report.count("issued"), report.count("refused")
        answered, pending, unreadable = (report.count(k) for k in ("already answered", "pending", "unreadable"))
        parts = [
            (
                ngettext("{n} would issue", "{n} would issue", issued)
                if args.dry_run
                else ngettext("{n} issued", "{n} issued", issued)
            ).format(n=issued),
            (
                ngettext("{n} would refuse", "{n} would refuse", refused)
                if args.dry_run
                else ngettext("{n} refused", "{n} refused", refused)
            ).format(n=refused),
            ngettext("{n} already answered", "{n} already answered", answered).format(n=answered),
        ]
        if pending:
            parts.append(
                ngettext("{n} waiting for their pack", "{n} waiting for their pack", pending).format(n=pending)
            )
        if unreadable:
            parts.append(ngettext("{n} unreadable", "{n} unreadable", unreadable).format(n=unreadable))
        read = ngettext("{n} request read", "{n} requests read", report.requests_read).format(n=report.requests_read)
        fetched = ngettext(
            "{n} evidence statement fetched", "{n} evidence statements fetched", report.statements_fetched
        ).format(n=report.statements_fetched)
        _say(
            ", ".join(parts) + f" ({read}, {fetched}, " + _("{seconds} s").format(seconds=f"{report.seconds:.1f}") + ")"
        )
    if report.error:
        print(
            _("mooc: error: {message} (what was answered stays answered; run again to go on)").format(
                message=one_line(report.error)
            ),
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from packages.datafile import read_bytes
    from packages.errors import MoocError
    from sync.certificates import course_issuer
    from sync.credential import claimed_course, token_from_bytes, verify

    label = str(args.file)
    raw = read_bytes(args.file, 64 * 1024 + 1, own=False)
    if raw is None:
        raise MoocError(_("{file}: no such file").format(file=label))
    token = token_from_bytes(raw, label)
    issuer = args.issuer
    if issuer is None:
        course_id = claimed_course(token) or args.course
        issuer = course_issuer(common.layout(args), course_id) if course_id else None
        if issuer is None:
            raise MoocError(
                _(
                    "{file}: no issuer id to check it against: install the course "
                    "{course} (its pack names the issuer) or give --issuer DID"
                )
                .format(file=label, course=course_id or "")
                .replace("  ", " ")
            )
    result = verify(token, label, issuer=issuer, learner=args.issued_to, course_id=args.course)
    if args.json:
        common.print_json(result.to_json())
        return 0
    who = result.subject[len("mailto:") :] if result.subject.startswith("mailto:") else result.subject
    _say(
        _("valid: {title} ({course}), issued to {name} <{who}> by {issuer} on {date}, score {score}").format(
            title=one_line(result.course_title),
            course=result.course_id,
            name=one_line(result.learner_name),
            who=one_line(who),
            issuer=one_line(result.issuer_name),
            date=f"{result.issued_at:%Y-%m-%d}",
            score=one_line(result.score),
        )
        + (_(", valid until {date}").format(date=f"{result.expires_at:%Y-%m-%d}") if result.expires_at else "")
    )
    _say(_("issuer: {did}").format(did=result.issuer))
    return 0
