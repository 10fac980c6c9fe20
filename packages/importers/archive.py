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
from packages.i18n import _


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
        raise MoocError(_("{name}: not a readable .tar.gz course export ({err})").format(name=name, err=err)) from None
    total = 0
    count = 0
    packed = max(archive.stat().st_size, 1)
    with tar:
        try:
            for member in tar:
                count += 1
                if count > limits.max_entries:
                    raise MoocError(
                        _("{name}: more than {max_entries} entries").format(name=name, max_entries=limits.max_entries)
                    )
                rel = _safe_relpath(name, member.name)  # same path rules as pack entries
                if rel is None:
                    continue
                if member.issym() or member.islnk():
                    raise MoocError(
                        _("{name}: {name2}: links are not allowed in a course export").format(
                            name=name, name2=member.name
                        )
                    )
                if member.isdir():
                    (dest / rel).mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isfile():
                    raise MoocError(
                        _("{name}: {name2}: special file (device, FIFO) not allowed").format(
                            name=name, name2=member.name
                        )
                    )
                total += member.size
                if total > limits.max_total_bytes:
                    raise MoocError(
                        _("{name}: unpacks to more than {max_total_bytes} bytes").format(
                            name=name, max_total_bytes=limits.max_total_bytes
                        )
                    )
                if total > 64 * 1024 * 1024 and total > limits.max_ratio * packed:
                    raise MoocError(
                        _("{name}: unpacks to more than {max_ratio:g} times its size (a decompression bomb?)").format(
                            name=name, max_ratio=limits.max_ratio
                        )
                    )
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(member)
                if src is None:
                    continue
                with src, open(target, "xb") as out:
                    copied = _copy_limited(src, out, member.size)
                if copied != member.size:
                    raise MoocError(_("{name}: {name2}: truncated entry").format(name=name, name2=member.name))
        except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
            if isinstance(err, FileExistsError):
                raise MoocError(
                    _("{name}: {filename}: duplicate entry").format(name=name, filename=err.filename)
                ) from None
            if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS):
                raise MoocError(
                    _("{name}: cannot unpack into {dest} ({strerror})").format(
                        name=name, dest=dest, strerror=err.strerror
                    )
                ) from None
            raise MoocError(_("{name}: broken archive ({err})").format(name=name, err=err)) from None
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
        raise MoocError(_("{archive}: {raw}: {problem}").format(archive=archive, raw=raw, problem=problem))
    return PurePosixPath(name)


def find_course_root(folder: Path, shown: str) -> Path:
    """The folder holding course.xml: the top, or the single folder Studio wraps it in."""
    if (folder / "course.xml").is_file():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
    for sub in subdirs:
        if (sub / "course.xml").is_file():
            return sub
    raise MoocError(_("{shown}: no course.xml found (is this an Open edX course export?)").format(shown=shown))


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
            raise MoocError(_("{source}: no such file or folder").format(source=self.source))
        try:
            self.tmp = Path(tempfile.mkdtemp(prefix="mooc-olx-"))
        except OSError as err:
            raise MoocError(
                _("{source}: cannot make a temporary folder to unpack it ({strerror})").format(
                    source=self.source, strerror=err.strerror
                )
            ) from None
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
