"""`mooc lab`: the administrator's policy for every learner of a lab PC.

Written to the system store's folder (player/lab_policy.py), so it needs the rights
`mooc install --system` needs. Parsing and printing only.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from packages.i18n import N_, _, ngettext
from player.cli import common

EPILOG = N_("""\
examples (as the administrator):
  mooc lab approve lrs.school.example --school "Lycée Victor Hugo"
        every learner of this PC may send records there, and is told the school approved it
  mooc lab revoke lrs.school.example
  mooc lab roster class-4b.csv        the class (name, email, pin): every account of the PC has
                                      these learners; run it again after changes
  mooc lab show                       what the policy says
  mooc lab agent everyone             start the sync agent at every account's login (or: forbid, choice)

The policy is SYSTEM/policy.toml (MOOC_SYSTEM_HOME, or the system store's folder).
Copy that file to the other PCs of the lab (or share the folder) so a student is the
same learner, with the same account id, on every PC.
""")


def register(sub: Any) -> None:
    lab = common.add_subcommand(
        sub, "lab", help=_("the administrator's policy for every learner of this PC"), epilog=_(EPILOG)
    )
    common.shows_help(lab)
    actions = lab.add_subparsers(dest="lab_command", metavar="ACTION", title=_("actions"))
    show = common.add_subcommand(actions, "show", help=_("what the lab policy says"))
    show.add_argument("--json", action="store_true", help=_("machine-readable output"))
    show.set_defaults(func=cmd_show)
    approve = common.add_subcommand(actions, "approve", help=_("approve an LRS host for every learner of this PC"))
    approve.add_argument("host", metavar="HOST", help=_("host name (or the endpoint URL)"))
    approve.add_argument("--school", metavar="NAME", help=_("the name learners see as having approved it"))
    approve.set_defaults(func=cmd_approve)
    revoke = common.add_subcommand(actions, "revoke", help=_("withdraw the school's approval of a host"))
    revoke.add_argument("host", metavar="HOST", help=_("host name (or the endpoint URL)"))
    revoke.set_defaults(func=cmd_revoke)
    roster = common.add_subcommand(actions, "roster", help=_("set the class every account of this PC has (CSV)"))
    roster.add_argument("file", metavar="ROSTER.csv", help=_("name, email, pin per row"))
    roster.set_defaults(func=cmd_roster)
    agent = common.add_subcommand(
        actions, "agent", help=_("the sync agent for every account: everyone, forbid, or each account's choice")
    )
    agent.add_argument("mode", choices=("everyone", "forbid", "choice"), help=_("what every account of this PC gets"))
    agent.set_defaults(func=cmd_agent)


def cmd_show(args: argparse.Namespace) -> int:
    from packages.safe_text import one_line
    from player import lab_policy

    policy = lab_policy.load(common.layout(args))
    if args.json:
        common.print_json(
            {
                "file": str(policy.path),
                "school": policy.school,
                "approved_hosts": list(policy.approved_hosts),
                "agent": policy.agent,
                "roster": [
                    {"id": lr.id, "name": lr.name, "email": lr.email, "account_id": lr.account_id, "pin": bool(lr.pin)}
                    for lr in policy.roster
                ],
            }
        )
        return 0
    head = _("Lab policy: {path}") if policy.path.exists() else _("Lab policy: {path} (none yet)")
    print(head.format(path=policy.path))
    if policy.school:
        print(_("School: {name}").format(name=one_line(policy.school)))
    if policy.agent:
        print(_("sync agent: {mode}").format(mode=policy.agent))
    for host in policy.approved_hosts:
        print(_("approved for every learner: {host}").format(host=host))
    n = len(policy.roster)
    print(ngettext("roster: {n} learner", "roster: {n} learners", n).format(n=n))
    for lr in policy.roster:
        print(
            f"  {lr.id}  {one_line(lr.name)}"
            + (f"  <{lr.email}>" if lr.email else "")
            + (_("  (PIN)") if lr.pin else "")
        )
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from player import lab_policy
    from sync.lab_hosts import approve_host

    layout = common.layout(args)
    host = approve_host(layout, args.host, school=args.school)
    who = lab_policy.load(layout).who
    print(
        _("{host} is approved for every learner of this computer; they are told {who} approved it.").format(
            host=host, who=who
        )
    )
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from sync.lab_hosts import revoke_host

    host, was = revoke_host(common.layout(args), args.host)
    if not was:
        print(
            _("{host} was not approved by the lab policy (learners may still have approved it themselves)").format(
                host=host
            )
        )
        return 0
    print(
        _("{host} is no longer approved by the school (learners who approved it themselves still send there).").format(
            host=host
        )
    )
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from player import lab_policy
    from player.roster import RosterResult, merge_rows, read_roster

    layout = common.layout(args)
    path = Path(args.file)
    rows = read_roster(path)
    policy = lab_policy.load(layout)
    raw = dict(policy.raw)
    result = RosterResult()
    learners = merge_rows(list(policy.roster), rows, str(path), result, origin="school")
    raw["roster"] = [{k: v for k, v in lr.to_dict().items() if k != "created"} for lr in learners]
    lab_policy.write(layout, raw)
    for name in result.added:
        print(_("added: {name}").format(name=name))
    for name, what in result.updated:
        print(_("updated: {name} ({changes})").format(name=name, changes=", ".join(what)))
    print(
        _("{added} added, {updated} updated, {unchanged} unchanged in the lab roster ({file}).").format(
            added=len(result.added),
            updated=len(result.updated),
            unchanged=len(result.unchanged),
            file=lab_policy.policy_file(layout),
        )
    )
    return 0


def cmd_agent(args: argparse.Namespace) -> int:
    from sync.agent_lab import set_mode

    for line in set_mode(common.layout(args), "forbidden" if args.mode == "forbid" else args.mode):
        print(line)
    return 0
