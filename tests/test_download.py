"""Downloads over bad links: real HTTP servers on 127.0.0.1 behind a fault-injecting proxy."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from packages.download import DownloadStats, download
from packages.download_meter import TokenBucket, parse_rate
from packages.errors import MoocError
from packages.http_get import DownloadError
from packages.part_file import part_paths
from tests.support.fault_proxy import FaultProxy
from tests.support.static_server import StaticServer

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def blob(tmp_path: Path) -> tuple[Path, bytes, str]:
    root = tmp_path / "www"
    root.mkdir()
    data = os.urandom(2_000_000)
    (root / "pack.mooc").write_bytes(data)
    return root, data, hashlib.sha256(data).hexdigest()


def test_plain_download_verifies_and_leaves_no_partial(blob, tmp_path):
    root, data, sha = blob
    with StaticServer(root) as srv:
        dest = download(
            srv.url + "pack.mooc", tmp_path / "out" / "p.mooc", expected_size=len(data), expected_sha256=sha, quiet=True
        )
    assert dest.read_bytes() == data
    part, meta = part_paths(dest)
    assert not part.exists() and not meta.exists()


def test_dropped_connections_resume_without_refetching(blob, tmp_path):
    root, data, sha = blob
    with StaticServer(root) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.drop_after = 300_000  # every connection dies after 300 kB
        stats = DownloadStats()
        dest = download(
            proxy.url + "pack.mooc",
            tmp_path / "p.mooc",
            expected_size=len(data),
            expected_sha256=sha,
            quiet=True,
            backoff_base=0.01,
            stats=stats,
        )
        assert dest.read_bytes() == data
        assert proxy.drops >= 6
        assert stats.bytes_received == len(data)  # never a byte twice
        assert proxy.bytes_down < len(data) * 1.01
        ranges = [h.get("range") for _m, _p, h in srv.requests]
        assert ranges[0] is None and all(r and r.startswith("bytes=") for r in ranges[1:])
        assert all(h.get("if-range") for _m, _p, h in srv.requests[1:])


def test_retries_503_and_429_then_succeeds(blob, tmp_path):
    root, data, sha = blob
    with StaticServer(root) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.fail_next(2, status=503, headers={"Retry-After": "0"})
        proxy.fail_next(1, status=429, headers={"Retry-After": "0"})
        stats = DownloadStats()
        download(
            proxy.url + "pack.mooc",
            tmp_path / "p.mooc",
            expected_sha256=sha,
            quiet=True,
            backoff_base=0.01,
            stats=stats,
        )
        assert stats.retries == 3 and stats.events[:3] == ["HTTP 503", "HTTP 503", "HTTP 429"]


def test_dead_server_gives_up_after_bounded_tries(blob, tmp_path):
    root, data, sha = blob
    with StaticServer(root) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.fail_next(50, status=500)
        with pytest.raises(DownloadError, match=r"giving up after 3 tries: HTTP 500"):
            download(
                proxy.url + "pack.mooc",
                tmp_path / "p.mooc",
                expected_sha256=sha,
                quiet=True,
                backoff_base=0.01,
                max_tries=3,
            )
        assert proxy.connections == 3


def test_stalled_server_hits_read_timeout_and_resumes(blob, tmp_path):
    root, data, sha = blob
    with StaticServer(root) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.stall, proxy.stall_count = 5.0, 1
        t0 = time.monotonic()
        download(
            proxy.url + "pack.mooc",
            tmp_path / "p.mooc",
            expected_sha256=sha,
            quiet=True,
            backoff_base=0.01,
            read_timeout=0.5,
        )
        assert time.monotonic() - t0 < 4
        assert (tmp_path / "p.mooc").read_bytes() == data


def test_partial_from_a_previous_run_resumes_with_if_range(blob, tmp_path):
    root, data, sha = blob
    dest = tmp_path / "p.mooc"
    with StaticServer(root) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.drop_after, proxy.drop_count = 700_000, 1
        with pytest.raises(DownloadError):
            download(proxy.url + "pack.mooc", dest, expected_sha256=sha, quiet=True, max_tries=1)
        part, meta = part_paths(dest)
        have = part.stat().st_size
        assert 0 < have < len(data) and json.loads(meta.read_text())["etag"]
        stats = DownloadStats()
        download(proxy.url + "pack.mooc", dest, expected_sha256=sha, quiet=True, stats=stats)
        assert stats.resumed_from == have and stats.bytes_received == len(data) - have
        assert dest.read_bytes() == data


def test_changed_file_restarts_cleanly(blob, tmp_path):
    """If-Range fails (the file changed): the server sends 200 and we start over."""
    root, data, _sha = blob
    dest = tmp_path / "p.mooc"
    with StaticServer(root) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.drop_after, proxy.drop_count = 500_000, 1
        with pytest.raises(DownloadError):
            download(proxy.url + "pack.mooc", dest, quiet=True, max_tries=1)
        new = os.urandom(len(data))
        (root / "pack.mooc").write_bytes(new)
        os.utime(root / "pack.mooc", (time.time() + 10, time.time() + 10))
        stats = DownloadStats()
        download(proxy.url + "pack.mooc", dest, quiet=True, stats=stats)
        assert dest.read_bytes() == new and stats.restarts == 1


def test_server_without_range_support_still_completes(blob, tmp_path):
    root, data, sha = blob
    with StaticServer(root) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        srv.ranges = False  # like `python -m http.server`
        proxy.drop_after, proxy.drop_count = 500_000, 1
        stats = DownloadStats()
        download(
            proxy.url + "pack.mooc",
            tmp_path / "p.mooc",
            expected_sha256=sha,
            quiet=True,
            backoff_base=0.01,
            stats=stats,
        )
        assert (tmp_path / "p.mooc").read_bytes() == data and stats.restarts == 1


@pytest.mark.parametrize(
    "case, pattern",
    [
        ("digest", "SHA-256 mismatch"),
        ("size", "the catalog says 1000"),
        ("missing", r"not found \(HTTP 404\)"),
        ("html", "sent a web page"),
        ("redirect-file", "redirect to a file: URL refused"),
        ("absurd", "over the limit"),
    ],
)
def test_untrusted_servers_fail_clearly_and_leave_nothing(blob, tmp_path, case, pattern):
    root, data, sha = blob
    dest = tmp_path / "out" / "p.mooc"
    kwargs: dict = {"expected_sha256": sha, "quiet": True, "max_tries": 2, "backoff_base": 0.01}
    with StaticServer(root) as srv:
        url = srv.url + "pack.mooc"
        if case == "digest":
            kwargs["expected_sha256"] = "0" * 64
        elif case == "size":
            kwargs["expected_size"] = 1000
        elif case == "missing":
            url = srv.url + "nope.mooc"
        elif case == "html":
            srv.content_type = "text/html; charset=utf-8"
        elif case == "redirect-file":
            srv.redirects["/pack.mooc"] = "file:///etc/passwd"
        elif case == "absurd":
            kwargs["expected_size"] = 10**13
        with pytest.raises(MoocError, match=pattern) as info:
            download(url, dest, **kwargs)
    assert "127.0.0.1" in str(info.value)  # names the URL
    assert not dest.exists()
    assert not part_paths(dest)[0].exists() or case in ("missing", "html", "redirect-file")


def test_redirect_from_https_to_http_is_refused():
    from packages.http_get import check_redirect

    with pytest.raises(DownloadError, match="https to plain http"):
        check_redirect("https://a.example/p.mooc", "http://a.example/p.mooc")
    check_redirect("http://a.example/p.mooc", "https://b.example/p.mooc")  # upgrade is fine


def test_more_bytes_than_announced_is_refused(blob, tmp_path):
    """A server streaming past the catalog's size (no Content-Length) is cut off."""
    root, data, sha = blob
    with StaticServer(root) as srv:
        srv.extra_bytes = 5000
        # Content-Length is honest here; the extra bytes must never reach the file.
        download(srv.url + "pack.mooc", tmp_path / "p.mooc", expected_size=len(data), expected_sha256=sha, quiet=True)
        assert (tmp_path / "p.mooc").read_bytes() == data


def test_environment_proxy_is_used(blob, tmp_path, monkeypatch):
    """HTTP_PROXY is honoured: the URL's own port is closed, only the proxy can answer."""
    root, data, sha = blob
    with StaticServer(root) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "")
        monkeypatch.setenv("no_proxy", "")
        download("http://127.0.0.1:9/pack.mooc", tmp_path / "p.mooc", expected_sha256=sha, quiet=True)
        assert proxy.connections >= 1 and srv.requests[0][1] == "/pack.mooc"
        assert (tmp_path / "p.mooc").read_bytes() == data


def test_limit_rate_and_parse_rate(blob, tmp_path):
    assert parse_rate("200k") == 204800 and parse_rate("1M") == 1048576 and parse_rate("500") == 500
    with pytest.raises(MoocError, match="not a rate"):
        parse_rate("fast")
    root, data, sha = blob
    with StaticServer(root) as srv:
        t0 = time.monotonic()
        download(srv.url + "pack.mooc", tmp_path / "p.mooc", expected_sha256=sha, quiet=True, limit_rate=2_000_000)
        elapsed = time.monotonic() - t0
    assert 0.7 < elapsed < 5  # 2 MB at 2 MB/s, minus one burst


def test_token_bucket_math():
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    bucket = TokenBucket(1000, burst=100, clock=lambda: now[0], sleep=sleep)
    for _ in range(10):
        bucket.take(100)
    assert abs(now[0] - 0.9) < 1e-6  # 1000 bytes at 1000 B/s with a 100 B burst


def test_killed_install_resumes_on_next_run(tmp_path, mooc_home, run_mooc):
    """SIGKILL `mooc install` mid-download through a throttled proxy; the rerun resumes."""
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    src = generate_pack(tmp_path / "src", lessons=5, questions=5, media_bytes=1_500_000)
    www = tmp_path / "www"
    pack = build_pack(src, out=www / "big.mooc")
    size = pack.stat().st_size
    with StaticServer(www) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.rate = 1_000_000
        env = mooc_home.env()
        proc = subprocess.Popen(
            [sys.executable, "-m", "player", "install", proxy.url + "big.mooc"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
        )
        part = mooc_home.home / "downloads" / "big.mooc.part"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not part.exists() or part.stat().st_size < size // 3):
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        have = part.stat().st_size
        assert 0 < have < size
        proxy.rate = None
        result = run_mooc("install", proxy.url + "big.mooc")
        assert result.returncode == 0, result.stderr
        assert "installed big-course" in result.stdout
        assert proxy.bytes_down < size * 1.05  # resumed, not restarted
        assert srv.requests[-1][2].get("range") == f"bytes={have}-" or any(
            h.get("range") for _m, _p, h in srv.requests[1:]
        )
    assert not part.exists()
