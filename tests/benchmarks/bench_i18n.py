"""Benchmark: does speaking French cost start-up time? (issue 19: within 5 % of before)

    .venv/bin/python tests/benchmarks/bench_i18n.py [--before REV] [--runs 15]

In one run, alternating, each a fresh process:
- before: the code of REV (default: the last commit before translations existed),
  checked out in a temporary git worktree and run with PYTHONPATH pointing at it;
- now in English (LANGUAGE=en) and now in French (LANGUAGE=fr, the catalog loaded).
Figures: `mooc --help`, `mooc info mooc-demo`, `mooc list` (in French it lists one
more course, the bundled French demo, so it does more than translate), and `mooc play mooc-demo` on an 80x24
pseudo-terminal until the first screen is interactive (the app reports it, as in
bench_tui.py). Each prints min/median/max and the ratio of medians to "before"; the
whole script runs again pinned to one core (tests/benchmarks/timing.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from tests.benchmarks.timing import Spread, both_ways, heading  # noqa: E402

BEFORE = "a8570cf"  # main before the i18n core (91a643d)
MOOC = Path(sys.executable).with_name("mooc")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE, help="the revision to compare with (default %(default)s)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "15")))
    return parser.parse_args()


def _run(cmd: list[str], env: dict[str, str]) -> float:
    import time

    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def _tui(env: dict[str, str]) -> float:
    from tests.benchmarks.bench_tui import run_on_pty

    ms, _mb = run_on_pty([str(MOOC), "play", "mooc-demo"], dict(env, MOOC_TUI_EXIT_ON_READY="1", MOOC_NO_SYNC="1"))
    return ms / 1000


def main() -> None:
    args = _args()
    from tests.support.bytecode import compile_project

    compile_project()
    with tempfile.TemporaryDirectory(prefix="bench-i18n-") as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(old), args.before], check=True)
        try:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(old)], check=True)
            _measure(Path(tmp), old, args.runs)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=False)


def _measure(tmp: Path, old: Path, runs: int) -> None:
    home = tmp / "home"
    home.mkdir()
    base = dict(os.environ, MOOC_HOME=str(home), MOOC_SYSTEM_HOME=str(home / "system"))
    base.pop("NO_COLOR", None)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        base.pop(name, None)
    sides = {
        "before": dict(base, PYTHONPATH=str(old), LANGUAGE="en"),
        "now, English": dict(base, PYTHONPATH=str(REPO), LANGUAGE="en"),
        "now, French": dict(base, PYTHONPATH=str(REPO), LANGUAGE="fr"),
    }
    subprocess.run([str(MOOC), "learner", "add", "Bench"], env=sides["now, English"], check=True, capture_output=True)
    for side, env in sides.items():  # each side runs the code it says it does
        where = subprocess.run(
            [sys.executable, "-c", "import player.cli.main as m; print(m.__file__)"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp,  # not the repository: "" first on sys.path would find its code whatever PYTHONPATH says
        ).stdout.strip()
        print(f"  {side}: {where}")
    figures: dict[str, Callable[[dict[str, str]], float]] = {
        "mooc --help": lambda env: _run([str(MOOC), "--help"], env),
        "mooc info mooc-demo": lambda env: _run([str(MOOC), "info", "mooc-demo"], env),
        # in French, mooc list also lists (and reads) the bundled French demo course
        "mooc list": lambda env: _run([str(MOOC), "list"], env),
        "mooc play mooc-demo, first screen ready": _tui,
    }
    print(f"start-up with translations, min/median/max of {runs} runs, alternating [{heading()}]")
    for figure, measure in figures.items():
        for env in sides.values():  # warm the page cache
            measure(env)
        times: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(runs):
            for side, env in sides.items():
                times[side].append(measure(env))
        spreads = {side: Spread.of(t) for side, t in times.items()}
        print(f"  {figure}")
        for side, spread in spreads.items():
            print(f"    {side:14s} {spread.ms()}   x{spread.ratio(spreads['before']):5.3f} vs before (goal <= 1.05)")


if __name__ == "__main__":
    both_ways(main)
