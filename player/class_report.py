"""The class report: per learner and course, per quiz and per question.

Numbers come from the engine, never from a rule of our own: each learner's events
in a course are folded by `CourseSession` (player/session.py), exactly as the player
folds them, so a score here is the score the learner sees. What the report adds is
counting over learners:

- per learner and course: lessons done of total, each graded quiz's best score and
  attempts, course score, passed, certificate state, active time, last active;
- per quiz: how many learners attempted and passed, and the distribution of their
  best scores in five bands;
- per question: the share of learners right at their FIRST attempt (what they knew
  before any feedback), and the most common wrong answer over every attempt (what
  to teach again); questions never scored (reflections) are left out.

Every learner the sources know is listed in every course reported; those with no
event in it are "not started". Rules: docs/class.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packages.safe_text import one_line
from player.class_data import ClassData, Person

if TYPE_CHECKING:
    from packages.model import Course, Item
    from packages.questions import Question

BANDS = ("0-19%", "20-39%", "40-59%", "60-79%", "80-100%")
Certificate = str  # "none" | "not yet" | "can request" | "requested"


@dataclass(frozen=True)
class QuizCell:
    item_id: str
    best: float | None
    attempts: int
    passed: bool


@dataclass(frozen=True)
class LearnerRow:
    person: Person
    started: bool
    lessons_done: int
    lessons_total: int
    quizzes: tuple[QuizCell, ...]  # the course's graded quizzes, in course order
    score: float
    passed: bool
    completed: bool
    certificate: Certificate
    active_s: float
    last_active: datetime | None


@dataclass
class QuestionStat:
    number: int  # from 1, in quiz order
    question: Question
    first_attempts: int = 0
    right_first: int = 0
    wrong: dict[Any, list[Any]] = field(default_factory=dict)  # response (hashable) -> [response, count]

    @property
    def share_right(self) -> float | None:
        return self.right_first / self.first_attempts if self.first_attempts else None

    @property
    def most_wrong(self) -> tuple[str, int] | None:
        """The most common wrong answer in words and how often it was given. Answers
        that read the same (text answers differing in case or spacing) count together;
        ties go to the first in alphabetical order, so the same class gives the same
        answer from any source."""
        said: dict[str, list[Any]] = {}  # folded words -> [words, count]
        for response, count in self.wrong.values():
            # what player/feedback.py `response_text` says of a response that is not None
            shown = self.question.response_text(response)
            said.setdefault(" ".join(shown.casefold().split()), [shown, 0])[1] += count
        if not said:
            return None
        key = min(said, key=lambda k: (-said[k][1], k))
        return said[key][0], said[key][1]


@dataclass
class QuizStat:
    number: int  # Q1, Q2, ... in course order
    item: Item
    threshold: float
    attempted: int = 0
    passed: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * len(BANDS))
    questions: list[QuestionStat] = field(default_factory=list)
    by_id: dict[str, QuestionStat] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_id = {s.question.id: s for s in self.questions}


@dataclass
class CourseReport:
    course: Course
    rows: list[LearnerRow]
    quizzes: list[QuizStat]

    @property
    def started(self) -> int:
        return sum(1 for r in self.rows if r.started)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r.passed)


@dataclass
class ClassReport:
    courses: list[CourseReport]
    data: ClassData
    generated: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "generated": _iso(self.generated),
            "sources": list(self.data.sources),
            "problems": list(self.data.problems),
            "notes": list(self.data.notes),
            "courses": [_course_json(c) for c in self.courses],
        }


# --------------------------------------------------------------------------- building


def build(
    data: ClassData,
    load: Callable[[str], Course | None],
    *,
    course_id: str | None = None,
    learner: str | None = None,
    now: datetime | None = None,
) -> ClassReport:
    """The report of `data`; `load(course_id)` gives the installed course (None: not
    installed here, noted and skipped). `course_id`/`learner` filter."""
    now = now or datetime.now(timezone.utc)
    people = [p for p in data.people if learner is None or matches(p, learner)]
    people.sort(key=lambda p: (p.name.casefold(), p.key))
    reports = []
    for cid in [course_id] if course_id else data.course_ids():
        course = load(cid)
        if course is None:
            data.notes.append(f"course {cid} is not installed here: install it to report on it")
            continue
        reports.append(course_report(course, people, now))
    reports.sort(key=lambda r: (r.course.title.casefold(), r.course.id))
    return ClassReport(reports, data, now)


def matches(person: Person, wanted: str) -> bool:
    """--learner: a name, email, account id or learner id, in any case."""
    text = wanted.strip().casefold()
    names = {person.name.casefold(), (person.email or "").casefold()}
    names |= {a.casefold() for a in person.account_ids} | {i.casefold() for i in person.local_ids}
    return text in names


def course_report(course: Course, people: list[Person], now: datetime) -> CourseReport:
    from player.session import CourseSession

    quizzes = [i for i in course.items() if i.kind == "quiz" and i.quiz is not None]
    stats = {i.id: _quiz_stat(n, i, course.quiz_pass_threshold(i)) for n, i in enumerate(quizzes, start=1)}
    lessons = [i for i in course.items() if i.kind == "lesson"]
    graded = course.graded_quizzes()
    rows = []
    for person in people:
        events = person.events(course.id)
        session = CourseSession(course, None, events, None, now=lambda: now, enroll=False)
        for item in quizzes:
            _count_quiz(stats[item.id], session.attempts(item.id), session.quiz_passed(item.id))
        rows.append(
            LearnerRow(
                person=person,
                started=bool(events),
                lessons_done=sum(1 for i in lessons if session.lesson_done(i.id)),
                lessons_total=len(lessons),
                quizzes=tuple(
                    QuizCell(i.id, session.best_score(i.id), len(session.attempts(i.id)), session.quiz_passed(i.id))
                    for i in graded
                ),
                score=session.course_score(),
                passed=session.passed(),
                completed=session.completed(),
                certificate=_certificate(course, session, events),
                active_s=session.total_time(),
                last_active=session.last_studied,
            )
        )
    return CourseReport(course, rows, list(stats.values()))


def _quiz_stat(number: int, item: Item, threshold: float) -> QuizStat:
    assert item.quiz is not None  # course_report keeps the quiz items that have a quiz
    questions = [QuestionStat(k, q) for k, q in enumerate(item.quiz.questions, start=1) if q.SCORED]
    return QuizStat(number, item, threshold, questions=questions)  # a reflection is never right or wrong: left out


def _certificate(course: Course, session: Any, events: list[Any]) -> Certificate:
    if course.kind != "xmooc" or not course.certificate_available:
        return "none"
    if any(e.type == "certificate_requested" for e in events):
        return "requested"
    return "can request" if session.certificate_status().eligible else "not yet"


def _count_quiz(stat: QuizStat, attempts: list[dict[str, Any]], passed: bool) -> None:
    if not attempts:
        return
    stat.attempted += 1
    stat.passed += passed
    best = max(a["score"] for a in attempts)
    stat.bands[min(len(BANDS) - 1, int(best * len(BANDS) + 1e-9))] += 1
    by_id = stat.by_id
    first = True
    for attempt in attempts:
        for answer in attempt.get("questions") or ():  # dicts: checked by player/event_schema.py
            s = by_id.get(answer.get("id"))
            if s is None:
                continue  # a question the pack no longer has
            if answer.get("correct") is True:
                if first:
                    s.first_attempts += 1
                    s.right_first += 1
                continue
            if first:
                s.first_attempts += 1
            response = answer.get("response")
            if response is not None:
                # responses are scalars or lists of scalars (player/event_schema.py)
                kind = type(response)
                key = (kind, tuple(response) if kind is list else response)
                counted = s.wrong.get(key)
                if counted is None:
                    s.wrong[key] = [response, 1]
                else:
                    counted[1] += 1
        first = False


# --------------------------------------------------------------------------- JSON


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _course_json(c: CourseReport) -> dict[str, Any]:
    course = c.course
    return {
        "id": course.id,
        "title": one_line(course.title),
        "version": course.version,
        "pass_threshold": course.pass_threshold,
        "learners_started": c.started,
        "learners_passed": c.passed,
        "learners": [
            {
                "name": r.person.name,
                "email": r.person.email,
                "account_ids": sorted(r.person.account_ids),
                "learner_ids": sorted(r.person.local_ids),
                "sources": list(r.person.sources),
                "started": r.started,
                "lessons_done": r.lessons_done,
                "lessons_total": r.lessons_total,
                "quizzes": [
                    {"id": q.item_id, "best_score": _round(q.best), "attempts": q.attempts, "passed": q.passed}
                    for q in r.quizzes
                ],
                "score": _round(r.score),
                "passed": r.passed,
                "completed": r.completed,
                "certificate": r.certificate,
                "active_time_s": round(r.active_s, 3),
                "last_active": _iso(r.last_active),
            }
            for r in c.rows
        ],
        "quizzes": [
            {
                "number": q.number,
                "id": q.item.id,
                "title": one_line(q.item.title),
                "graded": q.item.is_graded,
                "threshold": q.threshold,
                "learners_attempted": q.attempted,
                "learners_passed": q.passed,
                "best_score_bands": dict(zip(BANDS, q.bands)),
                "questions": [_question_json(s) for s in q.questions],
            }
            for q in c.quizzes
        ],
    }


def _question_json(s: QuestionStat) -> dict[str, Any]:
    from packages.local_numbers import written_in

    with written_in("en"):  # --json values are never translated: 1234.5, not 1234,5
        wrong = s.most_wrong
    return {
        "number": s.number,
        "id": s.question.id,
        "prompt": one_line(s.question.prompt)[:200],
        "first_attempts": s.first_attempts,
        "right_at_first_attempt": s.right_first,
        "share_right_at_first_attempt": _round(s.share_right),
        "most_common_wrong_answer": None if wrong is None else {"answer": wrong[0], "count": wrong[1]},
    }
