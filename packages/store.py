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

import builtins
import contextlib
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.file_lock import locked
from packages.fsutil import os_error_text
from packages.i18n import _
from packages.identifiers import ID_RE, version_key
from packages.installed_course import InstalledCourse, ModuleSummary
from packages.layout import Layout
from packages.store_dir import StoreDir

if TYPE_CHECKING:  # heavy modules are imported where they are used
    from packages.model import Course

ORIGIN_RANK: dict[str, int] = {"user": 2, "system": 1, "bundled": 0}

BUNDLED_DIR = Path(__file__).resolve().parent / "demo_course"
BUNDLED_ID = "mooc-demo"  # the id in BUNDLED_DIR/course.toml (a test keeps them equal)
# The French demo course: listed when mooc speaks French (and then offered first to a
# newcomer), playable by its id in any language; the English one is always listed.
BUNDLED_FR_DIR = Path(__file__).resolve().parent / "demo_course_fr"
BUNDLED_FR_ID = "mooc-demo-fr"
BUNDLED_LANGUAGE_DEMOS = {"fr": (BUNDLED_FR_ID, BUNDLED_FR_DIR)}


def tree_size(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


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
        for folder in self._bundled_dirs():
            bundled = _bundled(folder)
            if bundled is not None:
                found.append(bundled)
        return found

    def _bundled_dirs(self) -> builtins.list[Path]:
        """The bundled courses listed: the demo, and the demo in the UI language if
        mooc ships one (the French demo when mooc speaks French)."""
        if self.bundled_dir is None:
            return []
        if self.bundled_dir != BUNDLED_DIR:
            return [self.bundled_dir]
        from packages import i18n

        extra = BUNDLED_LANGUAGE_DEMOS.get(i18n.reader_language())
        return [BUNDLED_DIR] + ([extra[1]] if extra else [])

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
        listed = sorted(copies, key=lambda c: (c.title.casefold(), c.id, -ORIGIN_RANK[c.origin]))
        if len(listed) > 1 and all(c.origin == "bundled" for c in listed):
            return _own_language_first(listed)  # a newcomer: the demo in their language first
        return listed

    def find(self, course_id: str) -> InstalledCourse | None:
        candidates = [c for c in self._copies_of(course_id)]
        return max(candidates, key=_rank) if candidates else None

    def _copies_of(self, course_id: str) -> builtins.list[InstalledCourse]:
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
        if self.bundled_dir == BUNDLED_DIR:
            for demo_id, folder in BUNDLED_LANGUAGE_DEMOS.values():
                bundled = _bundled(folder) if course_id == demo_id else None
                if bundled is not None and bundled.id == course_id:
                    found.append(bundled)
        return found

    def copies_of(self, course_id: str) -> builtins.list[InstalledCourse]:
        """Every copy of `course_id`, the one that wins first."""
        return sorted(self._copies_of(course_id), key=_rank, reverse=True)

    def get(self, course_id: str) -> InstalledCourse:
        found = self.find(course_id)
        if found is None:
            raise MoocError(self._not_installed(course_id))
        return found

    def _not_installed(self, course_id: str) -> str:
        ids = sorted({c.id for c in self.copies()})
        import difflib  # only for a course not found: suggestions

        close = difflib.get_close_matches(course_id, ids, n=1, cutoff=0.6)
        hint = _("; did you mean '{close}'?").format(close=close[0]) if close else _("; see `mooc list`")
        return _("no course '{course_id}' is installed{hint}").format(course_id=course_id, hint=hint)

    def load(self, course_id: str) -> tuple[Course, Any]:
        """The full course (quizzes parsed) and its PackSource, for playing it."""
        from packages import course_cache
        from packages.source import open_source

        installed = self.get(course_id)
        source = open_source(installed.path)
        # Every file was verified against the manifest when it was installed; re-checking
        # each read would parse a 2,500-entry manifest at every start of a big course.
        source.manifest = None
        bundled = installed.origin == "bundled"  # package data: small, and never written to
        source.cache_tree = None if bundled else installed.path
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
                raise MoocError(
                    _("'{course_id}' is the bundled demo course; it comes with mooc and cannot be removed").format(
                        course_id=course_id
                    )
                )
            if other.origin == "system":
                raise MoocError(
                    _(
                        "'{course_id}' is installed system-wide ({system_courses_dir}); remove it with `mooc remove {course_id} --system`"
                    ).format(course_id=course_id, system_courses_dir=self.layout.system_courses_dir)
                )
            raise MoocError(
                _("'{course_id}' is not in the system store; remove it without --system").format(course_id=course_id)
            )
        _check_writable(store)
        with locked(store.lock_file(course_id)):
            existing = store.read(course_id)
            if existing is None:
                raise MoocError(self._not_installed(course_id))
            store.unpublish(course_id)
        return existing

    def progress_files(self, course_id: str) -> builtins.list[Path]:
        """Every learner's progress file for `course_id` in this home (for --purge)."""
        files: list[Path] = []
        with contextlib.suppress(OSError):
            for learner in sorted(os.listdir(self.layout.learners_dir)):
                path = self.layout.progress_file(learner, course_id)
                if path.exists():
                    files.append(path)
        return files


def _own_language_first(courses: builtins.list[InstalledCourse]) -> builtins.list[InstalledCourse]:
    from packages import i18n

    ui = i18n.reader_language()
    return sorted(courses, key=lambda c: c.language.split("-")[0].casefold() != ui)  # stable: titles otherwise


def _rank(c: InstalledCourse) -> tuple[Any, ...]:
    return (version_key(c.version), ORIGIN_RANK[c.origin])


def _check_writable(store: StoreDir) -> None:
    """Fail early, with a clear line, when this account cannot write the store."""
    for path in (store.courses, store.tmp):
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise MoocError(
                _("cannot write the {origin} store at {path}: {err}").format(
                    origin=store.origin, path=path, err=os_error_text(err)
                )
            ) from None
        if not os.access(path, os.W_OK | os.X_OK):
            if _read_only(path):
                raise MoocError(
                    _("cannot write the {origin} store at {path}: read-only file system").format(
                        origin=store.origin, path=path
                    )
                )
            who = _(" (run it as an administrator)") if store.origin == "system" else ""
            raise MoocError(
                _("cannot write the {origin} store at {path}: permission denied{who}").format(
                    origin=store.origin, path=path, who=who
                )
            )


def _read_only(path: Path) -> bool:
    """Whether `path` is on a file system mounted read-only (POSIX; False elsewhere)."""
    try:
        return bool(os.statvfs(path).f_flag & getattr(os, "ST_RDONLY", 0))
    except (OSError, AttributeError):
        return False
