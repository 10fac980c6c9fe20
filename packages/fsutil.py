"""Durable file writes, shared by everything that stores data (packs, progress, settings).

A file mooc writes holds either its old bytes or its new ones, never a mix, even after
a crash or a kill: write a temp file in the same folder, fsync it, rename it over the
old one, then fsync the folder so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from pathlib import Path

from packages.layout import PRIVATE_DIR_MODE, SHARED_DIR_MODE, make_dirs

# What a user can do about the write errors they meet most.
_OS_ERRORS = {
    errno.ENOSPC: "no space left on device (free some space and try again)",
    getattr(errno, "EDQUOT", -1): "disk quota exceeded (free some space and try again)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}


def os_error_text(err: OSError) -> str:
    """An OSError as the end of a one-line message: "no space left on device (...)"."""
    known = _OS_ERRORS.get(err.errno) if err.errno is not None else None
    if known:
        return known
    text = err.strerror or str(err) or type(err).__name__
    return text[:1].lower() + text[1:]


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` all at once.

    `mode` 0644 by default: a system store's files must be readable by every account.
    Folders it creates are 0755 for such files, 0700 for private ones (mode 0600),
    whatever the umask (packages/layout.py).
    """
    tmp = _temp_copy(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def _temp_copy(path: Path, data: bytes, mode: int) -> str:
    """A temp file beside `path` holding `data`, fsync'd, with `mode`; its name."""
    make_dirs(path.parent, SHARED_DIR_MODE if mode & 0o044 else PRIVATE_DIR_MODE)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def fsync_dir(path: Path) -> None:
    """Make a new or renamed entry in `path` durable (a no-op where the filesystem refuses)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_new(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Create `path` holding `data`, all at once, and never replace a file already there
    (FileExistsError): an export carried on a stick must not overwrite another PC's.

    Temp file + fsync + hard link (atomic, fails if the name is taken); on filesystems
    without hard links (FAT/exFAT sticks) an O_EXCL create decides instead."""
    tmp = _temp_copy(path, data, mode)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
            try:
                with os.fdopen(out, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                raise
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    fsync_dir(path.parent)


def make_tree_durable(tree: Path) -> None:
    """Flush the unpacked files and their folders to disk before the pointer shows them.

    Linux: one syncfs(2) of the store's filesystem. Elsewhere: fsync of every file.
    Folders are fsynced too, so the entries survive a power cut as well as the data.
    """
    if not syncfs(tree):
        for dirpath, _dirs, files in os.walk(tree):
            for name in files:
                fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
    for dirpath, _dirs, _files in os.walk(tree):
        fsync_dir(Path(dirpath))


def syncfs(path: Path) -> bool:
    """syncfs(2) on the filesystem holding `path`; False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(path, os.O_RDONLY)
        try:
            return libc.syncfs(fd) == 0
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        return False
