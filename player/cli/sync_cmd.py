"""`mooc login`, `mooc sync`, `mooc consent`: records to the LRS.

Nothing here imports requests at module level; the sync package does it lazily.
Secrets never reach stdout/stderr: we print hosts and user names, never passwords
or tokens.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from packages.errors import UsageError
from packages.i18n import N_, _, ngettext
from packages.safe_text import clean, one_line
from player.cli import agent_cmd, common, sync_consent_cmd

LOGIN_EPILOG = N_("""\
examples:
  mooc login https://lrs.example.org/xapi/ --user lab-3          asks for the password
  echo "$PW" | mooc login https://lrs.example.org/xapi/ --user lab-3 --password-stdin
  mooc login https://lrs.example.org/xapi/ --token-stdin < token.txt

Credentials go to the file credentials.toml (mode 0600) in the data folder and are
sent only to that host. Scripts can use MOOC_LRS_USER/MOOC_LRS_PASSWORD or
MOOC_LRS_TOKEN instead (limited to one endpoint with MOOC_LRS_ENDPOINT).
""")

SYNC_EPILOG = N_("""\
examples:
  mooc sync                        upload everything pending, for every learner here
  mooc sync --status               pending counts, last success and last error per LRS
  mooc sync --export /media/usb/lab3.json     no internet: carry records on a stick
  mooc sync --import /media/usb/lab3.json     ... and upload them from a connected PC
  mooc sync --pull                 continue on this PC: fetch your progress from the LRS
  mooc sync --install-agent        send whenever a connection appears, even with mooc closed

Nothing is sent to a host until the learner approved it (`mooc consent allow HOST`).
The endpoint comes from the course pack, or from config.toml:
  [sync] endpoint = "https://lrs.example.org/xapi/"          (every course)
  [sync.courses.stats-101] endpoint = "..."                   (one course)
""")

CONSENT_EPILOG = N_("""\
examples:
  mooc consent list                    the LRS hosts you approved
  mooc consent allow lrs.example.org   let mooc send your learning records there
  mooc consent revoke lrs.example.org  stop sending (records already sent stay there)
""")


def register(sub: Any) -> None:
    login = common.add_subcommand(
        sub, "login", help=_("store credentials for a learning record store (LRS)"), epilog=_(LOGIN_EPILOG)
    )
    login.add_argument(
        "endpoint", metavar="ENDPOINT", help=_("the xAPI endpoint URL, e.g. https://lrs.example.org/xapi/")
    )
    login.add_argument("--user", "-u", metavar="USER", help=_("user name (HTTP Basic authentication)"))
    secret = login.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))
    secret.add_argument("--token-stdin", action="store_true", help=_("read a Bearer token from standard input"))
    login.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help=_("allow plain http to this host (only on a network you trust)"),
    )
    login.set_defaults(func=cmd_login)

    logout = common.add_subcommand(sub, "logout", help=_("forget the stored credentials of an LRS"))
    logout.add_argument("endpoint", metavar="ENDPOINT", help=_("the xAPI endpoint URL"))
    logout.set_defaults(func=cmd_logout)

    sync = common.add_subcommand(
        sub, "sync", help=_("upload progress to the learning record store (LRS)"), epilog=_(SYNC_EPILOG)
    )
    mode = sync.add_mutually_exclusive_group()
    mode.add_argument("--status", action="store_true", help=_("show pending counts, last success and errors"))
    mode.add_argument(
        "--export",
        metavar="FILE",
        help=_("add everything pending to FILE (merged into an existing export, never overwritten)"),
    )
    mode.add_argument("--import", dest="import_file", metavar="FILE", help=_("upload the records of an export FILE"))
    mode.add_argument(
        "--pull",
        nargs="?",
        const="",
        metavar="COURSE",
        help=_("rebuild your progress from the LRS (all courses, or COURSE)"),
    )
    agent_cmd.add_options(mode)
    sync.add_argument("--json", action="store_true", help=_("machine-readable output"))
    sync.add_argument("--allow-insecure-http", action="store_true", help=_("allow plain http to non-local hosts"))
    sync.set_defaults(func=cmd_sync)

    consent = common.add_subcommand(
        sub, "consent", help=_("approve or withdraw where your records may be sent"), epilog=_(CONSENT_EPILOG)
    )
    common.shows_help(consent)
    actions = consent.add_subparsers(dest="consent_command", metavar="ACTION", title=_("actions"))
    c_list = common.add_subcommand(actions, "list", help=_("hosts you approved, and those waiting for you"))
    c_list.add_argument("--json", action="store_true", help=_("machine-readable output"))
    c_list.set_defaults(func=sync_consent_cmd.cmd_consent_list)
    c_allow = common.add_subcommand(actions, "allow", help=_("approve sending your records to HOST"))
    c_allow.add_argument("host", metavar="HOST", help=_("host name (or the endpoint URL)"))
    c_allow.set_defaults(func=sync_consent_cmd.cmd_consent_allow)
    c_revoke = common.add_subcommand(actions, "revoke", help=_("withdraw an approval"))
    c_revoke.add_argument("host", metavar="HOST", help=_("host name (or the endpoint URL)"))
    c_revoke.set_defaults(func=sync_consent_cmd.cmd_consent_revoke)


def _learner(args: argparse.Namespace) -> Any:
    return common.learner(args)  # asks the learner's PIN when they have one


# ---------------------------------------------------------------------- login


def cmd_login(args: argparse.Namespace) -> int:
    from sync import credentials
    from sync.endpoints import check_transport, normalise

    layout = common.layout(args)
    endpoint = normalise(args.endpoint)
    check_transport(endpoint, args.allow_insecure_http)
    if args.token_stdin:
        token = sys.stdin.readline().strip()
        if not token:
            raise UsageError(_("no token on standard input"))
        creds = credentials.store(layout, endpoint, token=token, allow_insecure_http=args.allow_insecure_http)
    else:
        if not args.user:
            raise UsageError(_("give a user name with --user (or use --token-stdin)"))
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            if not sys.stdin.isatty():
                raise UsageError(_("no terminal to ask the password on: use --password-stdin"))
            import getpass

            password = getpass.getpass(_("password for {user} at {host}: ").format(user=args.user, host=endpoint.host))
        if not password:
            raise UsageError(_("empty password"))
        creds = credentials.store(
            layout, endpoint, user=args.user, password=password, allow_insecure_http=args.allow_insecure_http
        )
    _say(
        _("stored credentials for {origin}: {what}; they are sent only to {host}").format(
            origin=endpoint.origin, what=creds.describe(), host=endpoint.host
        )
    )
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from sync import credentials
    from sync.endpoints import normalise

    endpoint = normalise(args.endpoint)
    if credentials.forget(common.layout(args), endpoint):
        _say(_("forgot the credentials for {origin}").format(origin=endpoint.origin))
    else:
        _say(_("no stored credentials for {origin}").format(origin=endpoint.origin))
    return 0


# ---------------------------------------------------------------------- output

# Hosts, URLs, ids, LRS reasons and file contents are outside input: every line this
# module prints goes through packages/safe_text.py (and --json through common.print_json).


def _say(text: str) -> None:
    print(clean(text, keep_newlines=False))


def _warn(text: str) -> None:
    print(_("mooc: warning: {message}").format(message=one_line(text)), file=sys.stderr)


def _error(text: str) -> None:
    print(_("mooc: error: {message}").format(message=one_line(text)), file=sys.stderr)


# ---------------------------------------------------------------------- sync


def cmd_sync(args: argparse.Namespace) -> int:
    layout = common.layout(args)
    if agent_cmd.wanted(args):
        return agent_cmd.run(layout, args)
    if args.status:
        return _status(layout, args)
    if args.export:
        return _export(layout, args)
    if args.import_file:
        return _import(layout, args)
    if args.pull is not None:
        return _pull(layout, args)
    from sync.deadline import run_guard
    from sync.uploader import Options, sync_all

    notes: list[str] = []
    with run_guard() as guard:
        results = sync_all(layout, Options(allow_insecure_http=args.allow_insecure_http, guard=guard), notes)
    for note in notes:
        _warn(note)
    return _report(layout, args, results)


def _report(
    layout: Any, args: argparse.Namespace, results: list[Any], *, imported: dict[str, int] | None = None
) -> int:
    errors = [r for r in results if r.error]
    if args.json:
        common.print_json(
            {"endpoints": [r.to_json() for r in results], **({"imported": imported} if imported is not None else {})}
        )
        return 1 if errors else 0
    if not results:
        _say(
            _(
                "nothing to upload: no course you studied names a learning record store "
                "(set one with [sync] endpoint in config.toml)"
            )
        )
        return 0
    for r in results:
        parts = [ngettext("{n} stored", "{n} stored", r.stored).format(n=r.stored)]
        if r.rejected:
            parts.append(ngettext("{n} rejected", "{n} rejected", len(r.rejected)).format(n=len(r.rejected)))
        if r.conflicts:
            parts.append(ngettext("{n} conflict", "{n} conflicts", len(r.conflicts)).format(n=len(r.conflicts)))
        parts.append(ngettext("{n} pending", "{n} pending", r.pending).format(n=r.pending))
        requests = ngettext("{n} request", "{n} requests", r.requests).format(n=r.requests)
        _say(
            f"{r.host}: "
            + ", ".join(parts)
            + f" ({requests})"
            + (f"; {r.skipped}" if r.skipped and r.skipped.startswith("not tried") else "")
        )
        for item in r.rejected + r.conflicts:
            _say(
                _("  set aside {id} ({learner}/{course}): {reason}").format(
                    id=item["id"], learner=item["learner"], course=item["course"], reason=one_line(item["reason"])
                )
            )
        for learner, count in sorted(r.waiting_consent.items()):
            _say(
                ngettext(
                    "  {n} record of {learner} waits for approval of {host}: "
                    "run `mooc consent allow {host} --learner {learner}`",
                    "  {n} records of {learner} wait for approval of {host}: "
                    "run `mooc consent allow {host} --learner {learner}`",
                    count,
                ).format(n=count, learner=learner, host=r.host)
            )
        if r.warning:
            _warn(r.warning)
        if r.error:
            _error(r.error)
    return 1 if errors else 0


def _status(layout: Any, args: argparse.Namespace) -> int:
    from sync.endpoint_status import endpoint_status

    rows, warnings = endpoint_status(layout)
    for warning in warnings:
        _warn(warning)
    if args.json:
        common.print_json({"endpoints": rows, "warnings": warnings})
        return 0
    if not rows:
        _say(_("nothing to upload: no course you studied names a learning record store"))
        return 0
    for row in rows:
        _say(f"{row['endpoint']}")
        _say(
            _("  pending: {n}").format(n=row["pending"])
            + (
                " (" + ", ".join(f"{k}: {v}" for k, v in sorted(row["pending_by_learner"].items())) + ")"
                if row["pending_by_learner"]
                else ""
            )
        )
        for learner, count in sorted(row["waiting_consent"].items()):
            _say(
                _("  waiting for approval: {n} of {learner} (`mooc consent allow {host} --learner {learner}`)").format(
                    n=count, learner=learner, host=row["host"]
                )
            )
        _say(_("  last success: {time}").format(time=row["last_success"] or _("never")))
        if row["last_error"]:
            _say(
                _("  last error: {error} ({time})").format(
                    error=one_line(row["last_error"]), time=row["last_error_time"]
                )
            )
        if row["needs_login"]:
            _say(
                _(
                    "  automatic uploads paused: the LRS refused the credentials; `mooc login {endpoint} --user NAME`"
                ).format(endpoint=row["endpoint"])
            )
        for item in row["set_aside"]:
            _say(
                _("  set aside ({state}): {id} {learner}/{course}: {reason}").format(
                    state=item["state"],
                    id=item["id"],
                    learner=item["learner"],
                    course=item["course"],
                    reason=one_line(item["reason"]),
                )
            )
    return 0


def _export(layout: Any, args: argparse.Namespace) -> int:
    from sync.transfer import export

    path = Path(args.export)
    report = export(layout, path)
    added = sum(report.added.values())
    held = [
        ngettext(
            "{n} record of learner {learner} waits for their approval of {host} "
            "(`mooc consent allow {host} --learner {learner}`), so they were not exported",
            "{n} records of learner {learner} wait for their approval of {host} "
            "(`mooc consent allow {host} --learner {learner}`), so they were not exported",
            n,
        ).format(n=n, learner=learner, host=host)
        for learner, host, n in report.held_back
    ]
    for line in report.notes + held:
        _warn(line)
    if args.json:
        common.print_json(
            {
                "file": str(path),
                "statements": report.added,
                "total": report.total,
                "merged": report.merged,
                "complete": report.complete,
                "held_back": [
                    {"learner": learner, "host": host, "statements": n} for learner, host, n in report.held_back
                ],
                "warnings": report.notes,
            }
        )
    else:
        line = ngettext("added {n} pending record to {path}", "added {n} pending records to {path}", added).format(
            n=added, path=path
        )
        if report.merged:
            line += _(", kept with the records already in it ({n} in all)").format(n=report.total)
        if not added and report.complete:
            line += _(" (nothing pending)")
        _say(line)
        for url, n in report.added.items():
            _say(f"  {url}: {n}")
        if report.total:
            _say(_("upload them on a connected machine with `mooc sync --import FILE`"))
    return 0 if report.complete else 1


def _import(layout: Any, args: argparse.Namespace) -> int:
    from sync.deadline import run_guard
    from sync.endpoints import normalise
    from sync.import_progress import merge_known
    from sync.outbox import Outbox
    from sync.transfer import import_file
    from sync.uploader import Options, upload

    counts = import_file(layout, Path(args.import_file))
    merged = merge_known(layout, Path(args.import_file))  # learners of this PC get their progress too
    if not args.json:
        total = sum(counts.values())
        _say(
            ngettext("imported {n} new record from {file}", "imported {n} new records from {file}", total).format(
                n=total, file=args.import_file
            )
        )
        for learner, courses in merged.items():
            news = ", ".join(_("{course}: {n} new").format(course=c, n=n) for c, n in courses.items())
            _say(_("  merged into {learner}'s progress: {courses}").format(learner=learner, courses=news))
    with run_guard() as guard:
        options = Options(allow_insecure_http=args.allow_insecure_http, guard=guard)
        results = [upload(layout, Outbox(layout, normalise(url)), options) for url in counts]
    return _report(layout, args, results, imported=counts)


def _pull(layout: Any, args: argparse.Namespace) -> int:
    from sync.deadline import run_guard
    from sync.pull import pull

    learner = _learner(args)
    notes: list[str] = []
    with run_guard() as guard:
        results = pull(
            layout, learner, args.pull or None, allow_insecure_http=args.allow_insecure_http, guard=guard, notes=notes
        )
    warnings = notes + [r.skip_note for r in results if r.skip_note]
    for warning in warnings:
        _warn(warning)
    failed = any(r.error for r in results)
    if args.json:
        common.print_json({"learner": learner.id, "endpoints": [r.to_json() for r in results], "warnings": warnings})
        return 1 if failed else 0
    for r in results:
        added = sum(r.added.values())
        read = ngettext("{n} statement read", "{n} statements read", r.statements).format(n=r.statements)
        new = ngettext("{n} new event merged", "{n} new events merged", added).format(n=added)
        _say(
            f"{r.endpoint}: {read}, {new}"
            + (" (" + ", ".join(f"{c}: {n}" for c, n in sorted(r.added.items())) + ")" if r.added else "")
        )
        if r.error:
            _error(r.error)
    return 1 if failed else 0
