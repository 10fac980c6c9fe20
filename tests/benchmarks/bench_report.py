"""Benchmark: `mooc report` on a lab's worth of records, against only reading them.

Run by hand (the --lrs part needs scripts/install-ralph)::

    .venv/bin/python tests/benchmarks/bench_report.py [--pcs 30] [--learners 30] [--questions 50] [--no-lrs]

Builds a course of 3 lessons and one graded quiz of QUESTIONS questions, and PCS
learner exports (`mooc learner export --all` files) of LEARNERS learners each, every
learner having studied through the real engine (lessons, two attempts with random
answers). Then, each against a baseline measured in the same run, in subprocesses
(time, and peak memory from the child's maxrss):

1. `mooc report --from FOLDER --json` vs reading every file and parsing every line
   (json.loads, all kept in memory);
2. `mooc report --lrs --json` on the same records stored in Ralph vs GETting the same
   statements with `requests` (the same queries: one per mooc verb, `more` links
   followed) and parsing them.

Goal: each ratio <= 2.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

MOOC = Path(sys.executable).with_name("mooc")
COURSE = "bench-class"


def write_course(dest: Path, questions: int, endpoint: str | None) -> Path:
    (dest / "lessons").mkdir(parents=True, exist_ok=True)
    (dest / "quizzes").mkdir(exist_ok=True)
    items = []
    for n in range(1, 4):
        (dest / "lessons" / f"l{n}.md").write_text(f"# Lesson {n}\n\nText.\n")
        items.append(
            f'  [[modules.items]]\n  id = "l{n}"\n  kind = "lesson"\n  file = "lessons/l{n}.md"\n'
            f'  title = "Lesson {n}"\n'
        )
    quiz = ['title = "The big quiz"\nmax_attempts = 0\n']
    for q in range(1, questions + 1):
        quiz.append(
            f'[[questions]]\nid = "q{q}"\ntype = "single"\nprompt = "Question {q}?"\n'
            'choices = [ { text = "a" }, { text = "b", correct = true }, { text = "c" }, { text = "d" } ]\n'
        )
    (dest / "quizzes" / "big.toml").write_text("\n".join(quiz))
    items.append(
        '  [[modules.items]]\n  id = "big"\n  kind = "quiz"\n  file = "quizzes/big.toml"\n  title = "The big quiz"\n'
    )
    sync = f'[sync]\nxapi_endpoint = "{endpoint}"\n\n' if endpoint else ""
    (dest / "course.toml").write_text(
        f'format = 1\nid = "{COURSE}"\nversion = "1.0.0"\ntitle = "Bench class"\nlanguage = "en"\n'
        f'kind = "xmooc"\n\n[grading]\npass_threshold = 0.6\n\n{sync}[[modules]]\nid = "m1"\ntitle = "M"\n\n'
        + "\n".join(items)
    )
    return dest


def make_exports(home: Path, folder: Path, pcs: int, learners: int) -> tuple[int, list]:
    """PCS export files; returns (events, [(learner, events)]) for the LRS part."""
    from packages.layout import Layout
    from packages.store import Store
    from player.learner_export import ExportedLearner, write
    from player.session import CourseSession

    course, source = Store(Layout.default(home)).load(COURSE)
    rng = random.Random(13)
    start = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
    everyone = []
    total = 0
    folder.mkdir(parents=True, exist_ok=True)
    for pc in range(pcs):
        chosen = []
        for n in range(learners):
            clock = [start + timedelta(days=rng.randrange(30), minutes=rng.randrange(600))]

            def now(clock: list[datetime] = clock) -> datetime:
                clock[0] += timedelta(seconds=rng.randrange(5, 90))
                return clock[0]

            events: list = []
            session = CourseSession(course, source, events, None, now=now)
            for lesson in ("l1", "l2", "l3")[: rng.randrange(1, 4)]:
                session.open_item(lesson)
                session.add_active_time(lesson, rng.uniform(60, 900))
                session.complete_lesson(lesson)
            for _ in range(rng.randrange(1, 3)):
                attempt = session.start_attempt("big")
                for q in attempt.quiz.questions:
                    attempt.answer(q.id, rng.choice((1, 1, 1, 0, 2, 3)))
                session.submit(attempt)
            learner = ExportedLearner(
                f"pc{pc}-l{n}",
                f"Learner {pc}-{n}",
                None,
                f"acct-{pc:02d}-{n:02d}-{rng.getrandbits(64):016x}",
                None,
                events,
            )
            chosen.append(learner)
            total += len(events)
        write(folder / f"pc{pc:02d}.mooc-learners", chosen)
        everyone += chosen
    return total, everyone


WRAP = (
    "import resource, subprocess, sys, time; t=time.perf_counter(); "
    "p=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "u=resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(time.perf_counter()-t, u.ru_utime+u.ru_stime, u.ru_maxrss, p.returncode)"
)


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one run of `cmd`, in a fresh wrapper."""
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], env=env, capture_output=True, text=True, check=True)
    seconds, used, maxrss, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"{cmd[:4]} exited {code}")
    return float(seconds), float(used), int(maxrss) / 1024


def paired(base_cmd: list[str], cmd: list[str], env: dict[str, str], runs: int = 7) -> tuple[list, list]:
    """RUNS runs of each command, alternated (base, mine, base, mine, ...), so that a
    machine that slows down or speeds up during the run (a shared VM) moves both sides
    alike. Returns the two lists of (wall, CPU, peak MB)."""
    base, mine = [], []
    for _ in range(runs):
        base.append(_run(base_cmd, env))
        mine.append(_run(cmd, env))
    return base, mine


def show(name: str, base: list, mine: list, what: str) -> None:
    """Best of each side, and the ratio of each pair's CPU time (min / median / max)."""

    def best(runs: list) -> tuple[float, float, float]:
        return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)

    b, m = best(base), best(mine)
    print(f"   {what:<34} {b[0]:6.2f} s wall, {b[1]:6.2f} s CPU, {b[2]:5.0f} MB")
    print(f"   {name:<34} {m[0]:6.2f} s wall, {m[1]:6.2f} s CPU, {m[2]:5.0f} MB")
    pairs = sorted(y[1] / x[1] for x, y in zip(base, mine))
    print(
        f"   ratio: best wall {m[0] / b[0]:.2f}x, best CPU {m[1] / b[1]:.2f}x, memory {m[2] / b[2]:.2f}x; "
        f"paired CPU ratios min {pairs[0]:.2f} / median {pairs[len(pairs) // 2]:.2f} / max {pairs[-1]:.2f} "
        f"(goal <= 2)"
    )


READ_FILES = """
import json, sys, pathlib
kept = []
for path in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    for line in path.read_bytes().splitlines():
        kept.append(json.loads(line))
print(len(kept))
"""

GET_STATEMENTS = """
import json, sys, requests
endpoint, user, password = sys.argv[1:4]
sys.path.insert(0, sys.argv[4])
from sync.class_query import verb_iris
s = requests.Session()
s.headers["X-Experience-API-Version"] = "1.0.3"
kept = []
for verb in verb_iris():
    url, params = endpoint + "statements", {"verb": verb, "limit": "500"}
    while url:
        page = s.get(url, params=params, auth=(user, password), timeout=600).json()
        kept += page["statements"]
        more = page.get("more")
        url, params = (endpoint.split("/xAPI/")[0] + more if more else None), None
print(len(kept))
"""


def bench_files(tmp: Path, args: argparse.Namespace, env: dict[str, str]) -> None:
    folder = tmp / "stick"
    total, _ = make_exports(tmp / "staff", folder, args.pcs, args.learners)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(
        f"1. {args.pcs} PCs x {args.learners} learners x {args.questions}-question quiz: "
        f"{total} events in {args.pcs} files, {size:.1f} MB"
    )
    read_files = [sys.executable, "-c", READ_FILES, str(folder)]
    show(
        "mooc report --from (table):",
        *paired(read_files, [str(MOOC), "report", "--from", str(folder)], env),
        "read + parse every line:",
    )
    show(
        "mooc report --from --json:",
        *paired(read_files, [str(MOOC), "report", "--json", "--from", str(folder)], env),
        "read + parse every line:",
    )


def bench_lrs(tmp: Path, args: argparse.Namespace, env: dict[str, str]) -> None:
    import requests

    from packages.layout import Layout
    from sync import credentials
    from sync.collect import records_for
    from sync.endpoints import normalise
    from sync.statements import Actor, CourseShape
    from tests.support.ralph import start_ralph, stop_ralph

    ralph = start_ralph(tmp / "ralph")
    try:
        home = tmp / "staff-lrs"
        pack = write_course(tmp / "pack-lrs", args.questions, ralph.endpoint)
        subprocess.run(
            [str(MOOC), "install", str(pack)], env=dict(env, MOOC_HOME=str(home)), check=True, capture_output=True
        )
        layout = Layout.default(home)
        credentials.store(layout, normalise(ralph.endpoint), user=ralph.user, password=ralph.password)
        from packages.store import Store

        course, _ = Store(layout).load(COURSE)
        shape = CourseShape.of(course)
        _, everyone = make_exports(home, tmp / "unused", args.lrs_pcs, args.learners)
        bodies = []
        for learner in everyone:
            actor = Actor(None, learner.account_id)
            for rec in records_for(learner.events, learner.id, actor, normalise(ralph.endpoint), shape, None):
                bodies += [s["body"] for s in rec["statements"]]
        t0 = time.perf_counter()
        session = requests.Session()
        for i in range(0, len(bodies), 500):
            r = session.post(
                ralph.endpoint + "statements",
                data="[" + ",".join(bodies[i : i + 500]) + "]",
                auth=(ralph.user, ralph.password),
                timeout=600,
                headers={"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"},
            )
            r.raise_for_status()
        print(
            f"2. the records of {args.lrs_pcs} PCs x {args.learners} learners in Ralph: {len(bodies)} statements "
            f"(posted in {time.perf_counter() - t0:.0f} s)"
        )
        lenv = dict(env, MOOC_HOME=str(home))
        get = [sys.executable, "-c", GET_STATEMENTS, ralph.endpoint, ralph.user, ralph.password, str(REPO)]
        show(
            "mooc report --lrs (table):",
            *paired(get, [str(MOOC), "report", "--lrs"], lenv, runs=3),
            "GET + parse the same statements:",
        )
    finally:
        stop_ralph(ralph)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pcs", type=int, default=30)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--lrs-pcs", type=int, default=30, help="PCs whose records go to Ralph")
    parser.add_argument("--no-lrs", action="store_true", help="skip the Ralph part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmpdir:
        tmp = Path(tmpdir)
        env = dict(os.environ, MOOC_HOME=str(tmp / "staff"), MOOC_SYSTEM_HOME=str(tmp / "system"))
        pack = write_course(tmp / "pack", args.questions, None)
        subprocess.run([str(MOOC), "install", str(pack)], env=env, check=True, capture_output=True)
        bench_files(tmp, args, env)
        if not args.no_lrs:
            bench_lrs(tmp, args, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
