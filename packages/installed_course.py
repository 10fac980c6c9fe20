"""One installed copy of a course as listings show it, and the summary it is read from.

`current.json` in a course's folder holds both the pointer to the live version and
this summary (written once, at install, by `summary_of`): `mooc list` and `info` show
installed courses from it alone, never parsing a quiz (`from_summary`). The flavour
(packages/flavours.py) is the installed manifest's, copied here at install; a summary
written before flavours existed has none, and its course is full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # heavy modules are imported where they are used
    from packages.model import Course

Origin = Literal["user", "system", "bundled"]

SUMMARY_FORMAT = 1


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
    flavour: str = "full"  # text, novideo or full: what the installed pack holds

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
            "flavour": self.flavour,
        }


def _language(value: object) -> str:
    """A summary's language as a tag; "und" (undetermined, BCP 47) for anything else:
    a hand-edited summary never puts a 10 kB or escape-laden value in `mooc list`."""
    from packages.identifiers import is_language

    return value if isinstance(value, str) and is_language(value) else "und"


def from_summary(data: dict[str, Any], origin: Origin, versions: Path) -> InstalledCourse:
    """The copy a `current.json` summary describes (KeyError, TypeError, ValueError when damaged)."""
    dirname = str(data["dir"])
    if any(c in dirname for c in "/\\\x00:") or dirname in ("", ".", ".."):  # one name inside versions/
        raise ValueError(dirname)
    installed_at = data.get("installed_at")
    return InstalledCourse(
        id=str(data["id"]),
        title=str(data["title"]),
        version=str(data["version"]),
        language=_language(data.get("language", "en")),
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
        flavour=_flavour(data.get("flavour", "full")),
    )


def _flavour(value: Any) -> str:
    from packages.flavours import FLAVOURS

    if value not in FLAVOURS:
        raise ValueError(value)  # the store reports the summary as damaged
    return str(value)


def summary_of(
    course: Course,
    *,
    size: int,
    installed_at: datetime,
    source: str | None,
    sha256: str | None,
    flavour: str = "full",
) -> dict[str, Any]:
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
        "flavour": flavour,
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
