"""How long opening a course takes for a learner with a long history.

Opening a course folds every event of the learner's log (player/session_fold.py). This
measures, on the bundled demo course and a log of N events written by the real
session: reading + parsing the log alone (the baseline: player.progress.EventLog),
then a full open (read + fold + outline + course score). Min/median/max of --runs
each, then the same pinned to one core (tests/benchmarks/timing.py). Run by hand:

    .venv/bin/python tests/benchmarks/bench_session_fold.py [N] [--runs 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.timing import both_ways, heading, timed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("events", nargs="?", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    n_target = args.events
    from packages.layout import Layout
    from packages.store import Store
    from player.events import Event
    from player.progress import EventLog
    from player.session import CourseSession

    with tempfile.TemporaryDirectory() as tmp:
        layout = Layout(home=Path(tmp), system_home=Path(tmp) / "sys")
        course, source = Store(layout).load("mooc-demo")
        events: list[Event] = []
        s = CourseSession(course, source, events, None, tz=timezone.utc)
        while len(events) < n_target:  # a realistic mix: opens, time, hints, attempts
            s.open_item("using-the-player")
            s.add_active_time("using-the-player", 42.0)
            s.open_item("player-practice")
            a = s.start_attempt("player-practice")
            a.show_hint(course.item("player-practice").quiz.questions[0].id)  # type: ignore[union-attr]
            a.answer("next-item", 0)
            s.submit(a)
        log = EventLog.for_course(layout, "bench", course.id)
        log.append(*events)
        size = log.path.stat().st_size

        def parse_only() -> None:
            EventLog.for_course(layout, "bench", course.id).events()

        def open_course() -> None:
            sess = CourseSession(
                course, source, EventLog.for_course(layout, "bench", course.id), None, enroll=False, tz=timezone.utc
            )
            sess.outline()
            sess.course_score()

        base = timed(parse_only, args.runs)
        full = timed(open_course, args.runs)
        print(f"events: {len(events)}  log size: {size / 1e6:.1f} MB; min/median/max of {args.runs} runs [{heading()}]")
        print(f"baseline  read + parse log:              {base.ms()}")
        print(f"open      read + fold + outline + score: {full.ms()}")
        print(
            f"ratio open / baseline (medians): {full.ratio(base):.2f}x  "
            f"(fold cost {(full.median - base.median) * 1000:.1f} ms)"
        )


if __name__ == "__main__":
    both_ways(main)
