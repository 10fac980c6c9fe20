"""Moving between pack flavours (issue 22) with real parts: a publisher's folder of
flavoured packs behind a Range-capable static server and the fault proxy, the real
`mooc` command, plain mode for studying.

A learner installs the text flavour, studies a lesson and a quiz, then
`mooc upgrade --flavour full` through a link that drops: only the media the text pack
lacks travel (counted at the server), the progress is the same, and the result is the
full pack byte for byte, as if it had been installed directly."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.static_server import StaticServer

DEMO = Path(__file__).resolve().parents[1] / "packages" / "demo_course"
# (a lesson, a quiz, plain-mode input answering that quiz)
STUDY = {
    "mooc-demo": ("using-the-player", "player-practice", "1\nquestion mark\nctrl+s\n4 2 3 1\nfalse\nq\n"),
    "media-course": ("lesson-00000", "check", "true\nq\n"),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The three flavours of the demo course and of a generated course with media, and their catalog."""
    from packages.building import build_flavours
    from packages.catalog_publish import build_catalog
    from tests.support.flavour_packs import media_course

    base = tmp_path_factory.mktemp("flavours")
    www = base / "www"
    build_flavours(DEMO, www)
    src = media_course(base / "src", media_bytes=3_000_000, videos=(2_000_000, 1_000_000))
    build_flavours(src, www)
    build_catalog(www)
    return www


def _pack(www: Path, course: str, flavour: str) -> Path:
    from packages.flavours import pack_file_name

    return www / pack_file_name(course, "1.0.0", flavour)


def _zip_overhead(full: Path) -> int:
    """What the generic delta reads besides the entries it fetches (shown when a bound
    fails): the directory and end record, and the new manifest's entry."""
    with zipfile.ZipFile(full) as zf:
        infos = sorted(zf.infolist(), key=lambda i: i.header_offset)
        cd_start = infos[-1].header_offset + len(zipfile.ZipInfo.FileHeader(infos[-1])) + infos[-1].compress_size
        manifest = zf.getinfo("mooc-manifest.json")
    return full.stat().st_size - cd_start + 30 + len(manifest.filename) + manifest.compress_size


def _progress(run_mooc, course: str) -> dict:
    r = run_mooc("progress", course, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _listed(run_mooc, course: str) -> dict:
    [listed] = [c for c in json.loads(run_mooc("list", "--json").stdout) if c["id"] == course]
    return listed


def _study(run_mooc, course: str) -> dict:
    lesson, quiz, answers = STUDY[course]
    assert run_mooc("play", "--plain", course, lesson, input="\nq\n").returncode == 0
    r = run_mooc("play", "--plain", course, quiz, input=answers)
    assert r.returncode == 0, r.stderr
    progress = _progress(run_mooc, course)
    [state] = progress["courses"]
    assert state["lessons_done"] >= 1
    assert [q["attempts"] for q in state["quizzes"] if q["id"] == quiz] == [1]
    return progress


def _installed(home: Path, course: str) -> Path:
    from packages.layout import Layout
    from packages.store import Store

    return Store(Layout(home=home, system_home=home / "no-system")).get(course).path


def _tree(root: Path) -> dict[str, bytes]:
    """Every file of an installed pack that its manifest lists, and the manifest."""
    manifest = json.loads((root / "mooc-manifest.json").read_bytes())
    files = {f["path"]: (root / f["path"]).read_bytes() for f in manifest["files"]}
    return {**files, "mooc-manifest.json": (root / "mooc-manifest.json").read_bytes()}


@pytest.mark.parametrize("course", ["media-course", "mooc-demo"])
def test_install_text_study_then_upgrade_to_full_through_a_dropping_link(
    published, course, tmp_path, mooc_home, run_mooc, monkeypatch
):
    from tests.support.flavour_packs import omitted_bytes

    monkeypatch.setenv("MOOC_BACKOFF_BASE", "0.01")
    text, full = _pack(published, course, "text"), _pack(published, course, "full")
    ideal = omitted_bytes(text)  # the entries the text flavour lacks
    with StaticServer(published) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        # the server counts what it wrote: keep the loopback buffers between it and the
        # "link" small, or each drop would count megabytes that never left the machine
        srv.sndbuf = proxy.upstream_rcvbuf = 16384
        assert run_mooc("catalog", "add", proxy.url + "catalog.json", "--name", "pub").returncode == 0
        r = run_mooc("install", course, "--flavour", "text")
        assert r.returncode == 0, r.stderr
        assert "text flavour" in r.stdout and f"mooc upgrade {course} --flavour full" in r.stdout
        listed = _listed(run_mooc, course)
        assert listed["flavour"] == "text" and listed["origin"] == "user"
        before = _study(run_mooc, course)

        srv.bytes_sent = 0
        # the link drops twice part-way through the media. A
        # clean close: with a reset the bytes in mooc's own socket buffer (megabytes on
        # loopback) would be lost and counted, which measures the kernel, not mooc
        proxy.drop_after, proxy.drop_count = (1_500_000 if course == "media-course" else 2_000), 2
        # the demo's answers are a few kB: whatever the buffers' size, a drop cuts off most of
        # one, which the server counts though it never crossed the link. The proxy reads and
        # counts it (the server then writes all of the cut answer: only for small answers)
        proxy.drain_on_drop = course == "mooc-demo"
        r = run_mooc("upgrade", course, "--flavour", "full", "--json")
        assert r.returncode == 0, r.stderr
        info = json.loads(r.stdout)
        assert proxy.drops == 2
        sent = srv.bytes_sent - proxy.bytes_lost  # demo: what crossed the link
    assert info["method"] == "delta" and info["status"] == "flavour-changed" and info["retries"] >= 1
    assert (info["from_flavour"], info["to_flavour"], info["ideal_bytes"]) == ("text", "full", ideal)
    assert info["bytes_fetched"] <= sent
    if course == "mooc-demo":  # what crossed the link is what mooc counts (give or take a cut answer's headers)
        assert sent - info["bytes_fetched"] <= 2 * 1000, (sent, info["bytes_fetched"])
    # the full pack is predicted from the installed text one (packages/flavour_delta.py): only
    # the missing entries and their directory records travel, not the directory or manifest
    assert info["predicted"] and not info["predicted_reason"], info
    assert sent <= 1.02 * ideal, (sent, ideal, _zip_overhead(full))
    assert _progress(run_mooc, course) == before  # the same progress, item for item

    # byte-identical to installing full directly (another data folder)
    other = {"MOOC_HOME": str(tmp_path / "direct"), "MOOC_SYSTEM_HOME": str(tmp_path / "direct-sys")}
    assert run_mooc("install", str(full), env=other).returncode == 0
    upgraded, direct = _installed(mooc_home.home, course), _installed(tmp_path / "direct", course)
    assert _tree(upgraded) == _tree(direct)
    assert _listed(run_mooc, course)["flavour"] == "full"
    from packages.layout import Layout
    from packages.pack_cache import cached_pack
    from packages.store import Store

    layout = Layout(home=mooc_home.home, system_home=mooc_home.system)
    rebuilt = cached_pack(layout, Store(layout).get(course))
    assert rebuilt.read_bytes() == full.read_bytes()
    assert not list((mooc_home.home / "downloads").glob("*.part*"))


def test_the_demo_moves_up_on_a_clean_link_with_only_its_images_on_the_wire(published, mooc_home, run_mooc):
    """text -> novideo fetches the six images (and their directory records), counted at the
    server; novideo -> full then needs no byte at all (the demo has no video): the full pack
    is the novideo one's prediction, checked against the catalog's SHA-256."""
    from tests.support.flavour_packs import omitted_bytes

    course = "mooc-demo"
    ideal = omitted_bytes(_pack(published, course, "text"))
    with StaticServer(published) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        assert run_mooc("install", course, "--flavour", "text").returncode == 0
        srv.bytes_sent, srv.requests[:] = 0, []
        r = run_mooc("upgrade", course, "--flavour", "novideo", "--json")
        assert r.returncode == 0, r.stderr
        up = json.loads(r.stdout)
        novideo_sent, novideo_requests = srv.bytes_sent, len([q for q in srv.requests if q[1].endswith(".mooc")])
        srv.bytes_sent, srv.requests[:] = 0, []
        r = run_mooc("upgrade", course, "--flavour", "full", "--json")
        assert r.returncode == 0, r.stderr
        full = json.loads(r.stdout)
        full_sent, full_requests = srv.bytes_sent, len([q for q in srv.requests if q[1].endswith(".mooc")])
    assert up["predicted"] and up["bytes_fetched"] == novideo_sent <= 1.02 * ideal, (novideo_sent, ideal)
    assert novideo_requests == 1 + 2  # the missing directory records, two runs of images
    assert full["predicted"] and full["ideal_bytes"] == 0 and (full_sent, full_requests) == (0, 0)
    assert _listed(run_mooc, course)["flavour"] == "full"


def test_a_killed_upgrade_resumes_without_fetching_twice(published, mooc_home, run_mooc, monkeypatch):
    """The link goes down for good part-way: the upgrade stops, the installed text
    flavour stays as it was, and the same command later fetches only the rest."""
    from tests.support.flavour_packs import omitted_bytes

    monkeypatch.setenv("MOOC_BACKOFF_BASE", "0.01")
    course = "media-course"
    ideal = omitted_bytes(_pack(published, course, "text"))
    with StaticServer(published) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        srv.sndbuf = proxy.upstream_rcvbuf = 16384  # see the test above
        assert run_mooc("catalog", "add", proxy.url + "catalog.json", "--name", "pub").returncode == 0
        assert run_mooc("install", course, "--flavour", "text").returncode == 0
        before = _study(run_mooc, course)
        srv.bytes_sent = 0
        proxy.drop_after, proxy.drop_count = 2_500_000, 1  # a clean close: what was sent arrives
        proxy.down_after_drop = (503, 1000)  # then the server is unreachable
        r = run_mooc("upgrade", course, "--flavour", "full")
        assert r.returncode != 0
        [line] = r.stderr.splitlines()
        assert "run the same command again to resume" in line
        first = srv.bytes_sent
        assert first > 2_000_000
        assert _listed(run_mooc, course)["flavour"] == "text"
        assert _progress(run_mooc, course) == before
        proxy._canned.clear()
        srv.bytes_sent = 0
        r = run_mooc("upgrade", course, "--flavour", "full", "--json")
        assert r.returncode == 0, r.stderr
        info = json.loads(r.stdout)
        second = srv.bytes_sent
    assert info["resumed_from"] > 2_000_000 and info["predicted"]
    assert second <= ideal - 2_000_000 + 200_000  # the rest only (and the missing directory records again)
    assert first + second <= 1.05 * ideal
    assert _listed(run_mooc, course)["flavour"] == "full"
    assert _progress(run_mooc, course) == before


def test_moving_down_is_local_and_frees_the_space(published, mooc_home, run_mooc):
    course = "media-course"
    full, text, novideo = (_pack(published, course, f) for f in ("full", "text", "novideo"))
    assert run_mooc("catalog", "add", str(published), "--name", "usb").returncode == 0
    assert run_mooc("install", course).returncode == 0  # no bandwidth setting, no terminal: full
    before = _study(run_mooc, course)
    size_full = _listed(run_mooc, course)["size"]
    usb = published.parent / "www"
    hidden = published.parent / "hidden"
    shutil.move(usb, hidden)  # no catalog reachable: moving down needs none
    try:
        r = run_mooc("upgrade", course, "--flavour", "novideo")
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith(f"{course} 1.0.0: full -> novideo flavour, built here from the installed files")
        r = run_mooc("upgrade", course, "--flavour", "text", "--json")
        assert r.returncode == 0, r.stderr
        info = json.loads(r.stdout)
    finally:
        shutil.move(hidden, usb)
    assert info["method"] == "local" and info["bytes_fetched"] == 0
    listed = _listed(run_mooc, course)
    assert listed["flavour"] == "text" and listed["size"] < size_full - 5_000_000
    assert info["bytes_freed"] >= info["size_before"] - info["size_after"] > 2_000_000
    assert _progress(run_mooc, course) == before
    # the text flavour built here is the publisher's byte for byte
    from packages.layout import Layout
    from packages.pack_cache import cached_pack
    from packages.store import Store

    layout = Layout(home=mooc_home.home, system_home=mooc_home.system)
    assert cached_pack(layout, Store(layout).get(course)).read_bytes() == text.read_bytes()
    assert info["matches_catalog"] is None or info["matches_catalog"] is True
    assert novideo.exists() and full.exists()


def test_update_keeps_the_installed_flavour(published, tmp_path, mooc_home, run_mooc):
    """1.1.0 comes out: a learner on the novideo flavour gets 1.1.0 novideo, by delta."""
    from packages.building import build_flavours
    from packages.catalog_publish import build_catalog
    from tests.support.flavour_packs import media_course

    www = tmp_path / "www"
    shutil.copytree(published, www)
    src = media_course(tmp_path / "src", media_bytes=3_000_000, videos=(2_000_000, 1_000_000), version="1.1.0")
    lesson = src / "lessons" / "l00003.md"
    lesson.write_text(lesson.read_text() + "\nNew in 1.1.0.\n")
    build_flavours(src, www)
    (www / "catalog.json").unlink()
    build_catalog(www)
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url, "--name", "pub").returncode == 0
        assert run_mooc("install", "media-course@1.0.0", "--flavour", "novideo").returncode == 0
        check = json.loads(run_mooc("update", "--check", "--json").stdout)
        assert [(c["id"], c["flavour"], c["method"]) for c in check] == [("media-course", "novideo", "delta")]
        srv.bytes_sent = 0
        r = run_mooc("update", "--json")
        assert r.returncode == 0, r.stderr
        [report] = json.loads(r.stdout)
        catalog = (www / "catalog.json").stat().st_size
        assert report["flavour"] == "novideo" and report["method"] == "delta"
        assert srv.bytes_sent - catalog < 200_000  # a lesson, course.toml, the directory: not the media
    listed = _listed(run_mooc, "media-course")
    assert (listed["version"], listed["flavour"]) == ("1.1.0", "novideo")
