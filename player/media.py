"""Open a lesson's links: web pages in the browser, the course's own files with the system viewer.

Used by both UIs (the TUI's `o`, plain mode's `m N`). Links in lessons are relative
to the lesson file; a target that leaves the pack is refused (packs are untrusted).
The viewer runs detached, so the UI keeps the terminal; when no viewer exists (a
server over SSH) the caller gets a clear message naming the file instead.

Lessons come from untrusted packs, and the system opener (xdg-open, open, a Windows
file association) will act on anything: a ``file:`` URL, ``javascript:``, a custom
scheme handler, a word that looks like an option. So `plan()` lets through only

- ``http://`` and ``https://`` URLs (with a host, no spaces or control characters), and
- relative paths to a file inside the course folder (resolved, links followed,
  then checked to still be inside),

and refuses everything else with one line naming the lesson and the link.
`open_target()` then hands the one checked argument to the opener so that it cannot
be read as an option (``gio open --``, ``open --``; xdg-open takes no ``--``, but a
checked target starts with ``http`` or ``/``), waits a moment for the opener's
verdict, and says what happened, including when nothing could open it.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packages.errors import MoocError
from packages.i18n import _
from packages.safe_text import clean, one_line

WEB_SCHEMES = ("http", "https")
OPENER_VERDICT_S = 2.0  # how long to wait for an opener that fails at once
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class Target:
    """A checked link: an http(s) URL, or the absolute path of a file of the course."""

    value: str
    is_file: bool

    @property
    def name(self) -> str:
        return Path(self.value).name if self.is_file else self.value


def plan(pack_root: Path | None, lesson_file: str, target: str) -> Target:
    """What the link `target` of `lesson_file` may open; MoocError (one line) otherwise."""
    shown = one_line(target)[:200]
    if not target or target.startswith("#"):
        raise MoocError(
            _("{lesson_file}: link {shown} points inside the lesson; nothing to open").format(
                lesson_file=lesson_file, shown=repr(shown)
            )
        )
    if target.startswith("-"):
        raise MoocError(
            _("{lesson_file}: link {shown} looks like a command-line option; not opened").format(
                lesson_file=lesson_file, shown=repr(shown)
            )
        )
    m = _SCHEME.match(target)
    if m and len(m.group(1)) > 1:  # "C:" would be a Windows drive, refused below as absolute
        scheme = m.group(1).lower()
        if scheme not in WEB_SCHEMES:
            raise MoocError(
                _(
                    "{lesson_file}: link {shown}: only http(s) links and files of the course are opened, not {scheme}:"
                ).format(lesson_file=lesson_file, shown=repr(shown), scheme=scheme)
            )
        return Target(_web_url(lesson_file, target), is_file=False)
    if pack_root is None:
        raise MoocError(
            _("{lesson_file}: this pack is not unpacked; cannot open {shown}").format(
                lesson_file=lesson_file, shown=shown
            )
        )
    return Target(str(resolve(pack_root, lesson_file, target)), is_file=True)


def _web_url(lesson_file: str, url: str) -> str:
    shown = one_line(url)[:200]
    if clean(url) != url or any(c.isspace() for c in url) or len(url) > 4096:
        raise MoocError(
            _("{lesson_file}: link {shown} holds spaces or control characters; not opened").format(
                lesson_file=lesson_file, shown=repr(shown)
            )
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise MoocError(
            _("{lesson_file}: link {shown} is not a valid URL").format(lesson_file=lesson_file, shown=repr(shown))
        ) from None
    if not parts.hostname:
        raise MoocError(
            _("{lesson_file}: link {shown} names no host; not opened").format(
                lesson_file=lesson_file, shown=repr(shown)
            )
        )
    return url


def pack_path(lesson_file: str, target: str) -> str:
    """A lesson link's target as a path in the pack ("lessons/../media/a.png" -> "media/a.png")."""
    target = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not target or target.startswith("/") or "\\" in target or "\x00" in target:
        raise MoocError(
            _("{lesson_file}: link {target} is not a relative path inside the pack").format(
                lesson_file=lesson_file, target=repr(target)
            )
        )
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(lesson_file), target))
    if joined.startswith("../") or joined == "..":
        raise MoocError(
            _("{lesson_file}: link {target} leaves the pack").format(lesson_file=lesson_file, target=repr(target))
        )
    return joined


def resolve(pack_root: Path, lesson_file: str, target: str) -> Path:
    """The file a lesson link points to, checked to stay inside the pack."""
    joined = pack_path(lesson_file, target)
    root = pack_root.resolve()
    path = (root / joined).resolve()
    if root != path and root not in path.parents:
        raise MoocError(
            _("{lesson_file}: link {target} leaves the pack").format(lesson_file=lesson_file, target=repr(target))
        )
    if not path.is_file():
        raise MoocError(
            _("{lesson_file}: linked file {joined} is not in the pack").format(lesson_file=lesson_file, joined=joined)
        )
    return path


def viewer_command() -> list[str] | None:
    """The system's "open this" command, ending where the one argument goes, or None.

    Where the opener reads options, the list ends with "--" so that the target can
    never be taken for one."""
    override = os.environ.get("MOOC_OPENER")
    if override:
        return override.split()
    if sys.platform == "darwin":
        return ["open", "--"]
    if os.name == "nt":
        return None  # handled with os.startfile
    for name in ("xdg-open", "gio"):
        found = shutil.which(name)
        if found:
            return [found, "open", "--"] if name == "gio" else [found]
    return None


def open_target(target: Target, *, wait: float = OPENER_VERDICT_S) -> str:
    """Hand a checked target to the system opener, detached; returns what happened
    (for the status line). MoocError, naming the link, when nothing could open it."""
    what = _("file") if target.is_file else _("link")
    if target.value.startswith("-"):  # plan() never makes one; refuse rather than trust
        raise MoocError(_("not opened: {value} looks like an option").format(value=repr(one_line(target.value))))
    if os.name == "nt":  # pragma: no cover - not our CI
        try:
            os.startfile(target.value)  # type: ignore[attr-defined]
        except OSError as err:
            raise MoocError(
                _("nothing could open the {what} {value} ({strerror})").format(
                    what=what, value=one_line(target.value), strerror=err.strerror
                )
            ) from None
        return _("Opened {name}.").format(name=one_line(target.name))
    command = viewer_command()
    if command is None:
        raise MoocError(
            _("no program to open it here (install xdg-utils); the {what} is {value}").format(
                what=what, value=one_line(target.value)
            )
        )
    try:
        proc = subprocess.Popen(
            [*command, target.value],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as err:
        raise MoocError(
            _("could not run {command}: {strerror}; the {what} is {value}").format(
                command=one_line(command[0]), strerror=err.strerror, what=what, value=one_line(target.value)
            )
        ) from None
    opener = os.path.basename(command[0])
    try:
        code = proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:  # still busy: it found something to open it with
        return _("Asked {opener} to open {name}.").format(opener=opener, name=one_line(target.name))
    if code != 0:
        raise MoocError(
            _(
                "{opener} could not open the {what} (exit status {code}: no application for it?); the {what} is {value}"
            ).format(opener=opener, what=what, code=code, value=one_line(target.value))
        )
    return _("Opened {name} with {opener}.").format(name=one_line(target.name), opener=opener)
