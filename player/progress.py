"""Progress files: one append-only event log per learner and course, never lost.

A learner's progress in a course is the fold of the events in
``layout.progress_file(learner, course)`` (format: docs/progress-format.md)::

    {"format": "mooc-progress", "version": 1, "learner": "amina", "course_id": "stats-101"}
    {"course_id": "stats-101", "course_version": "1.2.0", "data": {}, "id": "…", ...}

Why it cannot be lost or corrupted:

- the header is created atomically (temp file + fsync + link/rename), so the file is
  never empty or headerless;
- every append runs under an exclusive ``flock`` on the file, writes all its lines
  in ONE ``write`` on an ``O_APPEND`` descriptor and ``fsync``s before returning,
  so two mooc processes never interleave or overwrite each other's lines, and an
  acknowledged event survives a crash or a power cut;
- a write that fails half-way (disk full, I/O error, file size limit) is cut back
  to the previous length under the same lock, and the caller gets a MoocError;
- a torn last line (power cut mid-write) is ignored when reading and cut off by
  the next append; a corrupt line in the middle, or an event of the wrong shape
  (player/event_schema.py), is skipped, reported in ``problems`` and in one warning,
  never fatal, and its bytes stay in the file. Duplicate event ids count once.

What is read is the data folder's own file, bounded: never through a symbolic link
(a log that is a link, or under a linked folder, is refused: mooc would otherwise
cut and append to a file elsewhere), only a regular file of this user, at most
`MAX_LOG_BYTES` (packages/datafile.py). Folders are created 0700.

No read-modify-write of the whole file ever happens: the only in-place change is
cutting a torn or failed tail, always under the lock. The lines' format is
player/progress_format.py; every log of the machine, and the purge of a course's,
player/progress_files.py.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from packages.datafile import MAX_LOG_BYTES, no_links_below, open_file, read_fd
from packages.errors import MoocError
from packages.fsutil import fsync_dir as _fsync_dir
from packages.i18n import _, ngettext
from packages.layout import Layout, make_dirs
from packages.notices import warn
from packages.portable import lock
from player.event_schema import event_problem
from player.events import Event
from player.progress_files import check_id
from player.progress_format import FORMAT, VERSION, check_version, decode_line, encode, parse

# Errors that mean "the disk would not take it": the user can free space and retry.
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}

# How often an append starts over because the log vanished between creating and
# opening it (a concurrent purge): a few times at most, never forever.
_MAX_REOPENS = 20


def _makedirs_durable(path: Path) -> None:
    """mkdir -p (folders 0700 whatever the umask), fsyncing each parent whose entries changed."""
    for d in make_dirs(path):
        _fsync_dir(d.parent)


def _storage_error(path: Path, err: OSError | None = None) -> MoocError:
    why = os.strerror(err.errno) if err is not None and err.errno else "short write"
    return MoocError(
        _("{path}: disk full or failing ({why}): progress not saved; free some space and try again").format(
            path=path, why=why
        )
    )


@dataclass
class EventLog:
    """The event log of one learner in one course. Cheap to create; reads lazily."""

    path: Path
    learner_id: str
    course_id: str
    # The data folder: no folder between it and `path` may be a symbolic link.
    root: Path | None = None
    own: bool = True  # False: another account's log, only read (mooc report --all-accounts)
    problems: list[str] = field(default_factory=list)
    torn_tail: bool = False
    _cache_key: tuple[int, int, int] | None = field(default=None, repr=False)
    _cache: list[Event] = field(default_factory=list, repr=False)
    # (inode, offset just past the last complete line) of the bytes `events()` last parsed:
    # where `read_from` continues, to follow what other processes append.
    read_position: tuple[int, int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    @classmethod
    def for_course(cls, layout: Layout, learner_id: str, course_id: str) -> EventLog:
        check_id("learner", learner_id)
        check_id("course", course_id)
        return cls(layout.progress_file(learner_id, course_id), learner_id, course_id, root=layout.home)

    # ------------------------------------------------------------------ reading

    def header(self) -> dict[str, object]:
        return {"format": FORMAT, "version": VERSION, "learner": self.learner_id, "course_id": self.course_id}

    def events(self) -> list[Event]:
        """Every complete, well-formed event, in file order, each id once. Never raises
        for damage: problems are collected in `self.problems` and told in one warning;
        only a newer format version, a link, or a file that is not ours refuses."""
        try:
            fd = self._open(os.O_RDONLY)
        except FileNotFoundError:
            self.problems = []
            self.torn_tail = False
            self.read_position = None
            return []
        try:
            st = os.fstat(fd)
            key = (st.st_ino, st.st_size, st.st_mtime_ns)
            if key == self._cache_key:
                return list(self._cache)
            raw = read_fd(fd, self.path, MAX_LOG_BYTES)
        except OSError as err:
            raise MoocError(
                _("{path}: cannot read progress: {strerror}").format(path=self.path, strerror=err.strerror)
            ) from None
        finally:
            os.close(fd)
        events, problems, torn = parse(raw, str(self.path))
        self.problems, self.torn_tail = problems, torn
        self._cache_key, self._cache = key, events
        self.read_position = (st.st_ino, raw.rfind(b"\n") + 1)
        self._warn()
        return list(events)

    def warning(self) -> str | None:
        """The problems of the last read as one line, or None when there were none."""
        if not self.problems:
            return None
        first = self.problems[0].removeprefix(f"{self.path}: ").removesuffix("; skipped")
        count = len(self.problems)
        return ngettext(
            "{path}: {n} line skipped ({first}); the rest of the progress counts, and the file is left as it is",
            "{path}: {n} lines skipped ({first}, ...); the rest of the progress counts, and the file is left as it is",
            count,
        ).format(path=self.path, n=count, first=first)

    def _warn(self) -> None:
        message = self.warning()
        if message:
            warn(message)

    def _open(self, flags: int) -> int:
        """The log itself, never a link nor a file of someone else (FileNotFoundError passes)."""
        if self.root is not None:
            no_links_below(self.root, self.path)
        return open_file(self.path, flags, own=self.own)

    def read_from(self, position: tuple[int, int] | None) -> tuple[list[Event], tuple[int, int] | None]:
        """The complete events after `position` (from `read_position` or an earlier call),
        and the position to continue from: reads only the new bytes, however long the log.
        A log replaced or cut shorter since (purged; a failed write cut back) is read
        whole; damaged lines are skipped."""
        try:
            fd = self._open(os.O_RDONLY)
        except FileNotFoundError:
            return [], None
        try:
            st = os.fstat(fd)
            ino = st.st_ino
            start = position[1] if position is not None and position[0] == ino else 0
            if start > st.st_size:
                start = 0
            raw = read_fd(fd, self.path, MAX_LOG_BYTES, start=start)
        except OSError as err:
            raise MoocError(
                _("{path}: cannot read progress: {strerror}").format(path=self.path, strerror=err.strerror)
            ) from None
        finally:
            os.close(fd)
        end = raw.rfind(b"\n") + 1  # a torn or half-written last line waits for the next call
        if start == 0:
            events = parse(raw[:end], str(self.path))[0]
        else:
            events = []
            for line in raw[:end].split(b"\n"):
                event = decode_line(line)[0] if line.strip() else None
                if event is not None:
                    events.append(event)
        return events, (ino, start + end)

    def ids(self) -> set[str]:
        return {e.id for e in self.events()}

    # ------------------------------------------------------------------ writing

    def append(self, *events: Event) -> None:
        """Add events durably: when this returns they are on disk (fsync'd)."""
        if not events:
            return
        data = b"".join(encode(e) for e in events)
        with self._locked() as fd:
            self._write_locked(fd, data)

    def merge(self, events: Iterable[Event]) -> list[Event]:
        """Append the events whose ids are not in the log yet (union by id, used by
        `mooc sync --pull` and imports); returns those added, in time order, which is
        the order they are written in. Atomic under the lock. Events of the wrong shape
        (player/event_schema.py) are not written."""
        with self._locked() as fd:
            known = {e.id for e in parse(read_fd(fd, self.path, MAX_LOG_BYTES), str(self.path))[0]}
            new: list[Event] = []
            for e in events:
                if e.id not in known and event_problem(e.to_dict()) is None:
                    known.add(e.id)
                    new.append(e)
            new.sort(key=lambda e: e.time)  # ISO UTC text with fixed width sorts by time
            if new:
                self._write_locked(fd, b"".join(encode(e) for e in new))
        return new

    def _write_locked(self, fd: int, data: bytes) -> None:
        before = os.fstat(fd).st_size
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise _ShortWrite()
            os.fsync(fd)
        except (OSError, _ShortWrite) as err:
            # Never leave half a line behind: cut back to what was there before.
            try:
                os.ftruncate(fd, before)
                os.fsync(fd)
            except OSError:
                pass
            if isinstance(err, _ShortWrite) or err.errno in _STORAGE_ERRNOS:
                raise _storage_error(self.path, err if isinstance(err, OSError) else None) from None
            raise MoocError(
                _("{path}: progress not saved: {strerror}").format(path=self.path, strerror=err.strerror)
            ) from None

    @contextmanager
    def _locked(self) -> Iterator[int]:
        """An O_APPEND descriptor on an existing, headed, untorn log, under flock."""
        for _reopen in range(_MAX_REOPENS):
            created = self._ensure_file()
            try:
                fd = self._open(os.O_RDWR | os.O_APPEND)
            except FileNotFoundError:  # purged between creation and open
                continue
            try:
                try:
                    lock(fd)
                except OSError as err:
                    raise MoocError(
                        _("{path}: cannot lock progress: {strerror}").format(path=self.path, strerror=err.strerror)
                    ) from None
                # The file may have been purged or replaced while we waited for the lock.
                try:
                    now = os.lstat(self.path)
                    same = stat.S_ISREG(now.st_mode) and now.st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if not same:
                    continue  # `finally` closes this descriptor; start over on the new file
                try:
                    self._repair_locked(fd)
                except OSError as err:
                    if err.errno in _STORAGE_ERRNOS:
                        raise _storage_error(self.path, err) from None
                    raise MoocError(
                        _("{path}: cannot repair progress: {strerror}").format(path=self.path, strerror=err.strerror)
                    ) from None
                if created:
                    _fsync_dir(self.path.parent)
                yield fd
                return
            finally:
                try:
                    os.close(fd)  # also releases the flock
                except OSError:
                    pass
        raise MoocError(
            _("{path}: progress not saved: the file keeps disappearing (is something deleting it?)").format(
                path=self.path
            )
        )

    def _ensure_file(self) -> bool:
        """Create the log with its header atomically if missing; True if we created it.
        Anything already at its path, a dangling link included, is left to `_open` to judge."""
        if os.path.lexists(self.path):
            return False
        if self.root is not None:
            no_links_below(self.root, self.path)
        try:
            _makedirs_durable(self.path.parent)
        except OSError as err:
            if err.errno in _STORAGE_ERRNOS:
                raise _storage_error(self.path, err) from None
            raise MoocError(
                _("{parent}: cannot create progress folder: {strerror}").format(
                    parent=self.path.parent, strerror=err.strerror
                )
            ) from None
        header = (json.dumps(self.header(), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            tmp_fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        except OSError as err:
            if err.errno in _STORAGE_ERRNOS:
                raise _storage_error(self.path, err) from None
            raise MoocError(
                _("{parent}: cannot write progress: {strerror}").format(parent=self.path.parent, strerror=err.strerror)
            ) from None
        try:
            try:
                if os.write(tmp_fd, header) != len(header):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                os.fsync(tmp_fd)
            finally:
                os.close(tmp_fd)
            try:
                os.link(tmp_name, self.path)  # atomic and never clobbers a concurrent creator
            except FileExistsError:
                return False
            except OSError:
                # No hard links (FAT/exFAT USB sticks): O_EXCL decides who creates.
                try:
                    fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    return False
                try:
                    os.write(fd, header)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            return True
        except OSError as err:
            if err.errno in _STORAGE_ERRNOS:
                raise _storage_error(self.path, err) from None
            raise MoocError(
                _("{path}: cannot create progress: {strerror}").format(path=self.path, strerror=err.strerror)
            ) from None
        finally:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass

    def _repair_locked(self, fd: int) -> None:
        """Before writing: refuse a newer format, restore a missing header, cut a torn tail."""
        size = os.fstat(fd).st_size
        if size == 0:  # only possible after a crash on a filesystem without hard links
            os.write(fd, (json.dumps(self.header(), ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(fd)
            return
        first = os.pread(fd, min(size, 4096), 0).split(b"\n", 1)[0]
        check_version(first, str(self.path))
        if os.pread(fd, 1, size - 1) == b"\n":
            return
        # Find the end of the last complete line and cut everything after it.
        end = size
        chunk = 65536
        cut = 0
        while end > 0:
            start = max(0, end - chunk)
            block = os.pread(fd, end - start, start)
            idx = block.rfind(b"\n")
            if idx >= 0:
                cut = start + idx + 1
                break
            end = start
        os.ftruncate(fd, cut)
        if cut == 0:
            os.write(fd, (json.dumps(self.header(), ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)


class _ShortWrite(Exception):
    """os.write wrote fewer bytes than asked (a full disk or a file size limit)."""
