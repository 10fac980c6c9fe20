"""The files mooc derives from an installed course tree and keeps beside it: how they
are read and written.

Two of them: the parsed course (packages/course_cache.py) and the lesson search index
(packages/search_cache.py). Each is plain data, never code, and each is trusted exactly
as much as the verified tree beside it: it is read only when the file and the folder
holding it are writable by nobody but this account or root (as ssh demands of its key
files: on a shared lab drive another learner must not be able to swap them), when it is
a regular file (not a link, not a pipe that would block the read) and no bigger than its
reader's bound; anything else reads as "no cache", and the caller derives it again from
the tree. A write that fails (a full disk, a read-only store) deletes whatever was under
the name, so nothing stale or planted outlives it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def safe_owner(st: os.stat_result) -> bool:
    """Writable only by this account or root."""
    from packages.portable import owned_by_me_or_root

    return owned_by_me_or_root(st) and not st.st_mode & 0o022


def read_bounded(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of the cache file `path`, or None: missing, unreadable, not a regular
    file, over `max_bytes`, or writable (or in a folder writable) by someone else.

    It reads at most one byte more than the size it checked: a file that grew since is
    not the one checked, and the reader's own size check then fails.
    """
    try:
        if not safe_owner(os.stat(path.parent)):
            return None
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes or not safe_owner(st):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(st.st_size + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_beside(tree: Path, name: str, dump: Callable[[], bytes]) -> None:
    """Write `dump()` atomically as `tree/name`; a store we cannot write (system, bundled)
    gets none. Whatever fails, `dump` included, nothing is left under the name: neither a
    half-written file nor an older one."""
    from packages.fsutil import write_atomic

    target = tree / name
    if not tree.is_dir():
        return
    try:
        # as readable as the tree: learners read a system store's caches too
        write_atomic(target, dump(), mode=0o644)
        with contextlib.suppress(OSError):  # only its owner may write the folder (see safe_owner)
            os.chmod(tree, os.stat(tree).st_mode & 0o755)
    except Exception:  # a full disk, a read-only store: the course still opens, only slower
        remove(target)


def remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
