"""Download benchmarks (run by hand): .venv/bin/python -m tests.benchmarks.bench_download [--runs 3]

1. Bytes on the wire to fetch a 50 MB pack through a proxy that drops the connection
   every 5 MB (goal <= 1.01 x pack size; baseline: the same fetch on a clean link).
2. Bytes to update a 500-lesson pack in which one lesson changed (goal <= 2 x the
   changed entries + the central directory; baseline: a full download).
3. `mooc serve` (PackServer) feeding 20 concurrent downloads on loopback, throughput
   vs the plain static test server in the same run.

Every figure is the min/median/max of --runs runs, then the same pinned to one core
(tests/benchmarks/timing.py). --drop-mb, --lessons and --serve-mb make it small.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.timing import Spread, both_ways, heading  # noqa: E402


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def spread(values: list[float], digits: int = 0) -> str:
    """'median (min low, max high)' of a figure that is not a time (bytes, MB/s, a ratio)."""
    s = Spread.of(values)
    return f"{s.median:.{digits}f} (min {s.low:.{digits}f}, max {s.high:.{digits}f})"


def bench_drops(work: Path, runs: int, mb: int) -> None:
    from packages.building import build_pack
    from packages.download import DownloadStats, download
    from tests.support.fault_proxy import FaultProxy
    from tests.support.genpack import generate_pack
    from tests.support.static_server import StaticServer

    src = generate_pack(work / "big", lessons=10, questions=10, media_bytes=mb * 1024 * 1024)
    pack = build_pack(src, out=work / "www" / "big.mooc")
    size, sha = pack.stat().st_size, _sha(pack)
    clean_s, clean_b, drop_s, drop_b, drops, requests = [], [], [], [], [], []
    with StaticServer(pack.parent) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        for run in range(runs):
            proxy.drop_after = None
            proxy.reset_counters()
            t0 = time.perf_counter()
            download(
                proxy.url + "big.mooc", work / f"clean-{run}.mooc", expected_size=size, expected_sha256=sha, quiet=True
            )
            clean_s.append(time.perf_counter() - t0)
            clean_b.append(proxy.bytes_down)
            proxy.reset_counters()
            proxy.drop_after = max(1, mb // 10) * 1024 * 1024
            stats = DownloadStats()
            t0 = time.perf_counter()
            download(
                proxy.url + "big.mooc",
                work / f"dropped-{run}.mooc",
                expected_size=size,
                expected_sha256=sha,
                quiet=True,
                backoff_base=0.05,
                stats=stats,
            )
            drop_s.append(time.perf_counter() - t0)
            drop_b.append(proxy.bytes_down)
            drops.append(proxy.drops)
            requests.append(stats.requests)
            for name in (f"clean-{run}.mooc", f"dropped-{run}.mooc"):
                (work / name).unlink()
    print(f"[1] {mb} MB pack, drop every {max(1, mb // 10)} MB: pack {size} B")
    print(
        f"    wire {spread(drop_b)} B = {spread([b / size for b in drop_b], 4)} x pack (goal <= 1.01); "
        f"drops {spread(drops)}, requests {spread(requests)}; time {Spread.of(drop_s).ms()}"
    )
    print(
        f"    baseline clean link: wire {spread(clean_b)} B = {spread([b / size for b in clean_b], 4)} x pack, "
        f"time {Spread.of(clean_s).ms()}; ratio dropped/clean bytes (medians) = "
        f"{Spread.of(drop_b).median / Spread.of(clean_b).median:.4f}"
    )


def bench_delta(work: Path, runs: int, lessons: int) -> None:
    import zipfile

    from packages.building import build_pack
    from packages.delta import delta_download
    from tests.support.genpack import generate_pack
    from tests.support.static_server import StaticServer

    src = generate_pack(work / "les", lessons=lessons, questions=lessons * 2 // 5, course_id="five-hundred")
    old = build_pack(src, out=work / "old" / "five-hundred-1.0.0.mooc")
    toml = (src / "course.toml").read_text()
    (src / "course.toml").write_text(re.sub(r'version = "[^"]+"', 'version = "1.0.1"', toml, count=1))
    lesson = sorted((src / "lessons").glob("*.md"))[lessons // 2]
    lesson.write_text(lesson.read_text() + "\nOne corrected sentence.\n")
    new = build_pack(src, out=work / "www2" / "five-hundred-1.0.1.mooc")
    size = new.stat().st_size

    with zipfile.ZipFile(old) as zo, zipfile.ZipFile(new) as zn:
        old_info = {i.filename: i for i in zo.infolist()}
        infos = sorted(zn.infolist(), key=lambda i: i.header_offset)
        changed = 0
        for i, info in enumerate(infos):
            end = infos[i + 1].header_offset if i + 1 < len(infos) else zn.start_dir  # type: ignore[attr-defined]
            o = old_info.get(info.filename)
            if o is None or (o.CRC, o.compress_size) != (info.CRC, info.compress_size):
                changed += end - info.header_offset
        cd = size - zn.start_dir  # type: ignore[attr-defined]
    fetched, sent, requests, seconds = [], [], [], []
    methods = set()
    with StaticServer(new.parent) as srv:
        for run in range(runs):
            before = srv.bytes_sent
            t0 = time.perf_counter()
            result = delta_download(
                srv.url + new.name, work / f"upd-{run}.mooc", old, expected_size=size, expected_sha256=_sha(new)
            )
            seconds.append(time.perf_counter() - t0)
            fetched.append(result.bytes_fetched)
            sent.append(srv.bytes_sent - before)
            requests.append(result.requests)
            methods.add(result.method)
            (work / f"upd-{run}.mooc").unlink()
    goal = 2 * (changed + cd)
    print(
        f"[2] {lessons}-lesson pack ({size} B), one lesson changed: delta fetched {spread(fetched)} B in "
        f"{spread(requests)} requests ({', '.join(sorted(methods))}), {Spread.of(seconds).ms()}; "
        f"changed entries {changed} B + central directory {cd} B; ratio fetched/(changed+CD) = "
        f"{spread([f / (changed + cd) for f in fetched], 2)} (goal <= 2; limit {goal} B)"
    )
    print(f"    baseline full download: {size} B; delta/full = {spread([s / size for s in sent], 4)}")


def bench_serve(work: Path, runs: int, mb: int) -> None:
    from packages.building import build_pack
    from packages.download import download
    from packages.serve import PackServer
    from tests.support.genpack import generate_pack
    from tests.support.served import served_pack
    from tests.support.static_server import StaticServer

    src = generate_pack(work / "mid", lessons=20, questions=20, media_bytes=mb * 1024 * 1024, course_id="mid")
    pack = build_pack(src, out=work / "www3" / "mid-1.0.0.mooc")
    size, sha = pack.stat().st_size, _sha(pack)
    served = served_pack(pack, "mid", "mid")

    def run(url: str, tag: str) -> float:
        errors: list[BaseException] = []

        def one(i: int) -> None:
            try:
                download(url, work / f"{tag}-{i}.mooc", expected_size=size, expected_sha256=sha, quiet=True)
            except BaseException as err:  # noqa: BLE001
                errors.append(err)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        if errors:
            raise errors[0]
        for i in range(20):
            (work / f"{tag}-{i}.mooc").unlink()
        return 20 * size / elapsed / 1e6

    static_mbps, serve_mbps = [], []
    with StaticServer(pack.parent) as static:
        for _ in range(runs):
            static_mbps.append(run(static.url + pack.name, "static"))
    with PackServer([served], port=0) as server:
        for _ in range(runs):
            serve_mbps.append(run(f"http://127.0.0.1:{server.port}/packs/mid-1.0.0.mooc", "serve"))
    print(
        f"[3] 20 concurrent downloads of a {size / 1e6:.1f} MB pack on loopback (each verified): "
        f"mooc serve {spread(serve_mbps)} MB/s, plain static server {spread(static_mbps)} MB/s, "
        f"ratio serve/static (medians) = {Spread.of(serve_mbps).median / Spread.of(static_mbps).median:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--drop-mb", type=int, default=50, help="size of the pack of [1] (dropped every tenth)")
    ap.add_argument("--lessons", type=int, default=500, help="lessons of the pack of [2]")
    ap.add_argument("--serve-mb", type=int, default=10, help="media of the pack of [3]")
    args = ap.parse_args()
    print(f"min/median/max of {args.runs} runs [{heading()}]")
    with tempfile.TemporaryDirectory(prefix="bench-download-") as tmp:
        work = Path(tmp)
        bench_drops(work, args.runs, args.drop_mb)
        bench_delta(work, args.runs, args.lessons)
        bench_serve(work, args.runs, args.serve_mb)


if __name__ == "__main__":
    both_ways(main)
