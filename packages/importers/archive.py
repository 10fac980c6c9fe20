"""Unpack a Studio course export (.tar.gz) without trusting it.

Refused, with the archive and the entry named: absolute paths, `..`, links
(symbolic or hard), devices/FIFOs, too many entries, too many bytes in total or in
one file (decompression bombs). Only regular files and folders are written, under
a fresh private folder the caller owns.
"""

from __future__ import annotations

import errno
import os
import shutil
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from packages.errors import MoocError


@dataclass(frozen=True)
class Limits:
    max_entries: int
    max_total_bytes: int
    max_ratio: float


def _limits() -> Limits:
    """The same limits as for packs (packages.pack_limits.Limits, MOOC_MAX_PACK_* overrides)."""
    from packages.pack_limits import Limits as PackLimits

    pack = PackLimits.from_env()
    return Limits(max_entries=pack.max_entries, max_total_bytes=pack.max_total_size, max_ratio=pack.max_ratio)


def extract_tar(archive: Path, dest: Path, limits: Limits | None = None) -> Path:
    """Extract `archive` into the empty folder `dest`; returns the course root inside it."""
    limits = limits or _limits()
    name = archive.name
    try:
        tar = tarfile.open(archive, "r:*")
    except (tarfile.TarError, OSError) as err:
        raise MoocError(f"{name}: not a readable .tar.gz course export ({err})") from None
    total = 0
    count = 0
    packed = max(archive.stat().st_size, 1)
    with tar:
        try:
            for member in tar:
                count += 1
                if count > limits.max_entries:
                    raise MoocError(f"{name}: more than {limits.max_entries} entries")
                rel = _safe_relpath(name, member.name)  # same path rules as pack entries
                if rel is None:
                    continue
                if member.issym() or member.islnk():
                    raise MoocError(f"{name}: {member.name}: links are not allowed in a course export")
                if member.isdir():
                    (dest / rel).mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isfile():
                    raise MoocError(f"{name}: {member.name}: special file (device, FIFO) not allowed")
                total += member.size
                if total > limits.max_total_bytes:
                    raise MoocError(f"{name}: unpacks to more than {limits.max_total_bytes} bytes")
                if total > 64 * 1024 * 1024 and total > limits.max_ratio * packed:
                    raise MoocError(
                        f"{name}: unpacks to more than {limits.max_ratio:g} times its size (a decompression bomb?)"
                    )
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(member)
                if src is None:
                    continue
                with src, open(target, "xb") as out:
                    copied = _copy_limited(src, out, member.size)
                if copied != member.size:
                    raise MoocError(f"{name}: {member.name}: truncated entry")
        except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
            if isinstance(err, FileExistsError):
                raise MoocError(f"{name}: {err.filename}: duplicate entry") from None
            if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS):
                raise MoocError(f"{name}: cannot unpack into {dest} ({err.strerror})") from None
            raise MoocError(f"{name}: broken archive ({err})") from None
    return find_course_root(dest, name)


def _copy_limited(src: IO[bytes], out: IO[bytes], size: int) -> int:
    copied = 0
    while True:
        chunk = src.read(min(1 << 20, size - copied + 1))
        if not chunk:
            return copied
        copied += len(chunk)
        if copied > size:
            return copied
        out.write(chunk)


def _safe_relpath(archive: str, raw: str) -> PurePosixPath | None:
    from packages.pack_paths import path_problem

    name = raw[2:] if raw.startswith("./") else raw
    name = name.rstrip("/")
    if name in ("", "."):
        return None
    problem = path_problem(name)
    if problem:
        raise MoocError(f"{archive}: {raw}: {problem}")
    return PurePosixPath(name)


def find_course_root(folder: Path, shown: str) -> Path:
    """The folder holding course.xml: the top, or the single folder Studio wraps it in."""
    if (folder / "course.xml").is_file():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
    for sub in subdirs:
        if (sub / "course.xml").is_file():
            return sub
    raise MoocError(f"{shown}: no course.xml found (is this an Open edX course export?)")


class Unpacked:
    """Context manager: a course source as a folder, unpacking a .tar.gz to a temp dir."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        import tempfile

        if self.source.is_dir():
            return find_course_root(self.source, str(self.source))
        if not self.source.exists():
            raise MoocError(f"{self.source}: no such file or folder")
        try:
            self.tmp = Path(tempfile.mkdtemp(prefix="mooc-olx-"))
        except OSError as err:
            raise MoocError(f"{self.source}: cannot make a temporary folder to unpack it ({err.strerror})") from None
        try:  # a refused archive, a full disk or ctrl+c: __exit__ would not run, so clean up here
            os.chmod(self.tmp, 0o700)
            return extract_tar(self.source, self.tmp)
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
