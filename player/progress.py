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
  the next append; a corrupt line in the middle is skipped and reported in
  ``problems``, never fatal. Duplicate event ids count once.

No read-modify-write of the whole file ever happens: the only in-place change is
cutting a torn or failed tail, always under the lock.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from packages.fsutil import fsync_dir as _fsync_dir
from packages.errors import MoocError
from packages.layout import Layout
from player.events import Event

FORMAT = "mooc-progress"
VERSION = 1

# Learner ids are slugs (player/learners.py); course ids follow pack-format-v1.
# Both become file names, so anything else is refused before touching the disk.
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

# Errors that mean "the disk would not take it": the user can free space and retry.
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


def _check_id(kind: str, value: str) -> None:
    if not _SAFE_ID.match(value) or ".." in value:
        raise MoocError(f"invalid {kind} id {value!r}: use lowercase letters, digits, '.', '_' or '-'")


def _encode(event: Event) -> bytes:
    return (json.dumps(event.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
        "utf-8"
    )



def _makedirs_durable(path: Path) -> None:
    """mkdir -p, fsyncing each parent whose entries changed."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            continue
        _fsync_dir(d.parent)


def _storage_error(path: Path, err: OSError | None = None) -> MoocError:
    why = os.strerror(err.errno) if err is not None and err.errno else "short write"
    return MoocError(f"{path}: disk full or failing ({why}): progress not saved; free some space and try again")


@dataclass
class EventLog:
    """The event log of one learner in one course. Cheap to create; reads lazily."""

    path: Path
    learner_id: str
    course_id: str
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
    def for_course(cls, layout: Layout, learner_id: str, course_id: str) -> "EventLog":
        _check_id("learner", learner_id)
        _check_id("course", course_id)
        return cls(layout.progress_file(learner_id, course_id), learner_id, course_id)

    # ------------------------------------------------------------------ reading

    def header(self) -> dict[str, object]:
        return {"format": FORMAT, "version": VERSION, "learner": self.learner_id, "course_id": self.course_id}

    def events(self) -> list[Event]:
        """Every complete event, in file order, each id once. Never raises for damage:
        problems are collected in `self.problems`; only a newer format version refuses."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self.problems = []
            self.torn_tail = False
            self.read_position = None
            return []
        except OSError as err:
            raise MoocError(f"{self.path}: cannot read progress: {err.strerror}") from None
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        if key == self._cache_key:
            return list(self._cache)
        try:
            raw = self.path.read_bytes()
        except OSError as err:
            raise MoocError(f"{self.path}: cannot read progress: {err.strerror}") from None
        events, problems, torn = parse(raw, str(self.path))
        self.problems, self.torn_tail = problems, torn
        self._cache_key, self._cache = key, events
        self.read_position = (st.st_ino, raw.rfind(b"\n") + 1)
        return list(events)

    def read_from(self, position: tuple[int, int] | None) -> tuple[list[Event], tuple[int, int] | None]:
        """The complete events after `position` (from `read_position` or an earlier call),
        and the position to continue from: reads only the new bytes, however long the log.
        A log replaced or cut shorter since (purged; a failed write cut back) is read
        whole; damaged lines are skipped."""
        try:
            with open(self.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                ino = st.st_ino
                start = position[1] if position is not None and position[0] == ino else 0
                if start > st.st_size:
                    start = 0
                fh.seek(start)
                raw = fh.read()
        except FileNotFoundError:
            return [], None
        except OSError as err:
            raise MoocError(f"{self.path}: cannot read progress: {err.strerror}") from None
        end = raw.rfind(b"\n") + 1  # a torn or half-written last line waits for the next call
        if start == 0:
            events = parse(raw[:end], str(self.path))[0]
        else:
            events = []
            for line in raw[:end].split(b"\n"):
                try:
                    event = _to_event(json.loads(line)) if line.strip() else None
                except ValueError:
                    event = None
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
        data = b"".join(_encode(e) for e in events)
        with self._locked() as fd:
            self._write_locked(fd, data)

    def merge(self, events: Iterable[Event]) -> list[Event]:
        """Append the events whose ids are not in the log yet (union by id, used by
        `mooc sync --pull` and imports); returns those added, in time order, which is
        the order they are written in. Atomic under the lock."""
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            known = {e.id for e in parse(os.pread(fd, size, 0), str(self.path))[0]}
            new: list[Event] = []
            for e in events:
                if e.id not in known:
                    known.add(e.id)
                    new.append(e)
            new.sort(key=lambda e: e.time)  # ISO UTC text with fixed width sorts by time
            if new:
                self._write_locked(fd, b"".join(_encode(e) for e in new))
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
            raise MoocError(f"{self.path}: progress not saved: {err.strerror}") from None

    @contextmanager
    def _locked(self) -> Iterator[int]:
        """An O_APPEND descriptor on an existing, headed, untorn log, under flock."""
        while True:
            created = self._ensure_file()
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
            except FileNotFoundError:  # purged between creation and open
                continue
            except OSError as err:
                raise MoocError(f"{self.path}: cannot open progress: {err.strerror}") from None
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except OSError as err:
                    raise MoocError(f"{self.path}: cannot lock progress: {err.strerror}") from None
                # The file may have been purged or replaced while we waited for the lock.
                try:
                    same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if not same:
                    continue  # `finally` closes this descriptor; start over on the new file
                try:
                    self._repair_locked(fd)
                except OSError as err:
                    if err.errno in _STORAGE_ERRNOS:
                        raise _storage_error(self.path, err) from None
                    raise MoocError(f"{self.path}: cannot repair progress: {err.strerror}") from None
                if created:
                    _fsync_dir(self.path.parent)
                yield fd
                return
            finally:
                try:
                    os.close(fd)  # also releases the flock
                except OSError:
                    pass

    def _ensure_file(self) -> bool:
        """Create the log with its header atomically if missing; True if we created it."""
        if self.path.exists():
            return False
        try:
            _makedirs_durable(self.path.parent)
        except OSError as err:
            if err.errno in _STORAGE_ERRNOS:
                raise _storage_error(self.path, err) from None
            raise MoocError(f"{self.path.parent}: cannot create progress folder: {err.strerror}") from None
        header = (json.dumps(self.header(), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            tmp_fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        except OSError as err:
            if err.errno in _STORAGE_ERRNOS:
                raise _storage_error(self.path, err) from None
            raise MoocError(f"{self.path.parent}: cannot write progress: {err.strerror}") from None
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
                    fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
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
            raise MoocError(f"{self.path}: cannot create progress: {err.strerror}") from None
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
        _check_version(first, str(self.path))
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


def _check_version(first_line: bytes, where: str) -> None:
    try:
        head = json.loads(first_line)
    except ValueError:
        return  # a damaged header is reported by parse(), not fatal
    if isinstance(head, dict) and head.get("format") == FORMAT:
        version = head.get("version")
        if isinstance(version, int) and version > VERSION:
            raise MoocError(
                f"{where}: progress format version {version} was written by a newer mooc "
                f"(this one reads version {VERSION}); upgrade mooc"
            )


def parse(raw: bytes, where: str = "progress") -> tuple[list[Event], list[str], bool]:
    """Parse a progress file's bytes: (events each id once, problems, torn_tail).

    Fast path: all complete lines decoded by one json.loads call; any damage falls
    back to line by line, so one bad line never costs the others.
    """
    problems: list[str] = []
    if not raw:
        return [], problems, False
    torn = not raw.endswith(b"\n")
    lines = raw.split(b"\n")
    lines.pop()  # the part after the last newline: empty, or a torn tail (ignored)
    if not lines:
        return [], problems, torn
    _check_version(lines[0], where)
    try:
        head = json.loads(lines[0])
    except ValueError:
        head = None
    first = 1
    if not (isinstance(head, dict) and head.get("format") == FORMAT):
        problems.append(f"{where}: line 1: not a mooc-progress header")
        first = 0  # the header is lost; the first line may still be an event
    numbered = [(n, ln) for n, ln in enumerate(lines[first:], start=first + 1) if ln.strip()]
    objs: list[object] | None
    try:
        objs = json.loads(b"[" + b",".join(ln for _, ln in numbered) + b"]")
        if len(objs) != len(numbered):  # a damaged line that happened to join with another
            objs = None
    except ValueError:
        objs = None
    if objs is None:
        objs = []
        kept: list[tuple[int, bytes]] = []
        for n, line in numbered:
            try:
                objs.append(json.loads(line))
                kept.append((n, line))
            except ValueError:
                problems.append(f"{where}: line {n}: damaged (not JSON); skipped")
        numbered = kept
    events: list[Event] = []
    seen: set[str] = set()
    for (n, _), obj in zip(numbered, objs):
        ev = _to_event(obj)
        if ev is None:
            problems.append(f"{where}: line {n}: not a valid event; skipped")
        elif ev.id not in seen:
            seen.add(ev.id)
            events.append(ev)
    return events, problems, torn


def _to_event(obj: object) -> Event | None:
    """An Event from a decoded line, or None when the line is not a well-formed event."""
    if not isinstance(obj, dict):
        return None
    if not all(isinstance(obj.get(k), str) and obj.get(k) for k in ("id", "type", "time", "course_id")):
        return None
    if not isinstance(obj.get("data", {}), (dict, type(None))):
        return None
    item = obj.get("item_id")
    if item is not None and not isinstance(item, str):
        return None
    try:
        return Event.from_dict(obj)
    except (KeyError, TypeError, ValueError):
        return None


# ---------------------------------------------------------------------- the machine


def iter_logs(layout: Layout) -> Iterator[tuple[str, str, Path]]:
    """(learner_id, course_id, path) for every progress file on this machine, sorted."""
    base = layout.learners_dir
    if not base.is_dir():
        return
    for learner_dir in sorted(base.iterdir()):
        if not learner_dir.is_dir() or learner_dir.name.startswith("."):
            continue
        progress = layout.progress_dir(learner_dir.name)
        if not progress.is_dir():
            continue
        for path in sorted(progress.glob("*.jsonl")):
            if path.name.startswith(".") or not path.is_file():
                continue
            yield learner_dir.name, path.stem, path


def purge_course(layout: Layout, course_id: str) -> list[Path]:
    """Delete every learner's progress for a course (`mooc remove --purge`).

    Each file is removed while holding its lock, so no append is cut in half; an
    appender waiting on the lock notices the file is gone and starts a new one.
    """
    _check_id("course", course_id)
    removed: list[Path] = []
    base = layout.learners_dir
    if not base.is_dir():
        return removed
    for learner_dir in sorted(base.iterdir()):
        path = layout.progress_file(learner_dir.name, course_id)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        except OSError as err:
            raise MoocError(f"{path}: cannot remove progress: {err.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as err:
                raise MoocError(f"{path}: cannot remove progress: {err.strerror}") from None
            removed.append(path)
            _fsync_dir(path.parent)
        finally:
            os.close(fd)
    return removed
