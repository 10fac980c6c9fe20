"""`mooc pack init`: a new pack source folder, copied from the starter course.

All or nothing: the starter is written into a hidden folder beside the destination and
renamed into place at the end, so a full disk or a read-only folder leaves no half-made
pack behind (and nothing that was there is ever overwritten).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.fsutil import fsync_dir, os_error_text, write_atomic
from packages.i18n import _
from packages.identifiers import is_id

_STARTER_ID = 'id = "my-course"'


def create_starter(dest: Path) -> int:
    """Create the starter pack at `dest` (absent, or an empty folder); returns the number of files."""
    from importlib.resources import files

    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise MoocError(
            _("{dest}: already exists and is not empty (pack init never overwrites; pick a new folder)").format(
                dest=dest
            )
        )
    starter = files("packages") / "starter"
    if not starter.is_dir():
        raise MoocError(_("the starter course is missing from this mooc installation (reinstall mooc)"))
    course_id = id_for_folder(dest)
    created = _missing_parents(dest)
    stage = dest.parent / f".{dest.name}.init-{uuid.uuid4().hex[:8]}"
    try:
        for folder in reversed(created):
            os.mkdir(folder)
        os.mkdir(stage)
        count = _copy_tree(starter, stage, course_id)
        if dest.is_dir():
            dest.rmdir()  # empty, checked above: the complete pack takes its place
        os.rename(stage, dest)
        fsync_dir(dest.parent)
    except OSError as err:
        shutil.rmtree(stage, ignore_errors=True)
        for folder in created:
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        raise MoocError(_("{dest}: cannot create the pack: {err}").format(dest=dest, err=os_error_text(err))) from None
    return count


def id_for_folder(dest: Path) -> str:
    """The course id a new pack gets: its folder's name made into a valid id, so that
    `mooc pack build x` writes x-<version>.mooc."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", dest.resolve().name.lower()).strip("-._")[:64]
    return slug if slug and is_id(slug) else "my-course"


def _missing_parents(dest: Path) -> list[Path]:
    """The folders above `dest` that do not exist yet, deepest first."""
    missing = []
    parent = dest.absolute().parent
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    return missing


def _copy_tree(src: Any, dest: Path, course_id: str, *, top: bool = True) -> int:
    """Copy a Traversable tree (works from a wheel or a zip import as well as a folder),
    giving the top-level course.toml the id `course_id`."""
    count = 0
    for entry in sorted(src.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):
            continue
        target = dest / entry.name
        if entry.is_dir():
            os.mkdir(target)
            count += _copy_tree(entry, target, course_id, top=False)
            continue
        data = entry.read_bytes()
        if top and entry.name == "course.toml":
            data = data.replace(_STARTER_ID.encode(), f'id = "{course_id}"'.encode(), 1)
        write_atomic(target, data)
        count += 1
    return count
