"""`mooc sync --watch`, `--install-agent`, `--remove-agent`, `--agent-status`: the sync agent.

The options join `mooc sync`'s modes (player/cli/sync_cmd.py calls `add_options` and
hands over with `run`); the work is in sync/agent_*.py. `--agent-round KIND` (hidden)
is the agent's child process (sync/agent_child.py): one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.safe_text import clean, one_line
from player.cli import common

ROUNDS = ("survey", "send", "send+answers")


def add_options(mode: Any) -> None:
    mode.add_argument(
        "--watch", action="store_true", help="keep running: send whenever the LRS is reachable (the sync agent)"
    )
    mode.add_argument(
        "--install-agent", action="store_true", help="start the sync agent at each login (this account only)"
    )
    mode.add_argument("--remove-agent", action="store_true", help="stop the sync agent and remove it")
    mode.add_argument(
        "--agent-status", action="store_true", help="is the agent installed and running; last success; pending"
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
    print(f"mooc: warning: {one_line(text)}", file=sys.stderr, flush=True)


def _watch(layout: Any) -> int:
    import signal

    from sync.agent_loop import Agent, Pace

    agent = Agent(layout, Pace.from_env(), say=lambda line: _say(f"mooc sync agent: {line}"))
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
        raise MoocError(f"{policy.who} turned the sync agent off for this computer ({policy.path})")
    if policy.agent == "everyone":
        _say(f"{policy.who} installed the sync agent for every account of this computer: nothing to do")
        return 0
    outcome = install(layout)
    _say(f"installed the sync agent ({outcome.kind}): {outcome.path}")
    for note in outcome.notes:
        _say(f"  {note}")
    _say("it sends your records whenever the LRS is reachable; see `mooc sync --agent-status`")
    return 0


def _remove(layout: Any) -> int:
    from sync.agent_install import remove

    removed = remove(layout)
    for outcome in removed:
        _say(f"removed the sync agent ({outcome.kind}): {outcome.path}")
    if not removed:
        _say("the sync agent is not installed for this account")
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
        _say(f"installed: no: the lab policy forbids the sync agent ({st['policy_file']})")
    elif st["files"] or st["for_every_account"]:
        for f in st["files"]:
            _say(f"installed: yes, for this account ({f['kind']}{'' if f['enabled'] else ', disabled'}): {f['path']}")
        for f in st["for_every_account"]:
            _say(f"installed: yes, for every account by the administrator ({f['kind']}): {f['path']}")
    else:
        _say("installed: no (`mooc sync --install-agent`)")
    running = f"yes (pid {st['pid']}), {st['state']}" if st["running"] else "no"
    _say(f"running: {running}" + (" on a metered link" if st["running"] and st["metered"] else ""))
    if st["running"] and st["next_probe"]:
        _say(
            f"  offline: next probe at {st['next_probe']} ({st['probes']} probe{'s' if st['probes'] != 1 else ''} since {st['started']})"
        )
    _say(f"last success: {st['last_success'] or 'never'}")
    _say(
        f"pending: {st['pending']}"
        + (f" (and {st['waiting_consent']} waiting for approval)" if st["waiting_consent"] else "")
    )
    if st["last_error"]:
        _say(f"last error: {one_line(st['last_error'])}")
    return 0
