"""Build a pack source folder into one reproducible `.mooc` file.

Same source, byte-identical output: entries sorted by path, every timestamp
1980-01-01 00:00, permissions 0644, deflate level 6, no extra fields, no comment.
Files that do not shrink (media that is already compressed) are stored, which is
decided from the content alone, so it is reproducible too. The manifest
(`mooc-manifest.json`, written last) records size and SHA-256 of every file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from packages.errors import MoocError
from packages.fsutil import fsync_dir as _fsync_dir
from packages.fsutil import os_error_text
from packages.manifest import MANIFEST_NAME, Manifest, ManifestEntry
from packages.pack_report import Report
from packages.pack_zip import DEFLATE_LEVEL, FILE_MODE, FIXED_DATE, PackZipWriter
from packages.source import PACK_SUFFIX, DirSource
from packages.validation import validate

__all__ = ["DEFLATE_LEVEL", "FILE_MODE", "FIXED_DATE", "MANIFEST_NAME", "BuildResult", "build", "build_pack"]

_SAMPLE = 256 * 1024
_CHUNK = 1 << 20


@dataclass(frozen=True)
class BuildResult:
    path: Path
    size: int
    sha256: str
    report: Report  # the validation report (warnings only: a build with errors raises)


def build_pack(src: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Validate `src`, then write `<id>-<version>.mooc` (or `out`) atomically. Returns its path."""
    return build(src, out).path


def build(src: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> BuildResult:
    src_path = Path(src)
    if not src_path.is_dir():
        raise MoocError(f"{src_path}: not a folder (build a pack from its source folder)")
    source = DirSource(src_path, keep_reads=True)
    report = validate(source)
    report.raise_if_errors()
    course = report.course
    assert course is not None
    default_name = f"{course.id}-{course.version}{PACK_SUFFIX}"
    if out is None:
        out_path = Path.cwd() / default_name
    else:
        out_path = Path(out)
        if out_path.is_dir() or str(out).endswith(("/", os.sep)):  # `-o dist/`: a folder
            out_path = out_path / default_name
    try:
        size, digest = _write_atomically(out_path, source, course.id, course.version, course.title)
    except OSError as err:
        raise MoocError(_os_error_message(err, source, out_path)) from None
    return BuildResult(path=out_path, size=size, sha256=digest, report=report)


def _write_atomically(out_path: Path, source: DirSource, course_id: str, version: str, title: str) -> tuple[int, str]:
    """Write the pack to a temporary file beside `out_path`, then rename it over: a build
    that fails (a full disk) leaves whatever was at `out_path` as it was, and no temp file.
    Returns the size and SHA-256 of the pack."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w+b") as fh:
            _write_zip(fh, source, course_id, version, title)
            fh.flush()
            os.fsync(fh.fileno())
            fh.seek(0)
            h = hashlib.sha256()
            size = 0
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
                size += len(chunk)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out_path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(out_path.parent)
    return size, h.hexdigest()


def _os_error_message(err: OSError, source: DirSource, out_path: Path) -> str:
    """Name the pack file that could not be read, or else the output that could not be written."""
    name = os.path.basename(str(err.filename or ""))
    if err.filename and name != out_path.name and not name.startswith(f".{out_path.name}."):
        try:
            rel = Path(os.path.abspath(err.filename)).relative_to(os.path.abspath(source.root))
        except ValueError:
            pass
        else:
            return f"{source.origin}: {rel.as_posix()}: cannot read: {os_error_text(err)}"
    return f"{out_path}: cannot write the pack: {os_error_text(err)}"


def _shrinks(sample: bytes) -> bool:
    """Deflate only what gets noticeably smaller: stored media costs no CPU to install."""
    if len(sample) < 512:
        return True
    return len(zlib.compress(sample, 1)) < 0.9 * len(sample)


def _write_zip(fh: BinaryIO, source: DirSource, course_id: str, version: str, title: str) -> dict[str, ManifestEntry]:
    entries: dict[str, ManifestEntry] = {}
    zf = PackZipWriter(fh)
    for rel in source.files():
        data = source.take_read(rel)  # a lesson or quiz as validation read it: the pack holds what was checked
        if data is not None:
            zf.add(rel, data, _shrinks(data[:_SAMPLE]))
            entries[rel] = ManifestEntry(rel, len(data), hashlib.sha256(data).hexdigest())
            continue
        with open(os.path.join(source.root, *rel.split("/")), "rb") as f:
            size = os.fstat(f.fileno()).st_size
            sample = f.read(_SAMPLE)
            h = hashlib.sha256(sample)
            if len(sample) < _SAMPLE:  # the whole file
                written = len(sample)
                zf.add(rel, sample, _shrinks(sample))
            else:
                written = zf.add_stream(rel, size, _chunks(f, sample, h), _shrinks(sample))
        if written != size:
            raise MoocError(f"{source.origin}: {rel}: changed while building (size {size}, then {written})")
        entries[rel] = ManifestEntry(rel, written, h.hexdigest())
    manifest = Manifest(course_id=course_id, version=version, title=title, files=entries)
    zf.add(MANIFEST_NAME, manifest.to_json(), deflate=True)
    zf.close()
    return entries


def _chunks(f: BinaryIO, first: bytes, h: Any) -> Iterator[bytes]:
    """FIRST, then the rest of F, each chunk added to the hash H on the way."""
    chunk = first
    while chunk:
        yield chunk
        chunk = f.read(_CHUNK)
        h.update(chunk)
