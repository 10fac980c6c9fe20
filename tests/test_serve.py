"""`mooc serve`: a real server process feeding real installs; Range semantics; no escape."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from packages.serve import PackServer, parse_range
from tests.support.served import served_pack

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def pack_server(tmp_path):
    data = bytes(range(256)) * 4000
    path = tmp_path / "cache" / "x.mooc"
    path.parent.mkdir()
    path.write_bytes(data)
    (tmp_path / "secret.txt").write_text("secret")
    pack = served_pack(path)
    with PackServer([pack], port=0) as srv:
        yield srv, pack, data


def test_ranges_validators_and_if_range(pack_server):
    srv, pack, data = pack_server
    url = f"http://127.0.0.1:{srv.port}/packs/x-1.0.0.mooc"
    r = requests.get(url)
    assert r.status_code == 200 and r.content == data and r.headers["ETag"] == pack.etag
    r = requests.get(url, headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    r = requests.get(url, headers={"Range": "bytes=-5"})
    assert r.status_code == 206 and r.content == data[-5:]
    r = requests.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["Content-Range"] == f"bytes */{len(data)}"
    r = requests.get(url, headers={"Range": "bytes=100-", "If-Range": pack.etag})
    assert r.status_code == 206 and r.content == data[100:]
    r = requests.get(url, headers={"Range": "bytes=100-", "If-Range": '"other"'})
    assert r.status_code == 200 and r.content == data
    r = requests.head(url)
    assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(data) and not r.content


@pytest.mark.parametrize(
    "path",
    [
        "/packs/../secret.txt",
        "/packs/%2e%2e/secret.txt",
        "/secret.txt",
        "/packs/",
        "/packs/x-1.0.0.mooc/",
        "/cache/x.mooc",
        "//etc/passwd",
    ],
)
def test_nothing_but_the_catalog_and_packs(pack_server, path):
    srv, _pack, _data = pack_server
    r = requests.get(f"http://127.0.0.1:{srv.port}{path}")
    assert r.status_code == 404 and b"secret" not in r.content


def test_post_is_refused(pack_server):
    srv, _pack, _data = pack_server
    assert requests.post(f"http://127.0.0.1:{srv.port}/catalog.json", data=b"x").status_code == 501


def test_catalog_is_valid_and_relative(pack_server):
    from packages.catalog import parse_catalog

    srv, pack, _data = pack_server
    base = f"http://127.0.0.1:{srv.port}/"
    for path in ("", "catalog.json"):
        raw = requests.get(base + path).content
        [entry] = parse_catalog(raw, base + path)
        assert entry.url == base + "packs/x-1.0.0.mooc" and entry.sha256 == pack.sha256


def test_parse_range_edge_cases():
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=5-100", 10) == (5, 9)
    assert parse_range("bytes=-100", 10) == (0, 9)
    assert parse_range("bytes=10-", 10) == "bad"
    assert parse_range("bytes=0-1,3-4", 10) is None  # multi-range: whole file
    assert parse_range("bytes=5-2", 10) is None


def test_mooc_serve_feeds_another_machine(tmp_path, mooc_home, run_mooc):
    """Teacher: install a pack, `mooc serve`; a lab PC (another home) adds and installs it."""
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    src = generate_pack(tmp_path / "src", lessons=4, questions=4, course_id="lab-course")
    pack = build_pack(src, out=tmp_path / "lab-course-1.0.0.mooc")
    assert run_mooc("install", str(pack), "--system").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "serve", "--port", "0"],
        env=mooc_home.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        first = proc.stdout.readline()
        url = first.split(" on ")[1].strip()
        lines = [proc.stdout.readline() for _ in range(3)]
        assert any(f"mooc catalog add {url}" in line for line in lines)
        lab = tmp_path / "lab"
        env = {"MOOC_HOME": str(lab / "home"), "MOOC_SYSTEM_HOME": str(lab / "sys")}
        r = run_mooc("catalog", "add", url, env=env)
        assert r.returncode == 0, r.stderr
        r = run_mooc("install", "lab-course", env=env)
        assert r.returncode == 0 and "installed lab-course 1.0.0" in r.stdout, r.stderr
        served = json.loads(requests.get(url + "catalog.json").content)["courses"][0]
        assert served["sha256"] == hashlib.sha256(pack.read_bytes()).hexdigest()  # rebuilt byte-identically
    finally:
        proc.terminate()
        proc.wait(timeout=10)
