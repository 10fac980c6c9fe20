"""`o` on a file the installed flavour left out (issue 22): open the copy fetched
earlier, or offer to fetch just that file from the catalog's pack that holds it (a
ranged GET of one ZIP entry, checked against the installed manifest: see
packages/item_fetch.py), then open it. Mixed into the course screen's links
(tui/screens/course_links.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from packages.errors import MoocError
from packages.i18n import N_, _
from packages.safe_text import one_line
from tui.messages import Say

# packages/flavours.py kind_of's words
FILE_KINDS = {"video": N_("video"), "image": N_("image"), "audio": N_("audio"), "PDF": N_("PDF"), "file": N_("file")}

if TYPE_CHECKING:
    from textual.screen import Screen

    _Host = Screen[Any]
else:
    _Host = object


class LeftOutMedia(_Host):
    """Uses the host's `session`, `home_layout` (the data folder; None: nowhere to fetch to) and `_show_target`."""

    session: Any
    home_layout: Any

    if TYPE_CHECKING:  # LessonLinks'

        def _show_target(self, target: Any) -> None: ...

    def left_out_chosen(self, link: Any, entry: Any, placeholder: str) -> None:
        """The learner chose a link to ENTRY, a file this pack left out."""
        said = _("{target}: {placeholder}; this pack left it out").format(
            target=one_line(link.target)[:200], placeholder=placeholder
        )
        if self.home_layout is None:
            self.post_message(Say(said, timeout=10))
            return
        self._look_for_left_out(entry, said)

    @work(thread=True, exit_on_error=False, group="fetch-left-out")
    def _look_for_left_out(self, entry: Any, said: str) -> None:
        """Off the UI thread (checking a fetched video's SHA-256 takes a moment): open the
        copy fetched earlier, or find where to fetch it from and ask."""
        from packages.item_fetch import find_fetched, pack_holding
        from player.media import Target

        course = self.session.course
        fetched = find_fetched(self.home_layout, course.id, course.version, entry)
        if fetched is not None:  # fetched earlier, still what the manifest says
            self.app.call_from_thread(self._show_target, Target(str(fetched), is_file=True))
            return
        try:
            catalog, pack = pack_holding(self.home_layout, course.id, course.version, entry.path)
        except MoocError as err:
            self.post_message(Say(said, timeout=10))
            self.post_message(Say(_("Cannot fetch it: {error}").format(error=one_line(str(err))), timeout=15))
            return
        self.app.call_from_thread(self._ask_to_fetch, entry, catalog, pack)

    def _ask_to_fetch(self, entry: Any, catalog: str, pack: Any) -> None:
        from packages.flavours import human_size, kind_of
        from tui.screens.dialog import Choice, ChoiceDialog

        kind, size = kind_of(entry.path), human_size(entry.size)
        if pack.url.startswith("file:"):
            where = _("this computer (a local catalog)")
        else:
            where = _("catalog {catalog}").format(catalog=catalog)
        dialog = ChoiceDialog(
            _("Fetch this {kind} ({size})?").format(kind=_(FILE_KINDS.get(kind, kind)), size=size),
            _(
                "{path} is in the {flavour} pack, not in the one installed here.\n\n"
                "Fetch just this file from {where}? Only its {size} travel, checked against the "
                "course's manifest; it is kept for this course and opens like the others."
            ).format(path=entry.path, flavour=pack.flavour, where=where, size=size),
            [Choice("no", _("Not now")), Choice("fetch", _("Fetch it"), "primary")],
            safe="no",
            focus="fetch",
        )

        def answered(choice: str | None) -> None:
            if choice == "fetch":
                self.post_message(
                    Say(_("Fetching {path} ({size})…").format(path=one_line(entry.path), size=size), timeout=10)
                )
                self._fetch_left_out(entry)

        self.app.push_screen(dialog, answered)

    @work(thread=True, exit_on_error=False, group="fetch-left-out")
    def _fetch_left_out(self, entry: Any) -> None:
        from pathlib import Path

        from packages.flavours import human_size
        from packages.item_fetch import fetch_item
        from player.media import Target

        course = self.session.course
        root = getattr(self.session.source, "root", None)
        try:
            if root is None:
                raise MoocError(_("this course is played from an archive, not installed"))
            got = fetch_item(self.home_layout, course.id, course.version, Path(root), entry.path)
        except MoocError as err:
            self.post_message(
                Say(
                    _("Could not fetch {path}: {error}").format(path=one_line(entry.path), error=one_line(str(err))),
                    error=True,
                    timeout=20,
                )
            )
            return
        if got.bytes_fetched:
            said = _("Fetched {path} ({size}, {travelled} over the network).").format(
                path=one_line(entry.path), size=human_size(got.size), travelled=human_size(got.bytes_fetched)
            )
        else:
            said = _("Fetched {path} ({size}).").format(path=one_line(entry.path), size=human_size(got.size))
        self.post_message(Say(said, timeout=10))
        self.app.call_from_thread(self._show_target, Target(str(got.path), is_file=True))
