"""Delta updates against a real Range-capable static server: only changed entries travel."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from packages.delta import delta_download
from tests.support.static_server import StaticServer


def _bump(src: Path, version: str, lesson_index: int = 2) -> None:
    toml = (src / "course.toml").read_text()
    (src / "course.toml").write_text(re.sub(r'version = "[^"]+"', f'version = "{version}"', toml, count=1))
    lesson = sorted((src / "lessons").glob("*.md"))[lesson_index]
    lesson.write_text(lesson.read_text() + "\nA new paragraph.\n")


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory) -> tuple[Path, Path, Path]:
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    base = tmp_path_factory.mktemp("delta")
    src = generate_pack(base / "src", lessons=120, questions=20, media_bytes=600_000, course_id="big-course")
    old = build_pack(src, out=base / "old" / "big-course-1.0.0.mooc")
    _bump(src, "1.1.0")
    new = build_pack(src, out=base / "www" / "big-course-1.1.0.mooc")
    return base, old, new


def test_delta_rebuilds_byte_identical_archive_fetching_little(two_versions, tmp_path):
    _base, old, new = two_versions
    data = new.read_bytes()
    with StaticServer(new.parent) as srv:
        result = delta_download(
            srv.url + new.name,
            tmp_path / "n.mooc",
            old,
            expected_size=len(data),
            expected_sha256=hashlib.sha256(data).hexdigest(),
        )
        assert srv.bytes_sent == result.bytes_fetched
    assert result.method == "delta", result.reason
    assert (tmp_path / "n.mooc").read_bytes() == data
    assert result.entries_reused >= result.entries_total - 3  # course.toml, the lesson, the manifest
    assert result.bytes_fetched < len(data) / 10
    assert result.requests <= 5


def test_server_ignoring_range_falls_back_to_full_download(two_versions, tmp_path):
    _base, old, new = two_versions
    data = new.read_bytes()
    with StaticServer(new.parent) as srv:
        srv.ranges = False
        result = delta_download(
            srv.url + new.name,
            tmp_path / "n.mooc",
            old,
            expected_size=len(data),
            expected_sha256=hashlib.sha256(data).hexdigest(),
        )
    assert result.method == "full" and "ignores Range" in result.reason
    assert (tmp_path / "n.mooc").read_bytes() == data


def test_wrong_catalog_digest_never_yields_a_file(two_versions, tmp_path):
    from packages.errors import MoocError

    _base, old, new = two_versions
    with StaticServer(new.parent) as srv, pytest.raises(MoocError, match="SHA-256 mismatch"):
        delta_download(
            srv.url + new.name, tmp_path / "n.mooc", old, expected_size=new.stat().st_size, expected_sha256="0" * 64
        )
    assert not (tmp_path / "n.mooc").exists()


def _publish_both(tmp_path: Path, old: Path, new: Path, run_mooc) -> Path:
    """A publisher's folder with both versions and its catalog; the old one installed."""
    www = tmp_path / "www"
    www.mkdir()
    shutil.copy(old, www)
    shutil.copy(new, www)
    assert run_mooc("catalog", "build", str(www)).returncode == 0
    assert run_mooc("install", str(www / old.name)).returncode == 0
    return www


def test_mooc_update_uses_delta_end_to_end(two_versions, tmp_path, run_mooc):
    base, old, new = two_versions
    www = _publish_both(tmp_path, old, new, run_mooc)
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json").returncode == 0
        r = run_mooc("update", "--check")
        assert "big-course  1.0.0 -> 1.1.0" in r.stdout
        srv.bytes_sent = 0
        r = run_mooc("update", "--json")
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout)[0]
        catalog_bytes = (www / "catalog.json").stat().st_size  # update fetches the catalog again first
        assert report["method"] == "delta" and report["bytes_fetched"] == srv.bytes_sent - catalog_bytes
        assert srv.bytes_sent < new.stat().st_size / 10
    r = run_mooc("list", "--json")
    assert any(c["id"] == "big-course" and c["version"] == "1.1.0" for c in json.loads(r.stdout))
    offline = run_mooc("update")  # the server is gone: its last copy of the catalog is used
    assert offline.returncode == 0 and "up to date" in offline.stdout
    assert re.fullmatch(r"could not refresh catalog [a-z0-9.-]+: .+; using its last copy\n", offline.stderr), (
        offline.stderr
    )
    assert run_mooc("update", "--offline").stderr == ""


# --------------------------------------------------------------------------- a flaky link


def _through(proxy_url: str, new: Path, tmp_path: Path, old: Path, **kw):
    data = new.read_bytes()
    return delta_download(
        proxy_url + new.name,
        tmp_path / "n.mooc",
        old,
        expected_size=len(data),
        expected_sha256=hashlib.sha256(data).hexdigest(),
        quiet=True,
        **kw,
    ), data


@pytest.mark.parametrize("drop_after", [100, 6_000], ids=["first-ranged-request", "later-in-the-delta"])
def test_a_dropped_connection_is_retried_inside_the_delta(two_versions, tmp_path, monkeypatch, drop_after):
    from tests.support.fault_proxy import FaultProxy

    monkeypatch.setenv("MOOC_BACKOFF_BASE", "0.01")
    _base, old, new = two_versions
    with StaticServer(new.parent) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.drop_after, proxy.drop_count, proxy.drop_rst = drop_after, 1, True
        result, data = _through(proxy.url, new, tmp_path, old)
        assert proxy.drops == 1
    assert result.method == "delta", result.reason
    assert result.retries >= 1 and result.reason == ""
    assert (tmp_path / "n.mooc").read_bytes() == data
    assert result.plan_bytes < len(data) / 10
    # what arrived before the drop is kept: at most one range's worth is asked twice
    assert result.bytes_fetched <= 2 * result.plan_bytes
    assert srv.bytes_sent <= 2 * result.plan_bytes
    assert not list(tmp_path.glob("*.part*"))


def test_half_the_answers_cut_still_finishes_as_a_delta(two_versions, tmp_path, monkeypatch):
    from tests.support.fault_proxy import FaultProxy

    monkeypatch.setenv("MOOC_BACKOFF_BASE", "0.01")
    _base, old, new = two_versions
    with StaticServer(new.parent) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        proxy.rng.seed(11)
        proxy.drop_rate = 0.5
        result, data = _through(proxy.url, new, tmp_path, old)
        assert proxy.drops >= 2
    assert result.method == "delta", result.reason
    assert (tmp_path / "n.mooc").read_bytes() == data
    assert result.bytes_fetched <= 2 * result.plan_bytes


def test_a_server_that_fails_every_retry_keeps_the_rebuilt_part_and_the_same_call_resumes(
    two_versions, tmp_path, monkeypatch
):
    from packages.errors import MoocError
    from tests.support.fault_proxy import FaultProxy

    monkeypatch.setenv("MOOC_BACKOFF_BASE", "0.01")
    base, old, new = two_versions
    changed = _media_changed(base, new)
    with StaticServer(changed.parent) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        # the directory, the manifest and some of the changed media arrive; then the link is gone
        proxy.drop_after, proxy.drop_count = 200_000, 1  # a clean close: what was sent arrives
        proxy.down_after_drop = (503, 100)  # then the server answers nothing but 503s
        first = {}
        with pytest.raises(MoocError) as err:
            _through(proxy.url, changed, tmp_path, old)
        message = str(err.value)
        assert "giving up after 16 tries: HTTP 503" in message and "run the same command again to resume" in message
        kept = tmp_path / "n.mooc.delta.part"
        first["kept"] = kept.stat().st_size
        assert first["kept"] > 150_000
        proxy._canned.clear()
        result, data = _through(proxy.url, changed, tmp_path, old)
    assert result.method == "delta" and result.resumed_from == first["kept"]
    assert (tmp_path / "n.mooc").read_bytes() == data
    assert result.plan_bytes > 500_000  # the changed media file travels ...
    assert result.bytes_fetched <= result.plan_bytes - 150_000  # ... but what the first run kept does not again
    assert not kept.exists()


def _media_changed(base: Path, new: Path) -> Path:
    """A 1.2.0 whose biggest media file has new bytes (a large change, to cut mid-way)."""
    from packages.building import build_pack

    out = base / "www2" / "big-course-1.2.0.mooc"
    if out.exists():
        return out
    src = base / "src"
    media = max((src / "media").iterdir(), key=lambda p: p.stat().st_size)
    media.write_bytes(bytes(reversed(media.read_bytes())))
    toml = (src / "course.toml").read_text()
    (src / "course.toml").write_text(re.sub(r'version = "[^"]+"', 'version = "1.2.0"', toml, count=1))
    return build_pack(src, out=out)


def test_update_check_says_what_the_delta_fetches_and_install_of_an_installed_id_is_a_delta(
    two_versions, tmp_path, run_mooc
):
    base, old, new = two_versions
    www = _publish_both(tmp_path, old, new, run_mooc)
    with StaticServer(www) as srv:
        assert run_mooc("catalog", "add", srv.url + "catalog.json").returncode == 0
        check = run_mooc("update", "--check", "--json")
        assert check.returncode == 0, check.stderr
        [planned] = json.loads(check.stdout)
        assert planned["method"] == "delta" and 0 < planned["fetch_bytes"] < new.stat().st_size / 10
        text = run_mooc("update", "--check").stdout
        assert re.search(r"big-course  1\.0\.0 -> 1\.1\.0  \(delta: fetches [\d.]+ kB of [\d.]+ kB, catalog ", text), (
            text
        )
        downloads = Path(os.environ["MOOC_HOME"]) / "downloads"
        stale = [
            downloads / n
            for n in (
                "big-course-1.0.5.mooc.part",
                "big-course-1.0.5.mooc.part.json",
                "big-course-1.0.9.mooc.delta.part",
            )
        ]
        kept = [downloads / n for n in ("big-course-2.0.0.mooc.part", "other-1.0.0.mooc.part", "notes.txt")]
        for path in stale + kept:
            path.write_bytes(b"x")
        srv.bytes_sent = 0
        r = run_mooc("install", "big-course")
        assert r.returncode == 0, r.stderr
        assert "upgraded big-course 1.0.0 -> 1.1.0" in r.stdout
        assert srv.bytes_sent == planned["fetch_bytes"]  # exactly the plan, not the 1 MB pack
        # partial downloads nothing can resume any more are gone; a newer one and others stay
        assert not any(p.exists() for p in stale) and all(p.exists() for p in kept)
        full = run_mooc("update", "--check", "--full", "--json")
        assert json.loads(full.stdout) == []  # nothing left to update
