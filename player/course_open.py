"""Opening a course for a learner: an installed course by id or a pack folder/file
by path, the check that a course can be played full-screen, the session over the
learner's event log, and which course to open when none is named.

`mooc play` and `mooc progress` wire these; the TUI and tests can reach them too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.i18n import _

if TYPE_CHECKING:
    from packages.layout import Layout
    from packages.model import Course
    from player.learner_identity import Learner
    from player.session import CourseSession


def load_course(layout: Layout, spec: str) -> tuple[Course, Any]:
    """An installed course by id, else a pack folder or .mooc file given by path."""
    from packages.store import Store

    store = Store(layout)
    if store.find(spec) is not None:
        return store.load(spec)
    path = Path(spec).expanduser()
    if path.exists() and (path.is_dir() or path.suffix == ".mooc" or os.sep in spec or spec.startswith(".")):
        from packages.loading import load_course as load_from_source
        from packages.source import open_source

        source = open_source(path)
        return load_from_source(source), source
    store.get(spec)  # raises the store's "no course ... did you mean" error
    raise MoocError(_("no course '{spec}'").format(spec=spec))  # pragma: no cover


def check_installed(layout: Layout, spec: str) -> None:
    """Fail before the full-screen UI starts (fast, one line) when COURSE is not playable there."""
    from packages.store import Store

    store = Store(layout)
    if store.find(spec) is not None:
        return
    if Path(spec).expanduser().exists():
        raise MoocError(
            _(
                "{spec}: not an installed course; play it with `mooc play --plain {spec}`, or install it "
                "first with `mooc install {spec}`"
            ).format(spec=spec)
        )
    store.get(spec)  # the store's "no course '...' is installed; did you mean" error


def open_session(
    layout: Layout, learner: Learner, course: Course, source: Any, *, enroll: bool = True
) -> CourseSession:
    from player.progress import EventLog
    from player.session import CourseSession

    log = EventLog.for_course(layout, learner.id, course.id)
    return CourseSession(course, source, log, learner, enroll=enroll)


def default_course(layout: Layout, learner: Learner) -> str | None:
    """With no COURSE: the course last studied, else the only one (the demo on a fresh install)."""
    from packages.store import Store
    from player.progress_files import iter_logs

    store = Store(layout)
    installed = {c.id for c in store.list()}
    recent: list[tuple[float, str]] = []
    for learner_id, course_id, path in iter_logs(layout):
        if learner_id == learner.id and course_id in installed:
            try:
                recent.append((path.stat().st_mtime, course_id))
            except OSError:
                continue
    if recent:
        return max(recent)[1]
    if len(installed) == 1:
        return next(iter(installed))
    return None  # several courses and none started: the caller asks which
