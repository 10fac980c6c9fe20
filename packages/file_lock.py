"""Exclusive file locks held for a `with` block, never left behind by a killed process.

Installs, removals and the sweep of leftovers take a course's lock; a staging folder
holds one while it is in use (packages/store_dir.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def locked(lock_file: Path, *, blocking: bool = True, create: bool = True) -> Iterator[bool]:
    """Hold an exclusive flock on `lock_file`; yields False if busy and not blocking.

    flock is released by the kernel when the process dies, even on SIGKILL, so a
    killed install never leaves a stale lock behind.
    """
    if create:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock_file, os.O_RDWR | (os.O_CREAT if create else 0), 0o644)
    except FileNotFoundError:
        if create:
            raise
        yield True  # gone already: nobody holds it
        return
    try:
        if not _lock_fd(fd, blocking):
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _lock_fd(fd: int, blocking: bool) -> bool:
    from packages.portable import lock

    return lock(fd, blocking=blocking)
