"""One learner studying one course: the engine behind the TUI and plain mode.

Everything the learner did is a list of events (player/events.py); a
`CourseSession` folds them into statuses, scores and unlock dates, and records new
acts as new events through a sink (a plain list in tests, an `EventLog` on disk).
Both UIs drive the same methods, so progress is recorded the same way whichever
one a learner uses. Folding is by item id and ignores events for items the course
no longer has, so upgrading a pack keeps the progress of every surviving item.
Rules and decisions are in docs/grading.md.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Literal, Protocol

from packages.errors import MoocError
from packages.model import SCORE_EPSILON, Course, Item, Module, Quiz
from player.events import Event, parse_time

if TYPE_CHECKING:  # grading and the question types load with the first quiz, not at start
    from player.grading import AttemptGrade, QuestionGrade

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
    id: str
    name: str


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


@dataclass(frozen=True)
class QuizSummary:
    """The front page of a quiz: threshold, attempts used and left, best score."""

    item: Item
    threshold: float
    attempts_used: int
    attempts_left: int | None
    best_score: float | None
    last_score: float | None
    passed: bool
    may_show_solution: bool
    history: list[dict[str, Any]]  # the attempt events' data, oldest first


@dataclass(frozen=True)
class CertificateStatus:
    """Whether the learner may ask for a certificate, and what is missing if not."""

    eligible: bool
    reasons: list[str]  # why not (empty when eligible)


@dataclass(frozen=True)
class AttemptResult:
    """A submitted attempt as the learner sees it, and the event that recorded it."""

    item: Item
    number: int
    grade: AttemptGrade
    threshold: float
    passed: bool
    duration_s: float
    best_score: float
    attempts_left: int | None
    show_solutions: bool
    event: Event
    course_completed_now: bool = False
    course_passed_now: bool = False

    @property
    def score(self) -> float:
        return self.grade.score

    @property
    def earned(self) -> float:
        return self.grade.earned

    @property
    def total(self) -> float:
        return self.grade.total

    @property
    def questions(self) -> list[QuestionGrade]:
        return self.grade.questions


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


# --------------------------------------------------------------------------- attempt


@dataclass
class Attempt:
    """One quiz attempt in progress: its presentation order, answers and hints."""

    session: "CourseSession"
    item: Item
    number: int
    id: str
    started: float  # monotonic clock
    order: dict[str, list[int]] = field(default_factory=dict)  # question id -> pack indexes as shown
    responses: dict[str, Any] = field(default_factory=dict)
    hints_shown: dict[str, int] = field(default_factory=dict)
    submitted: bool = False

    @property
    def quiz(self) -> Quiz:
        assert self.item.quiz is not None
        return self.item.quiz

    def presented(self, question_id: str) -> list[int]:
        """The display order of the question's options as indexes into pack order.

        single/multiple: choices; order: items; match: right-hand options (pairs'
        right sides then distractors); other types: [].
        """
        self.quiz.question(question_id)  # KeyError for an unknown id
        return list(self.order.get(question_id, []))

    def answer(self, question_id: str, response: Any) -> None:
        """Record (or replace) the response to a question, in the events.py JSON shape."""
        if self.submitted:
            raise MoocError(f"{self.item.id}: this attempt was already submitted")
        try:
            self.quiz.question(question_id)
        except KeyError:
            raise MoocError(f"{self.item.id}: no question '{question_id}'") from None
        self.responses[question_id] = response

    def show_hint(self, question_id: str) -> str | None:
        return self.session.show_hint(self, question_id)

    def hints(self, question_id: str) -> list[str]:
        """The hints revealed so far for this question."""
        q = self.quiz.question(question_id)
        return list(q.hints[: self.hints_shown.get(question_id, 0)])

    def submit(self) -> AttemptResult:
        return self.session.submit(self)


def _presentation(quiz: Quiz, attempt_id: str) -> dict[str, list[int]]:
    """Per-attempt display order, reproducible from the attempt id."""
    from packages.questions import Match, MultipleChoice, Order, SingleChoice
    from player.grading import match_options

    rng = random.Random(attempt_id)
    order: dict[str, list[int]] = {}
    for q in quiz.questions:
        if isinstance(q, (SingleChoice, MultipleChoice)):
            idx = list(range(len(q.choices)))
            if quiz.shuffle_choices:
                rng.shuffle(idx)
            order[q.id] = idx
        elif isinstance(q, Order):
            order[q.id] = _derangement_free_shuffle(rng, len(q.items))
        elif isinstance(q, Match):
            idx = list(range(len(match_options(q))))
            rng.shuffle(idx)
            order[q.id] = idx
    return order


def _derangement_free_shuffle(rng: random.Random, n: int) -> list[int]:
    """A shuffle that is never the right order (for n >= 2): showing it solved gives it away."""
    idx = list(range(n))
    if n < 2:
        return idx
    while idx == sorted(idx):
        rng.shuffle(idx)
    return idx


# --------------------------------------------------------------------------- the fold


@dataclass
class _Progress:
    """What the events say, per item id that the course still has."""

    enrolled_at: datetime | None = None
    registration: str | None = None
    started: set[str] = field(default_factory=set)
    completed: set[str] = field(default_factory=set)
    time_spent: dict[str, float] = field(default_factory=dict)
    attempts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attempt_events: dict[str, list[Event]] = field(default_factory=dict)
    position: str | None = None
    position_time: str = ""  # the time of the position event that set `position`
    last_time: datetime | None = None
    ratings: dict[str, int] = field(default_factory=dict)
    course_completed: bool = False
    course_passed: bool = False


def _safe_time(text: str) -> datetime | None:
    try:
        t = parse_time(text)
    except (ValueError, TypeError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


# --------------------------------------------------------------------------- session


class CourseSession:
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
        self._p = _Progress()
        self._folded: set[str] = set()  # ids of the events folded so far
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
        p = self._p
        if e.course_id != self.course.id:
            return
        when = _safe_time(e.time)
        if when is not None and (p.last_time is None or when > p.last_time) and e.type != "enrolled":
            p.last_time = when
        if e.type == "enrolled":
            if p.enrolled_at is None or (when is not None and when < p.enrolled_at):
                p.enrolled_at = when
                reg = e.data.get("registration")
                p.registration = str(reg) if reg else p.registration
            return
        if e.type in ("course_completed", "course_passed"):
            if e.type == "course_completed":
                p.course_completed = True
            else:
                p.course_passed = True
            return
        if e.type == "self_assessment":
            module_id, rating = e.data.get("module_id"), e.data.get("rating")
            if isinstance(module_id, str) and isinstance(rating, int) and 1 <= rating <= 5:
                p.ratings[module_id] = rating
            return
        item_id = e.item_id
        if item_id is None or not self.course.has_item(item_id):
            return  # an item a newer pack version dropped, or a malformed event
        item = self.course.item(item_id)
        if e.type == "position":
            # the latest in time, not in the file: a history merged from another PC
            # (learner import, sync --pull) is appended after this PC's own events
            if e.time >= p.position_time:
                p.position, p.position_time = item_id, e.time
            p.started.add(item_id)
        elif e.type == "lesson_opened":
            p.started.add(item_id)
        elif e.type == "lesson_completed":
            if item.kind == "lesson":
                p.completed.add(item_id)
                p.started.add(item_id)
        elif e.type == "time_spent":
            seconds = _as_float(e.data.get("seconds"))
            if seconds is not None and seconds > 0:
                p.time_spent[item_id] = p.time_spent.get(item_id, 0.0) + seconds
                p.started.add(item_id)
        elif e.type == "attempt" and item.kind == "quiz":
            score = _as_float(e.data.get("score"))
            if score is None:
                return
            data = dict(e.data, score=min(1.0, max(0.0, score)), time=e.time)
            p.attempts.setdefault(item_id, []).append(data)
            p.attempt_events.setdefault(item_id, []).append(e)
            p.started.add(item_id)

    def _record(self, type: str, item_id: str | None = None, **data: Any) -> Event:
        event = Event(
            type=type,
            course_id=self.course.id,
            course_version=self.course.version,
            item_id=item_id,
            data=data,
            time=_iso(self._now()),
        )
        self._sink.append(event)
        self._fold(event)
        return event

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
                reasons.append(f"opens on {opens.isoformat()} ({n} day{'s' if n != 1 else ''} after you enrolled)")
        missing = [
            self.course.item(qid).title
            for qid in module.requires
            if self.course.has_item(qid) and not self.quiz_passed(qid)
        ]
        if missing:
            reasons.append(f"pass {_and_list(missing)} first")
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
            raise MoocError(f"{self.course.id}: no item '{item_id}' in this course")
        return item_id

    def _require_open(self, item_id: str) -> Item:
        reason = self.item_lock(item_id)
        item = self.course.item(item_id)
        if reason:
            raise MoocError(f"'{item.title}' is locked: {reason}")
        return item

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
            raise MoocError(f"'{item.title}' is a quiz, not a lesson")
        if item_id not in self._texts:
            if self._reader is not None:
                self._texts[item_id] = self._reader(item)
            else:  # what packages.loading.read_lesson does, without importing the pack parser
                self._texts[item_id] = self.source.read_text(item.file)
        return self._texts[item_id]

    def open_item(self, item_id: str) -> ItemView:
        """The learner opens an item: the resume point moves there; lessons count as opened."""
        item = self._require_open(self._known(item_id))
        self.ensure_enrolled()
        if self._p.position != item_id:
            self._record("position", item_id)
            self._p.position = item_id  # what the learner just did wins, whatever this PC's clock says
        if item.kind == "lesson":
            self._record("lesson_opened", item_id)
        return self.status(item_id)

    def add_active_time(self, item_id: str, seconds: float) -> None:
        """Record ACTIVE time on an item (see ActivityClock); nothing for <= 0 or nonsense."""
        self._known(item_id)
        value = _as_float(seconds)
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
            raise MoocError(f"'{item.title}' is a quiz: it is done when you pass it")
        if item_id in self._p.completed:
            return False
        self._record("lesson_completed", item_id, duration_s=round(self.time_spent(item_id), 3))
        self._check_course_milestones()
        return True

    # ------------------------------------------------------------------ navigation

    def last_position(self) -> str | None:
        return self._p.position

    def _neighbour(self, item_id: str, step: int) -> str | None:
        ids = [i.id for i in self.course.items()]
        index = ids.index(self._known(item_id)) + step
        return ids[index] if 0 <= index < len(ids) else None

    def next_item(self, item_id: str) -> str | None:
        """The item after `item_id` in course order (locked ones included), or None at the end."""
        return self._neighbour(item_id, 1)

    def previous_item(self, item_id: str) -> str | None:
        return self._neighbour(item_id, -1)

    def resume_item(self) -> str:
        """Where to start: the last position, else the first item."""
        return self._p.position or self.course.items()[0].id

    # ------------------------------------------------------------------ quizzes

    def _quiz_item(self, item_id: str) -> Item:
        item = self.course.item(self._known(item_id))
        if item.kind != "quiz" or item.quiz is None:
            raise MoocError(f"'{item.title}' is a lesson, not a quiz")
        return item

    def attempts(self, item_id: str) -> list[dict[str, Any]]:
        return list(self._p.attempts.get(item_id, []))

    def best_score(self, item_id: str) -> float | None:
        return max((a["score"] for a in self._p.attempts.get(item_id, [])), default=None)

    def threshold(self, item_id: str) -> float:
        return self.course.quiz_pass_threshold(self._quiz_item(item_id))

    def quiz_passed(self, item_id: str) -> bool:
        best = self.best_score(item_id)
        return best is not None and best >= self.threshold(item_id) - SCORE_EPSILON

    def attempts_left(self, item_id: str) -> int | None:
        quiz = self._quiz_item(item_id).quiz
        assert quiz is not None
        if quiz.max_attempts <= 0:
            return None
        return max(0, quiz.max_attempts - len(self._p.attempts.get(item_id, [])))

    def start_attempt(self, item_id: str) -> Attempt:
        item = self._require_open(self._quiz_item(item_id).id)
        left = self.attempts_left(item_id)
        if left == 0:
            raise MoocError(f"'{item.title}': no attempts left (the quiz allows {item.quiz.max_attempts})")  # type: ignore[union-attr]
        self.ensure_enrolled()
        if self._p.position != item_id:
            self._record("position", item_id)
            self._p.position = item_id  # what the learner just did wins, whatever this PC's clock says
        attempt_id = str(uuid.uuid4())
        assert item.quiz is not None
        return Attempt(
            session=self,
            item=item,
            number=len(self._p.attempts.get(item_id, [])) + 1,
            id=attempt_id,
            started=self._clock(),
            order=_presentation(item.quiz, attempt_id),
        )

    def show_hint(self, attempt: Attempt, question_id: str) -> str | None:
        """Reveal the next hint of a question (one per call); None when there is no more."""
        question = attempt.quiz.question(question_id)
        shown = attempt.hints_shown.get(question_id, 0)
        if shown >= len(question.hints):
            return None
        attempt.hints_shown[question_id] = shown + 1
        self._record("hint_shown", attempt.item.id, question_id=question_id)
        return question.hints[shown]

    def submit(self, attempt: Attempt) -> AttemptResult:
        """Grade the attempt and record ONE `attempt` event (plus course milestones)."""
        if attempt.submitted:
            raise MoocError(f"{attempt.item.id}: this attempt was already submitted")
        item = attempt.item
        if self.attempts_left(item.id) == 0:
            raise MoocError(f"'{item.title}': no attempts left")
        assert item.quiz is not None
        from player.grading import grade_attempt

        grade = grade_attempt(item.quiz, attempt.responses)
        threshold = self.course.quiz_pass_threshold(item)
        passed = grade.passed(threshold)
        duration = max(0.0, self._clock() - attempt.started)
        number = len(self._p.attempts.get(item.id, [])) + 1
        data = {
            "attempt": number,
            "score": round(grade.score, 6),
            "earned": round(grade.earned, 6),
            "total": round(grade.total, 6),
            "passed": passed,
            "duration_s": round(duration, 3),
            "threshold": threshold,
            "questions": [
                {
                    "id": g.question.id,
                    "type": g.question.type,
                    "statement_id": str(uuid.uuid4()),
                    "response": g.response,
                    "score": round(g.grade.score, 6),
                    "earned": round(g.earned, 6),
                    "points": g.question.points,
                    "correct": g.grade.correct,
                }
                for g in grade.questions
            ],
        }
        event = self._record("attempt", item.id, **data)
        attempt.submitted = True
        completed_now, passed_now = self._check_course_milestones()
        return AttemptResult(
            item=item,
            number=number,
            grade=grade,
            threshold=threshold,
            passed=passed,
            duration_s=duration,
            best_score=self.best_score(item.id) or 0.0,
            attempts_left=self.attempts_left(item.id),
            show_solutions=self.may_show_solution(item.id),
            event=event,
            course_completed_now=completed_now,
            course_passed_now=passed_now,
        )

    def may_show_solution(self, item_id: str) -> bool:
        """Solutions and explanations per the quiz's show_solutions."""
        quiz = self._quiz_item(item_id).quiz
        assert quiz is not None
        used = len(self._p.attempts.get(item_id, []))
        if quiz.show_solutions == "always":
            return True
        if quiz.show_solutions == "attempted":
            return used > 0
        if quiz.show_solutions == "finished":
            return self.quiz_passed(item_id) or self.attempts_left(item_id) == 0
        return False

    def quiz_summary(self, item_id: str) -> QuizSummary:
        item = self._quiz_item(item_id)
        attempts = self.attempts(item_id)
        return QuizSummary(
            item=item,
            threshold=self.threshold(item_id),
            attempts_used=len(attempts),
            attempts_left=self.attempts_left(item_id),
            best_score=self.best_score(item_id),
            last_score=attempts[-1]["score"] if attempts else None,
            passed=self.quiz_passed(item_id),
            may_show_solution=self.may_show_solution(item_id),
            history=attempts,
        )

    # ------------------------------------------------------------------ the course

    def course_score(self) -> float:
        """Weighted average of BEST scores over graded quizzes; unattempted count 0."""
        graded = self.course.graded_quizzes()
        total_weight = sum(i.weight for i in graded)
        if total_weight <= 0:
            return 0.0
        return sum(i.weight * (self.best_score(i.id) or 0.0) for i in graded) / total_weight

    def unattempted(self) -> list[Item]:
        return [i for i in self.course.graded_quizzes() if not self._p.attempts.get(i.id)]

    def passed(self) -> bool:
        """Every graded quiz attempted and the course score reaches the threshold."""
        if not self.course.graded_quizzes() or self.unattempted():
            return False
        return self.course_score() >= self.course.pass_threshold - SCORE_EPSILON

    def completed(self) -> bool:
        """Every lesson done and every graded quiz attempted."""
        for item in self.course.items():
            if item.kind == "lesson" and item.id not in self._p.completed:
                return False
        return not self.unattempted()

    def progress_counts(self) -> tuple[int, int]:
        """(items done, items total): lessons completed, quizzes passed."""
        items = self.course.items()
        return len(items) - len(self.items_not_done()), len(items)

    def items_not_done(self) -> list[Item]:
        """The items `progress_counts` does not count as done: lessons not completed,
        quizzes not passed (so "7/9 items" can say which two)."""
        return [item for item in self.course.items()
                if (item.id not in self._p.completed if item.kind == "lesson" else not self.quiz_passed(item.id))]

    def certificate_status(self) -> CertificateStatus:
        reasons: list[str] = []
        if self.course.kind != "xmooc":
            reasons.append("this is a cMOOC course: it offers no certificate")
        elif not self.course.certificate_available:
            reasons.append("this course offers no certificate")
        if not self.course.graded_quizzes():
            reasons.append("this course has no graded quiz")
        missing = self.unattempted()
        if missing:
            reasons.append(f"not attempted yet: {_and_list([i.title for i in missing])}")
        score, needed = self.course_score(), self.course.pass_threshold
        if score < needed - SCORE_EPSILON:
            reasons.append(f"course score {_pct(score)} is below the {_pct(needed)} needed")
        return CertificateStatus(not reasons, reasons)

    def evidence(self) -> dict[str, Any]:
        """Best score per graded quiz and the statement ids of graded attempts (certificate)."""
        statements: list[str] = []
        for item in self.course.graded_quizzes():
            for e in self._p.attempt_events.get(item.id, []):
                statements.extend(str(q.get("statement_id")) for q in e.data.get("questions", []) if q.get("statement_id"))
        return {
            "quizzes": {i.id: self.best_score(i.id) or 0.0 for i in self.course.graded_quizzes()},
            "evidence": statements,
        }

    def _check_course_milestones(self) -> tuple[bool, bool]:
        completed_now = passed_now = False
        if not self._p.course_completed and self.completed():
            self._record("course_completed", score=round(self.course_score(), 6))
            completed_now = True
        if not self._p.course_passed and self.passed():
            self._record("course_passed", score=round(self.course_score(), 6))
            passed_now = True
        return completed_now, passed_now

    # ------------------------------------------------------------------ cMOOC

    def self_assess(self, module_id: str, rating: int) -> None:
        """cMOOC packs: the learner rates their own progress on a module, 1..5."""
        if self.course.kind != "cmooc":
            raise MoocError(f"{self.course.id}: self-assessment is for cMOOC courses; this one is graded by quizzes")
        if not any(m.id == module_id for m in self.course.modules):
            raise MoocError(f"{self.course.id}: no module '{module_id}'")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise MoocError(f"a self-assessment is a number from 1 to 5, not {rating!r}")
        self.ensure_enrolled()
        self._record("self_assessment", module_id=module_id, rating=rating)

    def self_assessment(self, module_id: str) -> int | None:
        return self._p.ratings.get(module_id)

    # ------------------------------------------------------------------ search

    def search(self, text: str, *, limit: int = 200) -> list[tuple[str, int, str]]:
        """(item id, line number from 1, snippet) for lesson lines holding `text`, any case.

        Locked lessons are not searched: a hit the learner cannot open only frustrates.
        """
        needle = text.strip().casefold()
        if not needle:
            return []
        hits: list[tuple[str, int, str]] = []
        for module in self.course.modules:
            if self.module_lock(module):
                continue
            for item in module.items:
                if item.kind != "lesson":
                    continue
                try:
                    body = self.lesson_text(item.id)
                except MoocError:
                    continue
                for number, line in enumerate(body.splitlines(), start=1):
                    folded = line.casefold()
                    at = folded.find(needle)
                    if at >= 0:
                        hits.append((item.id, number, _snippet(line, at, len(needle))))
                        if len(hits) >= limit:
                            return hits
        return hits


# --------------------------------------------------------------------------- helpers


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _and_list(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%" if abs(value * 100 - round(value * 100)) < 1e-6 else f"{value * 100:.1f}%"


def _snippet(line: str, at: int, size: int, width: int = 80) -> str:
    from packages.safe_text import one_line

    line = line.strip() if len(line) <= width else line
    if len(line) > width:
        start = max(0, at - (width - size) // 2)
        piece = line[start : start + width]
        line = ("…" if start > 0 else "") + piece + ("…" if start + width < len(line) else "")
    return one_line(line)


def responses_from_event(data: Mapping[str, Any]) -> dict[str, Any]:
    """The responses of a recorded attempt, by question id (to show a past attempt)."""
    return {q["id"]: q.get("response") for q in data.get("questions", []) if isinstance(q, dict) and "id" in q}
