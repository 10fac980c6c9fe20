"""Moving between pack flavours (issue 22), run by hand:
    .venv/bin/python -m tests.benchmarks.bench_flavour_moves

For the demo course and the 2,000-lesson benchmark pack (tests/support/genpack.py)
with media (.bin files, images, videos): the three flavours' sizes, then each move up
(text -> novideo, text -> full, novideo -> full) as `mooc upgrade` makes it, against a
Range-capable static server on loopback, counting the bytes the server sent:

- ideal: the files the installed flavour lacks (the sum of their sizes);
- fetched / ideal: the move's cost. The bigger pack is predicted from the installed one
  (packages/flavour_delta.py): what travels is the missing entries (local headers + data,
  deflated where the builder deflated them, so it can be below 1) and their directory
  records; the zip directory and the new manifest are computed here;
- baseline: downloading the target flavour whole (its pack size), the same run;
- then text -> full again through the fault proxy dropping the link every 4 MB: the
  server's count (with small socket buffers: what was on its way at a drop counts,
  though it never crossed the link) and mooc's own count of what it received.

Moves down are local (no byte fetched); their time is shown. Times are min/median/max
of RUNS moves (a fresh data folder each), all cores then pinned to one core
(tests/benchmarks/timing.py). Ends with the commands a learner on a slow link types.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from tests.benchmarks.timing import Spread, both_ways, heading

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
DEMO = Path(__file__).resolve().parents[2] / "packages" / "demo_course"
MOVES = (("text", "novideo"), ("text", "full"), ("novideo", "full"))


def _mb(n: int) -> str:
    return f"{n / 1e6:9.3f} MB"


def _publish(work: Path) -> dict[str, Path]:
    """Both courses' three flavours in one folder with its catalog: {course id: folder}."""
    from packages.building import build_flavours
    from packages.catalog_publish import build_catalog
    from tests.support.flavour_packs import media_course

    www = work / "www"
    t0 = time.perf_counter()
    build_flavours(DEMO, www)
    src = media_course(
        work / "big-src",
        lessons=2000,
        questions=10000,
        media_bytes=24_000_000,
        videos=(12_000_000, 8_000_000),
        image_bytes=400_000,
        course_id="big-course",
    )
    build_flavours(src, www)
    build_catalog(www)
    print(f"built the demo course and the 2,000-lesson pack in three flavours: {time.perf_counter() - t0:.1f} s")
    return {"mooc-demo": www, "big-course": www}


def _sizes(www: Path, course: str) -> dict[str, int]:
    from packages.flavours import FLAVOURS, pack_file_name

    return {f: (www / pack_file_name(course, "1.0.0", f)).stat().st_size for f in FLAVOURS}


def _fresh(work: Path, url: str, course: str, flavour: str) -> object:
    from packages.catalog_registry import Catalogs
    from packages.flavour_choice import resolve_install
    from packages.install import install
    from packages.layout import Layout

    home = Path(tempfile.mkdtemp(prefix="home-", dir=work))
    layout = Layout(home=home, system_home=home / "system")
    Catalogs(layout).add(url, "pub")
    install(layout, resolve_install(layout, course, requested=flavour), quiet=True)
    return layout


def _move(work: Path, srv: object, url: str, course: str, up: tuple[str, str]) -> tuple[dict, int, float]:
    from packages.flavour_moves import change_flavour

    layout = _fresh(work, url, course, up[0])
    srv.bytes_sent = 0  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    info = change_flavour(layout, course, up[1], quiet=True)  # type: ignore[arg-type]
    took = time.perf_counter() - t0
    assert info["to_flavour"] == up[1] and info["method"] == "delta", info
    assert info["predicted"], info  # the bigger flavour's layout predicted here (packages/flavour_delta.py)
    shutil.rmtree(layout.home, ignore_errors=True)  # type: ignore[attr-defined]
    return info, srv.bytes_sent, took  # type: ignore[attr-defined]


def main() -> None:
    from tests.support.fault_proxy import FaultProxy
    from tests.support.static_server import StaticServer

    os.environ.setdefault("MOOC_BACKOFF_BASE", "0.02")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        www = _publish(work)["big-course"]
        with StaticServer(www) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
            url = srv.url + "catalog.json"
            for course in ("mooc-demo", "big-course"):
                sizes = _sizes(www, course)
                print(
                    f"\n{course}: text {_mb(sizes['text'])}  novideo {_mb(sizes['novideo'])}  full {_mb(sizes['full'])}"
                )
                print(
                    f"  {'move':<17}{'ideal':>14}{'fetched':>14}{'fetched/ideal':>15}{'whole pack':>14}{'fetched/whole':>15}   time ({heading()})"
                )
                for up in MOVES:
                    runs = [_move(work, srv, url, course, up) for _ in range(RUNS)]
                    info, sent, _ = runs[0]
                    assert all(r[1] == sent for r in runs), [r[1] for r in runs]  # the same bytes every run
                    whole = sizes[up[1]]
                    spread = Spread.of([r[2] for r in runs])
                    ratio = f"{sent / info['ideal_bytes']:15.4f}" if info["ideal_bytes"] else f"{'(none lacking)':>15}"
                    print(
                        f"  {up[0] + ' -> ' + up[1]:<17}{_mb(info['ideal_bytes'])}{_mb(sent)}"
                        f"{ratio}{_mb(whole)}{sent / whole:15.4f}   {spread.ms()}"
                    )
                # the same move through a link that drops every 4 MB
                proxy_url = proxy.url + "catalog.json"
                proxy.drop_after, proxy.drop_count = 4_000_000, None
                srv.sndbuf = proxy.upstream_rcvbuf = 16384  # little in loopback buffers at a drop
                info, sent, took = _move(work, srv, proxy_url, course, ("text", "full"))
                proxy.drop_after = srv.sndbuf = proxy.upstream_rcvbuf = None
                got = info["bytes_fetched"]
                print(
                    f"  text -> full, link dropping every 4 MB: {info['retries']} retries, {took:.2f} s; the server "
                    f"sent {_mb(sent).strip()} = {sent / info['ideal_bytes']:.4f} x ideal, "
                    f"mooc received {_mb(got).strip()} = {got / info['ideal_bytes']:.4f} x ideal"
                )
                _downs(work, url, course)
    print(
        "\nA learner on a slow link types:\n"
        "  mooc catalog add https://courses.example.org/catalog.json\n"
        "  mooc search                                 # each flavour's size\n"
        "  mooc install stats-101 --flavour text       # lessons and quizzes only\n"
        '  # or once: bandwidth = "low" in config.toml, then plain `mooc install stats-101`\n'
        "  mooc upgrade stats-101 --flavour novideo    # later: images, PDFs, audio (resumable)\n"
        "  mooc upgrade stats-101 --flavour full       # the videos too: only what is missing travels\n"
        "  mooc upgrade stats-101 --flavour text       # disk full: back to text, no network\n"
        "  (in the player: o on a [video, 14 MB: in the full pack] placeholder fetches that one file)"
    )


def _downs(work: Path, url: str, course: str) -> None:
    from packages.flavour_moves import change_flavour

    for down in (("full", "novideo"), ("full", "text")):
        times = []
        for _ in range(RUNS):
            layout = _fresh(work, url, course, down[0])
            t0 = time.perf_counter()
            info = change_flavour(layout, course, down[1], quiet=True)  # type: ignore[arg-type]
            times.append(time.perf_counter() - t0)
            assert info["bytes_fetched"] == 0 and info["method"] == "local", info
            shutil.rmtree(layout.home, ignore_errors=True)  # type: ignore[attr-defined]
        print(
            f"  {down[0] + ' -> ' + down[1]:<17}local, 0 bytes fetched, {_mb(info['bytes_freed'])} freed   "
            f"{Spread.of(times).ms()}"
        )


if __name__ == "__main__":
    both_ways(main)
