"""What every benchmark shares: min/median/max of N runs, and a second run pinned to one core.

A benchmark calls `both_ways(main)` from its `if __name__ == "__main__":`. It runs
`main()` as it is (all cores), then, where `taskset` exists, runs itself again under
`taskset -c 0` (one core, standing in for a lab's old PC) with BENCH_PINNED=1 set, so
its output says which table is which. `BENCH_ONE_WAY=1` runs only the first.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """min / median / max of a figure's runs, in seconds."""

    low: float
    median: float
    high: float

    @classmethod
    def of(cls, times: list[float]) -> Spread:
        return cls(min(times), statistics.median(times), max(times))

    def ms(self) -> str:
        """'  12.3 ms (min 11.9, max 14.0)'"""
        return f"{self.median * 1000:8.1f} ms (min {self.low * 1000:.1f}, max {self.high * 1000:.1f})"

    def ratio(self, base: Spread) -> float:
        return self.median / base.median


def timed(fn: Callable[[], object], runs: int) -> Spread:
    """Call fn runs times; the spread of its wall-clock times."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Spread.of(times)


def pinned() -> bool:
    return os.environ.get("BENCH_PINNED") == "1"


def heading() -> str:
    return "pinned to one core (taskset -c 0)" if pinned() else "all cores"


def both_ways(main: Callable[[], None]) -> None:
    """Run main(), then the same script again pinned to core 0 (unless already pinned)."""
    print(f"== {heading()}", flush=True)
    main()
    if pinned() or os.environ.get("BENCH_ONE_WAY") == "1":
        return
    taskset = shutil.which("taskset")
    if taskset is None:
        print("== pinned run skipped: no taskset on this machine", flush=True)
        return
    sys.stdout.flush()
    env = {**os.environ, "BENCH_PINNED": "1"}
    code = subprocess.call([taskset, "-c", "0", sys.executable, *sys.argv], env=env)
    if code:
        raise SystemExit(code)
