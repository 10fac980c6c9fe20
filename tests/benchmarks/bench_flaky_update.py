"""A one-lesson update of a 40 MB pack over a flaky link (issue 11), run by hand:

    .venv/bin/python -m tests.benchmarks.bench_flaky_update [--runs 3] [--media-mb 40]

Bytes on the wire (the proxy's downstream count, HTTP headers included) for the
same delta on three links, as ratios to the clean link's bytes measured in the same
run (goal: <= 2 x the delta's own bytes, and never a full download):

1. clean (the baseline);
2. the connection dropped during the first ranged request;
3. 30 % of the answers cut (the proxy resets the connection instead of forwarding a
   chunk, seeded), and 50 % for good measure.

Each link is tried --runs times: min/median/max of each figure, then the same pinned to
one core (tests/benchmarks/timing.py).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.timing import Spread, both_ways, heading  # noqa: E402


def spread(values: list[float], digits: int = 0) -> str:
    """'median (min low, max high)' of a figure that is not a time."""
    s = Spread.of(values)
    return f"{s.median:.{digits}f} (min {s.low:.{digits}f}, max {s.high:.{digits}f})"


def _bump(src: Path) -> None:
    toml = (src / "course.toml").read_text()
    (src / "course.toml").write_text(re.sub(r'version = "[^"]+"', 'version = "1.1.0"', toml, count=1))
    lesson = sorted((src / "lessons").glob("*.md"))[3]
    lesson.write_text(lesson.read_text() + "\nOne more paragraph in one lesson.\n")


def main() -> None:
    import os

    from packages.building import build_pack
    from packages.delta import delta_download
    from tests.support.fault_proxy import FaultProxy
    from tests.support.genpack import generate_pack
    from tests.support.static_server import StaticServer

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--media-mb", type=int, default=40)
    ap.add_argument("--lessons", type=int, default=200)
    args = ap.parse_args()
    os.environ.setdefault("MOOC_BACKOFF_BASE", "0.05")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = generate_pack(work / "src", lessons=args.lessons, questions=40, media_bytes=args.media_mb * 1024 * 1024)
        old = build_pack(src, out=work / "old" / "course-1.0.0.mooc")
        _bump(src)
        new = build_pack(src, out=work / "www" / "course-1.1.0.mooc")
        size, sha = new.stat().st_size, hashlib.sha256(new.read_bytes()).hexdigest()
        print(f"pack {size} B ({size / 2**20:.1f} MiB), one lesson changed; min/median/max of {args.runs} runs")
        print(f"[{heading()}]")
        with StaticServer(new.parent) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
            base_wire = None
            for run, (name, setup) in enumerate(
                (
                    ("clean link (baseline)", lambda p: None),
                    (
                        "drop at the first ranged request",
                        lambda p: (
                            setattr(p, "drop_after", 200),
                            setattr(p, "drop_count", 1),
                            setattr(p, "drop_rst", True),
                        ),
                    ),
                    ("30 % of answers cut", lambda p: (p.rng.seed(30), setattr(p, "drop_rate", 0.3))),
                    ("50 % of answers cut", lambda p: (p.rng.seed(50), setattr(p, "drop_rate", 0.5))),
                )
            ):
                wires, seconds, requests, drops, plans, methods = [], [], [], [], [], set()
                for attempt in range(args.runs):
                    proxy.drop_after, proxy.drop_count, proxy.drop_rst, proxy.drop_rate = None, None, False, 0.0
                    setup(proxy)
                    proxy.reset_counters()
                    dest = work / "out" / f"{run}-{attempt}.mooc"
                    t0 = time.perf_counter()
                    result = delta_download(
                        proxy.url + new.name, dest, old, expected_size=size, expected_sha256=sha, quiet=True
                    )
                    seconds.append(time.perf_counter() - t0)
                    assert dest.read_bytes() == new.read_bytes()
                    dest.unlink()
                    wires.append(proxy.bytes_down)
                    requests.append(result.requests)
                    drops.append(proxy.drops)
                    plans.append(result.plan_bytes)
                    methods.add(result.method)
                base_wire = base_wire or Spread.of(wires).median
                print(
                    f"{name:34s} method={','.join(sorted(methods)):5s} wire {spread(wires)} B = "
                    f"{spread([w / base_wire for w in wires], 2)} x clean (goal <= 2.00); "
                    f"{spread([w / size * 100 for w in wires], 3)} % of the pack; plan {spread(plans)} B, "
                    f"{spread(requests)} requests, {spread(drops)} drops, {Spread.of(seconds).ms()}"
                )


if __name__ == "__main__":
    both_ways(main)
