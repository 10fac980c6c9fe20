"""Benchmark `mooc install`: a course with many files, and raw throughput on a big pack.

    .venv/bin/python tests/benchmarks/bench_install.py [--media-mb 200] [--runs 3] [--dir DIR]

1. A generated pack of 2,000 lessons and 10,000 questions (tests/support/genpack.py),
   built with `build_pack`, installed with the real `mooc install` (fresh home), then
   `mooc list` and `mooc info` on the result (they must not care how big it is).
2. A pack with `--media-mb` MB of random media: install throughput in MB/s of the
   .mooc, against `sha256sum` of the same file in the same run (the floor: install
   must hash every byte once, and also write and fsync it).
Each figure is the min/median/max of --runs runs (an install into a fresh home each time,
page cache warm), then the same pinned to one core (tests/benchmarks/timing.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from packages.building import build_pack  # noqa: E402
from tests.benchmarks.timing import Spread, both_ways, heading, timed  # noqa: E402
from tests.support.genpack import generate_pack  # noqa: E402

MOOC = Path(sys.executable).with_name("mooc")


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)


def install_spread(pack: Path, work: Path, runs: int) -> tuple[Spread, Path]:
    """`mooc install` into a fresh home each run; the last home is kept (and returned)."""
    homes = iter(work / f"home-{pack.stem}-{i}" for i in range(runs))
    last: list[Path] = []

    def once() -> None:
        if last:
            shutil.rmtree(last.pop())
        home = next(homes)
        last.append(home)
        run(
            [str(MOOC), "install", str(pack)],
            dict(os.environ, MOOC_HOME=str(home), MOOC_SYSTEM_HOME=str(work / "system")),
        )

    return timed(once, runs), last[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--media-mb", type=int, default=200)
    parser.add_argument("--lessons", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp folder)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-install-", dir=args.dir))
    try:
        print(f"min/median/max of {args.runs} runs [{heading()}]")
        # 1. many files
        src = generate_pack(work / "big-src", lessons=args.lessons, questions=args.questions)
        built = work / "big-course.mooc"
        build_t = timed(lambda: build_pack(src, out=built), args.runs)
        n_files = sum(1 for p in src.rglob("*") if p.is_file())
        inst, home = install_spread(built, work, args.runs)
        env = dict(os.environ, MOOC_HOME=str(home), MOOC_SYSTEM_HOME=str(work / "system"))
        list_t = timed(lambda: run([str(MOOC), "list"], env), max(args.runs, 5))
        info_t = timed(lambda: run([str(MOOC), "info", "big-course"], env), max(args.runs, 5))
        print(
            f"{args.lessons:,} lessons / {args.questions:,} questions ({n_files} files, "
            f".mooc {built.stat().st_size / 1e6:.1f} MB)"
        )
        print(f"  build_pack                 {build_t.ms()}")
        print(f"  mooc install               {inst.ms()}   ({n_files / inst.median:,.0f} files/s)")
        print(f"  mooc list afterwards       {list_t.ms()}")
        print(f"  mooc info big-course       {info_t.ms()}")

        # 2. throughput
        media_src = generate_pack(
            work / "media-src",
            lessons=20,
            questions=40,
            media_bytes=args.media_mb * 1_000_000,
            course_id="media-course",
        )
        big = build_pack(media_src, out=work / "media-course.mooc")
        size_mb = big.stat().st_size / 1e6
        sha = timed(lambda: run(["sha256sum", str(big)]), args.runs)
        inst, _ = install_spread(big, work, args.runs)
        print(f"{size_mb:.0f} MB pack of random media")
        print(f"  sha256sum (baseline)       {sha.ms()}   {size_mb / sha.median:7.1f} MB/s")
        print(
            f"  mooc install               {inst.ms()}   {size_mb / inst.median:7.1f} MB/s   "
            f"= x{sha.median / inst.median:.2f} of sha256sum throughput (medians)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    both_ways(main)
