"""A download's partial file on disk: ``DEST.part`` and its ``DEST.part.json``
sidecar (where they are, reading the sidecar, emptying and discarding them, how much
is kept to resume), the SHA-256 check of a finished file, and a failure of this
machine's disk said in one line.
"""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.http_get import DownloadError
from packages.i18n import _


def part_paths(dest: Path) -> tuple[Path, Path]:
    """The partial file and its sidecar for DEST."""
    return dest.with_name(dest.name + ".part"), dest.with_name(dest.name + ".part.json")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, size: int | None, sha: str) -> bool:
    if size is not None and path.stat().st_size != size:
        return False
    return sha256_file(path) == sha


def _load_meta(path: Path) -> dict[str, Any]:
    from packages.datafile import load_json

    try:
        data = load_json(path)  # bounded, no links, nested JSON included: damage means "start over"
    except MoocError:
        return {}
    return data if isinstance(data, dict) else {}


def _discard(part: Path, meta_path: Path) -> None:
    part.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def _truncate(part: Path) -> None:
    with open(part, "wb"):
        pass


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _kept(part: Path) -> str:
    """How to go on from a partial download that was kept, for the end of an error line."""
    size = _size(part)
    if not size:
        return ""
    return _("; {size} bytes kept in {part}: run the same command again to resume").format(size=size, part=part)


def update_kept(part: Path) -> str:
    """How to go on from a partial delta update that was kept, for the end of an error line."""
    size = _size(part)
    if not size:
        return ""
    return _("; {size} bytes of the update kept in {part}: run the same command again to resume").format(
        size=size, part=part
    )


def _local_error(err: OSError, part: Path) -> DownloadError:
    """A failure of this machine's disk, as one line; a full disk keeps the partial file to resume."""
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        kept = _size(part)
        if kept:
            return DownloadError(
                _(
                    "{parent}: the disk is full; {kept} bytes kept in {part}: free some space and run the same command again to resume"
                ).format(parent=part.parent, kept=kept, part=part)
            )
        return DownloadError(_("{parent}: the disk is full: free some space and try again").format(parent=part.parent))
    where = err.filename or part
    return DownloadError(
        _("{where}: cannot write the download: {strerror}").format(where=where, strerror=err.strerror or err)
    )
