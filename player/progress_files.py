"""The progress files of this machine: the ids that name them, the list, the purge.

`check_id` refuses an id that cannot be a file name before the disk is touched;
`iter_logs` lists every learner's progress files (only real files in real folders);
`purge_course` deletes one course's, each under its lock (`mooc remove --purge`). One
log is read and written by `EventLog` (player/progress.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from packages.datafile import link_error
from packages.errors import MoocError
from packages.fsutil import fsync_dir as _fsync_dir
from packages.i18n import _
from packages.identifiers import ID_RE
from packages.layout import Layout
from packages.notices import warn
from packages.portable import lock


# Learner ids are slugs (player/learners.py); course ids follow pack-format-v1.
# Both become file names, so anything else is refused before touching the disk.
def check_id(kind: str, value: str) -> None:
    if not ID_RE.match(value) or ".." in value:
        raise MoocError(
            _("invalid {kind} id {value}: use lowercase letters, digits, '.', '_' or '-'").format(
                kind=kind, value=repr(value)
            )
        )


def iter_logs(layout: Layout) -> Iterator[tuple[str, str, Path]]:
    """(learner_id, course_id, path) for every progress file on this machine, sorted.

    Only real files in real folders: a symbolic link is skipped with a warning (it
    would lead mooc out of its data folder)."""
    base = layout.learners_dir
    if base.is_symlink():
        warn(_("{error}; no progress is read from it").format(error=link_error(base)))
        return
    if not base.is_dir():
        return
    for learner_dir in sorted(base.iterdir()):
        if learner_dir.name.startswith("."):
            continue
        progress = layout.progress_dir(learner_dir.name)
        if learner_dir.is_symlink() or progress.is_symlink():
            warn(_("{error}; skipped").format(error=link_error(learner_dir if learner_dir.is_symlink() else progress)))
            continue
        if not progress.is_dir():
            continue
        for path in sorted(progress.glob("*.jsonl")):
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                warn(_("{error}; skipped").format(error=link_error(path)))
                continue
            if path.is_file():
                yield learner_dir.name, path.stem, path


def purge_course(layout: Layout, course_id: str) -> list[Path]:
    """Delete every learner's progress for a course (`mooc remove --purge`).

    Each file is removed while holding its lock, so no append is cut in half; an
    appender waiting on the lock notices the file is gone and starts a new one.
    """
    check_id("course", course_id)
    removed: list[Path] = []
    base = layout.learners_dir
    if not base.is_dir():
        return removed
    for learner_dir in sorted(base.iterdir()):
        path = layout.progress_file(learner_dir.name, course_id)
        if path.is_symlink():  # remove the link itself; what it points to is not ours
            try:
                os.unlink(path)
            except OSError as err:
                raise MoocError(
                    _("{path}: cannot remove progress: {strerror}").format(path=path, strerror=err.strerror)
                ) from None
            removed.append(path)
            continue
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            continue
        except OSError as err:
            raise MoocError(
                _("{path}: cannot remove progress: {strerror}").format(path=path, strerror=err.strerror)
            ) from None
        try:
            lock(fd)
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as err:
                raise MoocError(
                    _("{path}: cannot remove progress: {strerror}").format(path=path, strerror=err.strerror)
                ) from None
            removed.append(path)
            _fsync_dir(path.parent)
        finally:
            os.close(fd)
    return removed
