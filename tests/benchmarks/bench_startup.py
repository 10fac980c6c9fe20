"""Benchmark cold start of `mooc --help` and `mooc list` against importing rich.console.

    .venv/bin/python tests/benchmarks/bench_startup.py [--runs 15]

Each figure is the min/median/max wall time of N fresh processes (a private empty
MOOC_HOME, so `mooc list` shows the bundled demo course), then the same pinned to one
core (tests/benchmarks/timing.py). The baselines, measured in the same
run: `python -c pass` (the interpreter alone) and `python -c "import rich.console"`
(what any command that prints with rich pays). Ratios below 1 against rich.console
mean the command starts faster than a rich import alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.timing import Spread, both_ways, heading, timed  # noqa: E402
from tests.support.bytecode import compile_project  # noqa: E402

MOOC = Path(sys.executable).with_name("mooc")


def spread(cmd: list[str], env: dict[str, str], runs: int) -> Spread:
    return timed(
        lambda: subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True), runs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compile_project()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MOOC_HOME=home, MOOC_SYSTEM_HOME=os.path.join(home, "system"))
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import rich.console'": [sys.executable, "-c", "import rich.console"],
            "mooc --help": [str(MOOC), "--help"],
            "mooc list": [str(MOOC), "list"],
            "mooc list --json": [str(MOOC), "list", "--json"],
        }
        for cmd in cases.values():  # warm the page cache once; we measure interpreter + imports
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        results = {name: spread(cmd, env, args.runs) for name, cmd in cases.items()}
    base = results["python -c 'import rich.console'"]
    bare = results["python -c pass"]
    print(f"cold start, min/median/max of {args.runs} runs each [{heading()}]")
    for name, t in results.items():
        print(
            f"  {name:34s} {t.ms()}   x{t.ratio(base):4.2f} vs rich.console   "
            f"+{(t.median - bare.median) * 1000:6.1f} ms over bare python"
        )


if __name__ == "__main__":
    both_ways(main)
