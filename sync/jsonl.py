"""Append-only JSON-lines files that survive kill -9 and power cuts (outbox, acks).

Same discipline as player/progress.py, for the sync side's own files: every append
runs under an exclusive flock, writes all its lines in ONE write on an O_APPEND
descriptor and fsyncs before returning; a torn last line (a crash mid-write) is
ignored by readers and cut off by the next writer. Nothing is ever rewritten.

Reads are bounded (`MAX_BYTES`) and, like every file of the data folder, never go
through a symbolic link or read a file that is not this user's (packages/datafile.py);
a damaged line, nested JSON included, is skipped and reported, never a traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from packages.datafile import MIB, DataError, loads_json, open_file, read_fd
from packages.errors import MoocError
from packages.fsutil import fsync_dir as _fsync_dir
from packages.i18n import _, ngettext
from packages.layout import make_dirs
from packages.portable import lock

# An outbox holds every statement ever generated for an endpoint: generous, but bounded.
MAX_BYTES = 512 * MIB


def encode(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


def read(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """(records, problems): complete lines only; damaged lines are skipped and reported."""
    try:
        fd = open_file(path)
    except FileNotFoundError:
        return [], []
    try:
        raw = read_fd(fd, path, MAX_BYTES)
    except OSError as err:
        raise MoocError(_("{path}: cannot read: {strerror}").format(path=path, strerror=err.strerror)) from None
    finally:
        os.close(fd)
    return parse(raw, str(path))


def parse(raw: bytes, where: str) -> tuple[list[dict[str, Any]], list[str]]:
    """(records, problems) of a file's bytes; one warning tells the user about the problems."""
    lines = raw.split(b"\n")
    lines.pop()  # after the last newline: empty, or a torn tail (never acknowledged)
    out: list[dict[str, Any]] = []
    problems: list[str] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = loads_json(line)
        except DataError as err:
            problems.append(_("{where}: line {n}: damaged ({err}); skipped").format(where=where, n=n, err=err))
            continue
        if isinstance(obj, dict):
            out.append(obj)
        else:
            problems.append(_("{where}: line {n}: not an object; skipped").format(where=where, n=n))
    if problems:
        from packages.notices import warn

        if len(problems) > 1:
            more = len(problems) - 1
            warn(
                ngettext(
                    "{problem} (and {n} more); the file is left as it is",
                    "{problem} (and {n} more); the file is left as it is",
                    more,
                ).format(problem=problems[0], n=more)
            )
        else:
            warn(_("{problem}; the file is left as it is").format(problem=problems[0]))
    return out, problems


@contextmanager
def locked_append(path: Path) -> Iterator[Appender]:
    """Exclusive access for read-then-append (the outbox decides what is new under it)."""
    try:
        new = not os.path.lexists(path)
        make_dirs(path.parent)
        fd = open_file(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as err:
        raise MoocError(_("{path}: cannot open: {strerror}").format(path=path, strerror=err.strerror)) from None
    try:
        lock(fd)
        if new:
            _fsync_dir(path.parent)
        _cut_torn_tail(fd)
        yield Appender(path, fd)
    finally:
        os.close(fd)


class Appender:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    def read(self) -> tuple[list[dict[str, Any]], list[str]]:
        return parse(read_fd(self.fd, self.path, MAX_BYTES), str(self.path))

    def write(self, records: list[Any]) -> None:
        if not records:
            return
        data = b"".join(encode(r) for r in records)
        before = os.fstat(self.fd).st_size
        try:
            view = memoryview(data)
            written = os.write(self.fd, view)
            if written != len(data):
                raise OSError(28, "short write (disk full?)")
            os.fsync(self.fd)
        except OSError as err:
            try:
                os.ftruncate(self.fd, before)
                os.fsync(self.fd)
            except OSError:
                pass
            raise MoocError(
                _("{path}: cannot write ({strerror}); nothing was lost, try again").format(
                    path=self.path, strerror=err.strerror
                )
            ) from None


def append(path: Path, records: list[Any]) -> None:
    with locked_append(path) as out:
        out.write(records)


def _cut_torn_tail(fd: int) -> None:
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    cut = 0
    while end > 0:
        start = max(0, end - 65536)
        block = os.pread(fd, end - start, start)
        idx = block.rfind(b"\n")
        if idx >= 0:
            cut = start + idx + 1
            break
        end = start
    os.ftruncate(fd, cut)
    os.fsync(fd)
