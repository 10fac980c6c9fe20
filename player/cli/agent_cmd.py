"""`mooc sync --watch`, `--install-agent`, `--remove-agent`, `--agent-status`: the sync agent.

The options join `mooc sync`'s modes (player/cli/sync_cmd.py calls `add_options` and
hands over with `run`); the work is in sync/agent_*.py. `--agent-round KIND` (hidden)
is the agent's child process (sync/agent_child.py): one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.i18n import _, ngettext
from packages.safe_text import clean, one_line
from player.cli import common

ROUNDS = ("survey", "send", "send+answers")


def add_options(mode: Any) -> None:
    mode.add_argument(
        "--watch", action="store_true", help=_("keep running: send whenever the LRS is reachable (the sync agent)")
    )
    mode.add_argument(
        "--install-agent", action="store_true", help=_("start the sync agent at each login (this account only)")
    )
    mode.add_argument("--remove-agent", action="store_true", help=_("stop the sync agent and remove it"))
    mode.add_argument(
        "--agent-status", action="store_true", help=_("is the agent installed and running; last success; pending")
    )
    mode.add_argument("--agent-round", choices=ROUNDS, help=argparse.SUPPRESS)


def wanted(args: argparse.Namespace) -> bool:
    return bool(args.watch or args.install_agent or args.remove_agent or args.agent_status or args.agent_round)


def run(layout: Any, args: argparse.Namespace) -> int:
    if args.agent_round:
        return _round(layout, args.agent_round)
    if args.watch:
        return _watch(layout)
    if args.install_agent:
        return _install(layout)
    if args.remove_agent:
        return _remove(layout)
    return _status(layout, args)


def _say(text: str) -> None:
    print(clean(text, keep_newlines=False), flush=True)


def _warn(text: str) -> None:
    print(_("mooc: warning: {message}").format(message=one_line(text)), file=sys.stderr, flush=True)


def _watch(layout: Any) -> int:
    import signal

    from sync.agent_loop import Agent, Pace

    agent = Agent(layout, Pace.from_env(), say=lambda line: _say(_("mooc sync agent: {message}").format(message=line)))
    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda _sig, _frame: agent.request_stop())
    return agent.run()


def _round(layout: Any, kind: str) -> int:
    import json
    import signal

    from sync.agent_work import send, survey
    from sync.metered import is_metered

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the agent's terminal: the agent decides (SIGTERM)
    if kind == "survey":
        result = survey(layout)
    else:

        def on_term(cancel: Any) -> None:
            signal.signal(signal.SIGTERM, lambda _sig, _frame: cancel())

        result = send(layout, answers=kind == "send+answers", metered=is_metered(), stop=on_term)
    for note in result.pop("notes", []):
        _warn(note)
    print(json.dumps(result), flush=True)
    return 0


def _install(layout: Any) -> int:
    from packages.errors import MoocError
    from player.lab_policy import load
    from sync.agent_install import install

    policy = load(layout)
    if policy.agent == "forbidden":
        raise MoocError(
            _("{who} turned the sync agent off for this computer ({file})").format(who=policy.who, file=policy.path)
        )
    if policy.agent == "everyone":
        _say(
            _("{who} installed the sync agent for every account of this computer: nothing to do").format(who=policy.who)
        )
        return 0
    outcome = install(layout)
    _say(_("installed the sync agent ({kind}): {path}").format(kind=outcome.kind, path=outcome.path))
    for note in outcome.notes:
        _say(f"  {note}")
    _say(_("it sends your records whenever the LRS is reachable; see `mooc sync --agent-status`"))
    return 0


def _remove(layout: Any) -> int:
    from sync.agent_install import remove

    removed = remove(layout)
    for outcome in removed:
        _say(_("removed the sync agent ({kind}): {path}").format(kind=outcome.kind, path=outcome.path))
    if not removed:
        _say(_("the sync agent is not installed for this account"))
    return 0


def _status(layout: Any, args: argparse.Namespace) -> int:
    from sync.agent_status import agent_status

    st = agent_status(layout)
    for warning in st["warnings"]:
        _warn(warning)
    if args.json:
        common.print_json(st)
        return 0
    if st["policy"] == "forbidden":
        _say(_("installed: no: the lab policy forbids the sync agent ({file})").format(file=st["policy_file"]))
    elif st["files"] or st["for_every_account"]:
        for f in st["files"]:
            mine = (
                _("installed: yes, for this account ({kind}): {path}")
                if f["enabled"]
                else _("installed: yes, for this account ({kind}, disabled): {path}")
            )
            _say(mine.format(kind=f["kind"], path=f["path"]))
        for f in st["for_every_account"]:
            _say(
                _("installed: yes, for every account by the administrator ({kind}): {path}").format(
                    kind=f["kind"], path=f["path"]
                )
            )
    else:
        _say(_("installed: no (`mooc sync --install-agent`)"))
    if not st["running"]:
        _say(_("running: no"))
    elif st["metered"]:
        _say(_("running: yes (pid {pid}), {state} on a metered link").format(pid=st["pid"], state=st["state"]))
    else:
        _say(_("running: yes (pid {pid}), {state}").format(pid=st["pid"], state=st["state"]))
    if st["running"] and st["next_probe"]:
        _say(
            ngettext(
                "  offline: next probe at {time} ({n} probe since {started})",
                "  offline: next probe at {time} ({n} probes since {started})",
                st["probes"],
            ).format(time=st["next_probe"], n=st["probes"], started=st["started"])
        )
    _say(_("last success: {time}").format(time=st["last_success"] or _("never")))
    if st["waiting_consent"]:
        _say(
            _("pending: {n} (and {waiting} waiting for approval)").format(
                n=st["pending"], waiting=st["waiting_consent"]
            )
        )
    else:
        _say(_("pending: {n}").format(n=st["pending"]))
    if st["last_error"]:
        _say(_("last error: {error}").format(error=one_line(st["last_error"])))
    return 0
