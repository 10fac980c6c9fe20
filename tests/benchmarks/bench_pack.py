"""Benchmark the authoring commands on a 2,000-lesson / 10,000-question pack.

Run by hand:  .venv/bin/python tests/benchmarks/bench_pack.py [--runs 5] [--media-mb 0]

Times (min/median/max of N runs, real `mooc` subprocesses; then the same again pinned
to one core, tests/benchmarks/timing.py):
  mooc pack check FOLDER, mooc pack check FILE.mooc, mooc pack build FOLDER
against two baselines measured in the same run:
  python -c "import tomllib"       (the floor any Python command pays)
  reading + SHA-256 of every file  (the floor any check of the pack's bytes pays)
  tomllib.loads of every .toml     (the floor any TOML-based loader pays)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.timing import Spread, both_ways, heading, timed  # noqa: E402
from tests.support.genpack import generate_pack  # noqa: E402

MOOC = Path(sys.executable).with_name("mooc")


def run(*cmd: str) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")


def read_and_hash(root: Path) -> None:
    for dirpath, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as fh:
                hashlib.sha256(fh.read()).hexdigest()


def parse_all_toml(root: Path) -> None:
    from packages.portable import tomllib

    for path in root.rglob("*.toml"):
        tomllib.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lessons", type=int, default=2000)
    ap.add_argument("--questions", type=int, default=10000)
    ap.add_argument("--media-mb", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pack"
        t = time.perf_counter()
        generate_pack(src, lessons=args.lessons, questions=args.questions, media_bytes=args.media_mb << 20)
        n_files = sum(len(f) for _, _, f in os.walk(src))
        size = sum(os.path.getsize(os.path.join(d, n)) for d, _, fs in os.walk(src) for n in fs)
        print(
            f"pack: {args.lessons} lessons, {args.questions} questions, {n_files} files, {size / 1e6:.1f} MB "
            f"(generated in {time.perf_counter() - t:.2f} s); min/median/max of {args.runs} runs"
        )
        built = Path(tmp) / "pack.mooc"
        run(str(MOOC), "pack", "build", str(src), "-o", str(built))

        base_py = timed(lambda: run(sys.executable, "-c", "import tomllib"), args.runs)
        base_hash = timed(lambda: read_and_hash(src), args.runs)
        base_toml = timed(lambda: parse_all_toml(src), args.runs)
        check_dir = timed(lambda: run(str(MOOC), "pack", "check", str(src)), args.runs)
        check_zip = timed(lambda: run(str(MOOC), "pack", "check", str(built)), args.runs)
        build = timed(lambda: run(str(MOOC), "pack", "build", str(src), "-o", str(built)), args.runs)

        print(f"{'baseline: python -c import tomllib':40s} {base_py.ms()}")
        print(f"{'baseline: read + sha256 every file':40s} {base_hash.ms()}")
        print(f"{'baseline: tomllib.loads every .toml':40s} {base_toml.ms()}")
        # the floor: the sum of the three baselines' medians (and of their minimums, for the spread)
        floor = Spread(
            base_py.low + base_hash.low + base_toml.low,
            base_py.median + base_hash.median + base_toml.median,
            base_py.high + base_hash.high + base_toml.high,
        )
        print(f"{'floor: python start + read/hash + tomllib':40s} {floor.ms()}")
        for label, value in (
            ("mooc pack check FOLDER", check_dir),
            ("mooc pack check FILE.mooc", check_zip),
            ("mooc pack build FOLDER", build),
        ):
            print(
                f"{label:40s} {value.ms()}   {value.ratio(floor):5.2f}x the floor "
                f"(min/min {value.low / floor.low:.2f}x) [{heading()}]"
            )
        print(f"built pack: {built.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    both_ways(main)
