"""The sync agent's own files: one agent per data folder, and what it did last.

- ``HOME/agent/agent.lock``: the running agent holds an exclusive lock on it
  (packages/portable.py `lock`: released when the process ends, even on SIGKILL), so a
  second agent for the same data folder (an administrator's install for every account
  and the learner's own) exits at once, and `running()` knows whether one runs
  without trusting a pid file.
- ``HOME/agent/state.json``: written by the agent when something happens (a probe,
  a round, a change of network), never on a timer: pid, state (`waiting`, `offline`,
  `online`, `stopped`), probe and round counts, the last probe, the next one, the
  last round's outcome, whether the link is metered. Informative only: a damaged
  file reads as nothing.
"""

from __future__ import annotations

import os
from typing import Any

from packages.errors import MoocError
from packages.layout import Layout, make_dirs


def hold_lock(layout: Layout) -> int | None:
    """The descriptor of the agent's lock (keep it open while running), or None when
    another agent holds it."""
    from packages.portable import lock

    make_dirs(layout.agent_dir)
    fd = os.open(layout.agent_lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if lock(fd, blocking=False):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def running(layout: Layout) -> bool:
    """Whether an agent holds this data folder's lock right now."""
    if not layout.agent_lock_file.exists():
        return False
    fd = hold_lock(layout)
    if fd is None:
        return True
    os.close(fd)  # it was free: nobody runs (our brief hold ends here)
    return False


def read(layout: Layout) -> dict[str, Any]:
    from packages.datafile import load_json

    try:
        state = load_json(layout.agent_state_file)
    except MoocError:
        return {}
    return state if isinstance(state, dict) else {}


def write(layout: Layout, state: dict[str, Any]) -> None:
    import json

    from packages import fsutil

    try:
        make_dirs(layout.agent_dir)
        fsutil.write_atomic(layout.agent_state_file, json.dumps(state, indent=1).encode("utf-8"), 0o600)
    except OSError:
        pass  # informative only: a full disk must not stop the agent
