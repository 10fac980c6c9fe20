"""Benchmark: `mooc report` on a lab's worth of records, against only reading them.

Run by hand (the --lrs part needs scripts/install-ralph)::

    .venv/bin/python tests/benchmarks/bench_report.py [--pcs 30] [--learners 30] [--questions 50]
        [--runs 7] [--lrs-runs 3] [--no-lrs]

Builds a course of 3 lessons and one graded quiz of QUESTIONS questions, and PCS
learner exports (`mooc learner export --all` files) of LEARNERS learners each, every
learner having studied through the real engine (lessons, two attempts with random
answers). Then, each against a baseline measured in the same run, in subprocesses
(time, and peak memory from the child's maxrss), base and mooc alternating:

1. `mooc report --from FOLDER` (the table, and --json) vs reading every file and
   parsing every line (json.loads, all kept in memory);
2. `mooc report --lrs` on the same kind of records stored in Ralph vs GETting the same
   statements with `requests` (the same queries: one per mooc verb, `more` links
   followed) and parsing them.

Every figure is median (min, max) of the runs (tests/benchmarks/timing.py); the ratios
are of the medians, and each base/mooc pair's CPU ratio (min / median / max). The
whole script then runs again pinned to one core (taskset -c 0), on the same files
and Ralph store. mooc's modules are byte-compiled first, as `pip install` leaves them
(this machine sets PYTHONDONTWRITEBYTECODE: without it every run would compile ~100
modules, which no installed mooc does).

Goal: each ratio <= 2 (time and memory).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.timing import Spread, both_ways  # noqa: E402
from tests.support.bytecode import compile_project  # noqa: E402

if TYPE_CHECKING:
    from tests.support.ralph import RalphServer

MOOC = Path(sys.executable).with_name("mooc")
COURSE = "bench-class"
GOAL = 2.0
FIXTURES = "BENCH_REPORT_DIR"  # the exports and Ralph store, shared with the pinned run


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


@dataclass(frozen=True)
class Run:
    """One run of a command, in a fresh wrapper process: what it cost the child alone."""

    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak_mb: float  # the child's maxrss


def _run(cmd: list[str], env: dict[str, str]) -> Run:
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], env=env, capture_output=True, text=True, check=True)
    seconds, used, maxrss, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"{cmd[:4]} exited {code}")
    return Run(float(seconds), float(used), int(maxrss) / 1024)


def paired(
    base_cmd: list[str], cmd: list[str], env: dict[str, str], runs: int, *, warm: bool = True
) -> tuple[list[Run], list[Run]]:
    """RUNS runs of each command, alternated (base, mine, base, mine, ...), so that a
    machine that slows down or speeds up during the run (a shared VM) moves both sides
    alike; `warm`: one unmeasured run of each first (the page cache)."""
    if warm:
        _run(base_cmd, env)
        _run(cmd, env)
    base, mine = [], []
    for _ in range(runs):
        base.append(_run(base_cmd, env))
        mine.append(_run(cmd, env))
    return base, mine


def _spread(values: list[float], unit: str, scale: float = 1.0) -> str:
    s = Spread.of(values)
    return f"{s.median * scale:7.2f} {unit} (min {s.low * scale:.2f}, max {s.high * scale:.2f})"


def show(name: str, base: list[Run], mine: list[Run], what: str) -> None:
    """Each side's wall, CPU and peak memory (median, min, max), then the ratios: CPU and
    memory of the medians, and each pair's CPU ratio (min / median / max)."""
    for label, runs in ((what, base), (name, mine)):
        print(
            f"   {label:<34} wall {_spread([r.wall for r in runs], 's')}, CPU {_spread([r.cpu for r in runs], 's')}, "
            f"peak {_spread([r.peak_mb for r in runs], 'MB')}"
        )
    cpu = Spread.of([r.cpu for r in mine]).ratio(Spread.of([r.cpu for r in base]))
    memory = Spread.of([r.peak_mb for r in mine]).ratio(Spread.of([r.peak_mb for r in base]))
    pairs = Spread.of([m.cpu / b.cpu for b, m in zip(base, mine)])
    verdict = "ok" if max(pairs.median, memory) <= GOAL else "OVER"
    print(
        f"   ratio: CPU {cpu:.2f}x, memory {memory:.2f}x (medians); paired CPU ratios "
        f"min {pairs.low:.2f} / median {pairs.median:.2f} / max {pairs.high:.2f}; goal <= {GOAL:g}: {verdict}",
        flush=True,
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
    if not (tmp / "stick.done").exists():  # the pinned run reuses what the first run built
        make_exports(tmp / "staff", folder, args.pcs, args.learners)
        (tmp / "stick.done").touch()
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    lines = sum(p.read_bytes().count(b"\n") for p in folder.iterdir())
    print(
        f"1. {args.pcs} PCs x {args.learners} learners x {args.questions}-question quiz: "
        f"{lines} lines in {args.pcs} files, {size:.1f} MB; {args.runs} runs of each side",
        flush=True,
    )
    read_files = [sys.executable, "-c", READ_FILES, str(folder)]
    show(
        "mooc report --from (table):",
        *paired(read_files, [str(MOOC), "report", "--from", str(folder)], env, args.runs),
        "read + parse every line:",
    )
    show(
        "mooc report --from --json:",
        *paired(read_files, [str(MOOC), "report", "--json", "--from", str(folder)], env, args.runs),
        "read + parse every line:",
    )


def fill_ralph(tmp: Path, ralph: RalphServer, args: argparse.Namespace, env: dict[str, str]) -> None:
    """Install the course (its endpoint: this Ralph), log in, and post every statement
    of LRS_PCS PCs' learners."""
    import requests

    from packages.layout import Layout
    from packages.store import Store
    from sync import credentials
    from sync.collect import records_for
    from sync.endpoints import normalise
    from sync.statements import Actor, CourseShape

    home = tmp / "staff-lrs"
    pack = write_course(tmp / "pack-lrs", args.questions, ralph.endpoint)
    subprocess.run(
        [str(MOOC), "install", str(pack)], env=dict(env, MOOC_HOME=str(home)), check=True, capture_output=True
    )
    layout = Layout.default(home)
    credentials.store(layout, normalise(ralph.endpoint), user=ralph.user, password=ralph.password)
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
    (tmp / "ralph.done").write_text(f"{len(bodies)} statements (posted in {time.perf_counter() - t0:.0f} s)")


def bench_lrs(tmp: Path, args: argparse.Namespace, env: dict[str, str]) -> None:
    from tests.support.ralph import start_ralph, stop_ralph

    port = tmp / "ralph.port"  # the pinned run restarts Ralph on its store, at the course's endpoint
    ralph = start_ralph(tmp / "ralph", int(port.read_text()) if port.exists() else None)
    port.write_text(str(ralph.port))
    try:
        if not (tmp / "ralph.done").exists():
            fill_ralph(tmp, ralph, args, env)
        print(
            f"2. the records of {args.lrs_pcs} PCs x {args.learners} learners in Ralph: "
            f"{(tmp / 'ralph.done').read_text()}; {args.lrs_runs} runs of each side",
            flush=True,
        )
        lenv = dict(env, MOOC_HOME=str(tmp / "staff-lrs"))
        get = [sys.executable, "-c", GET_STATEMENTS, ralph.endpoint, ralph.user, ralph.password, str(REPO)]
        show(
            "mooc report --lrs (table):",
            *paired(get, [str(MOOC), "report", "--lrs"], lenv, args.lrs_runs, warm=False),
            "GET + parse the same statements:",
        )
    finally:
        stop_ralph(ralph)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pcs", type=int, default=30)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7, help="runs of each side, --from")
    parser.add_argument("--lrs-pcs", type=int, default=30, help="PCs whose records go to Ralph")
    parser.add_argument("--lrs-runs", type=int, default=3, help="runs of each side, --lrs (a GET of all takes ~1 min)")
    parser.add_argument("--no-lrs", action="store_true", help="skip the Ralph part")
    args = parser.parse_args()
    compile_project()  # as `pip install` does: no run pays for compiling mooc's modules
    tmp = Path(os.environ[FIXTURES])
    env = dict(os.environ, MOOC_HOME=str(tmp / "staff"), MOOC_SYSTEM_HOME=str(tmp / "system"))
    if not (tmp / "staff").exists():
        pack = write_course(tmp / "pack", args.questions, None)
        subprocess.run([str(MOOC), "install", str(pack)], env=env, check=True, capture_output=True)
    bench_files(tmp, args, env)
    if not args.no_lrs:
        bench_lrs(tmp, args, env)


if __name__ == "__main__":
    # One folder of exports (and one Ralph store) for both runs: the pinned run inherits it.
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmpdir:
        os.environ.setdefault(FIXTURES, tmpdir)
        both_ways(main)
