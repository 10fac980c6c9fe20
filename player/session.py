"""One learner studying one course: the engine behind the TUI and plain mode.

Everything the learner did is a list of events (player/events.py); a
`CourseSession` folds them (player/session_fold.py) into statuses, scores and unlock
dates, and records new acts as new events through a sink (a plain list in tests, an
`EventLog` on disk). Both UIs drive the same methods, so progress is recorded the same
way whichever one a learner uses. The session is built from its parts: the unlock
rules and moves (player/navigation.py), scores and certificate eligibility
(player/scores.py) and quiz attempts (player/attempts.py); this module holds the rest:
enrolment, the outline, lessons and active time, self-assessment and search.
Rules and decisions are in docs/grading.md.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any, Literal, Protocol

from packages.errors import MoocError
from packages.i18n import _
from packages.model import Course, Item, Module
from packages.search_index import LIMIT, Hit, SearchIndex
from player.attempts import QuizAttempts
from player.events import Event
from player.navigation import Navigation
from player.session_fold import CourseProgress, as_float, fold_event

Status = Literal["new", "started", "done", "passed", "failed", "locked"]
STATUSES: tuple[str, ...] = ("new", "started", "done", "passed", "failed", "locked")


class EventSink(Protocol):
    """What the session needs from an event log (player.progress.EventLog has it)."""

    def append(self, *events: Event) -> Any: ...

    def events(self) -> list[Event]: ...


class _ListSink:
    """An in-memory log: the caller's list receives every new event."""

    def __init__(self, events: list[Event]) -> None:
        self._list = events

    def append(self, *events: Event) -> None:
        self._list.extend(events)

    def events(self) -> list[Event]:
        return list(self._list)


class LearnerLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class ItemView:
    """What the outline shows for one item: its status and, for a quiz, scores and attempts."""

    item: Item
    status: Status
    reason: str | None = None  # why it is locked
    best_score: float | None = None  # quizzes: best attempt score, None if none
    attempts_used: int = 0
    attempts_left: int | None = None  # None: unlimited (or not a quiz)

    @property
    def id(self) -> str:
        return self.item.id


@dataclass(frozen=True)
class ModuleView:
    """What the outline shows for one module: whether and why it is locked, and its items."""

    module: Module
    locked: bool
    lock_reason: str | None
    items: list[ItemView]


# --------------------------------------------------------------------------- active time


class ActivityClock:
    """Counts active time: the gaps between user inputs, except gaps longer than the cut-off.

    A learner who walks away for lunch leaves a gap longer than `idle_cutoff`; that
    whole gap counts as idle (nothing), so reported study time is never inflated.
    Call `touch()` on every input and `take()` when leaving an item.
    """

    def __init__(self, idle_cutoff: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_cutoff = idle_cutoff
        self._clock = clock
        self._last = clock()
        self._active = 0.0

    def touch(self) -> None:
        now = self._clock()
        gap = now - self._last
        if 0 < gap <= self.idle_cutoff:
            self._active += gap
        self._last = now

    def take(self) -> float:
        """Active seconds since the last take (the open gap counts if within the cut-off)."""
        self.touch()
        active, self._active = self._active, 0.0
        return active


# --------------------------------------------------------------------------- session


class CourseSession(QuizAttempts, Navigation):
    """A learner's study of one course. Create it per course opened; it is cheap."""

    def __init__(
        self,
        course: Course,
        source: Any,
        events: list[Event] | EventSink,
        learner: LearnerLike | None = None,
        now: Callable[[], datetime] | None = None,
        *,
        enroll: bool = True,
        tz: tzinfo | None = None,
        reader: Callable[[Item], str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.course = course
        self.source = source
        self.learner = learner
        self._sink: EventSink = _ListSink(events) if isinstance(events, list) else events
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._tz = tz
        self._reader = reader
        self._clock = clock
        self._texts: dict[str, str] = {}
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        self._p = CourseProgress()
        self._folded: set[str] = set()  # ids of the events folded so far
        self._pending: list[Event] | None = None  # events of a one_write block, not written yet
        for event in self._sink.events():
            self._fold(event)
        self._log_position = getattr(self._sink, "read_position", None)
        if enroll:
            self.ensure_enrolled()

    # ------------------------------------------------------------------ events

    def catch_up(self) -> bool:
        """Fold the events other processes added to the log since we last looked (the
        same learner in `mooc play --plain` in another terminal, `mooc sync --pull`):
        True if there were any. Reads only the bytes added since the last look."""
        read_from = getattr(self._sink, "read_from", None)
        if read_from is None:  # an in-memory sink: nobody else writes to it
            return False
        events, self._log_position = read_from(self._log_position)
        new = [e for e in events if e.id not in self._folded]
        for event in new:
            self._fold(event)
        return bool(new)

    def _fold(self, e: Event) -> None:
        self._folded.add(e.id)
        fold_event(self.course, self._p, e)

    def _record(self, type: str, item_id: str | None = None, **data: Any) -> Event:
        event = self._event(type, item_id, **data)
        self._record_all(event)
        return event

    def _record_all(self, *events: Event) -> None:
        """Record events with one durable write (one fsync: `n` in the TUI waits for each);
        inside `one_write` they join the block's write."""
        if not events:
            return
        if self._pending is not None:
            self._pending.extend(events)
        else:
            self._sink.append(*events)
        for event in events:
            self._fold(event)

    @contextmanager
    def one_write(self) -> Iterator[None]:
        """What is recorded in the block is written with one durable append when it ends
        (the TUI's `n`: the time on the lesson left, its completion and the next item's
        opening, one fsync instead of three). The block sees its events at once; they are
        written even if it raises. If that write fails, none is kept: the session is
        folded again from the log, and the error raised. Nothing may be shown to the
        learner as saved before the block ends."""
        if self._pending is not None:  # inside another block: joins its write
            yield
            return
        self._pending = []
        try:
            yield
        finally:
            pending, self._pending = self._pending, None
            if pending:
                try:
                    self._sink.append(*pending)
                except MoocError:
                    self._refold()
                    raise

    def _refold(self) -> None:
        """Back to what the log holds (a write failed after its events were folded)."""
        progress, folded = CourseProgress(), set()
        for event in self._sink.events():
            folded.add(event.id)
            fold_event(self.course, progress, event)
        self._p, self._folded = progress, folded
        self._log_position = getattr(self._sink, "read_position", None)

    def _event(self, type: str, item_id: str | None = None, **data: Any) -> Event:
        return Event(
            type=type,
            course_id=self.course.id,
            course_version=self.course.version,
            item_id=item_id,
            data=data,
            time=_iso(self._now()),
        )

    def ensure_enrolled(self) -> None:
        """The first open records `enrolled`: its date is what unlock_after_days counts from."""
        if self._p.enrolled_at is None:
            self._record("enrolled", registration=str(uuid.uuid4()))

    @property
    def enrolled_at(self) -> datetime | None:
        return self._p.enrolled_at

    @property
    def registration(self) -> str | None:
        return self._p.registration

    @property
    def last_studied(self) -> datetime | None:
        return self._p.last_time

    # ------------------------------------------------------------------ outline

    def item_view(self, item: Item, lock: str | None = None) -> ItemView:
        p = self._p
        if item.kind == "quiz":
            attempts = p.attempts.get(item.id, [])
            best = max((a["score"] for a in attempts), default=None)
            left = self.attempts_left(item.id)
            if lock:
                status: Status = "locked"
            elif attempts:
                status = "passed" if self.quiz_passed(item.id) else "failed"
            elif item.id in p.started:
                status = "started"
            else:
                status = "new"
            return ItemView(item, status, lock, best, len(attempts), left)
        if lock:
            status = "locked"
        elif item.id in p.completed:
            status = "done"
        elif item.id in p.started:
            status = "started"
        else:
            status = "new"
        return ItemView(item, status, lock)

    def outline(self) -> list[ModuleView]:
        return [self.module_view(module) for module in self.course.modules]

    def module_view(self, module: Module, *, items: bool = True) -> ModuleView:
        """One module of the outline; `items=False` leaves its items' views empty (a big
        outline shows most modules collapsed, and 2,500 item views cost ~5 ms)."""
        lock = self.module_lock(module)
        views = [self.item_view(i, lock) for i in module.items] if items else []
        return ModuleView(module, lock is not None, lock, views)

    def status(self, item_id: str) -> ItemView:
        item = self.course.item(self._known(item_id))
        return self.item_view(item, self.item_lock(item_id))

    # ------------------------------------------------------------------ lessons

    def lesson_text(self, item_id: str) -> str:
        """The lesson's Markdown (raw: callers clean it before showing it)."""
        item = self.course.item(self._known(item_id))
        if item.kind != "lesson":
            raise MoocError(_("'{title}' is a quiz, not a lesson").format(title=item.title))
        if item_id not in self._texts:
            self._texts[item_id] = self._read_lesson(item)
        return self._texts[item_id]

    def _read_lesson(self, item: Item) -> str:
        """A lesson's text, kept or read (the search index reads every lesson: kept only there)."""
        text = self._texts.get(item.id)
        if text is not None:
            return text
        if self._reader is not None:
            return self._reader(item)
        return self.source.read_text(item.file)  # what packages.loading.read_lesson does, without the pack parser

    def open_item(self, item_id: str) -> ItemView:
        """The learner opens an item: the resume point moves there; lessons count as opened."""
        item = self._require_open(self._known(item_id))
        self.ensure_enrolled()
        moved = self._p.position != item_id
        events = [self._event("position", item_id)] if moved else []
        if item.kind == "lesson":
            events.append(self._event("lesson_opened", item_id))
        self._record_all(*events)
        if moved:
            self._p.position = item_id  # what the learner just did wins, whatever this PC's clock says
        return self.status(item_id)

    def add_active_time(self, item_id: str, seconds: float) -> None:
        """Record ACTIVE time on an item (see ActivityClock); nothing for <= 0 or nonsense."""
        self._known(item_id)
        value = as_float(seconds)
        if value is None or value <= 0:
            return
        self._record("time_spent", item_id, seconds=round(value, 3))

    def time_spent(self, item_id: str) -> float:
        return self._p.time_spent.get(item_id, 0.0)

    def total_time(self) -> float:
        """Active seconds over every item of the course."""
        return sum(self._p.time_spent.values())

    def lesson_done(self, item_id: str) -> bool:
        """Whether the lesson was completed (whatever locks the module now)."""
        return item_id in self._p.completed

    def complete_lesson(self, item_id: str) -> bool:
        """Mark a lesson done (once; True if this call recorded it)."""
        item = self._require_open(self._known(item_id))
        if item.kind != "lesson":
            raise MoocError(_("'{title}' is a quiz: it is done when you pass it").format(title=item.title))
        if item_id in self._p.completed:
            return False
        self._record("lesson_completed", item_id, duration_s=round(self.time_spent(item_id), 3))
        self._check_course_milestones()
        return True

    # ------------------------------------------------------------------ cMOOC

    def self_assess(self, module_id: str, rating: int) -> None:
        """cMOOC packs: the learner rates their own progress on a module, 1..5."""
        if self.course.kind != "cmooc":
            raise MoocError(
                _("{course}: self-assessment is for cMOOC courses; this one is graded by quizzes").format(
                    course=self.course.id
                )
            )
        if not any(m.id == module_id for m in self.course.modules):
            raise MoocError(_("{course}: no module '{module_id}'").format(course=self.course.id, module_id=module_id))
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise MoocError(_("a self-assessment is a number from 1 to 5, not {rating}").format(rating=repr(rating)))
        self.ensure_enrolled()
        self._record("self_assessment", module_id=module_id, rating=rating)

    def self_assessment(self, module_id: str) -> int | None:
        return self._p.ratings.get(module_id)

    # ------------------------------------------------------------------ search

    def search(self, text: str, *, limit: int = LIMIT) -> list[Hit]:
        """(item id, line number from 1, snippet) for lesson lines holding `text`, any case,
        in course order (packages/search_index.py).

        Locked lessons are not searched: a hit the learner cannot open only frustrates.
        """
        return self.search_index().find(text, self.searchable_modules(), limit=limit)

    def searchable_modules(self) -> frozenset[int]:
        """The positions in `course.modules` of the modules search looks in: the unlocked ones."""
        return frozenset(n for n, module in enumerate(self.course.modules) if not self.module_lock(module))

    def search_index(self) -> SearchIndex:
        """The course's lesson search index: read from beside the installed tree, or built
        from the lessons at first use (packages/search_cache.py). Safe from any thread:
        the TUI gets it in a worker while the learner types."""
        with self._index_lock:
            if self._index is None:
                from packages.search_cache import index_for

                self._index = index_for(self.course, self.source, self._read_lesson)
            return self._index

    def search_index_ready(self) -> bool:
        return self._index is not None


# --------------------------------------------------------------------------- helpers


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
