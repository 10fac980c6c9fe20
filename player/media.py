"""Open a lesson's local media (images, PDFs, data files) with the system viewer.

Used by both UIs (the TUI's `o`, plain mode's `m N`). Links in lessons are relative
to the lesson file; a target that leaves the pack is refused (packs are untrusted).
The viewer runs detached, so the UI keeps the terminal; when no viewer exists (a
server over SSH) the caller gets a clear message naming the file instead.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

from packages.errors import MoocError


def pack_path(lesson_file: str, target: str) -> str:
    """A lesson link's target as a path in the pack ("lessons/../media/a.png" -> "media/a.png")."""
    target = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not target or target.startswith("/") or "\\" in target or "\x00" in target:
        raise MoocError(f"{lesson_file}: link {target!r} is not a relative path inside the pack")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(lesson_file), target))
    if joined.startswith("../") or joined == "..":
        raise MoocError(f"{lesson_file}: link {target!r} leaves the pack")
    return joined


def resolve(pack_root: Path, lesson_file: str, target: str) -> Path:
    """The file a lesson link points to, checked to stay inside the pack."""
    joined = pack_path(lesson_file, target)
    root = pack_root.resolve()
    path = (root / joined).resolve()
    if root != path and root not in path.parents:
        raise MoocError(f"{lesson_file}: link {target!r} leaves the pack")
    if not path.is_file():
        raise MoocError(f"{lesson_file}: linked file {joined} is not in the pack")
    return path


def viewer_command() -> list[str] | None:
    """The system's "open this file" command, or None when there is none."""
    override = os.environ.get("MOOC_OPENER")
    if override:
        return override.split()
    if sys.platform == "darwin":
        return ["open"]
    if os.name == "nt":
        return None  # handled with os.startfile
    for name in ("xdg-open", "gio"):
        found = shutil.which(name)
        if found:
            return [found, "open"] if name == "gio" else [found]
    return None


def open_path(path: Path | str) -> None:
    """Open a file or URL with the system viewer, detached; MoocError when impossible."""
    if os.name == "nt":  # pragma: no cover - not our CI
        os.startfile(str(path))  # type: ignore[attr-defined]
        return
    command = viewer_command()
    if command is None:
        raise MoocError(f"no program to open files here (install xdg-utils); the file is {path}")
    try:
        subprocess.Popen(
            [*command, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as err:
        raise MoocError(f"could not run {command[0]}: {err.strerror}; the file is {path}") from None
