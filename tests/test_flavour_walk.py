"""What a walk through the flavours as a learner on a slow link found (issue 22, walk22):
the real `mooc` command against a publisher's folder of flavoured packs behind a
Range-capable static server on 127.0.0.1.

- `mooc install COURSE` of the very pack installed already must not fetch anything
  (a slow link paid for a whole pack, then heard "already installed") nor leave a
  download behind.
- Moving to another flavour (install --flavour, upgrade, update) must not leave the
  replaced copy's rebuilt archive in downloads/packs (a 3 MB full archive stayed
  behind a move down to the 19 kB text flavour).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.static_server import StaticServer


@pytest.fixture(scope="module")
def www(tmp_path_factory) -> Path:
    """The three flavours of a course with a video, and their catalog."""
    from packages.building import build_flavours
    from packages.catalog_publish import build_catalog
    from tests.support.flavoured import flavoured_course

    base = tmp_path_factory.mktemp("walk")
    src = flavoured_course(base / "src", video_bytes=400_000)
    out = base / "www"
    build_flavours(src, out)
    build_catalog(out)
    return out


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _cached_archives(home: Path) -> list[str]:
    return [p for p in _files_under(home / "downloads") if p.endswith(".mooc")]


def test_installing_the_installed_pack_again_fetches_nothing(www, run_mooc, mooc_home):
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        r = run_mooc("install", "mooc-demo", "--flavour", "full")
        assert r.returncode == 0, r.stderr
        before = len(srv.requests)
        again = run_mooc("install", "mooc-demo", "--flavour", "full", "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["status"] == "already-installed"
        plain = run_mooc("install", "mooc-demo")  # the installed flavour, the same pack
        assert plain.returncode == 0, plain.stderr
        assert "already installed" in plain.stdout
        assert srv.requests[before:] == []
    assert _cached_archives(mooc_home.home) == []


def test_a_flavour_move_leaves_no_archive_of_the_replaced_copy(www, run_mooc, mooc_home):
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        assert run_mooc("install", "mooc-demo", "--flavour", "full").returncode == 0
        assert run_mooc("install", "mooc-demo", "--flavour", "text").returncode == 0  # a delta: rebuilds the full
        assert _cached_archives(mooc_home.home) == []
        r = run_mooc("upgrade", "mooc-demo", "--flavour", "full")  # rebuilds the text one
        assert r.returncode == 0, r.stderr
        assert _cached_archives(mooc_home.home) == []
        r = run_mooc("remove", "mooc-demo", "--yes")
        assert r.returncode == 0, r.stderr
    assert _cached_archives(mooc_home.home) == []


def test_upgrade_limit_rate_caps_the_delta_too(www, run_mooc, mooc_home):
    """`mooc upgrade --flavour full --limit-rate 100k`: the 400 kB video travels by ranged
    GETs (the delta), and the cap holds for them as for a whole download. A lower bound
    only: a capped transfer cannot be faster (the token bucket sleeps)."""
    import time

    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        assert run_mooc("install", "mooc-demo", "--flavour", "text").returncode == 0
        t0 = time.monotonic()
        r = run_mooc("upgrade", "mooc-demo", "--flavour", "full", "--limit-rate", "100k", "--json")
        elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["method"] == "delta" and info["bytes_fetched"] > 400_000
    burst = 64 * 1024
    assert elapsed > (info["bytes_fetched"] - burst) / (100 * 1024) * 0.9, (elapsed, info)


def test_sizes_read_the_same_in_build_search_and_info(tmp_path, run_mooc):
    """A publisher's `pack build` and a learner's `search` and `info` name one pack's
    size alike (they used 1000 and 1024 as a kB: "25 kB" built, "24.5 kB" listed)."""
    import re

    from packages.flavours import human_size

    out = tmp_path / "pub"
    demo = Path(__file__).resolve().parents[1] / "packages" / "demo_course"
    r = run_mooc("pack", "build", str(demo), "--flavours", "all", "-o", str(out))
    assert r.returncode == 0, r.stderr
    built = re.search(r"^3 flavours: text (.+), novideo (.+), full (.+)$", r.stdout, re.M)
    assert built, r.stdout
    assert run_mooc("catalog", "build", str(out)).returncode == 0
    assert run_mooc("catalog", "add", str(out), "--name", "usb").returncode == 0
    search = run_mooc("search", "mooc-demo").stdout
    assert f"text {built[1]} / novideo {built[2]} / full {built[3]}" in search, (built.groups(), search)
    assert run_mooc("install", "mooc-demo", "--flavour", "text").returncode == 0
    [copy] = [c for c in json.loads(run_mooc("list", "--json").stdout) if c["origin"] == "user"]
    assert f"size:      {human_size(copy['size'])}" in run_mooc("info", "mooc-demo").stdout


def test_an_upgrade_from_a_download_already_here_says_so(www, run_mooc, mooc_home):
    """The full pack already sits verified in downloads/ (an install that stopped after
    its download): the move uses it and says that nothing travelled, not "from a local
    catalog" (the catalog is on a web server)."""
    import shutil

    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        assert run_mooc("install", "mooc-demo", "--flavour", "text").returncode == 0
        (mooc_home.home / "downloads").mkdir(exist_ok=True)
        shutil.copy(www / "mooc-demo-1.0.0.mooc", mooc_home.home / "downloads")
        before = len(srv.requests)
        r = run_mooc("upgrade", "mooc-demo", "--flavour", "full")
        assert r.returncode == 0, r.stderr
        assert srv.requests[before:] == []
    assert r.stdout.strip() == (
        "mooc-demo 1.0.0: text -> full flavour; nothing fetched (a verified download was here already); progress kept"
    )
    assert _cached_archives(mooc_home.home) == []


def test_a_move_up_on_a_terminal_shows_its_progress(www, run_mooc, mooc_home):
    """On a terminal, the ranged GETs of a move up show a progress bar (bytes, speed),
    as a whole download does: 400 kB at 100k is four silent seconds otherwise, and on
    a real slow link a silent hour."""
    from tests.conftest import MOOC_BIN
    from tests.test_class_learners import _on_pty

    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        assert run_mooc("install", "mooc-demo", "--flavour", "text").returncode == 0
        argv = [str(MOOC_BIN), "upgrade", "mooc-demo", "--flavour", "full", "--limit-rate", "100k"]
        screen = _on_pty(argv, mooc_home.env(TERM="xterm", COLUMNS="100"), [])
    assert "text -> full flavour" in screen, screen
    assert "mooc-demo-1.0.0.mooc" in screen and "kB/s" in screen, screen


def test_install_limit_rate_caps_the_download(www, run_mooc, mooc_home):
    """`mooc install COURSE --limit-rate 100k` (a shared lab link): the ~400 kB full pack
    cannot arrive faster than the cap allows (a lower bound only: the token bucket
    sleeps); a bad rate is one line before anything is fetched."""
    import time

    size = (www / "mooc-demo-1.0.0.mooc").stat().st_size
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "pub").returncode == 0
        bad = run_mooc("install", "mooc-demo", "--limit-rate", "fast")
        assert (
            bad.returncode != 0
            and bad.stderr == "mooc: error: --limit-rate: 'fast' is not a rate (examples: 200k, 1M, 50000)\n"
        )
        t0 = time.monotonic()
        r = run_mooc("install", "mooc-demo", "--flavour", "full", "--limit-rate", "100k")
        elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    burst = 64 * 1024
    assert size > 300_000 and elapsed > (size - burst) / (100 * 1024) * 0.9, (elapsed, size)
