"""The installed courses: where they live, which copy wins, and how they go away.

Three stores can hold a course: the user's (``layout.courses_dir``), the system-wide
one (``layout.system_courses_dir``, written by ``mooc install --system``) and the
bundled demo course shipped inside this package. Inside a store every course is::

    courses/<id>/
      current.json                  the pointer AND the listing summary (one atomic file)
      versions/<version>~<token>/   an unpacked, verified pack tree

`current.json` names the version folder that is live; it is replaced with
``os.replace`` so a reader sees the old course or the new one, never a mix. Listing
reads only these small summaries, never a quiz. See docs/store.md.

Resolution when an id is in several stores: the highest version wins; on equal
versions user > system > bundled (your own install overrides the lab's copy).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from packages.fsutil import fsync_dir, os_error_text, write_atomic
from packages.errors import MoocError
from packages.identifiers import ID_RE, compare_versions, version_key
from packages.layout import Layout

if TYPE_CHECKING:  # heavy modules are imported where they are used
    from packages.model import Course

Origin = Literal["user", "system", "bundled"]
ORIGIN_RANK: dict[str, int] = {"user": 2, "system": 1, "bundled": 0}

POINTER_NAME = "current.json"
VERSIONS_DIR = "versions"
SUMMARY_FORMAT = 1
STAGE_LOCK = ".lock"
BUNDLED_DIR = Path(__file__).resolve().parent / "demo_course"
BUNDLED_ID = "mooc-demo"  # the id in BUNDLED_DIR/course.toml (a test keeps them equal)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, kw_only=True)
class ModuleSummary:
    """A module as `mooc list`/`info` show it, without loading the course."""

    id: str
    title: str
    lessons: int
    quizzes: int


@dataclass(frozen=True, kw_only=True)
class InstalledCourse:
    """One installed copy of a course, as listed (no quiz parsed to build it)."""

    id: str
    title: str
    version: str
    language: str
    origin: Origin
    path: Path  # the pack tree (a pack source folder)
    installed_at: datetime | None  # None for the bundled course
    size: int  # bytes of the pack tree
    summary: str = ""
    kind: str = "xmooc"
    xapi_endpoint: str | None = None
    modules: tuple[ModuleSummary, ...] = ()
    source: str | None = None  # what it was installed from (path or URL)
    sha256: str | None = None  # digest of the installed .mooc, when known

    def to_json(self) -> dict[str, Any]:
        """For `--json` output: course text cleaned of escapes and control characters."""
        from packages.safe_text import clean, one_line

        return {
            "id": self.id,
            "title": one_line(self.title),
            "version": one_line(self.version),
            "language": one_line(self.language),
            "origin": self.origin,
            "path": str(self.path),
            "installed_at": self.installed_at.isoformat() if self.installed_at else None,
            "size": self.size,
            "summary": clean(self.summary),
            "kind": one_line(self.kind),
            "xapi_endpoint": one_line(self.xapi_endpoint) if self.xapi_endpoint else None,
            "modules": [
                {"id": m.id, "title": one_line(m.title), "lessons": m.lessons, "quizzes": m.quizzes}
                for m in self.modules
            ],
            "source": self.source,
            "sha256": self.sha256,
        }


# --------------------------------------------------------------------------- versions


# --------------------------------------------------------------------------- files




def tree_size(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


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


# --------------------------------------------------------------------------- one store


@dataclass(frozen=True)
class StoreDir:
    """One writable-or-not store: its courses folder and its staging folder.

    Staging lives beside the courses (same filesystem) so publishing a verified tree
    is a rename, never a copy.
    """

    origin: Origin
    courses: Path
    tmp: Path

    def course_dir(self, course_id: str) -> Path:
        return self.courses / course_id

    def pointer(self, course_id: str) -> Path:
        return self.courses / course_id / POINTER_NAME

    def versions_dir(self, course_id: str) -> Path:
        return self.courses / course_id / VERSIONS_DIR

    def lock_file(self, course_id: str) -> Path:
        return self.tmp / "locks" / f"{course_id}.lock"

    def read(self, course_id: str) -> InstalledCourse | None:
        """The live copy of `course_id` here, or None. A damaged pointer counts as absent
        (with one warning), and so does one naming another course or a folder outside
        `versions/` (`dir` is one plain name). Read bounded and never through a link
        (packages/datafile.py)."""
        from packages.datafile import load_json
        from packages.notices import warn

        pointer = self.pointer(course_id)
        try:
            data = load_json(pointer, own=False)  # the system store belongs to its administrator
        except MoocError as err:
            warn(f"{err}; the course counts as not installed")
            return None
        if data is None:
            return None
        try:
            course = _from_summary(data, self.origin, self.versions_dir(course_id))
        except (KeyError, TypeError, ValueError, AttributeError):
            warn(f"{pointer}: damaged; the course counts as not installed")
            return None
        if course.id != course_id:
            warn(f"{pointer}: names course {course.id!r}, not {course_id!r}; the course counts as not installed")
            return None
        return course

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.courses)
        except OSError:
            return []
        return sorted(n for n in names if ID_RE.match(n))

    def all(self) -> list[InstalledCourse]:
        found = (self.read(course_id) for course_id in self.ids())
        return [c for c in found if c is not None and c.path.is_dir()]

    # staging ---------------------------------------------------------------

    @contextlib.contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh staging folder, locked while in use and removed afterwards.

        The lock file lives inside the folder, so the two come and go together; the
        lock tells `clean_stale()` of another process that this one is still alive.
        """
        self.tmp.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix="stage-", dir=self.tmp))
        try:
            with locked(stage / STAGE_LOCK):
                yield stage
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def clean_stale(self) -> None:
        """Remove what a killed install or remove left behind (nothing visible ever is).

        - staging folders whose owner no longer holds their lock (or, with no lock
          file yet, older than a minute);
        - version folders no pointer names (killed between rename and switch);
        - course folders without a live version.
        """
        now = time.time()
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.tmp):
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if entry.name.startswith("trash-"):
                    shutil.rmtree(entry.path, ignore_errors=True)
                elif entry.name.startswith("stage-"):
                    lock = Path(entry.path) / STAGE_LOCK
                    if not lock.exists():
                        with contextlib.suppress(OSError):
                            if now - entry.stat().st_mtime > 60:
                                shutil.rmtree(entry.path, ignore_errors=True)
                        continue
                    with locked(lock, blocking=False, create=False) as free:
                        if free:
                            shutil.rmtree(entry.path, ignore_errors=True)
        for course_id in self.ids():
            with locked(self.lock_file(course_id), blocking=False) as free:
                if free:
                    self._clean_course(course_id)

    def _clean_course(self, course_id: str) -> None:
        """Drop unreferenced versions of one course; caller holds its lock."""
        live = self.read(course_id)
        keep = live.path.name if live else None
        versions = self.versions_dir(course_id)
        with contextlib.suppress(OSError):
            for entry in os.scandir(versions):
                if entry.name != keep:
                    self._discard(Path(entry.path))
        if live is None:
            # No pointer (never finished, or a damaged one): nothing here is visible.
            self._discard(self.course_dir(course_id))

    def _discard(self, path: Path) -> None:
        """Remove a tree: first renamed into tmp (atomic), then deleted."""
        if not path.exists():
            return
        self.tmp.mkdir(parents=True, exist_ok=True)
        trash = self.tmp / f"trash-{uuid.uuid4().hex[:12]}"
        try:
            os.rename(path, trash)
        except OSError:
            shutil.rmtree(path, ignore_errors=True)
            return
        shutil.rmtree(trash, ignore_errors=True)

    # publishing ------------------------------------------------------------

    def publish(self, course_id: str, tree: Path, summary: dict[str, Any]) -> InstalledCourse:
        """Make `tree` (verified, in this store's tmp) the live copy of `course_id`.

        Caller holds the course lock. Steps: rename the tree into versions/, then
        switch the pointer with os.replace, then drop the older version. A crash
        before the switch leaves the old version live; after it, the new one.
        """
        versions = self.versions_dir(course_id)
        versions.mkdir(parents=True, exist_ok=True)
        if self.origin == "system":
            # Every account reads the system store, whatever root's umask was.
            _make_world_readable(tree, (self.courses.parent, self.courses, self.course_dir(course_id), versions))
        dirname = f"{_safe_dirname(summary['version'])}~{uuid.uuid4().hex[:8]}"
        target = versions / dirname
        os.rename(tree, target)
        fsync_dir(versions)
        summary = dict(summary, dir=dirname)
        try:
            write_atomic(self.pointer(course_id), json.dumps(summary, indent=1, ensure_ascii=False).encode())
        except OSError:  # a full disk: the pointer still names the previous version; free the space now
            self._discard(target)
            raise
        self._clean_course(course_id)
        installed = self.read(course_id)
        assert installed is not None
        return installed

    def unpublish(self, course_id: str) -> None:
        """Remove `course_id` from this store at once (caller holds its lock)."""
        self._discard(self.course_dir(course_id))


def _make_world_readable(tree: Path, parents: tuple[Path, ...]) -> None:
    for path in parents:
        os.chmod(path, os.stat(path).st_mode | 0o555)
    for dirpath, _dirs, files in os.walk(tree):
        os.chmod(dirpath, 0o755)
        for name in files:
            os.chmod(os.path.join(dirpath, name), 0o644)


def _safe_dirname(version: str) -> str:
    return re.sub(r"[^0-9A-Za-z.+-]", "_", version)[:64] or "v"


def _from_summary(data: dict[str, Any], origin: Origin, versions: Path) -> InstalledCourse:
    dirname = str(data["dir"])
    if any(c in dirname for c in "/\\\x00:") or dirname in ("", ".", ".."):  # one name inside versions/
        raise ValueError(dirname)
    installed_at = data.get("installed_at")
    return InstalledCourse(
        id=str(data["id"]),
        title=str(data["title"]),
        version=str(data["version"]),
        language=str(data.get("language", "en")),
        origin=origin,
        path=versions / dirname,
        installed_at=datetime.fromisoformat(installed_at) if installed_at else None,
        size=int(data.get("size", 0)),
        summary=str(data.get("summary", "")),
        kind=str(data.get("kind", "xmooc")),
        xapi_endpoint=data.get("xapi_endpoint"),
        modules=tuple(
            ModuleSummary(id=str(m["id"]), title=str(m["title"]), lessons=int(m["lessons"]), quizzes=int(m["quizzes"]))
            for m in data.get("modules", ())
        ),
        source=data.get("source"),
        sha256=data.get("sha256"),
    )


def summary_of(course: "Course", *, size: int, installed_at: datetime, source: str | None,
               sha256: str | None) -> dict[str, Any]:
    """The `current.json` content for a loaded course (computed once, at install)."""
    return {
        "summary_format": SUMMARY_FORMAT,
        "id": course.id,
        "version": course.version,
        "title": course.title,
        "language": course.language,
        "summary": course.summary,
        "kind": course.kind,
        "xapi_endpoint": course.xapi_endpoint,
        "installed_at": installed_at.isoformat(timespec="seconds"),
        "size": size,
        "source": source,
        "sha256": sha256,
        "modules": [
            {
                "id": m.id,
                "title": m.title,
                "lessons": sum(1 for i in m.items if i.kind == "lesson"),
                "quizzes": sum(1 for i in m.items if i.kind == "quiz"),
            }
            for m in course.modules
        ],
    }


# --------------------------------------------------------------------------- bundled


@functools.lru_cache(maxsize=4)
def _bundled(folder: Path = BUNDLED_DIR) -> InstalledCourse | None:
    """The demo course shipped with mooc, read from its course.toml only (fast), once:
    it is package data and does not change while mooc runs."""
    from packages.portable import tomllib

    try:
        with open(folder / "course.toml", "rb") as fh:
            data = tomllib.load(fh)
        modules = tuple(
            ModuleSummary(
                id=str(m["id"]),
                title=str(m.get("title", m["id"])),
                lessons=sum(1 for i in m.get("items", ()) if i.get("kind") == "lesson"),
                quizzes=sum(1 for i in m.get("items", ()) if i.get("kind") == "quiz"),
            )
            for m in data.get("modules", ())
        )
        return InstalledCourse(
            id=str(data["id"]),
            title=str(data["title"]),
            version=str(data["version"]),
            language=str(data.get("language", "en")),
            origin="bundled",
            path=folder,
            installed_at=None,
            size=tree_size(folder),
            summary=str(data.get("summary", "")),
            kind=str(data.get("kind", "xmooc")),
            xapi_endpoint=(data.get("sync") or {}).get("xapi_endpoint"),
            modules=modules,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


# --------------------------------------------------------------------------- the store


@dataclass
class Store:
    """Every course this account can play, across the user, system and bundled stores."""

    layout: Layout
    bundled_dir: Path | None = field(default=BUNDLED_DIR)

    @property
    def user(self) -> StoreDir:
        return StoreDir("user", self.layout.courses_dir, self.layout.tmp_dir)

    @property
    def system(self) -> StoreDir:
        return StoreDir("system", self.layout.system_courses_dir, self.layout.system_tmp_dir())

    def store_dir(self, system: bool) -> StoreDir:
        return self.system if system else self.user

    def copies(self) -> list[InstalledCourse]:
        """Every installed copy, shadowed ones included."""
        found = self.user.all() + self.system.all()
        if self.bundled_dir is not None:
            bundled = _bundled(self.bundled_dir)
            if bundled is not None:
                found.append(bundled)
        return found

    def generation(self) -> tuple[tuple[str, str, int, int], ...]:
        """A cheap fingerprint of what the user and system stores hold: it changes when a
        course is installed, upgraded or removed (its pointer is replaced, or its folder
        goes). One stat per course: `mooc serve` asks it before answering."""
        marks = []
        for store in (self.user, self.system):
            try:
                names = sorted(os.listdir(store.courses))
            except OSError:
                continue
            for name in names:
                try:
                    st = os.stat(store.pointer(name))
                except OSError:
                    continue
                marks.append((store.origin, name, st.st_ino, st.st_mtime_ns))
        return tuple(marks)

    def list(self, *, all_copies: bool = False) -> list[InstalledCourse]:
        """The course each id resolves to (or every copy), sorted by title then id."""
        copies = self.copies()
        if not all_copies:
            best: dict[str, InstalledCourse] = {}
            for c in copies:
                if c.id not in best or _rank(c) > _rank(best[c.id]):
                    best[c.id] = c
            copies = list(best.values())
        return sorted(copies, key=lambda c: (c.title.casefold(), c.id, -ORIGIN_RANK[c.origin]))

    def find(self, course_id: str) -> InstalledCourse | None:
        candidates = [c for c in self._copies_of(course_id)]
        return max(candidates, key=_rank) if candidates else None

    def _copies_of(self, course_id: str) -> list[InstalledCourse]:
        found: list[InstalledCourse] = []
        if ID_RE.match(course_id):
            for store in (self.user, self.system):
                c = store.read(course_id)
                if c is not None and c.path.is_dir():
                    found.append(c)
        # Our own demo course cannot be any other id: no need to read its course.toml.
        if self.bundled_dir is not None and (course_id == BUNDLED_ID or self.bundled_dir != BUNDLED_DIR):
            bundled = _bundled(self.bundled_dir)
            if bundled is not None and bundled.id == course_id:
                found.append(bundled)
        return found

    def copies_of(self, course_id: str) -> list[InstalledCourse]:
        """Every copy of `course_id`, the one that wins first."""
        return sorted(self._copies_of(course_id), key=_rank, reverse=True)

    def get(self, course_id: str) -> InstalledCourse:
        found = self.find(course_id)
        if found is None:
            raise MoocError(self._not_installed(course_id))
        return found

    def _not_installed(self, course_id: str) -> str:
        ids = sorted({c.id for c in self.copies()})
        close = difflib.get_close_matches(course_id, ids, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else "; see `mooc list`"
        return f"no course '{course_id}' is installed{hint}"

    def load(self, course_id: str) -> tuple["Course", Any]:
        """The full course (quizzes parsed) and its PackSource, for playing it."""
        from packages import course_cache
        from packages.source import open_source

        installed = self.get(course_id)
        source = open_source(installed.path)
        # Every file was verified against the manifest when it was installed; re-checking
        # each read would parse a 2,500-entry manifest at every start of a big course.
        source.manifest = None
        bundled = installed.origin == "bundled"  # package data: small, and never written to
        course = None if bundled else course_cache.read(installed.path, installed.id, installed.version)
        if course is None:
            from packages.loading import load_course  # the TOML parser: only without a cache

            course = load_course(source)
            if not bundled:
                course_cache.write(installed.path, course)
        return course, source

    def remove(self, course_id: str, system: bool = False) -> InstalledCourse:
        """Remove the user's (or, with `system`, the system-wide) copy; progress stays."""
        store = self.store_dir(system)
        existing = store.read(course_id) if ID_RE.match(course_id) else None
        if existing is None:
            others = self.copies_of(course_id)
            if not others:
                raise MoocError(self._not_installed(course_id))
            other = others[0]
            if other.origin == "bundled":
                raise MoocError(f"'{course_id}' is the bundled demo course; it comes with mooc and cannot be removed")
            if other.origin == "system":
                raise MoocError(
                    f"'{course_id}' is installed system-wide ({self.layout.system_courses_dir}); "
                    f"remove it with `mooc remove {course_id} --system`"
                )
            raise MoocError(f"'{course_id}' is not in the system store; remove it without --system")
        _check_writable(store)
        with locked(store.lock_file(course_id)):
            existing = store.read(course_id)
            if existing is None:
                raise MoocError(self._not_installed(course_id))
            store.unpublish(course_id)
        return existing

    def progress_files(self, course_id: str) -> list[Path]:
        """Every learner's progress file for `course_id` in this home (for --purge)."""
        files: list[Path] = []
        with contextlib.suppress(OSError):
            for learner in sorted(os.listdir(self.layout.learners_dir)):
                path = self.layout.progress_file(learner, course_id)
                if path.exists():
                    files.append(path)
        return files


def _rank(c: InstalledCourse) -> tuple[Any, ...]:
    return (version_key(c.version), ORIGIN_RANK[c.origin])


def _check_writable(store: StoreDir) -> None:
    """Fail early, with a clear line, when this account cannot write the store."""
    for path in (store.courses, store.tmp):
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise MoocError(f"cannot write the {store.origin} store at {path}: {os_error_text(err)}") from None
        if not os.access(path, os.W_OK | os.X_OK):
            if _read_only(path):
                raise MoocError(f"cannot write the {store.origin} store at {path}: read-only file system")
            who = " (run it as an administrator)" if store.origin == "system" else ""
            raise MoocError(f"cannot write the {store.origin} store at {path}: permission denied{who}")


def _read_only(path: Path) -> bool:
    """Whether `path` is on a file system mounted read-only (POSIX; False elsewhere)."""
    try:
        return bool(os.statvfs(path).f_flag & getattr(os, "ST_RDONLY", 0))
    except (OSError, AttributeError):
        return False
