"""Append numbered events to a progress file as fast as possible; print each number
once `append` has returned (= acknowledged, the promise under test).

Used by tests/test_crash_safety.py, which SIGKILLs this process at random moments.

    python progress_writer.py PATH WRITER_TAG START [--batch N] [--seconds S]

Prints "ready" once imported, then one line per acknowledged event number. Each
event's id is "<tag>-<n>" so the test can check every acknowledged one is present
exactly once. With --batch N, appends 1..N events per call (randomly).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from player.events import Event
from player.progress import EventLog


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("tag")
    parser.add_argument("start", type=int)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    log = EventLog(args.path, "tester", "crash-course")
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    n = args.start
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        count = random.randint(1, args.batch)
        events = [
            Event(
                type="time_spent",
                course_id="crash-course",
                course_version="1.0.0",
                item_id="lesson-1",
                data={"seconds": 1.5, "writer": args.tag, "n": n + i, "pad": "x" * random.randint(0, 400)},
                id=f"{args.tag}-{n + i}",
            )
            for i in range(count)
        ]
        log.append(*events)
        out.write("".join(f"{n + i}\n" for i in range(count)))
        out.flush()
        n += count
    return 0


if __name__ == "__main__":
    sys.exit(main())
