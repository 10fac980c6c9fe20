"""What differs by operating system and Python version, in one place.

Nothing else in mooc imports `fcntl` or `msvcrt`, calls `os.getuid`/`os.geteuid`, or
imports `tomllib` directly: school labs run Windows, and Ubuntu 22.04 ships Python 3.10
(tests/test_portable.py runs the record, sync, install and lock paths with `fcntl` and
`os.getuid` taken away, as on Windows).

- `lock(fd, blocking)`: an exclusive lock on an open file, released when the descriptor
  is closed or the process dies (even on SIGKILL): `flock` on POSIX; on Windows
  `msvcrt.locking` of one byte far past the end of any file mooc locks (Windows locks
  are mandatory: locking real content would stop other processes from reading it; as
  SQLite does, a byte beyond the data is locked instead). The position is kept.
- `owned_by_me_or_root(st)`: the ownership check ssh makes of key files; always true
  where the OS has no user ids in `stat` (Windows: ACLs decide there).
- `tomllib`: the standard library's from 3.11, the `tomli` package before.
- `re_parser()`, `re_constants()`: the `re` module's own parser (to build an example
  answer from a pattern): `re._parser` from 3.11, `sre_parse` before.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["lock", "my_uid", "owned_by_me_or_root", "re_constants", "re_parser", "tomllib"]  # noqa: F822 (tomllib: __getattr__ below)


def __getattr__(name: str) -> Any:
    """`tomllib`, loaded when first asked for (opening a course from its cache needs no TOML)."""
    if name == "tomllib":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        return tomllib
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def lock(fd: int, *, blocking: bool = True) -> bool:
    """Lock FD exclusively; False when not BLOCKING and another process holds it.
    Any other failure is the OSError of the OS call."""
    try:
        import fcntl
    except ImportError:
        return _lock_windows(fd, blocking)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


WINDOWS_LOCK_OFFSET = 0x7FFFFFFE  # past every file mooc locks (progress logs are bounded far below)


def _lock_windows(fd: int, blocking: bool) -> bool:
    import msvcrt

    where = os.lseek(fd, 0, os.SEEK_CUR)
    os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
    try:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
                return True
            except OSError:
                if not blocking:
                    return False
            # LK_LOCK gives up after 10 s; a writer may hold a lock longer (a big sync)
            import time

            time.sleep(0.05)
    finally:
        os.lseek(fd, where, os.SEEK_SET)


def my_uid() -> int | None:
    """This process's effective user id; None where the OS has none (Windows)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid is not None else None


def owned_by_me_or_root(st: os.stat_result) -> bool:
    uid = my_uid()
    return uid is None or st.st_uid in (uid, 0)


def re_parser() -> Any:
    if sys.version_info >= (3, 11):
        from re import _parser  # type: ignore[attr-defined]

        return _parser
    import sre_parse  # pragma: no cover - Python 3.10

    return sre_parse


def re_constants() -> Any:
    if sys.version_info >= (3, 11):
        from re import _constants  # type: ignore[attr-defined]

        return _constants
    import sre_constants  # pragma: no cover - Python 3.10

    return sre_constants
