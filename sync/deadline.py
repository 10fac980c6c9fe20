"""How long one sync run may talk to LRSs, all requests together.

The read timeout alone does not bound a run: an LRS that drips one byte every few
seconds never lets a read time out. So every run (`mooc sync`, `--pull`, `--import`,
one round of the background worker) happens under one `packages/netguard.py` Guard:
its watchdog cuts a request still running at the deadline (the HTTP client,
sync/lrs_client.py, registers its sockets), and the uploader and the pull stop there.
Nothing is lost: what was not confirmed stays in the outbox for the next run.

The deadline is ``MOOC_DEADLINE`` (seconds, as for every network command; 300 by
default). There is no minimum-throughput rule here: while mooc uploads, the LRS
rightly sends almost nothing back.
"""

from __future__ import annotations

from packages.netguard import Guard, NetLimits

ROUND_SECONDS = 120.0  # one round of the background worker, at most


def run_guard(seconds: float | None = None) -> Guard:
    """The guard of one sync run: MOOC_DEADLINE, or `seconds` when that is shorter.
    Use it as a context manager around the run (it starts and stops the watchdog)."""
    limits = NetLimits.from_env()
    deadline = limits.deadline if seconds is None else min(seconds, limits.deadline)
    return Guard("sync", limits, deadline=deadline, why="MOOC_DEADLINE", min_rate=0.0)
