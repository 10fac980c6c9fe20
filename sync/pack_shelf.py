"""The pack versions a provider re-grades against (`mooc certificate issue --packs`).

`--packs` names `.mooc` files, pack source folders, or folders holding either (a
catalog folder: its `.mooc` files). Each is read with the install's bounded, safe
reader (packages/source.py) and parsed like `mooc pack check` does; a pack that does
not load is one note naming it, never a stop. The provider's installed courses count
too (the version each store holds). Looked up by (course id, version).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from packages.model import Course


@dataclass
class PackShelf:
    courses: dict[tuple[str, str], Course] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def gather(cls, layout: Layout, paths: list[Path]) -> PackShelf:
        shelf = cls()
        for path in paths:
            if not path.exists():
                raise MoocError(_("--packs {path}: no such file or folder").format(path=path))
            if path.is_dir() and not (path / "course.toml").is_file():
                found = sorted(path.glob("*.mooc")) + sorted(
                    p for p in path.iterdir() if p.is_dir() and (p / "course.toml").is_file()
                )
                if not found:
                    raise MoocError(_("--packs {path}: holds no .mooc file and no pack folder").format(path=path))
                for one in found:
                    shelf._add(one)
            else:
                shelf._add(path)
        shelf._add_installed(layout)
        return shelf

    def _add(self, path: Path) -> None:
        from packages.loading import load_course
        from packages.source import open_source

        try:
            course = load_course(open_source(path))
        except (MoocError, OSError) as err:
            self.notes.append(_("{path}: skipped: {err}").format(path=path, err=str(err).splitlines()[0][:200]))
            return
        self.courses.setdefault((course.id, course.version), course)

    def _add_installed(self, layout: Layout) -> None:
        from packages.store import Store

        store = Store(layout)
        try:
            installed = store.list()
        except MoocError:
            return
        for c in installed:
            if (c.id, c.version) in self.courses:
                continue
            try:
                course, _source = store.load(c.id)
            except MoocError:
                continue
            self.courses.setdefault((course.id, course.version), course)

    def get(self, course_id: str, version: str) -> Course | None:
        return self.courses.get((course_id, version))
