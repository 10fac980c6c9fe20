"""Plain mode's lessons: the text as plain lines, and the files a lesson links to.

A lesson is said as plain lines (player/markdown_text.py). A link to another item of
the course reads "item N"; a link to a file of the pack reads "file N", and the files
are listed after the lesson with where they are; `m N` opens one with the system
viewer (player/media.py). `PlainLessons` is a part of `PlainPlayer` (player/plain.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.model import Item
from packages.safe_text import one_line
from player.markdown_text import LinkNote, inline_plain, markdown_lines
from player.placeholders import omitted_link, shown_lesson
from player.plain_console import PlainConsole
from player.wording import titled

if TYPE_CHECKING:
    from player.session import CourseSession

MAX_MEDIA = 100  # files listed per lesson


@dataclass(frozen=True)
class LessonFile:
    """A file a lesson links to: where it really is, or why it cannot be opened."""

    text: str  # the link text, or "image: ALT"
    path: Path | None
    problem: str | None = None


class PlainLessons(PlainConsole):
    """A lesson said in plain lines, and its files listed and opened."""

    session: CourseSession
    files: list[LessonFile]  # of the lesson shown last

    def show_lesson(self, item: Item) -> None:
        self.say(titled(_("Lesson"), item.title))
        try:
            text = shown_lesson(self.session, item.id)  # with placeholders for left-out media
        except MoocError as err:
            self.say(one_line(str(err)))
            return
        links: list[tuple[str, str]] = []
        for line in markdown_lines(text, self.link_note(item, links)):
            self.say(line)
        self.files = [self.lesson_file(item, shown, target) for shown, target in links[:MAX_MEDIA]]
        if self.files:
            self.list_files(more=len(links) - len(self.files))
        self.say(
            _("End of lesson: {title}. Enter for the next item; it marks this lesson done.").format(
                title=one_line(item.title)
            )
        )

    # ------------------------------------------------------------------ a lesson's files

    def link_note(self, item: Item, files: list[tuple[str, str]]) -> LinkNote:
        """How a lesson's link to the pack itself reads: "item N" for another item of the
        course (its number in the outline), else "file N", collected into `files`."""
        from player.media import pack_path

        numbers = {i.file: n for n, i in enumerate(self.session.course.items(), start=1)}

        def note(shown: str, target: str) -> str:
            try:
                number = numbers.get(pack_path(item.file, target))
            except MoocError:
                number = None
            if number is not None:
                return _("item {n}").format(n=number)
            files.append((shown, target))
            return _("file {n}").format(n=len(files))

        return note

    def lesson_file(self, item: Item, shown: str, target: str) -> LessonFile:
        from packages.flavours import placeholder
        from player.media import resolve

        left_out = omitted_link(self.session, item.file, target)
        if left_out is not None:
            return LessonFile(
                shown,
                None,
                _("{placeholder} (this pack left it out)").format(
                    placeholder=placeholder(left_out.path, left_out.size)
                ),
            )

        root = getattr(self.session.source, "root", None)
        if root is None:
            return LessonFile(
                shown,
                None,
                _("{file}: {target}: this pack is not unpacked, so its files cannot be opened from here").format(
                    file=item.file, target=target
                ),
            )
        try:
            return LessonFile(shown, resolve(Path(root), item.file, target))
        except MoocError as err:
            return LessonFile(shown, None, str(err))

    def list_files(self, more: int = 0) -> None:
        n = len(self.files)
        self.say(
            ngettext(
                "This lesson links to {n} file; type m and its number to open one:",
                "This lesson links to {n} files; type m and its number to open one:",
                n,
            ).format(n=n)
        )
        for number, f in enumerate(self.files, start=1):
            where = (
                one_line(str(f.path))
                if f.path is not None
                else _("cannot be opened: {problem}").format(problem=one_line(f.problem or ""))
            )
            self.say(
                _("  File {n}, {text}: {where}").format(n=number, text=inline_plain(one_line(f.text)), where=where)
            )
        if more > 0:
            self.say(
                ngettext(
                    "  and {n} more link to files, not listed.", "  and {n} more links to files, not listed.", more
                ).format(n=more)
            )

    def media(self, number: str | None) -> None:
        """`m`: list the lesson's files again; `m N`: open file N with the system viewer."""
        from player.media import Target, open_target

        if not self.files:
            self.say(_("The lesson shown last links to no file of the course."))
            return
        if number is None:
            self.list_files()
            return
        if not number.isdigit() or not 1 <= int(number) <= len(self.files):
            n = len(self.files)
            self.say(_("Type m and a number from 1 to {n}.").format(n=n) if n > 1 else _("Type m 1."))
            return
        f = self.files[int(number) - 1]
        if f.path is None:
            self.say(_("File {n} cannot be opened: {problem}").format(n=number, problem=one_line(f.problem or "")))
            return
        try:
            said = open_target(Target(str(f.path), is_file=True))
        except MoocError as err:
            self.say(_("Cannot open file {n} here: {error}").format(n=number, error=one_line(str(err))))
            return
        self.say(_("File {n}: {said} It is {path}").format(n=number, said=said, path=one_line(str(f.path))))
