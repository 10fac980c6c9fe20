"""Catalogs that offer pack flavours (issue 22): `mooc catalog build` groups a course's
text/novideo/full packs into one entry, `mooc search` shows each flavour's size, and a
catalog that lies about its flavours is one line."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from packages.catalog import parse_catalog
from packages.errors import MoocError


@pytest.fixture(scope="module")
def flavoured(tmp_path_factory) -> Path:
    """A publisher's folder: the three flavours of a course with videos, images and .bin media."""
    from tests.support.flavour_packs import media_course, three_flavours

    base = tmp_path_factory.mktemp("flavoured")
    src = media_course(base / "src", course_id="media-course")
    three_flavours(src, base / "www")
    return base / "www"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_catalog_build_lists_the_three_flavours_in_one_entry(flavoured, tmp_path, run_mooc):
    www = tmp_path / "www"
    shutil.copytree(flavoured, www)
    r = run_mooc("catalog", "build", str(www))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"wrote {www / 'catalog.json'} (1 course version in 3 packs (flavours))\n"
    [entry] = json.loads((www / "catalog.json").read_text())["courses"]
    full, novideo, text = (
        www / n for n in ("media-course-1.0.0.mooc", "media-course-1.0.0.novideo.mooc", "media-course-1.0.0.text.mooc")
    )
    # the entry's own pack is the full one: a mooc without flavours installs it as before
    assert (entry["url"], entry["size"], entry["sha256"]) == (full.name, full.stat().st_size, _sha(full))
    assert "flavour" not in entry
    assert entry["flavours"] == {
        "text": {"url": text.name, "size": text.stat().st_size, "sha256": _sha(text)},
        "novideo": {"url": novideo.name, "size": novideo.stat().st_size, "sha256": _sha(novideo)},
    }
    assert text.stat().st_size < novideo.stat().st_size < full.stat().st_size
    [parsed] = parse_catalog((www / "catalog.json").read_bytes(), (www / "catalog.json").as_uri(), name="pub")
    assert parsed.offered == ["text", "novideo", "full"]
    assert parsed.pack("text").url == text.as_uri() and parsed.pack("full").size == full.stat().st_size


def test_without_the_full_pack_the_biggest_flavour_is_the_entrys_own(flavoured, tmp_path):
    from packages.catalog_publish import build_catalog

    www = tmp_path / "www"
    www.mkdir()
    for name in ("media-course-1.0.0.text.mooc", "media-course-1.0.0.novideo.mooc"):
        shutil.copy(flavoured / name, www)
    _target, [entry] = build_catalog(www)
    assert entry["flavour"] == "novideo" and entry["url"] == "media-course-1.0.0.novideo.mooc"
    assert list(entry["flavours"]) == ["text"]
    [parsed] = parse_catalog((www / "catalog.json").read_bytes(), (www / "catalog.json").as_uri())
    assert parsed.flavour == "novideo" and parsed.offered == ["text", "novideo"]
    with pytest.raises(
        MoocError, match=r"^media-course 1\.0\.0 \(catalog \): no full flavour \(it offers text, novideo\)$"
    ):
        parsed.pack("full")


def test_a_pack_named_as_another_flavour_is_one_line(flavoured, tmp_path, run_mooc):
    www = tmp_path / "www"
    www.mkdir()
    shutil.copy(flavoured / "media-course-1.0.0.text.mooc", www / "media-course-1.0.0.novideo.mooc")
    r = run_mooc("catalog", "build", str(www))
    assert r.returncode != 0
    assert r.stderr == (
        f"mooc: error: {www / 'media-course-1.0.0.novideo.mooc'}: its name says the novideo flavour, "
        "its manifest the text one\n"
    )
    assert not (www / "catalog.json").exists()


def test_two_packs_of_one_flavour_are_one_line(flavoured, tmp_path):
    from packages.catalog_publish import build_catalog

    www = tmp_path / "www"
    www.mkdir()
    shutil.copy(flavoured / "media-course-1.0.0.text.mooc", www)
    shutil.copy(flavoured / "media-course-1.0.0.text.mooc", www / "copy.mooc")
    with pytest.raises(
        MoocError, match=r"copy\.mooc and media-course-1\.0\.0\.text\.mooc are both media-course 1\.0\.0 \(text\)$"
    ):
        build_catalog(www)


def test_a_usb_stick_of_bare_flavoured_packs_is_one_course(flavoured, tmp_path, run_mooc):
    usb = tmp_path / "usb"
    shutil.copytree(flavoured, usb)
    r = run_mooc("catalog", "add", str(usb), "--name", "usb")
    assert r.returncode == 0, r.stderr
    assert "1 course version" in r.stdout
    hits = json.loads(run_mooc("search", "", "--json").stdout)
    assert [h["id"] for h in hits] == ["media-course"]
    assert sorted(hits[0]["flavours"]) == ["full", "novideo", "text"]


def test_search_shows_each_flavours_size(flavoured, tmp_path, run_mooc):
    www = tmp_path / "www"
    shutil.copytree(flavoured, www)
    assert run_mooc("catalog", "build", str(www)).returncode == 0
    assert run_mooc("catalog", "add", str(www), "--name", "pub").returncode == 0
    r = run_mooc("search", "media")
    assert r.returncode == 0, r.stderr
    sizes = {
        f: (www / n).stat().st_size
        for f, n in (
            ("text", "media-course-1.0.0.text.mooc"),
            ("novideo", "media-course-1.0.0.novideo.mooc"),
            ("full", "media-course-1.0.0.mooc"),
        )
    }
    assert re.fullmatch(
        r"media-course  1\.0\.0  en  text [\d.]+ kB / novideo [\d.]+ (kB|MB) / full [\d.]+ MB  A generated course\n",
        r.stdout,
    ), r.stdout
    [hit] = json.loads(run_mooc("search", "media", "--json").stdout)
    assert {f: hit["flavours"][f]["size"] for f in hit["flavours"]} == sizes
    assert hit["flavour"] == "full" and hit["size"] == sizes["full"]


# --------------------------------------------------------------------------- hostile catalogs


def _entry(**extra) -> dict:
    return {"id": "c", "version": "1.0.0", "url": "c-1.0.0.mooc", "size": 1000, "sha256": "a" * 64, **extra}


def _pack(url: str, size: int = 100, sha: str = "b" * 64) -> dict:
    return {"url": url, "size": size, "sha256": sha}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_entry(flavour="Tiny Pack"), "c 1.0.0: unknown flavour 'Tiny Pack' (known: text, novideo, full)"),
        (_entry(flavours=["text"]), 'c 1.0.0: "flavours" must be an object (flavour name -> url, size, sha256)'),
        (_entry(flavours={"text": "c.text.mooc"}), "c 1.0.0: flavour text: not an object with url, size and sha256"),
        (
            _entry(flavours={"text": _pack("http://elsewhere.example/c.text.mooc")}),
            "c 1.0.0: flavour text: url 'http://elsewhere.example/c.text.mooc' is plain http in an https catalog, refused",
        ),
        (
            _entry(flavours={"novideo": _pack("file:///etc/passwd")}),
            "c 1.0.0: flavour novideo: url 'file:///etc/passwd' leaves http(s) (file:), refused in a web catalog",
        ),
        (
            _entry(flavours={"text": {"url": "c.text.mooc", "size": 100}}),
            'c 1.0.0: flavour text: "sha256" must be 64 hex digits',
        ),
        (
            _entry(flavours={"text": _pack("c.text.mooc", size=-5)}),
            'c 1.0.0: flavour text: "size" must be a positive integer',
        ),
        (
            _entry(flavours={"text": _pack("c.text.mooc", size=9 * 1024**3)}),
            "c 1.0.0: flavour text: size 9663676416 bytes is over the limit of 8589934592",
        ),
        (_entry(flavours={"full": _pack("other.mooc")}), "c 1.0.0: flavour full is listed twice, with different packs"),
        (_entry(flavours={"text": _pack("c-1.0.0.mooc")}), "c 1.0.0: two flavours have the same url"),
        (
            _entry(flavours={"text\x1b[31m": _pack("c.text.mooc")}),
            "c 1.0.0: unknown flavour 'text\\x1b[31m' (known: text, novideo, full)",
        ),
    ],
    ids=[
        "unknown-own-badly-named",
        "not-object",
        "flavour-not-object",
        "https-to-http",
        "to-file",
        "no-sha",
        "negative-size",
        "huge-size",
        "full-twice",
        "same-url",
        "escape-in-name",
    ],
)
def test_a_catalog_lying_about_flavours_is_one_line(entry, message):
    raw = json.dumps({"format": 1, "courses": [entry]}).encode()
    with pytest.raises(MoocError) as err:
        parse_catalog(raw, "https://pub.example/catalog.json", name="pub")
    assert str(err.value) == f"catalog pub (https://pub.example/catalog.json): {message}"


def test_a_flavour_of_a_later_mooc_is_left_out_and_the_rest_offered():
    """Forward compatible: a well-formed flavour name this mooc does not know is skipped,
    in an entry's `flavours` and as an entry's own flavour; the catalog still reads."""
    courses = [
        _entry(flavours={"lowres": _pack("c.lowres.mooc"), "text": _pack("c.text.mooc")}),
        {**_entry(flavour="tiny"), "id": "d"},
    ]
    raw = json.dumps({"format": 1, "courses": courses}).encode()
    [entry] = parse_catalog(raw, "https://pub.example/catalog.json", name="pub")
    assert entry.id == "c" and entry.offered == ["text", "full"]


def test_an_old_catalog_entry_is_the_full_flavour_alone():
    raw = json.dumps({"format": 1, "courses": [_entry()]}).encode()
    [entry] = parse_catalog(raw, "https://pub.example/catalog.json", name="pub")
    assert entry.flavour == "full" and entry.offered == ["full"]
    assert entry.pack("full").url == "https://pub.example/c-1.0.0.mooc"
    with pytest.raises(MoocError, match=r"^c 1\.0\.0 \(catalog pub\): no text flavour \(it offers full\)$"):
        entry.pack("text")
