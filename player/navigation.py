"""Where the learner may go in a course: the unlock rules and the moves through it.

A module opens a number of days after enrolment (at the start of the local day) and
once the quizzes it requires are passed; a locked item cannot be opened or attempted.
Next, previous and resume follow course order. `Navigation` is a part of
`CourseSession` (player/session.py); rules in docs/grading.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.model import Item, Module
from player.scores import Scores, quoted_and_list


class Navigation(Scores):
    """The unlock rules and the moves through the course, over the folded events."""

    _now: Callable[[], datetime]
    _tz: tzinfo | None
    _order: tuple[list[str], dict[str, int]] | None = None  # see _course_order

    # ------------------------------------------------------------------ locking

    def _local_date(self, when: datetime) -> date:
        return when.astimezone(self._tz).date() if self._tz else when.astimezone().date()

    def module_lock(self, module: Module) -> str | None:
        """Why `module` is locked, or None. Unlocks at the start of the local day."""
        reasons: list[str] = []
        if module.unlock_after_days > 0:
            enrolled = self._p.enrolled_at or self._now()
            opens = self._local_date(enrolled) + timedelta(days=module.unlock_after_days)
            if self._local_date(self._now()) < opens:
                n = module.unlock_after_days
                reasons.append(
                    ngettext(
                        "opens on {date} ({n} day after you enrolled)",
                        "opens on {date} ({n} days after you enrolled)",
                        n,
                    ).format(date=opens.isoformat(), n=n)
                )
        missing = [
            self.course.item(qid).title
            for qid in module.requires
            if self.course.has_item(qid) and not self.quiz_passed(qid)
        ]
        if missing:
            reasons.append(_("pass {quizzes} first").format(quizzes=quoted_and_list(missing)))
        return "; ".join(reasons) or None

    def opened_since_last_visit(self) -> list[Module]:
        """Modules that opened by date since the learner last studied here (said once when
        they come back: the next visit records events, so it starts after the date)."""
        last, enrolled = self._p.last_time, self._p.enrolled_at
        if last is None or enrolled is None:
            return []  # a first visit: everything open is new anyway
        opened = []
        for module in self.course.modules:
            if module.unlock_after_days <= 0 or self.module_lock(module):
                continue
            opens = self._local_date(enrolled) + timedelta(days=module.unlock_after_days)
            if self._local_date(last) < opens:
                opened.append(module)
        return opened

    def item_lock(self, item_id: str) -> str | None:
        return self.module_lock(self.course.module_of(self._known(item_id)))

    def _known(self, item_id: str) -> str:
        if not self.course.has_item(item_id):
            raise MoocError(_("{course}: no item '{item}' in this course").format(course=self.course.id, item=item_id))
        return item_id

    def _require_open(self, item_id: str) -> Item:
        reason = self.item_lock(item_id)
        item = self.course.item(item_id)
        if reason:
            raise MoocError(_("'{title}' is locked: {reason}").format(title=item.title, reason=reason))
        return item

    # ------------------------------------------------------------------ navigation

    def last_position(self) -> str | None:
        return self._p.position

    def _neighbour(self, item_id: str, step: int) -> str | None:
        ids, where = self._course_order()
        index = where[self._known(item_id)] + step
        return ids[index] if 0 <= index < len(ids) else None

    def _course_order(self) -> tuple[list[str], dict[str, int]]:
        """Item ids in course order and each one's place, built once (`n` asks for them at
        every move; a big course has 2,500 items)."""
        if self._order is None:
            ids = [i.id for i in self.course.items()]
            self._order = (ids, {item_id: n for n, item_id in enumerate(ids)})
        return self._order

    def next_item(self, item_id: str) -> str | None:
        """The item after `item_id` in course order (locked ones included), or None at the end."""
        return self._neighbour(item_id, 1)

    def previous_item(self, item_id: str) -> str | None:
        return self._neighbour(item_id, -1)

    def resume_item(self) -> str:
        """Where to start: the last position, else the first item."""
        return self._p.position or self.course.items()[0].id
