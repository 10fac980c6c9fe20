"""How long opening a course takes for a learner with a long history.

Opening a course folds every event of the learner's log (player/session_fold.py). This
measures, on the bundled demo course and a log of N events written by the real
session: reading + parsing the log alone (the baseline: player.progress.EventLog),
then a full open (read + fold + outline + course score). Run by hand:

    .venv/bin/python tests/benchmarks/bench_session_fold.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timezone
from pathlib import Path


def main() -> None:
    n_target = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
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

        def median_ms(fn, runs: int = 7) -> float:  # type: ignore[no-untyped-def]
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
            return statistics.median(times)

        base = median_ms(parse_only)
        full = median_ms(open_course)
        print(f"events: {len(events)}  log size: {size / 1e6:.1f} MB")
        print(f"baseline  read + parse log:              {base:8.1f} ms")
        print(f"open      read + fold + outline + score: {full:8.1f} ms")
        print(f"ratio open / baseline: {full / base:.2f}x  (fold cost {full - base:.1f} ms)")


if __name__ == "__main__":
    main()
