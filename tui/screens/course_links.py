"""The course screen's links and media (`o`): the open lesson's links, listed in a dialog
(tui/screens/media.py). A link to another lesson or quiz of the course opens it on the
course screen; anything else is checked (player/media.py) and, when there is a screen
to show it on, opened in a viewer off the UI thread, the learner told what happened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from packages.errors import MoocError
from packages.i18n import _
from tui.messages import Say
from tui.screens.left_out import LeftOutMedia
from tui.widgets.lesson_view import LessonView


def has_display() -> bool:
    """Whether a viewer could show anything: a desktop session (or MOOC_OPENER set).
    Over SSH, on a console or in a container there is none, and saying "Opened" lies."""
    import os
    import sys

    if os.environ.get("MOOC_OPENER") or sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class LessonLinks(LeftOutMedia):
    """Mixed into `CourseScreen`, whose `session`, `current` (the open item's id), `open`,
    `home_layout` and lesson view (a `LessonView`) these use; a file the installed flavour
    left out is `LeftOutMedia`'s (tui/screens/left_out.py)."""

    session: Any  # player.session.CourseSession
    current: str | None

    if TYPE_CHECKING:  # CourseScreen's, which this is mixed into

        def open(self, item_id: str, *, focus_content: bool = True) -> None: ...

    def action_open_media(self) -> None:
        from tui.lesson_links import find_links
        from tui.screens.media import MediaScreen

        if self.current is None or self.session.course.item(self.current).kind != "lesson":
            self.post_message(Say(_("Open a lesson first: links and media belong to lessons.")))
            return
        links = find_links(self.query_one(LessonView).text)
        if not links:
            self.post_message(Say(_("This lesson has no links or media.")))
            return
        kinds = [self._linked_item(link) for link in links]
        labels = [self.session.course.item(k).kind if k else self._left_out(link) for k, link in zip(kinds, links)]
        self.app.push_screen(MediaScreen(links, labels), self._open_link)

    def _linked_item(self, link: Any) -> str | None:
        """The course item a lesson's link points to ("02-next.md"), or None."""
        from player.media import pack_path

        if not link.is_local or self.current is None:
            return None
        try:
            target = pack_path(self.session.course.item(self.current).file, link.target)
        except MoocError:
            return None
        return next((i.id for i in self.session.course.items() if i.file == target), None)

    def _left_out(self, link: Any) -> str | None:
        """The placeholder ("video, 14 MB: in the full pack") for a link to a file this
        flavour left out, else None."""
        from packages.flavours import placeholder
        from player.placeholders import omitted_link

        if not link.is_local or self.current is None:
            return None
        entry = omitted_link(self.session, self.session.course.item(self.current).file, link.target)
        return placeholder(entry.path, entry.size) if entry is not None else None

    def _open_link(self, link: Any) -> None:
        """A link to another lesson or quiz opens it here. Anything else is checked
        (player/media.py: http(s) or a file of the course only) and, when there is a
        screen to show it on, opened off the UI thread; the learner is always told what
        happened, with the path or address to copy (over SSH nothing is started)."""
        from pathlib import Path

        from player import media

        if link is None or self.current is None:
            return
        linked = self._linked_item(link)
        if linked is not None:
            self.open(linked)
            return
        item = self.session.course.item(self.current)
        left_out = self._left_out(link)
        if left_out is not None:  # open the copy fetched earlier, or offer to fetch it (left_out.py)
            from player.placeholders import omitted_link

            entry = omitted_link(self.session, item.file, link.target)
            self.left_out_chosen(link, entry, left_out)
            return
        root = getattr(self.session.source, "root", None)
        try:
            target = media.plan(Path(root) if root is not None else None, item.file, link.target)
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
            return
        self._show_target(target)

    def _show_target(self, target: Any) -> None:
        """Open a checked target in the viewer, or say where it is when there is no screen."""
        if not has_display():
            if target.is_file:
                said = _("Nothing opened: no screen to show it on here (over SSH?). The file is {target}")
            else:
                said = _("Nothing opened: no screen to show it on here (over SSH?). The link is {target}")
            self.post_message(
                Say(
                    said.format(target=target.value),
                    timeout=30,
                )
            )
            return
        self._open_target(target)

    @work(thread=True, exit_on_error=False, group="open-link")
    def _open_target(self, target: Any) -> None:
        from player import media

        try:
            said, error = media.open_target(target), False
        except MoocError as err:
            said, error = str(err), True
        self.post_message(Say(said, error=error))  # post_message is safe from a thread
