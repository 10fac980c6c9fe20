"""One left-out media file fetched on demand (issue 22): `o` on a placeholder in the TUI
(Textual's Pilot) fetches just that file by a ranged GET from the catalog's pack that
holds it, checked against the installed manifest, kept outside the installed tree; the
installed pack stays its flavour (`mooc pack check` passes). Real static server and
fault proxy; hostile answers are one line and store nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.pilot_wait import until_screen
from tests.support.static_server import StaticServer

VIDEO = "media/clip-0.mp4"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    from packages.building import build_flavours
    from packages.catalog_publish import build_catalog
    from tests.support.flavour_packs import media_course

    base = tmp_path_factory.mktemp("item-fetch")
    src = media_course(base / "src", media_bytes=300_000, videos=(900_000, 300_000))
    build_flavours(src, base / "www")
    build_catalog(base / "www")
    shutil.copytree(src / "media", base / "media")
    return base / "www"


def _setup(mooc_home, url: str, flavour: str = "text"):
    from packages.catalog_registry import Catalogs
    from packages.flavour_choice import resolve_install
    from packages.install import install
    from packages.layout import Layout
    from player.learners import Learners

    layout = Layout.default(mooc_home.home)
    Learners(layout).current()
    Catalogs(layout).add(url, "pub")
    install(layout, resolve_install(layout, "media-course", requested=flavour), quiet=True)
    return layout


def _course(layout):
    from packages.store import Store

    return Store(layout).get("media-course")


def _original(published: Path, path: str) -> bytes:
    return (published.parent / path).read_bytes()


async def test_o_on_a_placeholder_fetches_that_one_file(published, mooc_home, tmp_path, monkeypatch, run_mooc):
    from tui.app import MoocApp

    opened = tmp_path / "opened.txt"
    viewer = tmp_path / "viewer.sh"  # a real program standing in for xdg-open
    viewer.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    viewer.chmod(0o755)
    monkeypatch.setenv("MOOC_OPENER", str(viewer))
    with StaticServer(published) as srv:
        layout = _setup(mooc_home, srv.url + "catalog.json")
        srv.bytes_sent = 0
        app = MoocApp(layout=layout, course_id="media-course", item_id="lesson-00000")
        async with app.run_test(size=(100, 40)) as pilot:
            await until_screen(pilot, "CourseScreen")
            await pilot.press("o")
            await until_screen(pilot, "MediaScreen", 50)
            links = app.screen.query_one("#links")
            prompts = [str(links.get_option_at_index(i).prompt) for i in range(links.option_count)]
            clip = next(i for i, p in enumerate(prompts) if "Clip 0](" not in p and p.endswith(f"../{VIDEO}"))
            assert prompts[clip].startswith("[video, 900 kB: in the full pack] Clip 0"), prompts
            links.highlighted = clip
            await pilot.press("enter")
            await until_screen(pilot, "ChoiceDialog", 50)
            assert str(app.screen.title_text) == "Fetch this video (900 kB)?"
            await pilot.press("enter")  # "Fetch it" has the focus
            for _ in range(200):
                if opened.exists():
                    break
                await pilot.pause(0.05)
            said = [str(n.message) for n in app._notifications]
            sent = srv.bytes_sent
            # o again: the fetched copy opens at once, no question, nothing travels
            opened.unlink()
            await pilot.press("o")
            await until_screen(pilot, "MediaScreen", 50)
            app.screen.query_one("#links").highlighted = clip
            await pilot.press("enter")
            for _ in range(200):
                if opened.exists():
                    break
                await pilot.pause(0.05)
            assert type(app.screen).__name__ == "CourseScreen"
            assert srv.bytes_sent == sent
            await pilot.press("ctrl+q")
    target = Path(opened.read_text().strip())
    assert target == mooc_home.home / "fetched" / "media-course" / "1.0.0" / VIDEO
    assert target.read_bytes() == _original(published, VIDEO)
    assert any(s.startswith(f"Fetched {VIDEO} (900 kB, ") for s in said), said
    # one file's span and the pack's directory, not the pack
    assert 900_000 < sent < 900_000 + 16_000, sent
    # the installed pack is still exactly the text flavour
    course = _course(layout)
    assert course.flavour == "text" and not (course.path / VIDEO).exists()
    check = run_mooc("pack", "check", str(course.path), "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    # asked again: the fetched copy opens at once, nothing travels
    from packages.item_fetch import fetch_item

    again = fetch_item(layout, "media-course", "1.0.0", course.path, VIDEO)
    assert again.bytes_fetched == 0 and again.path == target


def test_a_dropping_link_and_a_second_run_resume_the_file(published, mooc_home, monkeypatch):
    from packages.errors import MoocError
    from packages.item_fetch import fetch_item

    monkeypatch.setenv("MOOC_BACKOFF_BASE", "0.01")
    with StaticServer(published) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        srv.sndbuf = proxy.upstream_rcvbuf = 16384
        layout = _setup(mooc_home, proxy.url + "catalog.json")
        course = _course(layout)
        srv.bytes_sent = 0
        proxy.drop_after, proxy.drop_count = 400_000, 1  # cut once: retried inside the call
        proxy.down_after_drop = (503, 1000)  # ... and then the server is gone
        with pytest.raises(MoocError) as err:
            fetch_item(layout, "media-course", "1.0.0", course.path, VIDEO)
        assert "try again to resume" in str(err.value) and "\n" not in str(err.value)
        proxy._canned.clear()
        got = fetch_item(layout, "media-course", "1.0.0", course.path, VIDEO)
        sent = srv.bytes_sent
    assert got.resumed_from > 300_000
    assert got.path.read_bytes() == _original(published, VIDEO)
    assert sent < 900_000 + 2 * 16_000 + 150_000  # the directory twice; the span's bytes about once
    assert not list(got.path.parent.glob("*.part*"))


def test_a_server_with_other_bytes_for_the_file_stores_nothing(published, tmp_path, mooc_home):
    """The catalog's full pack holds a different clip than the installed manifest says."""
    from packages.building import build_flavours
    from packages.catalog_publish import build_catalog
    from packages.errors import MoocError
    from packages.item_fetch import fetch_item
    from tests.support.flavour_packs import media_course

    www = tmp_path / "www"
    shutil.copytree(published, www)
    src = media_course(tmp_path / "src", media_bytes=300_000, videos=(900_000, 300_000), seed=99)
    (www / "media-course-1.0.0.mooc").unlink()
    build_flavours(src, tmp_path / "other", ("full",))
    shutil.copy(tmp_path / "other" / "media-course-1.0.0.mooc", www)
    (www / "catalog.json").unlink()
    build_catalog(www)
    with StaticServer(www) as srv:
        layout = _setup(mooc_home, srv.url + "catalog.json")
        course = _course(layout)
        with pytest.raises(MoocError) as err:
            fetch_item(layout, "media-course", "1.0.0", course.path, VIDEO)
    assert str(err.value) == (
        f"{srv.url}media-course-1.0.0.mooc: {VIDEO}: not the file the manifest records (size or SHA-256 differ)"
    )
    folder = mooc_home.home / "fetched" / "media-course" / "1.0.0" / "media"
    assert [p.name for p in folder.iterdir() if not p.name.endswith((".part", ".part.json"))] == []


def test_from_a_usb_catalog_and_without_any_catalog(published, mooc_home):
    from packages.catalog_registry import Catalogs
    from packages.errors import MoocError
    from packages.item_fetch import fetch_item

    layout = _setup(mooc_home, str(published))  # a file: catalog: the entry is read in place
    course = _course(layout)
    got = fetch_item(layout, "media-course", "1.0.0", course.path, "media/diagram.png")
    assert got.bytes_fetched == 0 and got.path.read_bytes() == _original(published, "media/diagram.png")
    Catalogs(layout).remove("pub")
    with pytest.raises(MoocError) as err:
        fetch_item(layout, "media-course", "1.0.0", course.path, VIDEO)
    assert str(err.value) == (
        "media-course 1.0.0: no catalog lists this version; add the one it comes from "
        "(`mooc catalog add URL`) to fetch its media"
    )
    with pytest.raises(MoocError, match="is not a file this flavour left out"):
        fetch_item(layout, "media-course", "1.0.0", course.path, "media/clip-0.vtt")


def test_fetched_files_go_when_the_flavour_holds_them_or_the_course_goes(published, mooc_home, run_mooc):
    from packages.item_fetch import fetch_item

    layout = _setup(mooc_home, str(published))
    course = _course(layout)
    fetch_item(layout, "media-course", "1.0.0", course.path, VIDEO)
    fetch_item(layout, "media-course", "1.0.0", course.path, "media/diagram.png")
    fetched = mooc_home.home / "fetched" / "media-course" / "1.0.0"
    r = run_mooc("upgrade", "media-course", "--flavour", "novideo")
    assert r.returncode == 0, r.stderr
    # novideo holds the image now: its fetched copy goes; the video stays fetched
    assert (fetched / VIDEO).is_file() and not (fetched / "media" / "diagram.png").exists()
    assert run_mooc("remove", "media-course", "--yes").returncode == 0
    assert not (mooc_home.home / "fetched" / "media-course").exists()
    assert json.loads(run_mooc("list", "--json").stdout)[0]["id"] == "mooc-demo"
