"""`mooc sync --watch`: the sync agent.

The options join `mooc sync`'s modes (player/cli/sync_cmd.py calls `add_options` and
hands over with `run`); the work is in sync/agent_*.py. `--agent-round KIND` (hidden)
is the agent's child process (sync/agent_child.py): one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.safe_text import clean, one_line

ROUNDS = ("survey", "send", "send+answers")


def add_options(mode: Any) -> None:
    mode.add_argument(
        "--watch", action="store_true", help="keep running: send whenever the LRS is reachable (the sync agent)"
    )
    mode.add_argument("--agent-round", choices=ROUNDS, help=argparse.SUPPRESS)


def wanted(args: argparse.Namespace) -> bool:
    return bool(args.watch or args.agent_round)


def run(layout: Any, args: argparse.Namespace) -> int:
    if args.agent_round:
        return _round(layout, args.agent_round)
    return _watch(layout)


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
