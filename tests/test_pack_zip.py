"""packages/pack_zip.py writes what zipfile would, byte for byte: the reproducible pack
of an earlier mooc (built with zipfile) is the pack of this one. The reference here is
the zipfile code `mooc pack build` used before pack_zip, kept as it was."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from packages import building, pack_zip
from packages.manifest import MANIFEST_NAME, Manifest, ManifestEntry
from packages.source import DirSource
from packages.validation import validate
from tests.support.genpack import generate_pack


def _zipinfo(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    info.compress_type = compress
    for attr in ("compress_level", "_compresslevel"):
        try:
            setattr(info, attr, 6)
        except AttributeError:
            pass
    return info


def zipfile_build(fh, source: DirSource, course_id: str, version: str, title: str) -> None:
    """The reference: how building._write_zip wrote a pack with zipfile (a 256 KiB sample
    decides stored or deflated, then 1 MiB chunks)."""
    import hashlib

    entries: dict[str, ManifestEntry] = {}
    with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
        for rel in source.files():
            full = source.root / rel
            size = full.stat().st_size
            with open(full, "rb") as f:
                sample = f.read(256 * 1024)
                method = zipfile.ZIP_DEFLATED if building._shrinks(sample) else zipfile.ZIP_STORED
                info = _zipinfo(rel, method)
                info.file_size = size
                h = hashlib.sha256()
                with zf.open(info, "w", force_zip64=size > 0x7FFFFFFF) as dst:
                    chunk = sample
                    while chunk:
                        h.update(chunk)
                        dst.write(chunk)
                        chunk = f.read(1 << 20)
            entries[rel] = ManifestEntry(rel, size, h.hexdigest())
        manifest = Manifest(course_id=course_id, version=version, title=title, files=entries)
        zf.writestr(_zipinfo(MANIFEST_NAME, zipfile.ZIP_DEFLATED), manifest.to_json())


def assorted_pack(root: Path) -> Path:
    """A valid pack with what a writer can get wrong: a name that is not ASCII, an empty
    file, media that is stored, text over 1 MiB (streamed in chunks), a file of exactly
    the 256 KiB sample."""
    generate_pack(root, lessons=40, questions=60, media_bytes=300_000, seed=5)
    rng = random.Random(7)
    words = [rng.choice(["alpha", "beta", "gamma", "delta", "épsilon", "zeta"]) for _ in range(400_000)]
    extra = {
        "media/café-notes.txt": "ünïcode name\n".encode(),
        "media/empty.txt": b"",
        "media/big.txt": " ".join(words).encode(),
        "media/sample-sized.bin": rng.randbytes(128 * 1024) + b"a" * (128 * 1024),
        "media/tiny-random.bin": rng.randbytes(700),
    }
    links = []
    for rel, data in extra.items():
        (root / rel).write_bytes(data)
        links.append(f"[{rel}](../{rel})")
    with open(root / "lessons" / "l00000.md", "a", encoding="utf-8") as fh:
        fh.write("\n" + "\n".join(links) + "\n")
    return root


def test_build_is_byte_identical_to_zipfile(tmp_path: Path) -> None:
    src = assorted_pack(tmp_path / "src")
    report = validate(DirSource(src))
    assert report.ok, report.sorted()[:3]
    built = building.build_pack(src, tmp_path / "new.mooc").read_bytes()
    reference = io.BytesIO()
    zipfile_build(reference, DirSource(src), "big-course", "1.0.0", "A generated course")
    assert built == reference.getvalue()
    with zipfile.ZipFile(tmp_path / "new.mooc") as zf:
        assert zf.testzip() is None  # every CRC right
        infos = {i.filename: i for i in zf.infolist()}
    assert infos["media/blob-0000.bin"].compress_type == zipfile.ZIP_STORED
    assert infos["media/big.txt"].compress_type == zipfile.ZIP_DEFLATED and infos["media/big.txt"].file_size > 1 << 21
    assert infos["media/café-notes.txt"].flag_bits & 0x800


@pytest.mark.parametrize(("zip64_limit", "count_limit"), [(5_000, 65_535), (400_000, 3), (1_500_000, 65_535)])
def test_zip64_records_as_zipfile_writes_them(tmp_path: Path, monkeypatch, zip64_limit: int, count_limit: int) -> None:
    """Packs past zipfile's limits (2 GiB, 65,535 entries) get zip64 records; the limits are
    lowered here, in zipfile and pack_zip alike, so small packs cross them: big entries,
    offsets past the limit, too many entries, a central directory past the limit."""
    src = assorted_pack(tmp_path / "src")
    for mod in (zipfile, pack_zip):
        monkeypatch.setattr(mod, "ZIP64_LIMIT", zip64_limit)
        monkeypatch.setattr(mod, "ZIP_FILECOUNT_LIMIT", count_limit)
    ours, reference = io.BytesIO(), io.BytesIO()
    source = DirSource(src)
    building._write_zip(ours, source, source.files(), Manifest("c", "1.0.0", "T"))
    zipfile_build(reference, source, "c", "1.0.0", "T")
    assert ours.getvalue() == reference.getvalue()
    built = ours.getvalue()
    assert b"PK\x03\x04-\x00" in built  # a local header of version 45: zip64 sizes
    assert (b"PK\x06\x06" in built) == (len(built) > zip64_limit or count_limit < 100)  # the zip64 end record


def test_a_build_packs_the_bytes_it_validated(tmp_path: Path) -> None:
    """The lessons and quizzes packed are the ones validation read (a file edited during
    the build cannot slip in unchecked); files validation does not read are streamed."""
    src = generate_pack(tmp_path / "src", lessons=3, questions=4)
    source = DirSource(src, keep_reads=True)
    assert validate(source).ok
    (src / "lessons" / "l00001.md").write_text("# Edited after the check\n")
    out = io.BytesIO()
    building._write_zip(out, source, source.files(), Manifest("c", "1.0.0", "T"))
    with zipfile.ZipFile(out) as zf:
        assert zf.read("lessons/l00001.md").startswith(b"# Lesson 1\n")
        assert source.take_read("lessons/l00001.md") is None  # handed over once
