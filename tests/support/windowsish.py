"""Run the real `mooc` as if on Windows, for tests/test_portable.py: `fcntl` cannot be
imported, `os.getuid`/`os.geteuid` (and the gid calls) are gone, and a stand-in
`msvcrt` module offers `locking()` with Windows' semantics (a byte range from the
current position; LK_NBLCK fails at once when taken), built on `os.lockf` so the
locks are real. Each call is appended to the file named by MOOC_TEST_LOCK_LOG.

    python tests/support/windowsish.py ARGS...      # = mooc ARGS...
"""

from __future__ import annotations

# The standard library probes `msvcrt` to decide it runs on Windows (subprocess, getpass,
# asyncio): loaded first, they stay the POSIX modules this machine has.
import asyncio  # noqa: E402,F401
import getpass  # noqa: E402,F401
import os
import subprocess  # noqa: E402,F401
import sys
import types

sys.modules["fcntl"] = None  # type: ignore[assignment]  # `import fcntl` raises ImportError
for name in ("getuid", "geteuid", "getgid", "getegid"):
    if hasattr(os, name):
        delattr(os, name)

msvcrt = types.ModuleType("msvcrt")
msvcrt.LK_UNLCK, msvcrt.LK_LOCK, msvcrt.LK_NBLCK = 0, 1, 2  # type: ignore[attr-defined]


def locking(fd: int, mode: int, nbytes: int) -> None:
    log = os.environ.get("MOOC_TEST_LOCK_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"locking {mode} {nbytes}\n")
    op = {0: os.F_ULOCK, 1: os.F_LOCK, 2: os.F_TLOCK}[mode]
    try:
        os.lockf(fd, op, nbytes)
    except OSError as err:  # taken: Windows says EACCES
        raise PermissionError(13, "Permission denied") from err


msvcrt.locking = locking  # type: ignore[attr-defined]
sys.modules["msvcrt"] = msvcrt

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from player.cli.main import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
