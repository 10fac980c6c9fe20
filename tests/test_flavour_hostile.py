"""Catalogs that lie about their flavours, met by the real `mooc` command (issue 22):
a flavour that is not there, a wrong digest, a lying size, a flavour a file is not.
Each is one line naming the course, the flavour and the problem; nothing is installed
half-way, the copy already installed stays as it was, no partial file is left to
mislead a later run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.static_server import StaticServer


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    from packages.building import build_flavours
    from packages.catalog_publish import build_catalog
    from tests.support.flavour_packs import media_course

    base = tmp_path_factory.mktemp("hostile-flavours")
    src = media_course(base / "src", media_bytes=400_000, videos=(300_000,))
    build_flavours(src, base / "www")
    build_catalog(base / "www")
    return base / "www"


def _lying(published: Path, tmp_path: Path, flavour: str, **changes) -> Path:
    """A copy of the publisher's folder whose catalog says CHANGES about FLAVOUR."""
    www = tmp_path / "www"
    shutil.copytree(published, www)
    doc = json.loads((www / "catalog.json").read_text())
    entry = doc["courses"][0]
    target = entry if flavour == "full" else entry["flavours"][flavour]
    target.update(changes)
    (www / "catalog.json").write_text(json.dumps(doc))
    return www


def _courses(run_mooc) -> dict[str, str]:
    return {c["id"]: c["flavour"] for c in json.loads(run_mooc("list", "--json").stdout) if c["origin"] != "bundled"}


def _one_line(r) -> str:
    assert r.returncode != 0
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("flavour", "changes", "says"),
    [
        ("text", {"url": "gone.text.mooc"}, "gone.text.mooc: not found (HTTP 404)"),
        ("novideo", {"sha256": "0" * 64}, "SHA-256 mismatch"),
        ("text", {"size": 5_000}, "the catalog says 5000"),
        ("novideo", {"size": 50_000_000}, "the catalog says 50000000"),
    ],
    ids=["not-there", "wrong-sha", "size-too-small", "size-too-big"],
)
def test_installing_a_flavour_the_catalog_lies_about_is_one_line(
    published, tmp_path, mooc_home, run_mooc, monkeypatch, flavour, changes, says
):
    monkeypatch.setenv("MOOC_BACKOFF_BASE", "0.01")
    www = _lying(published, tmp_path, flavour, **changes)
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url, "--name", "pub").returncode == 0
        line = _one_line(run_mooc("install", "media-course", "--flavour", flavour))
    assert line.startswith(f"mooc: error: media-course 1.0.0 {flavour} (catalog pub): "), line
    assert says in line, line
    assert _courses(run_mooc) == {}
    assert [p.name for p in (mooc_home.home / "downloads").rglob("*") if p.is_file()] == []


def test_an_upgrade_to_a_full_pack_the_catalog_lies_about_leaves_the_text_flavour(
    published, tmp_path, mooc_home, run_mooc, monkeypatch
):
    monkeypatch.setenv("MOOC_BACKOFF_BASE", "0.01")
    www = _lying(published, tmp_path, "full", sha256="f" * 64)
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url, "--name", "pub").returncode == 0
        assert run_mooc("install", "media-course", "--flavour", "text").returncode == 0
        line = _one_line(run_mooc("upgrade", "media-course", "--flavour", "full"))
    # the rebuilt archive does not verify, nor the whole pack fetched after it: one line
    assert line.startswith("mooc: error: "), line
    assert "SHA-256 mismatch" in line and "the catalog says ffffffffffff" in line, line
    assert _courses(run_mooc) == {"media-course": "text"}
    leftovers = [p.name for p in (mooc_home.home / "downloads").glob("media-course-*")]
    assert leftovers == [], leftovers


def test_a_flavour_the_catalog_does_not_offer_is_one_line_naming_those_it_does(
    published, tmp_path, mooc_home, run_mooc
):
    www = tmp_path / "www"
    www.mkdir()
    for name in ("media-course-1.0.0.mooc", "media-course-1.0.0.text.mooc"):
        shutil.copy(published / name, www)
    assert run_mooc("catalog", "build", str(www)).returncode == 0
    assert run_mooc("catalog", "add", str(www), "--name", "usb").returncode == 0
    line = _one_line(run_mooc("install", "media-course", "--flavour", "novideo"))
    assert line == "mooc: error: media-course 1.0.0 (catalog usb): no novideo flavour (it offers text, full)"
    assert _courses(run_mooc) == {}
    assert run_mooc("install", "media-course", "--flavour", "text").returncode == 0
    line = _one_line(run_mooc("upgrade", "media-course", "--flavour", "novideo"))
    assert line == "mooc: error: media-course 1.0.0 (catalog usb): no novideo flavour (it offers text, full)"
    assert _courses(run_mooc) == {"media-course": "text"}


def test_a_usb_catalog_whose_flavour_file_is_missing_or_altered(published, tmp_path, mooc_home, run_mooc):
    usb = tmp_path / "usb"
    shutil.copytree(published, usb)
    assert run_mooc("catalog", "add", str(usb), "--name", "usb").returncode == 0
    (usb / "media-course-1.0.0.text.mooc").unlink()
    line = _one_line(run_mooc("install", "media-course", "--flavour", "text"))
    assert line == (
        f"mooc: error: media-course 1.0.0 text (catalog usb): {usb / 'media-course-1.0.0.text.mooc'} is missing"
    )
    novideo = usb / "media-course-1.0.0.novideo.mooc"
    data = bytearray(novideo.read_bytes())
    data[100] ^= 0xFF
    novideo.write_bytes(bytes(data))
    line = _one_line(run_mooc("install", "media-course", "--flavour", "novideo"))
    assert line == (
        "mooc: error: media-course 1.0.0 novideo (catalog usb): "
        "media-course-1.0.0.novideo.mooc: SHA-256 does not match the catalog"
    )
    assert _courses(run_mooc) == {}


def test_flavour_for_a_file_or_url_is_refused(published, run_mooc):
    line = _one_line(run_mooc("install", str(published / "media-course-1.0.0.mooc"), "--flavour", "text"))
    assert "--flavour picks one of the flavours a catalog offers" in line
    # a course id no added catalog lists: that, not the --flavour rule for files
    line = _one_line(run_mooc("install", "nothing-here", "--flavour", "text"))
    assert line.startswith("mooc: error: nothing-here: not a file, folder or URL, nor a course of an added catalog")
    line = _one_line(run_mooc("upgrade", "nothing-here", "--flavour", "full"))
    assert line == "mooc: error: nothing-here: not installed (see `mooc list`)"


def test_a_system_wide_copy_moves_with_system_only(published, mooc_home, run_mooc):
    assert run_mooc("catalog", "add", str(published), "--name", "usb").returncode == 0
    r = run_mooc("install", "media-course", "--flavour", "text", "--system")
    assert r.returncode == 0, r.stderr
    line = _one_line(run_mooc("upgrade", "media-course", "--flavour", "full"))
    assert line == "mooc: error: media-course: installed system-wide only: add --system (administrators)"
    r = run_mooc("upgrade", "media-course", "--flavour", "full", "--system", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "flavour-changed"
    [copy] = [c for c in json.loads(run_mooc("list", "--json").stdout) if c["id"] == "media-course"]
    assert (copy["origin"], copy["flavour"]) == ("system", "full")


def _swapped(published: Path, tmp_path: Path, listed: str, real: str) -> Path:
    """The publisher's folder whose catalog lists the pack of flavour REAL as LISTED
    (its url, size and SHA-256: every byte verifies, only the flavour is a lie)."""
    www = tmp_path / "www"
    shutil.copytree(published, www)
    doc = json.loads((www / "catalog.json").read_text())
    entry = doc["courses"][0]
    packs = {"full": {k: entry[k] for k in ("url", "size", "sha256")}, **entry["flavours"]}
    packs[listed] = packs.pop(real)
    entry.update(packs.pop("full"))
    entry["flavours"] = packs
    (www / "catalog.json").write_text(json.dumps(doc))
    return www


def test_a_pack_of_another_flavour_than_the_catalog_says_is_one_line(published, tmp_path, mooc_home, run_mooc):
    """A catalog lists the text pack as the full one: `mooc upgrade --flavour full` from
    novideo must not move down to text while saying "novideo -> full"."""
    with StaticServer(published) as srv:
        assert run_mooc("catalog", "add", srv.url, "--name", "pub").returncode == 0
        assert run_mooc("install", "media-course", "--flavour", "novideo").returncode == 0
    www = _swapped(published, tmp_path, listed="full", real="text")
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url, "--name", "liar").returncode == 0
        assert run_mooc("catalog", "remove", "pub").returncode == 0
        line = _one_line(run_mooc("upgrade", "media-course", "--flavour", "full"))
        assert line.startswith("mooc: error: media-course 1.0.0 (catalog liar): "), line
        assert "the text flavour, not full" in line, line
        assert _courses(run_mooc) == {"media-course": "novideo"}
        line = _one_line(run_mooc("install", "media-course", "--flavour", "full", "--force"))
        assert "the text flavour, not full" in line, line
        assert _courses(run_mooc) == {"media-course": "novideo"}
    leftovers = [p.name for p in (mooc_home.home / "downloads").glob("media-course-*")]
    assert leftovers == [], leftovers


def test_a_catalog_entry_whose_pack_is_another_course_is_one_line(published, tmp_path, mooc_home, run_mooc):
    """An entry for media-course 2.0.0 whose url, size and SHA-256 are the demo course's
    pack: every byte verifies, but it is not the course asked for; nothing installed."""
    from packages.building import build_pack

    www = tmp_path / "www"
    www.mkdir()
    demo = build_pack(Path(__file__).resolve().parents[1] / "packages" / "demo_course", out=www / "x.mooc")
    import hashlib

    data = Path(demo).read_bytes()
    entry = {
        "id": "media-course",
        "version": "2.0.0",
        "title": "Media",
        "url": "x.mooc",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    (www / "catalog.json").write_text(json.dumps({"format": 1, "courses": [entry]}))
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url, "--name", "liar").returncode == 0
        line = _one_line(run_mooc("install", "media-course"))
    assert line == (
        "mooc: error: media-course 2.0.0 (catalog liar): the pack is mooc-demo 1.0.0, "
        "not the course the catalog lists; nothing changed"
    )
    assert _courses(run_mooc) == {}
    assert [p.name for p in (mooc_home.home / "downloads").rglob("*") if p.is_file()] == []
