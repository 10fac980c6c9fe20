"""One store's courses folder: reading pointers, staging, publishing, sweeping leftovers.

The folder holds `courses/<id>/current.json` and `versions/` as packages/store.py
describes. `StoreDir.publish` renames a verified tree into `versions/` and then
replaces `current.json` with ``os.replace``, so a reader sees the old course or the new
one, never a mix; `clean_stale` removes what a killed install or remove left behind.
Which store's copy wins is `Store`'s job (packages/store.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.file_lock import locked
from packages.fsutil import fsync_dir, write_atomic
from packages.i18n import _
from packages.identifiers import ID_RE
from packages.installed_course import InstalledCourse, Origin, from_summary

POINTER_NAME = "current.json"
VERSIONS_DIR = "versions"
STAGE_LOCK = ".lock"


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
            warn(_("{err}; the course counts as not installed").format(err=err))
            return None
        if data is None:
            return None
        try:
            course = from_summary(data, self.origin, self.versions_dir(course_id))
        except (KeyError, TypeError, ValueError, AttributeError):
            warn(_("{pointer}: damaged; the course counts as not installed").format(pointer=pointer))
            return None
        if course.id != course_id:
            warn(
                _("{pointer}: names course {id!r}, not {course_id!r}; the course counts as not installed").format(
                    pointer=pointer, id=course.id, course_id=course_id
                )
            )
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
