"""Built packs are untrusted: every malicious archive is refused with a one-line error
naming the archive and the entry. The ZIPs are crafted here with `zipfile`."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest

from packages.building import MANIFEST_NAME, build_pack
from packages.errors import MoocError
from packages.loading import load_course
from packages.pack_extract import safe_extract
from packages.pack_limits import Limits
from packages.source import open_source
from packages.validation import validate
from tests.test_pack_loading import contract_pack


def craft(
    path: Path,
    entries: list[tuple[str | zipfile.ZipInfo, bytes]],
    *,
    mode: int | None = 0o100644,
    compress: int = zipfile.ZIP_DEFLATED,
) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            if not isinstance(name, zipfile.ZipInfo):
                info.compress_type = compress
                if mode is not None:
                    info.create_system = 3
                    info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def error_of(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(MoocError) as exc:
        open_source(path, limits)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(path))
    return msg


GOOD_COURSE = b'format = 1\nid = "c"\nversion = "1.0.0"\ntitle = "C"\n[[modules]]\nid = "m"\ntitle = "M"\n'


def test_dotdot_traversal(tmp_path: Path) -> None:
    msg = error_of(craft(tmp_path / "a.mooc", [("course.toml", GOOD_COURSE), ("lessons/../../evil.sh", b"x")]))
    assert "'lessons/../../evil.sh': path leaves the pack" in msg


def test_absolute_path(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("x", (1980, 1, 1, 0, 0, 0))
    info.filename = "/etc/cron.d/evil"  # ZipInfo() would strip the slash; a hostile tool does not
    msg = error_of(craft(tmp_path / "a.mooc", [("course.toml", GOOD_COURSE), (info, b"x")]))
    assert "'/etc/cron.d/evil': absolute path" in msg


def test_backslash_path(tmp_path: Path) -> None:
    msg = error_of(craft(tmp_path / "a.mooc", [("..\\..\\evil.bat", b"x")]))
    assert "backslash" in msg


def test_symlink_entry(tmp_path: Path) -> None:
    msg = error_of(craft(tmp_path / "a.mooc", [("media/link", b"/etc/passwd")], mode=stat.S_IFLNK | 0o777))
    assert "'media/link': symlink entry" in msg


def test_fifo_and_device_entries(tmp_path: Path) -> None:
    msg = error_of(craft(tmp_path / "a.mooc", [("media/pipe", b"")], mode=stat.S_IFIFO | 0o644))
    assert "'media/pipe': special entry" in msg
    msg = error_of(craft(tmp_path / "b.mooc", [("media/dev", b"")], mode=stat.S_IFCHR | 0o644))
    assert "'media/dev': special entry" in msg


def test_duplicate_names(tmp_path: Path) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we write on purpose
        path = craft(tmp_path / "a.mooc", [("course.toml", GOOD_COURSE), ("course.toml", b"format = 1")])
    assert "'course.toml': duplicate entry" in error_of(path)
    path = craft(tmp_path / "b.mooc", [("lessons/a.md", b"# a"), ("./lessons/a.md", b"# b")])
    assert "not in normal form" in error_of(path)
    path = craft(tmp_path / "c.mooc", [("lessons/Cafe\u0301.md", b"# a"), ("lessons/CAF\u00c9.md", b"# b")])
    assert "duplicate entry (same name as 'lessons/Cafe\u0301.md' after case/Unicode normalisation)" in error_of(path)


def test_zip_bomb_ratio_and_override(tmp_path: Path) -> None:
    path = craft(tmp_path / "a.mooc", [("media/zeros.bin", b"\0" * (4 << 20))])
    assert "'media/zeros.bin': compression ratio" in error_of(path)
    with open_source(path, Limits().with_overrides(max_ratio=10_000)) as src:
        assert src.size("media/zeros.bin") == 4 << 20


def test_zip_bomb_total_size_and_override(tmp_path: Path) -> None:
    path = craft(tmp_path / "a.mooc", [(f"media/{i}.bin", bytes(range(256)) * 1024) for i in range(4)])
    msg = error_of(path, Limits().with_overrides(max_total_size=512 * 1024))
    assert "unpacked size exceeds the limit of 524288 bytes" in msg and "--max-size" in msg
    with open_source(path, Limits().with_overrides(max_total_size=2 << 20)) as src:
        assert len(src.files()) == 4


def test_zip_bomb_entry_count_and_override(tmp_path: Path) -> None:
    path = craft(tmp_path / "a.mooc", [(f"media/{i}.txt", b"x") for i in range(50)])
    assert "50 entries, more than the limit of 10" in error_of(path, Limits().with_overrides(max_entries=10))
    with open_source(path, Limits().with_overrides(max_entries=50)) as src:
        assert len(src.files()) == 50


def test_limits_from_env() -> None:
    limits = Limits.from_env({"MOOC_MAX_PACK_SIZE": "3G", "MOOC_MAX_PACK_ENTRIES": "7", "MOOC_MAX_PACK_RATIO": "1000"})
    assert (limits.max_total_size, limits.max_entries, limits.max_ratio) == (3 << 30, 7, 1000.0)
    assert Limits.from_env({}) == Limits()
    with pytest.raises(MoocError, match="MOOC_MAX_PACK_SIZE: 'lots' is not a size"):
        Limits.from_env({"MOOC_MAX_PACK_SIZE": "lots"})


def test_entry_larger_than_declared_is_cut_off(tmp_path: Path) -> None:
    """A lying header: the central directory declares 10 bytes, the data inflates to 1 MiB."""
    path = craft(tmp_path / "a.mooc", [("media/x.bin", b"A" * (1 << 20))])
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("media/x.bin")
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (10).to_bytes(4, "little")  # uncompressed size in the central directory
    lh = info.header_offset
    raw[lh + 22 : lh + 26] = (10).to_bytes(4, "little")  # and in the local header
    path.write_bytes(bytes(raw))
    with open_source(path) as src, pytest.raises(MoocError) as exc:
        src.read_bytes("media/x.bin")
    assert str(exc.value).startswith(f"{path}: media/x.bin: ")


def _built(tmp_path: Path) -> Path:
    return build_pack(contract_pack(tmp_path / "src"), tmp_path / "stats.mooc")


def _rewrite(src: Path, dest: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, change.get(info.filename, zin.read(info)))
    return dest


def test_file_not_matching_its_digest(tmp_path: Path) -> None:
    good = _built(tmp_path)
    bad = _rewrite(good, tmp_path / "bad.mooc", {"lessons/mean.md": b"# The mean\n\nAdd and divide!\n"})
    # pack check reports it
    with open_source(bad) as src:
        report = validate(src)
    assert [str(p) for p in report.errors] == [
        "lessons/mean.md: SHA-256 does not match the manifest (file corrupt or altered)"
    ]
    # installing refuses it, naming archive and entry
    with pytest.raises(MoocError) as exc:
        safe_extract(bad, tmp_path / "staging")
    assert str(exc.value) == f"{bad}: lessons/mean.md: SHA-256 does not match the manifest (file corrupt or altered)"
    # a changed size too
    bad2 = _rewrite(good, tmp_path / "bad2.mooc", {"lessons/mean.md": b"# x\n"})
    with pytest.raises(MoocError, match="lessons/mean.md: size 4 does not match the manifest"):
        safe_extract(bad2, tmp_path / "staging2")


def test_file_missing_from_manifest_or_archive(tmp_path: Path) -> None:
    good = _built(tmp_path)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(tmp_path / "extra.mooc", "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("media/planted.sh", b"rm -rf ~")
    with pytest.raises(MoocError, match="media/planted.sh: not listed in the manifest"):
        safe_extract(tmp_path / "extra.mooc", tmp_path / "s1")
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(tmp_path / "less.mooc", "w") as zout:
        for info in zin.infolist():
            if info.filename != "lessons/mean.md":
                zout.writestr(info, zin.read(info))
    with pytest.raises(MoocError, match="lessons/mean.md: listed in the manifest but missing from the archive"):
        safe_extract(tmp_path / "less.mooc", tmp_path / "s2")


def test_safe_extract_round_trip(tmp_path: Path) -> None:
    built = _built(tmp_path)
    manifest = safe_extract(built, tmp_path / "staging")
    assert (manifest.course_id, manifest.version, manifest.title) == ("stats-101", "1.2.0", "Statistics 101")
    assert sorted(manifest.files) == ["course.toml", "lessons/mean.md", "quizzes/week-1.toml"]
    for rel, entry in manifest.files.items():
        data = (tmp_path / "staging" / rel).read_bytes()
        assert data == (tmp_path / "src" / rel).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry.size, entry.sha256)
    with open_source(tmp_path / "staging") as installed:
        assert installed.manifest == manifest and MANIFEST_NAME not in installed.files()
        assert validate(installed).ok
        assert load_course(installed).id == "stats-101"


def test_manifest_schema(tmp_path: Path) -> None:
    with zipfile.ZipFile(_built(tmp_path)) as zf:
        names = zf.namelist()
        data = json.loads(zf.read(MANIFEST_NAME))
    assert names == ["course.toml", "lessons/mean.md", "quizzes/week-1.toml", MANIFEST_NAME]
    assert data["format"] == 1 and data["course"] == {"id": "stats-101", "version": "1.2.0", "title": "Statistics 101"}
    assert [f["path"] for f in data["files"]] == names[:-1]
    first = data["files"][0]
    raw = (tmp_path / "src" / "course.toml").read_bytes()
    assert first == {"path": "course.toml", "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}


def test_hostile_manifest(tmp_path: Path) -> None:
    manifest = json.dumps(
        {
            "format": 1,
            "course": {"id": "c", "version": "1", "title": "t"},
            "files": [{"path": "../x", "size": 1, "sha256": "0" * 64}],
        }
    ).encode()
    path = craft(tmp_path / "a.mooc", [("course.toml", GOOD_COURSE), (MANIFEST_NAME, manifest)])
    assert "mooc-manifest.json: files[0].path: path leaves the pack" in error_of(path)
    newer = json.dumps({"format": 9, "course": {}, "files": []}).encode()
    path = craft(tmp_path / "b.mooc", [(MANIFEST_NAME, newer)])
    assert "manifest format 9 needs a newer mooc" in error_of(path)


def test_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "x.mooc").write_bytes(b"<html>404</html>")
    assert "not a readable .mooc archive" in error_of(tmp_path / "x.mooc")
    with pytest.raises(MoocError, match="no such file or folder"):
        open_source(tmp_path / "missing.mooc")


def test_zip_source_reads_and_loads(tmp_path: Path) -> None:
    built = _built(tmp_path)
    with open_source(built) as src:
        assert src.files() == ["course.toml", "lessons/mean.md", "quizzes/week-1.toml"]
        assert src.exists("lessons/mean.md") and not src.exists(MANIFEST_NAME) and not src.exists("nope.md")
        assert src.read_text("lessons/mean.md").startswith("# The mean")
        course = load_course(src)
        assert course.item("week-1-quiz").quiz.questions[0].id == "q1"
        with pytest.raises(MoocError, match="path leaves the pack"):
            src.read_bytes("../x")


def test_manifest_must_match_course_toml(tmp_path: Path) -> None:
    good = _built(tmp_path)
    with zipfile.ZipFile(good) as zf:
        data = json.loads(zf.read(MANIFEST_NAME))
    data["course"]["version"] = "9.9.9"
    bad = _rewrite(good, tmp_path / "bad.mooc", {MANIFEST_NAME: json.dumps(data).encode()})
    with open_source(bad) as src:
        assert [str(p) for p in validate(src).errors] == [
            "mooc-manifest.json: course: says stats-101 9.9.9 but course.toml says stats-101 1.2.0"
        ]


def test_generated_pack_with_media_is_valid_and_media_is_stored(tmp_path: Path) -> None:
    from tests.support.genpack import generate_pack

    src = generate_pack(tmp_path / "g", lessons=30, questions=45, media_bytes=300_000, seed=3)
    report = validate(open_source(src))
    assert report.problems == [] and report.course is not None
    assert len(report.course.items()) == 33
    built = build_pack(src, tmp_path / "g.mooc")
    with zipfile.ZipFile(built) as zf:
        media = zf.getinfo("media/blob-0000.bin")
        lesson = zf.getinfo("lessons/l00000.md")
    assert media.compress_type == zipfile.ZIP_STORED and media.file_size == 300_000
    assert lesson.compress_type == zipfile.ZIP_DEFLATED
    # same seed, same bytes: benchmarks of other helpers are comparable run to run
    again = generate_pack(tmp_path / "h", lessons=30, questions=45, media_bytes=300_000, seed=3)
    assert (again / "media/blob-0000.bin").read_bytes() == (src / "media/blob-0000.bin").read_bytes()
    assert build_pack(again, tmp_path / "h.mooc").read_bytes() == built.read_bytes()
