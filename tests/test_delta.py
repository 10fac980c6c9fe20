"""Delta updates against a real Range-capable static server: only changed entries travel."""

from __future__ import annotations

import hashlib
import json
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
        result = delta_download(srv.url + new.name, tmp_path / "n.mooc", old, expected_size=len(data),
                                expected_sha256=hashlib.sha256(data).hexdigest())
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
        result = delta_download(srv.url + new.name, tmp_path / "n.mooc", old, expected_size=len(data),
                                expected_sha256=hashlib.sha256(data).hexdigest())
    assert result.method == "full" and "ignores Range" in result.reason
    assert (tmp_path / "n.mooc").read_bytes() == data


def test_wrong_catalog_digest_never_yields_a_file(two_versions, tmp_path):
    from packages.errors import MoocError

    _base, old, new = two_versions
    with StaticServer(new.parent) as srv, pytest.raises(MoocError, match="SHA-256 mismatch"):
        delta_download(srv.url + new.name, tmp_path / "n.mooc", old, expected_size=new.stat().st_size,
                       expected_sha256="0" * 64)
    assert not (tmp_path / "n.mooc").exists()


def test_mooc_update_uses_delta_end_to_end(two_versions, tmp_path, run_mooc):
    base, old, new = two_versions
    www = tmp_path / "www"
    www.mkdir()
    shutil.copy(old, www)
    shutil.copy(new, www)
    assert run_mooc("catalog", "build", str(www)).returncode == 0
    assert run_mooc("install", str(www / old.name)).returncode == 0
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
    assert re.fullmatch(r"could not refresh catalog [a-z0-9.-]+: .+; using its last copy\n", offline.stderr), offline.stderr
    assert run_mooc("update", "--offline").stderr == ""
