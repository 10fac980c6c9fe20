"""The user documentation (the Markdown files of docs/), as `mooc docs` reads it.

An installed mooc carries a copy of docs/*.md in `player/docs/` (setup.py copies it
at build time: docs/ stays the one source); a checkout or an editable install reads
docs/ itself. Topics are the file names without `.md`; `README` is the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packages.errors import UsageError
from packages.i18n import _

_HERE = Path(__file__).resolve().parent
_PLACES = (_HERE / "docs", _HERE.parent / "docs")
MAX_DOC_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Topic:
    name: str
    title: str
    path: Path


def folder() -> Path | None:
    """Where the documentation is, or None when this mooc was installed without it."""
    for place in _PLACES:
        if (place / "README.md").is_file():
            return place
    return None


def topics() -> list[Topic]:
    place = folder()
    if place is None:
        return []
    found = []
    for path in sorted(place.glob("*.md")):
        title = path.stem
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("# "):
                    title = line[2:].strip()
                    break
        found.append(Topic(path.stem, title, path))
    return found


def find(name: str) -> Topic:
    """The topic NAME (`format`, `format.md`, `Format`, or a unique prefix: `cat`)."""
    wanted = name.strip().lower().removesuffix(".md").removeprefix("docs/")
    every = topics()
    if not every:
        raise UsageError(_("this mooc was installed without its documentation; read it at the project's docs/ folder"))
    exact = [t for t in every if t.name.lower() == wanted]
    if exact:
        return exact[0]
    starts = [t for t in every if t.name.lower().startswith(wanted)] if wanted else []
    if len(starts) == 1:
        return starts[0]
    names = ", ".join(t.name for t in every)
    if starts:
        raise UsageError(
            _("'{name}' could be {topics}: say which").format(name=name, topics=", ".join(t.name for t in starts))
        )
    raise UsageError(_("no topic '{name}'; topics: {topics}").format(name=name, topics=names))


def text(topic: Topic) -> str:
    data = topic.path.read_bytes()[:MAX_DOC_BYTES]
    return data.decode("utf-8", errors="replace")
