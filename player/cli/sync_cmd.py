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
from packages.safe_text import clean, one_line
from player.cli import agent_cmd, common

LOGIN_EPILOG = """\
examples:
  mooc login https://lrs.example.org/xapi/ --user lab-3          asks for the password
  echo "$PW" | mooc login https://lrs.example.org/xapi/ --user lab-3 --password-stdin
  mooc login https://lrs.example.org/xapi/ --token-stdin < token.txt

Credentials go to the file credentials.toml (mode 0600) in the data folder and are
sent only to that host. Scripts can use MOOC_LRS_USER/MOOC_LRS_PASSWORD or
MOOC_LRS_TOKEN instead (limited to one endpoint with MOOC_LRS_ENDPOINT).
"""

SYNC_EPILOG = """\
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
"""

CONSENT_EPILOG = """\
examples:
  mooc consent list                    the LRS hosts you approved
  mooc consent allow lrs.example.org   let mooc send your learning records there
  mooc consent revoke lrs.example.org  stop sending (records already sent stay there)
"""


def register(sub: Any) -> None:
    login = common.add_subcommand(
        sub, "login", help="store credentials for a learning record store (LRS)", epilog=LOGIN_EPILOG
    )
    login.add_argument("endpoint", metavar="ENDPOINT", help="the xAPI endpoint URL, e.g. https://lrs.example.org/xapi/")
    login.add_argument("--user", "-u", metavar="USER", help="user name (HTTP Basic authentication)")
    secret = login.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    secret.add_argument("--token-stdin", action="store_true", help="read a Bearer token from standard input")
    login.add_argument(
        "--allow-insecure-http", action="store_true", help="allow plain http to this host (only on a network you trust)"
    )
    login.set_defaults(func=cmd_login)

    logout = common.add_subcommand(sub, "logout", help="forget the stored credentials of an LRS")
    logout.add_argument("endpoint", metavar="ENDPOINT", help="the xAPI endpoint URL")
    logout.set_defaults(func=cmd_logout)

    sync = common.add_subcommand(
        sub, "sync", help="upload progress to the learning record store (LRS)", epilog=SYNC_EPILOG
    )
    mode = sync.add_mutually_exclusive_group()
    mode.add_argument("--status", action="store_true", help="show pending counts, last success and errors")
    mode.add_argument(
        "--export",
        metavar="FILE",
        help="add everything pending to FILE (merged into an existing export, never overwritten)",
    )
    mode.add_argument("--import", dest="import_file", metavar="FILE", help="upload the records of an export FILE")
    mode.add_argument(
        "--pull",
        nargs="?",
        const="",
        metavar="COURSE",
        help="rebuild your progress from the LRS (all courses, or COURSE)",
    )
    agent_cmd.add_options(mode)
    sync.add_argument("--json", action="store_true", help="machine-readable output")
    sync.add_argument("--allow-insecure-http", action="store_true", help="allow plain http to non-local hosts")
    sync.set_defaults(func=cmd_sync)

    consent = common.add_subcommand(
        sub, "consent", help="approve or withdraw where your records may be sent", epilog=CONSENT_EPILOG
    )
    common.shows_help(consent)
    actions = consent.add_subparsers(dest="consent_command", metavar="ACTION", title="actions")
    c_list = common.add_subcommand(actions, "list", help="hosts you approved, and those waiting for you")
    c_list.add_argument("--json", action="store_true", help="machine-readable output")
    c_list.set_defaults(func=cmd_consent_list)
    c_allow = common.add_subcommand(actions, "allow", help="approve sending your records to HOST")
    c_allow.add_argument("host", metavar="HOST", help="host name (or the endpoint URL)")
    c_allow.set_defaults(func=cmd_consent_allow)
    c_revoke = common.add_subcommand(actions, "revoke", help="withdraw an approval")
    c_revoke.add_argument("host", metavar="HOST", help="host name (or the endpoint URL)")
    c_revoke.set_defaults(func=cmd_consent_revoke)


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
            raise UsageError("no token on standard input")
        creds = credentials.store(layout, endpoint, token=token, allow_insecure_http=args.allow_insecure_http)
    else:
        if not args.user:
            raise UsageError("give a user name with --user (or use --token-stdin)")
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            if not sys.stdin.isatty():
                raise UsageError("no terminal to ask the password on: use --password-stdin")
            import getpass

            password = getpass.getpass(f"password for {args.user} at {endpoint.host}: ")
        if not password:
            raise UsageError("empty password")
        creds = credentials.store(
            layout, endpoint, user=args.user, password=password, allow_insecure_http=args.allow_insecure_http
        )
    _say(f"stored credentials for {endpoint.origin}: {creds.describe()}; they are sent only to {endpoint.host}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from sync import credentials
    from sync.endpoints import normalise

    endpoint = normalise(args.endpoint)
    if credentials.forget(common.layout(args), endpoint):
        _say(f"forgot the credentials for {endpoint.origin}")
    else:
        _say(f"no stored credentials for {endpoint.origin}")
    return 0


# ---------------------------------------------------------------------- output

# Hosts, URLs, ids, LRS reasons and file contents are outside input: every line this
# module prints goes through packages/safe_text.py (and --json through common.print_json).


def _say(text: str) -> None:
    print(clean(text, keep_newlines=False))


def _warn(text: str) -> None:
    print(f"mooc: warning: {one_line(text)}", file=sys.stderr)


def _error(text: str) -> None:
    print(f"mooc: error: {one_line(text)}", file=sys.stderr)


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
            "nothing to upload: no course you studied names a learning record store "
            "(set one with [sync] endpoint in config.toml)"
        )
        return 0
    for r in results:
        parts = [f"{r.stored} stored"]
        if r.rejected:
            parts.append(f"{len(r.rejected)} rejected")
        if r.conflicts:
            parts.append(f"{len(r.conflicts)} conflict{'s' if len(r.conflicts) != 1 else ''}")
        parts.append(f"{r.pending} pending")
        _say(
            f"{r.host}: "
            + ", ".join(parts)
            + f" ({r.requests} request{'s' if r.requests != 1 else ''})"
            + (f"; {r.skipped}" if r.skipped and r.skipped.startswith("not tried") else "")
        )
        for item in r.rejected + r.conflicts:
            _say(f"  set aside {item['id']} ({item['learner']}/{item['course']}): {one_line(item['reason'])}")
        for learner, count in sorted(r.waiting_consent.items()):
            _say(
                f"  {count} record{'s' if count != 1 else ''} of {learner} wait{'s' if count == 1 else ''} "
                f"for approval of {r.host}: run `mooc consent allow {r.host} --learner {learner}`"
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
        _say("nothing to upload: no course you studied names a learning record store")
        return 0
    for row in rows:
        _say(f"{row['endpoint']}")
        _say(
            f"  pending: {row['pending']}"
            + (
                " (" + ", ".join(f"{k}: {v}" for k, v in sorted(row["pending_by_learner"].items())) + ")"
                if row["pending_by_learner"]
                else ""
            )
        )
        for learner, count in sorted(row["waiting_consent"].items()):
            _say(
                f"  waiting for approval: {count} of {learner} (`mooc consent allow {row['host']} --learner {learner}`)"
            )
        _say(f"  last success: {row['last_success'] or 'never'}")
        if row["last_error"]:
            _say(f"  last error: {one_line(row['last_error'])} ({row['last_error_time']})")
        if row["needs_login"]:
            _say(
                f"  automatic uploads paused: the LRS refused the credentials; "
                f"`mooc login {row['endpoint']} --user NAME`"
            )
        for item in row["set_aside"]:
            _say(
                f"  set aside ({item['state']}): {item['id']} {item['learner']}/{item['course']}: "
                f"{one_line(item['reason'])}"
            )
    return 0


def _export(layout: Any, args: argparse.Namespace) -> int:
    from sync.transfer import export

    path = Path(args.export)
    report = export(layout, path)
    added = sum(report.added.values())
    held = [
        f"{n} record{'s' if n != 1 else ''} of learner {learner} wait{'s' if n == 1 else ''} for their "
        f"approval of {host} (`mooc consent allow {host} --learner {learner}`), so they were not exported"
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
        kept = f", kept with the records already in it ({report.total} in all)" if report.merged else ""
        _say(
            f"added {added} pending record{'s' if added != 1 else ''} to {path}{kept}"
            + ("" if added or not report.complete else " (nothing pending)")
        )
        for url, n in report.added.items():
            _say(f"  {url}: {n}")
        if report.total:
            _say("upload them on a connected machine with `mooc sync --import FILE`")
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
        _say(
            f"imported {sum(counts.values())} new record{'s' if sum(counts.values()) != 1 else ''} "
            f"from {args.import_file}"
        )
        for learner, courses in merged.items():
            _say(f"  merged into {learner}'s progress: " + ", ".join(f"{c}: {n} new" for c, n in courses.items()))
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
        _say(
            f"{r.endpoint}: {r.statements} statement{'s' if r.statements != 1 else ''} read, "
            f"{added} new event{'s' if added != 1 else ''} merged"
            + (" (" + ", ".join(f"{c}: {n}" for c, n in sorted(r.added.items())) + ")" if r.added else "")
        )
        if r.error:
            _error(r.error)
    return 1 if failed else 0


# ---------------------------------------------------------------------- consent


def cmd_consent_list(args: argparse.Namespace) -> int:
    from sync.consent import Consent, pending_hosts

    layout = common.layout(args)
    learner = _learner(args)
    from player.lab_policy import load

    approvals = Consent(layout, learner.id).list()
    notes: list[str] = []
    waiting = pending_hosts(layout, learner.id, notes)
    for note in notes:
        _warn(note)
    school = load(layout)
    if args.json:
        common.print_json(
            {
                "learner": learner.id,
                "approved": [{"host": a.host, "approved": a.approved} for a in approvals],
                "waiting": waiting,
                "warnings": notes,
                "approved_by_school": list(school.approved_hosts),
                "school": school.school,
            }
        )
        return 0
    for host in school.approved_hosts:
        _say(f"approved by {school.who} for every learner of this computer: {host} ({school.path})")
    if not approvals and not school.approved_hosts:
        _say(f"{learner.id} has approved no LRS host: nothing of theirs is sent anywhere")
    for a in approvals:
        _say(f"approved: {a.host} (since {a.approved})")
    for host in waiting:
        _say(f"waiting:  {host} (a course wants to send records there; `mooc consent allow {host}`)")
    return 0


def cmd_consent_allow(args: argparse.Namespace) -> int:
    from sync.consent import Consent

    layout = common.layout(args)
    learner = _learner(args)
    approval = Consent(layout, learner.id).allow(args.host)
    _say(
        f"{learner.id}: learning records may now be sent to {approval.host} (withdraw with "
        f"`mooc consent revoke {approval.host}`)"
    )
    return 0


def cmd_consent_revoke(args: argparse.Namespace) -> int:
    from sync.consent import Consent

    layout = common.layout(args)
    learner = _learner(args)
    if Consent(layout, learner.id).revoke(args.host):
        _say(f"{learner.id}: nothing more will be sent to {one_line(args.host)} (records already sent stay there)")
    else:
        _say(f"{learner.id} had not approved {one_line(args.host)}")
    return 0
