"""`mooc consent list|allow|revoke`: where a learner's records may be sent (the parsers
are in player/cli/sync_cmd.py, beside `mooc sync`)."""

from __future__ import annotations

import argparse
import sys

from packages.i18n import _
from packages.safe_text import clean, one_line
from player.cli import common


def _say(text: str) -> None:
    print(clean(text, keep_newlines=False))


def _warn(text: str) -> None:
    print(_("mooc: warning: {message}").format(message=one_line(text)), file=sys.stderr)


def cmd_consent_list(args: argparse.Namespace) -> int:
    from sync.consent import Consent, pending_hosts

    layout = common.layout(args)
    learner = common.learner(args)  # asks the learner's PIN when they have one
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
        _say(
            _("approved by {who} for every learner of this computer: {host} ({file})").format(
                who=school.who, host=host, file=school.path
            )
        )
    if not approvals and not school.approved_hosts:
        _say(_("{learner} has approved no LRS host: nothing of theirs is sent anywhere").format(learner=learner.id))
    for a in approvals:
        _say(_("approved: {host} (since {time})").format(host=a.host, time=a.approved))
    for host in waiting:
        _say(
            _("waiting:  {host} (a course wants to send records there; `mooc consent allow {host}`)").format(host=host)
        )
    return 0


def cmd_consent_allow(args: argparse.Namespace) -> int:
    from sync.consent import Consent

    layout = common.layout(args)
    learner = common.learner(args)  # asks the learner's PIN when they have one
    approval = Consent(layout, learner.id).allow(args.host)
    _say(
        _("{learner}: learning records may now be sent to {host} (withdraw with `mooc consent revoke {host}`)").format(
            learner=learner.id, host=approval.host
        )
    )
    return 0


def cmd_consent_revoke(args: argparse.Namespace) -> int:
    from sync.consent import Consent

    layout = common.layout(args)
    learner = common.learner(args)  # asks the learner's PIN when they have one
    if Consent(layout, learner.id).revoke(args.host):
        _say(
            _("{learner}: nothing more will be sent to {host} (records already sent stay there)").format(
                learner=learner.id, host=one_line(args.host)
            )
        )
    else:
        _say(_("{learner} had not approved {host}").format(learner=learner.id, host=one_line(args.host)))
    return 0
