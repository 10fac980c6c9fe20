"""Benchmark the progress log: durable appends and loading, against plain Python.

    .venv/bin/python tests/benchmarks/bench_progress.py [--events 5000] [--runs 3] [--dir DIR]

Appends N events one `EventLog.append` call each (flock + one write + fsync), then
loads them with `EventLog.events()`. Baselines, measured in the same run on the same
disk: the same bytes written with one os.write + os.fsync per line in plain Python,
and `json.loads` of each line. Run it on the disk you care about (--dir).
Min/median/max of --runs each, then the same pinned to one core (tests/benchmarks/timing.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from player.events import Event  # noqa: E402
from player.progress import EventLog  # noqa: E402
from tests.benchmarks.timing import Spread, both_ways, heading, timed  # noqa: E402


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
    parser.add_argument("--runs", type=int, default=3, help="runs of each figure (default 3)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: a temp folder)")
    args = parser.parse_args()
    events = _events(args.events)
    n = len(events)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(tmp)
        lines = [(json.dumps(e.to_dict(), sort_keys=True, separators=(",", ":")) + "\n").encode() for e in events]
        plain_appends, mooc_appends = [], []
        for run in range(args.runs):  # each run into fresh files
            # baseline: same bytes, one write + fsync per line, no lock, no checks
            plain = base / f"plain-{run}.jsonl"
            t0 = time.perf_counter()
            fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            for line in lines:
                os.write(fd, line)
                os.fsync(fd)
            os.close(fd)
            plain_appends.append(time.perf_counter() - t0)

            learner = f"x{run}"
            log = EventLog(base / "learners" / learner / "progress" / "stats-101.jsonl", learner, "stats-101")
            t0 = time.perf_counter()
            for e in events:
                log.append(e)
            mooc_appends.append(time.perf_counter() - t0)

        def plain_load() -> None:
            with open(plain, "rb") as f:
                parsed = [json.loads(line) for line in f]
            assert len(parsed) == n

        def mooc_load() -> None:
            fresh = EventLog(log.path, learner, "stats-101")  # no cache
            got = fresh.events()
            assert len(got) == n and not fresh.problems

        pl, ml = timed(plain_load, args.runs), timed(mooc_load, args.runs)
        size = log.path.stat().st_size

    pa, ma = Spread.of(plain_appends), Spread.of(mooc_appends)
    print(f"progress log benchmark: {n} events, file {size / 1024:.0f} KiB; min/median/max of {args.runs} runs")
    print(f"  [{heading()}]")
    print(f"  append, one fsync'd call each: mooc  {ma.ms()} for all ({n / ma.median:8.0f} events/s)")
    print(f"  baseline write+fsync per line: plain {pa.ms()} for all ({n / pa.median:8.0f} events/s)")
    print(f"  append ratio mooc/plain time (medians): {ma.ratio(pa):.2f}x")
    print(f"  load all events: mooc  {ml.ms()}   (EventLog.events(): parse + validate + dedupe)")
    print(f"  baseline json.loads per line: plain {pl.ms()}")
    print(f"  load ratio mooc/plain time (medians): {ml.ratio(pl):.2f}x")


if __name__ == "__main__":
    both_ways(main)
