"""Build a pack source folder into one reproducible `.mooc` file.

Same source, byte-identical output: entries sorted by path, every timestamp
1980-01-01 00:00, permissions 0644, deflate level 6, no extra fields, no comment.
Files that do not shrink (media that is already compressed) are stored, which is
decided from the content alone, so it is reproducible too. The manifest
(`mooc-manifest.json`, written last) records size and SHA-256 of every file.

A flavour (packages/flavours.py) writes only the files it keeps and records the
others in the manifest's `omitted` list (packages/flavour_build.py); the full
flavour is the build it always was, byte for byte.
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
from packages.flavour_build import FlavourPlan, omitted_entries, plan_flavour
from packages.flavours import FLAVOURS, FULL, pack_file_name, rank
from packages.fsutil import fsync_dir as _fsync_dir
from packages.fsutil import os_error_text
from packages.i18n import _
from packages.manifest import MANIFEST_NAME, Manifest, ManifestEntry
from packages.pack_report import Report
from packages.pack_zip import DEFLATE_LEVEL, FILE_MODE, FIXED_DATE, PackZipWriter
from packages.source import DirSource
from packages.validation import validate

__all__ = [
    "DEFLATE_LEVEL",
    "FILE_MODE",
    "FIXED_DATE",
    "MANIFEST_NAME",
    "BuildResult",
    "build",
    "build_flavours",
    "build_pack",
]

_SAMPLE = 256 * 1024
_CHUNK = 1 << 20


@dataclass(frozen=True)
class BuildResult:
    path: Path
    size: int
    sha256: str
    report: Report  # the validation report (warnings only: a build with errors raises)
    flavour: str = FULL
    omitted: tuple[ManifestEntry, ...] = ()  # what this flavour left out, by path


def build_pack(
    src: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *, flavour: str | None = None
) -> Path:
    """Validate `src`, then write `<id>-<version>.mooc` (or `out`) atomically. Returns its path."""
    return build(src, out, flavour=flavour).path


def build(
    src: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *, flavour: str | None = None
) -> BuildResult:
    """Build one flavour of the pack (None: the flavour the folder holds, full for an author's folder)."""
    source, report = _checked(src)
    return _build_one(source, report, out, flavour, {})


def build_flavours(
    src: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None, flavours: tuple[str, ...] = FLAVOURS
) -> list[BuildResult]:
    """Build several flavours into the folder `out_dir` (default: here), each under its own
    name (packages.flavours.pack_file_name). Results small to big."""
    source, report = _checked(src)
    folder = Path.cwd() if out_dir is None else Path(out_dir)
    known: dict[str, ManifestEntry] = {}  # the biggest flavour is built first: its digests name what smaller ones omit
    results = [
        _build_one(source, report, folder, f, known, into_folder=True)
        for f in sorted(set(flavours), key=rank, reverse=True)
    ]
    return results[::-1]


def _checked(src: str | os.PathLike[str]) -> tuple[DirSource, Report]:
    src_path = Path(src)
    if not src_path.is_dir():
        raise MoocError(_("{src_path}: not a folder (build a pack from its source folder)").format(src_path=src_path))
    source = DirSource(src_path, keep_reads=True)
    report = validate(source)
    report.raise_if_errors()
    return source, report


def _build_one(
    source: DirSource,
    report: Report,
    out: str | os.PathLike[str] | None,
    flavour: str | None,
    known: dict[str, ManifestEntry],
    *,
    into_folder: bool = False,
) -> BuildResult:
    course = report.course
    assert course is not None
    plan = plan_flavour(source, flavour, frozenset(item.file for item in course.items()))
    default_name = pack_file_name(course.id, course.version, plan.flavour)
    if out is None:
        out_path = Path.cwd() / default_name
    else:
        out_path = Path(out)
        if into_folder or out_path.is_dir() or str(out).endswith(("/", os.sep)):  # `-o dist/`: a folder
            out_path = out_path / default_name
    try:
        omitted = omitted_entries(source, plan, known)
        manifest = Manifest(course.id, course.version, course.title, flavour=plan.flavour, omitted=omitted)
        size, digest = _write_atomically(out_path, source, plan, manifest, known)
    except OSError as err:
        raise MoocError(_os_error_message(err, source, out_path)) from None
    return BuildResult(
        path=out_path,
        size=size,
        sha256=digest,
        report=report,
        flavour=plan.flavour,
        omitted=tuple(omitted[p] for p in sorted(omitted)),
    )


def _write_atomically(
    out_path: Path, source: DirSource, plan: FlavourPlan, head: Manifest, known: dict[str, ManifestEntry]
) -> tuple[int, str]:
    """Write the pack to a temporary file beside `out_path`, then rename it over: a build
    that fails (a full disk) leaves whatever was at `out_path` as it was, and no temp file.
    Returns the size and SHA-256 of the pack."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w+b") as fh:
            known.update(_write_zip(fh, source, plan.files, head))
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


def _write_zip(fh: BinaryIO, source: DirSource, files: list[str], head: Manifest) -> dict[str, ManifestEntry]:
    """Write `files` (sorted) and then the manifest: `head` with their entries."""
    entries: dict[str, ManifestEntry] = {}
    zf = PackZipWriter(fh)
    for rel in files:
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
            raise MoocError(
                _("{origin}: {rel}: changed while building (size {size}, then {written})").format(
                    origin=source.origin, rel=rel, size=size, written=written
                )
            )
        entries[rel] = ManifestEntry(rel, written, h.hexdigest())
    manifest = Manifest(
        head.course_id, head.version, head.title, files=entries, flavour=head.flavour, omitted=head.omitted
    )
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
