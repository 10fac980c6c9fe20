"""Catalogs end to end: `mooc catalog build/add/list/refresh/remove`, `search`, `install ID`, USB."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from packages.catalog import parse_catalog
from packages.errors import MoocError
from tests.support.static_server import StaticServer


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> Path:
    """A publisher folder with two versions of a small generated course."""
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    base = tmp_path_factory.mktemp("pub")
    src = generate_pack(base / "src", lessons=6, questions=6, course_id="stats-101", version="1.0.0")
    pub = base / "www"
    build_pack(src, out=pub / "stats-101-1.0.0.mooc")
    return pub


def test_build_add_search_install_from_http_catalog(packs, tmp_path, run_mooc):
    www = tmp_path / "www"
    shutil.copytree(packs, www)
    r = run_mooc("catalog", "build", str(www))
    assert r.returncode == 0, r.stderr
    doc = json.loads((www / "catalog.json").read_text())
    entry = doc["courses"][0]
    assert entry["url"] == "stats-101-1.0.0.mooc" and entry["size"] == (www / entry["url"]).stat().st_size
    assert entry["sha256"] == hashlib.sha256((www / entry["url"]).read_bytes()).hexdigest()
    with StaticServer(www) as srv:
        r = run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "uni")
        assert r.returncode == 0 and "added catalog uni" in r.stdout
        r = run_mooc("install", "stats-101")
        assert r.returncode == 0, r.stderr
        assert "installed stats-101 1.0.0" in r.stdout
    # offline now: search still works from the cache and shows the installed version
    r = run_mooc("search", "stats", "--json")
    hits = json.loads(r.stdout)
    assert [h["id"] for h in hits] == ["stats-101"] and hits[0]["installed_version"] == "1.0.0"
    r = run_mooc("catalog", "list", "--json")
    assert json.loads(r.stdout)[0]["name"] == "uni"
    # a failed refresh keeps the last good copy
    r = run_mooc("catalog", "refresh")
    assert r.returncode == 1 and "kept the last good copy" in r.stderr
    assert "stats-101" in run_mooc("search", "").stdout
    r = run_mooc("catalog", "remove", "uni")
    assert r.returncode == 0
    assert run_mooc("catalog", "list", "--json").stdout.strip() == "[]"


def test_usb_folder_of_bare_packs(packs, tmp_path, run_mooc):
    """A lab with no network: a USB stick holding .mooc files, no catalog.json."""
    usb = tmp_path / "usb"
    shutil.copytree(packs, usb)
    (usb / "catalog.json").unlink(missing_ok=True)
    r = run_mooc("catalog", "add", str(usb))
    assert r.returncode == 0, r.stderr
    r = run_mooc("install", "stats-101")
    assert r.returncode == 0 and "installed stats-101" in r.stdout, r.stderr
    # or straight from the stick: every pack in the folder, each verified by its manifest
    r = run_mooc("install", str(usb))
    assert r.returncode == 0, r.stderr
    assert "stats-101 1.0.0" in r.stdout and "already installed" in r.stdout


def test_usb_catalog_with_tampered_pack_is_refused(packs, tmp_path, run_mooc):
    usb = tmp_path / "usb"
    shutil.copytree(packs, usb)
    assert run_mooc("catalog", "build", str(usb)).returncode == 0
    assert run_mooc("catalog", "add", (usb / "catalog.json").as_uri(), "--name", "usb").returncode == 0
    pack = usb / "stats-101-1.0.0.mooc"
    raw = bytearray(pack.read_bytes())
    raw[100] ^= 0xFF
    pack.write_bytes(bytes(raw))
    r = run_mooc("install", "stats-101")
    assert r.returncode == 1
    assert "stats-101 1.0.0 (catalog usb)" in r.stderr and "SHA-256" in r.stderr
    assert "stats-101" not in run_mooc("list").stdout


BASE = "https://pub.example/catalog.json"
GOOD = {"id": "a", "version": "1.0.0", "title": "A", "url": "a.mooc", "size": 10, "sha256": "a" * 64}


@pytest.mark.parametrize(
    "doc, pattern",
    [
        (b"<html>nope</html>", "not a JSON catalog"),
        (b'{"courses": 3}', "not a catalog"),
        (b'{"format": 2, "courses": []}', "needs a newer mooc"),
        ({"courses": [{**GOOD, "id": "../x"}]}, "invalid id"),
        ({"courses": [{**GOOD, "size": 10**13}]}, "over the limit"),
        ({"courses": [{**GOOD, "sha256": "zz"}]}, "64 hex digits"),
        ({"courses": [{**GOOD, "url": "file:///etc/passwd"}]}, "leaves http"),
        ({"courses": [{**GOOD, "url": "http://pub.example/a.mooc"}]}, "plain http in an https catalog"),
        ({"courses": [GOOD, GOOD]}, "listed twice"),
    ],
)
def test_bad_catalogs_name_catalog_and_entry(doc, pattern):
    raw = doc if isinstance(doc, bytes) else json.dumps({"format": 1, **doc}).encode()
    with pytest.raises(MoocError, match=pattern) as info:
        parse_catalog(raw, BASE, name="uni")
    assert str(info.value).startswith("catalog uni")


def test_relative_urls_resolve_against_the_catalog():
    entries = parse_catalog(json.dumps({"format": 1, "courses": [GOOD]}).encode(), BASE, name="uni")
    assert entries[0].url == "https://pub.example/a.mooc"


def test_bad_catalog_is_never_added_and_bad_refresh_keeps_old(packs, tmp_path, run_mooc):
    www = tmp_path / "www"
    shutil.copytree(packs, www)
    run_mooc("catalog", "build", str(www))
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "uni").returncode == 0
        (www / "catalog.json").write_text("{broken")
        r = run_mooc("catalog", "refresh")
        assert r.returncode == 1 and re.search(
            r"catalog uni \(http://127.0.0.1:\d+/catalog.json\): not a JSON catalog", r.stderr
        )
        assert "stats-101" in run_mooc("search", "").stdout  # last good copy kept
        r = run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "other")
        assert r.returncode == 1 and "not a JSON catalog" in r.stderr
    assert [c["name"] for c in json.loads(run_mooc("catalog", "list", "--json").stdout)] == ["uni"]


def test_install_catalog_entry_with_wrong_digest_installs_nothing(packs, tmp_path, run_mooc):
    www = tmp_path / "www"
    shutil.copytree(packs, www)
    run_mooc("catalog", "build", str(www))
    doc = json.loads((www / "catalog.json").read_text())
    doc["courses"][0]["sha256"] = "0" * 64
    (www / "catalog.json").write_text(json.dumps(doc))
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url, "--name", "uni").returncode == 0  # / is a 404: its catalog.json
        r = run_mooc("install", "stats-101")
    assert r.returncode == 1 and "SHA-256 mismatch" in r.stderr and "stats-101 1.0.0 (catalog uni)" in r.stderr
    assert "stats-101" not in run_mooc("list").stdout


def test_catalog_add_of_a_plain_web_server_folder_finds_its_catalog_json(packs, tmp_path, run_mooc):
    """Issue 11: `catalog add http://host/` on a plain web server said "HTTP 404". The
    catalog.json in that folder is tried; a folder without one says what to do."""
    www = tmp_path / "www"
    shutil.copytree(packs, www / "courses")
    (www / "empty").mkdir()
    (www / "empty" / "index.html").write_text("<html>not a catalog</html>")
    assert run_mooc("catalog", "build", str(www / "courses")).returncode == 0
    with StaticServer(www) as srv:
        r = run_mooc("catalog", "add", srv.url + "courses/", "--name", "lab")
        assert r.returncode == 0, r.stderr
        assert f"added catalog lab ({srv.url}courses/catalog.json): 1 course version" in r.stdout
        assert run_mooc("install", "stats-101").returncode == 0
        r = run_mooc("catalog", "add", srv.url + "courses", "--name", "again")  # no trailing slash
        assert r.returncode == 0 and f"({srv.url}courses/catalog.json)" in r.stdout, r.stderr
        r = run_mooc("catalog", "add", srv.url + "empty/", "--name", "none")
        assert r.returncode == 1 and r.stdout == ""
        line = r.stderr.strip()
        assert len(line.splitlines()) == 1 and "Traceback" not in line
        assert f"{srv.url}empty/catalog.json is no catalog either" in line
        assert "`mooc catalog build DIR` writes catalog.json" in line
    names = [c["name"] for c in json.loads(run_mooc("catalog", "list", "--json").stdout)]
    assert names == ["lab", "again"]
