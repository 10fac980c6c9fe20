"""Hostile servers on 127.0.0.1 against the real `mooc` command: downloads, catalogs, updates.

Every test asserts the one error line, the exit code, a bounded number of requests
(counted by the server), a generous time bound that proves "did not hang", and that
what was installed or cached before is intact. `mooc serve` facing hostile clients
is in tests/test_serve_hostile.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from packages.download import download
from packages.http_get import DownloadError
from packages.part_file import part_paths
from tests.support.static_server import StaticServer

REPO = Path(__file__).resolve().parents[1]
FAST_RETRIES = {"MOOC_BACKOFF_BASE": "0.01"}
MAX_TRIES = 8  # packages.retry_budget.MAX_TRIES, the retry budget


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def mooc(home, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """The real `mooc` command: its output, wall time and own peak RSS (from os.wait4)."""
    import selectors

    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", *args],
        env=home.env(**(env or {})),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = bytearray(), bytearray()
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ, out)
        sel.register(proc.stderr, selectors.EVENT_READ, err)
        while sel.get_map():
            if time.monotonic() - start > timeout:
                proc.kill()
                proc.wait()
                raise AssertionError(f"mooc {' '.join(args)} still running after {timeout} s: it hung")
            for key, _events in sel.select(timeout=0.5):
                data = os.read(key.fileobj.fileno(), 65536)
                if data:
                    key.data.extend(data)
                else:
                    sel.unregister(key.fileobj)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    proc.stderr.close()
    return Run(proc.returncode, out.decode(), err.decode(), time.monotonic() - start, usage.ru_maxrss / 1024)


def one_error_line(run: Run, *needles: str) -> str:
    """The run failed with exactly one line on stderr, `mooc: error: ...`, holding every needle."""
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1, (run.returncode, run.stderr)
    assert len(lines) == 1 and lines[0].startswith("mooc: error: "), run.stderr
    assert "Traceback" not in run.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> Path:
    """Built packs: `before` (installed first, must survive), `pack` (what servers serve), 2.0 of it."""
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    base = tmp_path_factory.mktemp("hostile")
    build_pack(
        generate_pack(base / "src-before", lessons=2, questions=2, course_id="before"),
        out=base / "built" / "before-1.0.0.mooc",
    )
    src = generate_pack(base / "src", lessons=4, questions=4, media_bytes=600_000, course_id="target")
    build_pack(src, out=base / "built" / "target-1.0.0.mooc")
    toml = (src / "course.toml").read_text()
    (src / "course.toml").write_text(toml.replace('version = "1.0.0"', 'version = "2.0.0"', 1))
    build_pack(src, out=base / "built" / "target-2.0.0.mooc")
    return base / "built"


@pytest.fixture
def www(packs, tmp_path) -> Path:
    """A publisher folder: target 1.0.0 as pack.mooc, a catalog of 2.0.0."""
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(packs / "target-1.0.0.mooc", root / "pack.mooc")
    shutil.copy(packs / "target-2.0.0.mooc", root / "target-2.0.0.mooc")
    return root


@pytest.fixture
def before(packs, mooc_home, run_mooc) -> dict[str, str]:
    """Install `before`; return a digest of the store, to prove it is intact afterwards."""
    r = run_mooc("install", str(packs / "before-1.0.0.mooc"))
    assert r.returncode == 0, r.stderr
    return store_state(mooc_home)


def store_state(home) -> dict[str, str]:
    return {**tree_digest(home.home / "courses"), **{"system/" + k: v for k, v in tree_digest(home.system).items()}}


def catalog_for(root: Path, pack: str, **changes) -> dict:
    from packages.catalog_publish import catalog_entry_for_pack

    entry = {**catalog_entry_for_pack(root / pack, pack), **changes}
    doc = {"format": 1, "courses": [entry]}
    (root / "catalog.json").write_text(json.dumps(doc))
    return entry


def partial_download(home, srv: StaticServer, url: str, cut_after: int = 300_000) -> tuple[Path, bytes]:
    """A real partial download of URL (the link died after CUT_AFTER bytes), where `mooc install URL` resumes."""
    dest = home.home / "downloads" / "pack.mooc"
    srv.short_body = cut_after
    try:
        with pytest.raises(DownloadError):
            download(url, dest, quiet=True, max_tries=1)
    finally:
        srv.short_body = None
    part, meta = part_paths(dest)
    assert meta.exists() and part.stat().st_size == cut_after
    return part, part.read_bytes()


# --------------------------------------------------------------------------- 1. no progress


NO_PROGRESS = {
    "416-loop": ({"always_416": True}, "HTTP 416 (range not satisfiable)"),
    "lying-range": ({"lie_range": (0, 99, None), "lie_range_always": True}, "206 (part of the file)"),
    "empty-body": ({"short_body": 0}, "empty answer"),
    "empty-200": ({"claim_length": 0, "short_body": 0}, "empty answer"),
    "hang-up": ({"close_at_once": True}, "closed the connection without answering"),
    "short-range": ({"short_body": 1000}, "connection closed after"),
}


@pytest.mark.parametrize("case", NO_PROGRESS)
def test_answers_without_progress_spend_the_retry_budget(case, www, mooc_home, before):
    """8 requests, one line saying what the server did, exit 1, the .part kept and resumable."""
    knobs, said = NO_PROGRESS[case]
    with StaticServer(www) as srv:
        url = srv.url + "pack.mooc"
        part, held = partial_download(mooc_home, srv, url)
        srv.requests.clear()
        for key, value in knobs.items():
            setattr(srv, key, value)
        run = mooc(mooc_home, "install", url, env=FAST_RETRIES)
        line = one_error_line(run, url, f"giving up after {MAX_TRIES} tries", said, "run the same command again")
        assert len(srv.requests) == MAX_TRIES, line
        assert run.seconds < 60
        assert part.read_bytes()[: len(held)] == held  # kept (a short range may have added to it)
        assert store_state(mooc_home) == before
        # The server mends its ways: the next run resumes the kept bytes.
        for key in knobs:
            setattr(srv, key, _default(key))
        srv.requests.clear()
        srv.bytes_sent = 0
        kept = part.stat().st_size
        run = mooc(mooc_home, "install", url)
        assert run.returncode == 0 and "installed target 1.0.0" in run.stdout, run.stderr
        assert srv.requests[0][2].get("range") == f"bytes={kept}-"
        assert srv.bytes_sent == (www / "pack.mooc").stat().st_size - kept


def _default(knob: str):
    return {
        "always_416": False,
        "lie_range": None,
        "lie_range_always": False,
        "short_body": None,
        "claim_length": None,
        "close_at_once": False,
    }[knob]


def test_a_server_lying_about_ranges_is_asked_for_the_whole_file(www, mooc_home, before):
    """206 with a Content-Range that is not the one asked: not trusted, the whole file instead."""
    with StaticServer(www) as srv:
        url = srv.url + "pack.mooc"
        part, _held = partial_download(mooc_home, srv, url)
        srv.requests.clear()
        srv.lie_range = (0, 99, None)  # to any Range; a request without one gets the truth
        run = mooc(mooc_home, "install", url, env=FAST_RETRIES)
        assert run.returncode == 0 and "installed target 1.0.0" in run.stdout, run.stderr
        assert [h.get("range") is not None for _m, _p, h in srv.requests] == [True, False]
    assert not part.exists()


# --------------------------------------------------------------------------- 2. size: caps and a full disk


def test_endless_body_of_a_bare_url_stops_at_the_download_limit(www, mooc_home, before):
    """No Content-Length, no catalog: MOOC_MAX_DOWNLOAD_SIZE bounds it (lowered here to 1 MiB)."""
    with StaticServer(www) as srv:
        srv.endless = True  # the pack, then zeros forever, no length
        url = srv.url + "pack.mooc"
        run = mooc(mooc_home, "install", url, env={"MOOC_MAX_DOWNLOAD_SIZE": "1M"})
        one_error_line(run, url, "the server sent more than 1048576 bytes", "MOOC_MAX_DOWNLOAD_SIZE")
        assert len(srv.requests) == 1 and run.seconds < 30
    downloads = mooc_home.home / "downloads"
    assert not any(p.is_file() for p in downloads.rglob("*"))  # known bad: nothing kept
    assert store_state(mooc_home) == before


def test_announced_size_over_the_limit_is_refused_before_the_body(www, mooc_home, before):
    with StaticServer(www) as srv:
        url = srv.url + "pack.mooc"
        run = mooc(mooc_home, "install", url, env={"MOOC_MAX_DOWNLOAD_SIZE": "100k"})
        size = (www / "pack.mooc").stat().st_size
        one_error_line(run, url, f"announces {size} bytes, over the 102400-byte limit", "MOOC_MAX_DOWNLOAD_SIZE")
        assert len(srv.requests) == 1
    assert not any(p.is_file() for p in (mooc_home.home / "downloads").rglob("*"))  # not one byte written
    assert store_state(mooc_home) == before


def test_endless_body_of_a_catalog_pack_stops_at_the_catalogs_size(www, mooc_home, before):
    with StaticServer(www) as srv:
        entry = catalog_for(www, "target-2.0.0.mooc")
        assert mooc(mooc_home, "catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        srv.requests.clear()
        srv.endless = True
        run = mooc(mooc_home, "install", "target")
        one_error_line(
            run, "target 2.0.0 (catalog pub)", f"the server sent more than the catalog's {entry['size']} bytes"
        )
        assert len(srv.requests) == 1 and run.seconds < 30
    assert not any(p.is_file() for p in (mooc_home.home / "downloads").rglob("*"))
    assert store_state(mooc_home) == before


@pytest.fixture
def small_disk(tmpfs):
    """A real 3 MiB filesystem (tmpfs); unmounted afterwards."""
    return tmpfs("small", "3m")


def test_full_disk_is_one_line_and_the_partial_resumes_after_freeing_space(packs, small_disk, tmp_path, mooc_home):
    """MOOC_HOME on a 3 MiB disk, a 4 MiB pack: ENOSPC mid-download. One line, exit 1, the course
    installed before untouched, the .part kept; with more room the same command resumes and finishes."""
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    big = build_pack(
        generate_pack(tmp_path / "src-big", lessons=2, questions=2, media_bytes=4_000_000, course_id="big"),
        out=tmp_path / "www" / "big.mooc",
    )
    home = type(mooc_home)(small_disk / "home", small_disk / "system")
    home.home.mkdir()
    home.system.mkdir()
    r = mooc(home, "install", str(packs / "before-1.0.0.mooc"))
    assert r.returncode == 0, r.stderr
    installed = store_state(home)
    with StaticServer(big.parent) as srv:
        url = srv.url + "big.mooc"
        run = mooc(home, "install", url)
        line = one_error_line(
            run,
            str(home.home / "downloads"),
            "the disk is full",
            "bytes kept in",
            "free some space and run the same command again to resume",
        )
        assert len(srv.requests) == 1 and run.seconds < 60, line
        part = home.home / "downloads" / "big.mooc.part"
        kept = part.stat().st_size
        assert 0 < kept < big.stat().st_size
        assert store_state(home) == installed
        assert "before" in mooc(home, "list").stdout
        subprocess.run(["mount", "-o", "remount,size=32m", str(small_disk)], check=True)
        srv.requests.clear()
        srv.bytes_sent = 0
        run = mooc(home, "install", url)
        assert run.returncode == 0 and "installed big 1.0.0" in run.stdout, run.stderr
        assert srv.requests[0][2].get("range") == f"bytes={kept}-"
        assert srv.bytes_sent == big.stat().st_size - kept
    assert {k: v for k, v in store_state(home).items() if k in installed} == installed


# --------------------------------------------------------------------------- 3. memory: capped reads


def added_catalog(www: Path, home, srv: StaticServer) -> bytes:
    """Add a good catalog as `pub`; return its cached copy, to prove later failures keep it."""
    catalog_for(www, "target-2.0.0.mooc")
    run = mooc(home, "catalog", "add", srv.url + "catalog.json", "--name", "pub")
    assert run.returncode == 0, run.stderr
    return (home.home / "catalogs" / "pub.catalog.json").read_bytes()


@pytest.mark.parametrize("case", ["endless", "gzip-bomb"])
def test_a_gigabyte_catalog_is_refused_after_the_cap_in_bounded_memory(case, www, mooc_home):
    """An endless body, or 1 GiB of zeros gzipped to 4.5 MB: refused at 16 MiB (the default cap),
    the process never holding much more than that; a refresh keeps the last good copy."""
    with StaticServer(www) as srv:
        cached = added_catalog(www, mooc_home, srv)
        if case == "endless":
            srv.endless = True
        else:
            (www / "catalog.json").write_bytes(_gzip_zeros(1024**3))
            srv.extra_headers = {"Content-Encoding": "gzip"}
        srv.requests.clear()
        run = mooc(mooc_home, "catalog", "refresh")
        one_error_line(
            run,
            f"catalog pub ({srv.url}catalog.json)",
            "larger than 16777216 bytes",
            "MOOC_MAX_CATALOG_SIZE",
            "kept the last good copy",
        )
        assert len(srv.requests) == 1 and run.seconds < 60
        assert run.max_rss_mb < 200, run.max_rss_mb  # the cap is 16 MiB; python + requests is ~45 MB
        run = mooc(mooc_home, "catalog", "add", srv.url + "catalog.json", "--name", "other")
        one_error_line(run, "larger than 16777216 bytes")
    assert (mooc_home.home / "catalogs" / "pub.catalog.json").read_bytes() == cached
    assert [c["name"] for c in json.loads(mooc(mooc_home, "catalog", "list", "--json").stdout)] == ["pub"]


def _gzip_zeros(n: int) -> bytes:
    import zlib

    comp = zlib.compressobj(1, zlib.DEFLATED, 31)
    block = bytes(16 << 20)
    return b"".join([*(comp.compress(block) for _ in range(n >> 24)), comp.flush()])


def test_catalog_size_limit_is_lowerable_and_local_files_are_read_bounded(www, mooc_home, tmp_path):
    big = tmp_path / "big" / "catalog.json"
    big.parent.mkdir()
    big.write_bytes(b" " * (2 * 1024 * 1024) + b"{}")
    run = mooc(mooc_home, "catalog", "add", str(big.parent), env={"MOOC_MAX_CATALOG_SIZE": "1M"})
    one_error_line(run, big.as_uri(), "larger than 1048576 bytes")
    fifo = tmp_path / "fifo" / "catalog.json"
    fifo.parent.mkdir()
    os.mkfifo(fifo)  # would block a plain open() forever
    for target in (fifo.parent, Path("/dev/zero")):
        run = mooc(mooc_home, "catalog", "add", str(target), timeout=30)
        one_error_line(run, "not a regular file")
    assert mooc(mooc_home, "catalog", "list", "--json").stdout.strip() == "[]"


def test_delta_never_reads_a_range_answer_longer_than_asked(www, packs, mooc_home, run_mooc):
    """`mooc update`: the server answers the tail request with a 206 claiming 1 GB and streams
    zeros. Delta gives up on that answer without reading it and falls back to a full download."""
    size = (www / "target-2.0.0.mooc").stat().st_size
    assert run_mooc("install", str(packs / "target-1.0.0.mooc")).returncode == 0
    with StaticServer(www) as srv:
        added_catalog(www, mooc_home, srv)
        srv.requests.clear()
        srv.lie_range, srv.lie_range_when = (0, 10**9 - 1, 10**9), "bytes=-"
        run = mooc(mooc_home, "update", "--json")
        assert run.returncode == 0, run.stderr
        [report] = json.loads(run.stdout)
        assert report["method"] == "full" and "the server has 1000000000 bytes" in report["fallback_reason"]
        assert report["bytes_fetched"] == size  # not one byte of the lying answer was kept
        packs_asked = [r for r in srv.requests if r[1] != "/catalog.json"]  # update refreshes the catalog first
        assert len(packs_asked) == 2 and run.max_rss_mb < 200
    assert any(c["version"] == "2.0.0" for c in json.loads(mooc(mooc_home, "list", "--json").stdout))


# --------------------------------------------------------------------------- 4. time: deadlines


def test_install_from_a_dripping_server_stops_at_the_minimum_rate(www, mooc_home, before):
    """One byte every 0.2 s (under any read timeout): under MOOC_MIN_RATE for MOOC_RATE_WINDOW
    (lowered to 2 s) stops it; the bytes that came are kept to resume."""
    with StaticServer(www) as srv:
        srv.drip = 0.2
        url = srv.url + "pack.mooc"
        run = mooc(mooc_home, "install", url, env={"MOOC_RATE_WINDOW": "2"})
        one_error_line(run, url, "too slow", "under 1024 bytes/s", "MOOC_MIN_RATE", "run the same command again")
        assert len(srv.requests) == 1 and run.seconds < 20
    assert (mooc_home.home / "downloads" / "pack.mooc.part").stat().st_size > 0
    assert store_state(mooc_home) == before


def test_install_from_a_server_dripping_its_headers_stops_at_the_deadline(www, mooc_home, before):
    """The status line and an endless header, a byte every 0.2 s: no body ever starts, so only the
    watchdog can end it. MOOC_DEADLINE lowered to 2 s, plus the catalog size at MOOC_MIN_RATE (raised
    to 1M so that the whole deadline is about 3 s; the 120 s rate window never comes into play)."""
    with StaticServer(www) as srv:
        entry = catalog_for(www, "target-2.0.0.mooc")
        assert mooc(mooc_home, "catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        srv.requests.clear()
        srv.drip_head = 0.2
        run = mooc(mooc_home, "install", "target", env={"MOOC_DEADLINE": "2", "MOOC_MIN_RATE": "1M"})
        allowed = 2 + entry["size"] / 1024**2
        one_error_line(run, "target 2.0.0 (catalog pub)", f"over the {allowed:.0f} s allowed", "MOOC_DEADLINE")
        assert len(srv.requests) == 1 and run.seconds < allowed + 20
    assert store_state(mooc_home) == before


@pytest.mark.parametrize("drip", ["body", "head"])
def test_catalog_add_and_refresh_from_a_dripping_server_stop_at_the_deadline(drip, www, mooc_home):
    with StaticServer(www) as srv:
        cached = added_catalog(www, mooc_home, srv)
        srv.requests.clear()
        if drip == "body":
            srv.drip = 0.2
        else:
            srv.drip_head = 0.2
        env = {"MOOC_DEADLINE": "2"}
        run = mooc(mooc_home, "catalog", "refresh", env=env)
        one_error_line(run, f"catalog pub ({srv.url}catalog.json)", "over the 2 s allowed", "kept the last good copy")
        assert run.seconds < 20
        run = mooc(mooc_home, "catalog", "add", srv.url + "catalog.json", "--name", "other", env=env)
        one_error_line(run, "over the 2 s allowed")
        assert len(srv.requests) == 2 and run.seconds < 20
    assert (mooc_home.home / "catalogs" / "pub.catalog.json").read_bytes() == cached
    assert [c["name"] for c in json.loads(mooc(mooc_home, "catalog", "list", "--json").stdout)] == ["pub"]


def test_update_from_a_dripping_server_stops_and_keeps_the_installed_version(www, packs, mooc_home, run_mooc):
    assert run_mooc("install", str(packs / "target-1.0.0.mooc")).returncode == 0
    with StaticServer(www) as srv:
        added_catalog(www, mooc_home, srv)
        installed = store_state(mooc_home)
        srv.requests.clear()
        srv.drip = 0.2
        run = mooc(mooc_home, "update", "--offline", env={"MOOC_RATE_WINDOW": "2"})  # the pack, not the catalog
        one_error_line(run, srv.url + "target-2.0.0.mooc", "too slow", "MOOC_MIN_RATE")
        assert len(srv.requests) == 1 and run.seconds < 20  # no fallback after a broken time rule
    assert store_state(mooc_home) == installed
    assert any(c["version"] == "1.0.0" for c in json.loads(mooc(mooc_home, "list", "--json").stdout))


# --------------------------------------------------------------------------- 6. junk catalogs


JUNK = {
    "nested": b'{"format": 1, "courses": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "nested-object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "not-json": b"\x89PNG\r\n\x1a\n",
    "courses-object": json.dumps({"format": 1, "courses": {"a": 1}}).encode(),
    "format-string": json.dumps({"format": "1", "courses": []}).encode(),
    "size-string": None,  # filled from a real entry below
    "title-list": None,
    "huge-number": b'{"format": 1, "courses": [{"size": ' + b"9" * 5000 + b"}]}",
}
JUNK_SAYS = {
    "nested": "nested too deeply",
    "nested-object": "nested too deeply",
    "not-json": "not a JSON catalog",
    "courses-object": "not a catalog",
    "format-string": '"format" must be an integer',
    "size-string": '"size" must be a positive integer',
    "title-list": '"title" must be a string',
    "huge-number": "not a JSON catalog",
}


@pytest.mark.parametrize("case", JUNK)
def test_junk_catalogs_are_one_line_naming_the_url(case, www, mooc_home):
    with StaticServer(www) as srv:
        cached = added_catalog(www, mooc_home, srv)
        entry = json.loads((www / "catalog.json").read_text())["courses"][0]
        raw = JUNK[case]
        if case == "size-string":
            raw = json.dumps({"format": 1, "courses": [{**entry, "size": str(entry["size"])}]}).encode()
        elif case == "title-list":
            raw = json.dumps({"format": 1, "courses": [{**entry, "title": ["x"]}]}).encode()
        (www / "catalog.json").write_bytes(raw)
        srv.requests.clear()
        url = srv.url + "catalog.json"
        run = mooc(mooc_home, "catalog", "refresh")
        one_error_line(run, f"catalog pub ({url})", JUNK_SAYS[case], "kept the last good copy")
        run = mooc(mooc_home, "catalog", "add", url, "--name", "other")
        one_error_line(run, url, JUNK_SAYS[case])
        assert len(srv.requests) == 2
    assert (mooc_home.home / "catalogs" / "pub.catalog.json").read_bytes() == cached


@pytest.mark.parametrize("damage", ["nested", "wrong-types", "escape-name"])
def test_a_damaged_catalog_list_or_cache_is_one_line_naming_the_file(damage, www, mooc_home):
    with StaticServer(www) as srv:
        added_catalog(www, mooc_home, srv)
    folder = mooc_home.home / "catalogs"
    if damage == "nested":
        target = folder / "pub.catalog.json"
        target.write_bytes(b"[" * 100_000 + b"]" * 100_000)
        says = "nested too deeply"
    elif damage == "wrong-types":
        target = folder / "catalogs.json"
        target.write_text(json.dumps({"catalogs": [{"name": ["pub"], "url": 5}]}))
        says = "an entry without a valid name and url"
    else:
        target = folder / "catalogs.json"
        target.write_text(json.dumps({"catalogs": [{"name": "../../courses/x", "url": "http://x/"}]}))
        says = "an entry without a valid name and url"
    run = mooc(mooc_home, "search", "target")
    one_error_line(run, str(target), says)
