"""Benchmark `mooc install`: a course with many files, and raw throughput on a big pack.

    .venv/bin/python tests/benchmarks/bench_install.py [--media-mb 200] [--dir DIR]

1. A generated pack of 2,000 lessons and 10,000 questions (tests/support/genpack.py),
   built with `build_pack`, installed with the real `mooc install` (fresh home), then
   `mooc list` and `mooc info` on the result (they must not care how big it is).
2. A pack with `--media-mb` MB of random media: install throughput in MB/s of the
   .mooc, against `sha256sum` of the same file in the same run (the floor: install
   must hash every byte once, and also write and fsync it).
Each install is run 3 times (fresh home each time, page cache warm) and the median kept.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from packages.building import build_pack  # noqa: E402
from tests.support.genpack import generate_pack  # noqa: E402

MOOC = Path(sys.executable).with_name("mooc")


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - t0


def install_median(pack: Path, work: Path, runs: int = 3) -> float:
    times = []
    for i in range(runs):
        home = work / f"home-{pack.stem}-{i}"
        env = dict(os.environ, MOOC_HOME=str(home), MOOC_SYSTEM_HOME=str(work / "system"))
        times.append(timed([str(MOOC), "install", str(pack)], env))
        if i < runs - 1:
            shutil.rmtree(home)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--media-mb", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp folder)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-install-", dir=args.dir))
    try:
        # 1. many files
        src = generate_pack(work / "big-src", lessons=2000, questions=10000)
        t0 = time.perf_counter()
        many = build_pack(src, out=work / "big-course.mooc")
        build_s = time.perf_counter() - t0
        n_files = sum(1 for p in src.rglob("*") if p.is_file())
        inst = install_median(many, work)
        env = dict(os.environ, MOOC_HOME=str(work / f"home-{many.stem}-2"), MOOC_SYSTEM_HOME=str(work / "system"))
        list_s = statistics.median(timed([str(MOOC), "list"], env) for _ in range(5))
        info_s = statistics.median(timed([str(MOOC), "info", "big-course"], env) for _ in range(5))
        print(f"2,000 lessons / 10,000 questions ({n_files} files, .mooc {many.stat().st_size / 1e6:.1f} MB)")
        print(f"  build_pack                 {build_s:7.2f} s")
        print(f"  mooc install (median of 3) {inst:7.2f} s   ({n_files / inst:,.0f} files/s)")
        print(f"  mooc list afterwards       {list_s * 1000:7.1f} ms")
        print(f"  mooc info big-course       {info_s * 1000:7.1f} ms")

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
        sha = statistics.median(timed(["sha256sum", str(big)]) for _ in range(3))
        inst = install_median(big, work)
        print(f"{size_mb:.0f} MB pack of random media")
        print(f"  sha256sum (baseline)       {sha:7.2f} s   {size_mb / sha:7.1f} MB/s")
        print(
            f"  mooc install (median of 3) {inst:7.2f} s   {size_mb / inst:7.1f} MB/s   "
            f"= x{sha / inst:.2f} of sha256sum throughput"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
