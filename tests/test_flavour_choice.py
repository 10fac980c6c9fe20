"""Which flavour `mooc install COURSE` takes without --flavour (issue 22): the
`bandwidth` setting of config.toml, a question showing the sizes on a terminal, full
in a script; a folder of flavoured packs (a USB stick) installs one flavour per course."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import MOOC_BIN


@pytest.fixture(scope="module")
def usb(tmp_path_factory) -> Path:
    from packages.building import build_flavours
    from packages.catalog_publish import build_catalog
    from tests.support.flavour_packs import media_course

    base = tmp_path_factory.mktemp("choice")
    src = media_course(base / "src", media_bytes=200_000, videos=(150_000,))
    build_flavours(src, base / "usb")
    build_catalog(base / "usb")
    return base / "usb"


def _flavour(run_mooc) -> str | None:
    found = [c["flavour"] for c in json.loads(run_mooc("list", "--json").stdout) if c["id"] == "media-course"]
    return found[0] if found else None


@pytest.mark.parametrize(("bandwidth", "flavour"), [("low", "text"), ("normal", "full"), (None, "full")])
def test_the_bandwidth_setting_picks_the_flavour(usb, mooc_home, run_mooc, bandwidth, flavour):
    if bandwidth:
        (mooc_home.home / "config.toml").write_text(f'bandwidth = "{bandwidth}"\n')
    assert run_mooc("catalog", "add", str(usb), "--name", "usb").returncode == 0
    r = run_mooc("install", "media-course")
    assert r.returncode == 0, r.stderr
    assert _flavour(run_mooc) == flavour
    assert r.stdout.startswith(
        f"installed media-course 1.0.0 (A generated course){'' if flavour == 'full' else ', text flavour'}\n"
    )


def test_asked_for_flavour_wins_over_the_setting_and_a_bad_setting_is_one_line(usb, mooc_home, run_mooc):
    config = mooc_home.home / "config.toml"
    config.write_text('bandwidth = "low"\n')
    assert run_mooc("catalog", "add", str(usb), "--name", "usb").returncode == 0
    assert run_mooc("install", "media-course", "--flavour", "novideo").returncode == 0
    assert _flavour(run_mooc) == "novideo"
    assert run_mooc("remove", "media-course", "--yes").returncode == 0
    config.write_text('bandwidth = "slow"\n')
    r = run_mooc("install", "media-course")
    assert r.returncode != 0
    assert r.stderr == f'mooc: error: {config}: bandwidth must be "low" or "normal", not \'slow\'\n'
    assert _flavour(run_mooc) is None


def test_a_reinstall_without_flavour_keeps_the_installed_one(usb, mooc_home, run_mooc):
    assert run_mooc("catalog", "add", str(usb), "--name", "usb").returncode == 0
    assert run_mooc("install", "media-course", "--flavour", "text").returncode == 0
    r = run_mooc("install", "media-course")  # e.g. after `mooc catalog refresh`: nothing new
    assert r.returncode == 0, r.stderr
    assert "already installed" in r.stdout and _flavour(run_mooc) == "text"
    r = run_mooc("install", "media-course", "--flavour", "full")  # = mooc upgrade --flavour full
    assert r.returncode == 0, r.stderr
    assert "now the full flavour (was text); progress kept" in r.stdout and _flavour(run_mooc) == "full"


def test_on_a_terminal_a_question_shows_the_three_sizes(usb, mooc_home):
    import subprocess

    from packages.flavours import human_size
    from tests.test_class_learners import _on_pty

    assert (
        subprocess.run([str(MOOC_BIN), "catalog", "add", str(usb), "--name", "usb"], env=mooc_home.env()).returncode
        == 0
    )
    screen = _on_pty([str(MOOC_BIN), "install", "media-course"], mooc_home.env(TERM="dumb"), [("Which one? [3] ", "1")])
    assert "media-course 1.0.0 comes in 3 flavours:" in screen
    # the file to write the setting in, by its path: a new user does not know where config.toml is
    assert f'(set bandwidth = "low" or "normal" in {mooc_home.home / "config.toml"} not to be asked)' in screen
    for number, flavour in enumerate(("text", "novideo", "full"), 1):
        size = human_size((usb / f"media-course-1.0.0{'' if flavour == 'full' else '.' + flavour}.mooc").stat().st_size)
        assert f"{number}. {flavour}" in screen and size in screen, (flavour, size, screen)
    assert "installed media-course 1.0.0 (A generated course), text flavour" in screen
    out = subprocess.run([str(MOOC_BIN), "list", "--json"], env=mooc_home.env(), capture_output=True, text=True).stdout
    assert [c["flavour"] for c in json.loads(out) if c["id"] == "media-course"] == ["text"]


def test_a_folder_of_flavoured_packs_installs_one_per_course(usb, tmp_path, mooc_home, run_mooc):
    stick = tmp_path / "stick"
    shutil.copytree(usb, stick)
    (stick / "catalog.json").unlink()
    r = run_mooc("install", str(stick), "--flavour", "novideo", "--json")
    assert r.returncode == 0, r.stderr
    [result] = json.loads(r.stdout)
    assert result["file"].endswith("media-course-1.0.0.novideo.mooc") and result["flavour"] == "novideo"
    assert _flavour(run_mooc) == "novideo"
    assert run_mooc("remove", "media-course", "--yes").returncode == 0
    (mooc_home.home / "config.toml").write_text('bandwidth = "low"\n')
    r = run_mooc("install", str(stick))
    assert r.returncode == 0, r.stderr
    assert _flavour(run_mooc) == "text"


def test_the_hint_after_a_smaller_flavour_names_one_a_catalog_offers(usb, tmp_path, mooc_home, run_mooc):
    """After a text install, the hint names the biggest flavour a catalog here offers, and
    says so when none offers more (a teacher's stick holding only text and novideo)."""
    assert run_mooc("catalog", "add", str(usb), "--name", "usb").returncode == 0
    r = run_mooc("install", "media-course", "--flavour", "text")
    assert r.returncode == 0, r.stderr
    assert "get the rest later with `mooc upgrade media-course --flavour full`" in r.stdout

    smaller = tmp_path / "smaller"
    smaller.mkdir()
    for pack in usb.glob("*.mooc"):
        if pack.name.endswith((".text.mooc", ".novideo.mooc")):
            shutil.copy(pack, smaller / pack.name)
    from packages.catalog_publish import build_catalog

    build_catalog(smaller)
    assert run_mooc("remove", "media-course", "--yes").returncode == 0
    assert run_mooc("catalog", "remove", "usb").returncode == 0, "catalog remove"
    assert run_mooc("catalog", "add", str(smaller), "--name", "stick").returncode == 0
    r = run_mooc("install", "media-course", "--flavour", "text")
    assert r.returncode == 0, r.stderr
    assert "get the rest later with `mooc upgrade media-course --flavour novideo`" in r.stdout

    loose = tmp_path / "loose"
    loose.mkdir()
    shutil.copy(next(smaller.glob("*.text.mooc")), loose / "media-course-1.0.0.text.mooc")
    assert run_mooc("remove", "media-course", "--yes").returncode == 0
    assert run_mooc("catalog", "remove", "stick").returncode == 0
    r = run_mooc("install", str(loose / "media-course-1.0.0.text.mooc"))
    assert r.returncode == 0, r.stderr
    assert "the text flavour: no catalog added here offers more of it (yet)" in r.stdout
