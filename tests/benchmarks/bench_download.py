"""Download benchmarks (run by hand): .venv/bin/python -m tests.benchmarks.bench_download

1. Bytes on the wire to fetch a 50 MB pack through a proxy that drops the connection
   every 5 MB (goal <= 1.01 x pack size; baseline: the same fetch on a clean link).
2. Bytes to update a 500-lesson pack in which one lesson changed (goal <= 2 x the
   changed entries + the central directory; baseline: a full download).
3. `mooc serve` (PackServer) feeding 20 concurrent downloads on loopback, throughput
   vs the plain static test server in the same run.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
import time
from pathlib import Path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bench_drops(work: Path) -> None:
    from packages.building import build_pack
    from packages.download import DownloadStats, download
    from tests.support.fault_proxy import FaultProxy
    from tests.support.genpack import generate_pack
    from tests.support.static_server import StaticServer

    src = generate_pack(work / "big", lessons=10, questions=10, media_bytes=50 * 1024 * 1024)
    pack = build_pack(src, out=work / "www" / "big.mooc")
    size, sha = pack.stat().st_size, _sha(pack)
    with StaticServer(pack.parent) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        t0 = time.perf_counter()
        download(proxy.url + "big.mooc", work / "clean.mooc", expected_size=size, expected_sha256=sha, quiet=True)
        clean_s, clean_bytes = time.perf_counter() - t0, proxy.bytes_down
        proxy.reset_counters()
        proxy.drop_after = 5 * 1024 * 1024
        stats = DownloadStats()
        t0 = time.perf_counter()
        download(
            proxy.url + "big.mooc",
            work / "dropped.mooc",
            expected_size=size,
            expected_sha256=sha,
            quiet=True,
            backoff_base=0.05,
            stats=stats,
        )
        drop_s = time.perf_counter() - t0
        print(
            f"[1] 50 MB pack, drop every 5 MB: pack {size} B; wire {proxy.bytes_down} B "
            f"= {proxy.bytes_down / size:.4f} x pack (goal <= 1.01); {proxy.drops} drops, {stats.requests} requests,"
            f" {drop_s:.2f} s"
        )
        print(
            f"    baseline clean link: wire {clean_bytes} B = {clean_bytes / size:.4f} x pack, {clean_s:.2f} s; "
            f"ratio dropped/clean bytes = {proxy.bytes_down / clean_bytes:.4f}"
        )


def bench_delta(work: Path) -> None:
    import zipfile

    from packages.building import build_pack
    from packages.delta import delta_download
    from tests.support.genpack import generate_pack
    from tests.support.static_server import StaticServer

    src = generate_pack(work / "les", lessons=500, questions=200, course_id="five-hundred")
    old = build_pack(src, out=work / "old" / "five-hundred-1.0.0.mooc")
    toml = (src / "course.toml").read_text()
    (src / "course.toml").write_text(re.sub(r'version = "[^"]+"', 'version = "1.0.1"', toml, count=1))
    lesson = sorted((src / "lessons").glob("*.md"))[250]
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
    with StaticServer(new.parent) as srv:
        result = delta_download(
            srv.url + new.name, work / "upd.mooc", old, expected_size=size, expected_sha256=_sha(new)
        )
        sent = srv.bytes_sent
    goal = 2 * (changed + cd)
    print(
        f"[2] 500-lesson pack ({size} B), one lesson changed: delta fetched {result.bytes_fetched} B in "
        f"{result.requests} requests ({result.method}); changed entries {changed} B + central directory {cd} B; "
        f"ratio fetched/(changed+CD) = {result.bytes_fetched / (changed + cd):.2f} (goal <= 2; limit {goal} B)"
    )
    print(f"    baseline full download: {size} B; delta/full = {sent / size:.4f}")


def bench_serve(work: Path) -> None:
    from packages.building import build_pack
    from packages.download import download
    from packages.serve import PackServer
    from tests.support.genpack import generate_pack
    from tests.support.served import served_pack
    from tests.support.static_server import StaticServer

    src = generate_pack(work / "mid", lessons=20, questions=20, media_bytes=10 * 1024 * 1024, course_id="mid")
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

    with StaticServer(pack.parent) as static:
        static_mbps = run(static.url + pack.name, "static")
    with PackServer([served], port=0) as server:
        serve_mbps = run(f"http://127.0.0.1:{server.port}/packs/mid-1.0.0.mooc", "serve")
    print(
        f"[3] 20 concurrent downloads of a {size / 1e6:.1f} MB pack on loopback (each verified): "
        f"mooc serve {serve_mbps:.0f} MB/s, plain static server {static_mbps:.0f} MB/s, "
        f"ratio serve/static = {serve_mbps / static_mbps:.2f}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-download-") as tmp:
        work = Path(tmp)
        bench_drops(work)
        bench_delta(work)
        bench_serve(work)


if __name__ == "__main__":
    main()
