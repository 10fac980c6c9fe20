"""Benchmark the progress log: durable appends and loading, against plain Python.

    .venv/bin/python tests/benchmarks/bench_progress.py [--events 5000] [--dir DIR]

Appends N events one `EventLog.append` call each (flock + one write + fsync), then
loads them with `EventLog.events()`. Baselines, measured in the same run on the same
disk: the same bytes written with one os.write + os.fsync per line in plain Python,
and `json.loads` of each line. Run it on the disk you care about (--dir).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from player.events import Event
from player.progress import EventLog


def _events(n: int) -> list[Event]:
    return [
        Event(
            type="attempt" if i % 10 == 0 else "time_spent",
            course_id="stats-101",
            course_version="1.0.0",
            item_id=f"item-{i % 40}",
            data={"seconds": 12.5}
            if i % 10
            else {
                "attempt": 1,
                "score": 0.75,
                "earned": 3.0,
                "total": 4.0,
                "passed": True,
                "duration_s": 93.2,
                "threshold": 0.7,
                "questions": [
                    {
                        "id": f"q{q}",
                        "type": "single",
                        "statement_id": "0" * 36,
                        "response": 1,
                        "score": 1.0,
                        "earned": 1.0,
                        "points": 1.0,
                        "correct": True,
                    }
                    for q in range(4)
                ],
            },
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: a temp folder)")
    args = parser.parse_args()
    events = _events(args.events)
    n = len(events)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(tmp)

        # baseline: same bytes, one write + fsync per line, no lock, no checks
        lines = [(json.dumps(e.to_dict(), sort_keys=True, separators=(",", ":")) + "\n").encode() for e in events]
        plain = base / "plain.jsonl"
        t0 = time.perf_counter()
        fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        for line in lines:
            os.write(fd, line)
            os.fsync(fd)
        os.close(fd)
        plain_append = time.perf_counter() - t0

        log = EventLog(base / "learners" / "x" / "progress" / "stats-101.jsonl", "x", "stats-101")
        t0 = time.perf_counter()
        for e in events:
            log.append(e)
        mooc_append = time.perf_counter() - t0

        plain_loads, mooc_loads = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            with open(plain, "rb") as f:
                parsed = [json.loads(line) for line in f]
            plain_loads.append(time.perf_counter() - t0)
            assert len(parsed) == n
            fresh = EventLog(log.path, "x", "stats-101")  # no cache
            t0 = time.perf_counter()
            got = fresh.events()
            mooc_loads.append(time.perf_counter() - t0)
            assert len(got) == n and not fresh.problems
        size = log.path.stat().st_size

    pl, ml = statistics.median(plain_loads), statistics.median(mooc_loads)
    print(f"progress log benchmark: {n} events, file {size / 1024:.0f} KiB")
    print(
        f"  append, one fsync'd call each: mooc {n / mooc_append:8.0f} events/s  ({mooc_append * 1000 / n:.2f} ms each)"
    )
    print(
        f"  baseline write+fsync per line: plain {n / plain_append:7.0f} events/s  ({plain_append * 1000 / n:.2f} ms each)"
    )
    print(f"  append ratio mooc/plain time:  {mooc_append / plain_append:.2f}x")
    print(f"  load all events (median of 5): mooc {ml * 1000:7.1f} ms   (EventLog.events(): parse + validate + dedupe)")
    print(f"  baseline json.loads per line:  plain {pl * 1000:6.1f} ms")
    print(f"  load ratio mooc/plain time:    {ml / pl:.2f}x")


if __name__ == "__main__":
    main()
