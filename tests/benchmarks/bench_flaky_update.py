"""A one-lesson update of a 40 MB pack over a flaky link (issue 11), run by hand:

    .venv/bin/python -m tests.benchmarks.bench_flaky_update

Bytes on the wire (the proxy's downstream count, HTTP headers included) for the
same delta on three links, as ratios to the clean link's bytes measured in the same
run (goal: <= 2 x the delta's own bytes, and never a full download):

1. clean (the baseline);
2. the connection dropped during the first ranged request;
3. 30 % of the answers cut (the proxy resets the connection instead of forwarding a
   chunk, seeded), and 50 % for good measure.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from pathlib import Path


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

    os.environ.setdefault("MOOC_BACKOFF_BASE", "0.05")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = generate_pack(work / "src", lessons=200, questions=40, media_bytes=40 * 1024 * 1024)
        old = build_pack(src, out=work / "old" / "course-1.0.0.mooc")
        _bump(src)
        new = build_pack(src, out=work / "www" / "course-1.1.0.mooc")
        size, sha = new.stat().st_size, hashlib.sha256(new.read_bytes()).hexdigest()
        print(f"pack {size} B ({size / 2**20:.1f} MiB), one lesson changed")
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
                proxy.drop_after, proxy.drop_count, proxy.drop_rst, proxy.drop_rate = None, None, False, 0.0
                setup(proxy)
                proxy.reset_counters()
                dest = work / "out" / f"{run}.mooc"
                t0 = time.perf_counter()
                result = delta_download(
                    proxy.url + new.name, dest, old, expected_size=size, expected_sha256=sha, quiet=True
                )
                seconds = time.perf_counter() - t0
                assert dest.read_bytes() == new.read_bytes()
                wire = proxy.bytes_down
                base_wire = base_wire or wire
                print(
                    f"{name:34s} method={result.method:5s} wire {wire:>8d} B = {wire / base_wire:.2f} x clean "
                    f"(goal <= 2.00); {wire / size * 100:.3f} % of the pack; plan {result.plan_bytes} B, "
                    f"{result.requests} requests, {proxy.drops} drops, {seconds:.2f} s"
                )


if __name__ == "__main__":
    main()
