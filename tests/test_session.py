"""CourseSession: statuses, unlocking, attempts, solutions, scores, certificate, upgrade.

Driven on in-memory event lists (the session takes any sink); one test at the end
runs it on the real on-disk EventLog.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from packages.errors import MoocError
from packages.model import Course, Item, Module, Quiz
from packages.questions import Choice, Match, MultipleChoice, Order, SingleChoice, TrueFalse
from player.events import Event
from player.session import ActivityClock, CourseSession

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, when: datetime = T0) -> None:
        self.when = when

    def __call__(self) -> datetime:
        return self.when


class Learner:
    id = "amina"
    name = "Amina"
    email = None
    account_id = "acc"


def tf_quiz(title: str, n: int = 2, **kw: Any) -> Quiz:
    return Quiz(
        title=title,
        questions=tuple(TrueFalse(id=f"q{i}", prompt=f"P{i}", answer=True, hints=("h1", "h2")) for i in range(n)),
        **kw,
    )


def make_course(**kw: Any) -> Course:
    week1 = Module(
        id="w1",
        title="Week 1",
        items=(
            Item(id="intro", kind="lesson", file="lessons/intro.md", title="Intro"),
            Item(id="practice", kind="quiz", file="q/p.toml", title="Practice", weight=0, quiz=tf_quiz("Practice")),
            Item(
                id="quiz1",
                kind="quiz",
                file="q/1.toml",
                title="Quiz 1",
                weight=1,
                quiz=tf_quiz("Quiz 1", max_attempts=2, pass_threshold=0.7),
            ),
        ),
    )
    week2 = Module(
        id="w2",
        title="Week 2",
        unlock_after_days=7,
        items=(
            Item(id="more", kind="lesson", file="lessons/more.md", title="More"),
            Item(id="quiz2", kind="quiz", file="q/2.toml", title="Quiz 2", weight=3, quiz=tf_quiz("Quiz 2", n=4)),
        ),
    )
    week3 = Module(
        id="w3",
        title="Week 3",
        requires=("quiz1",),
        items=(Item(id="last", kind="lesson", file="lessons/last.md", title="Last"),),
    )
    defaults: dict[str, Any] = dict(
        id="c", version="1.0.0", title="C", modules=(week1, week2, week3), pass_threshold=0.6
    )
    defaults.update(kw)
    return Course(**defaults)


TEXTS = {"intro": "# Intro\nThe MEAN of a list.\nnothing here", "more": "More about the mean", "last": "end"}


def session(events: list[Event], course: Course | None = None, now: Clock | None = None, **kw: Any) -> CourseSession:
    return CourseSession(
        course or make_course(),
        None,
        events,
        Learner(),
        now or Clock(),
        tz=timezone.utc,
        reader=lambda item: TEXTS[item.id],
        **kw,
    )


def take(s: CourseSession, quiz_id: str, answers: dict[str, Any]) -> Any:
    a = s.start_attempt(quiz_id)
    for qid, r in answers.items():
        a.answer(qid, r)
    return s.submit(a)


def statuses(s: CourseSession) -> dict[str, str]:
    return {iv.id: iv.status for mv in s.outline() for iv in mv.items}


# ------------------------------------------------------------------ enrolment and statuses


def test_first_open_enrols_once() -> None:
    events: list[Event] = []
    s = session(events)
    assert [e.type for e in events] == ["enrolled"]
    assert events[0].data["registration"] and s.enrolled_at == T0
    session(events)
    assert [e.type for e in events] == ["enrolled"]


def test_progress_view_does_not_enrol() -> None:
    events: list[Event] = []
    session(events, enroll=False)
    assert events == []


def test_statuses_follow_the_learner() -> None:
    events: list[Event] = []
    s = session(events)
    assert statuses(s) == {
        "intro": "new",
        "practice": "new",
        "quiz1": "new",
        "more": "locked",
        "quiz2": "locked",
        "last": "locked",
    }
    s.open_item("intro")
    assert s.status("intro").status == "started"
    assert [e.type for e in events[1:]] == ["position", "lesson_opened"]
    s.complete_lesson("intro")
    assert s.status("intro").status == "done"
    assert s.complete_lesson("intro") is False  # once
    s.open_item("quiz1")
    assert s.status("quiz1").status == "started"
    take(s, "quiz1", {"q0": True, "q1": False})
    v = s.status("quiz1")
    assert (v.status, v.best_score, v.attempts_used, v.attempts_left) == ("failed", 0.5, 1, 1)
    take(s, "quiz1", {"q0": True, "q1": True})
    assert s.status("quiz1").status == "passed"
    # the same events, folded by a fresh session, give the same statuses
    assert statuses(session(events)) == statuses(s)


# ------------------------------------------------------------------ unlocking


def test_unlock_after_days_counts_from_enrolment() -> None:
    events: list[Event] = []
    clock = Clock()
    s = session(events, now=clock)
    w2 = s.outline()[1]
    assert w2.locked and w2.lock_reason == "opens on 2026-12-08 (7 days after you enrolled)"
    assert w2.items[0].reason == w2.lock_reason
    with pytest.raises(MoocError, match="'More' is locked: opens on 2026-12-08"):
        s.open_item("more")
    clock.when = T0 + timedelta(days=6, hours=11, minutes=59)  # 2026-12-07 23:59 local (UTC here)
    assert s.outline()[1].locked
    clock.when = datetime(2026, 12, 8, 0, 0, tzinfo=timezone.utc)  # start of the day it opens
    assert not s.outline()[1].locked
    assert s.open_item("more").status == "started"


def test_unlock_uses_the_enrolled_event_not_today() -> None:
    events: list[Event] = []
    session(events, now=Clock(T0 - timedelta(days=30)))
    assert not session(events).outline()[1].locked


def test_requires_a_passed_quiz() -> None:
    events: list[Event] = []
    s = session(events)
    w3 = s.outline()[2]
    assert w3.locked and w3.lock_reason == "pass 'Quiz 1' first"
    take(s, "quiz1", {"q0": True})  # 0.5 < 0.7: still locked
    assert s.outline()[2].locked
    take(s, "quiz1", {"q0": True, "q1": True})
    assert not s.outline()[2].locked


def test_both_lock_reasons_are_given() -> None:
    course = make_course()
    w2 = Module(
        id="w2", title="Week 2", unlock_after_days=1, requires=("quiz1", "practice"), items=course.modules[1].items
    )
    course = make_course(modules=(course.modules[0], w2))
    s = session([], course=course)
    assert (
        s.outline()[1].lock_reason
        == "opens on 2026-12-02 (1 day after you enrolled); pass 'Quiz 1' and 'Practice' first"
    )


def test_locked_quiz_cannot_be_attempted() -> None:
    s = session([])
    with pytest.raises(MoocError, match="locked"):
        s.start_attempt("quiz2")


# ------------------------------------------------------------------ navigation


def test_navigation_and_resume() -> None:
    events: list[Event] = []
    s = session(events)
    assert s.last_position() is None and s.resume_item() == "intro"
    assert s.next_item("intro") == "practice"
    assert s.next_item("quiz1") == "more"  # locked items are not skipped
    assert s.previous_item("intro") is None and s.next_item("last") is None
    assert s.previous_item("more") == "quiz1"
    s.open_item("practice")
    s.open_item("practice")
    assert sum(e.type == "position" for e in events) == 1  # no duplicate resume points
    assert session(events).last_position() == "practice"
    with pytest.raises(MoocError, match="no item 'nope'"):
        s.open_item("nope")


class CountingSink:
    """An event log that counts its appends (each is one durable write, one fsync)."""

    def __init__(self) -> None:
        self.appends: list[list[str]] = []
        self._events: list[Event] = []

    def append(self, *events: Event) -> None:
        self.appends.append([e.type for e in events])
        self._events.extend(events)

    def events(self) -> list[Event]:
        return list(self._events)


def test_opening_a_lesson_is_one_durable_write() -> None:
    """A new position and lesson_opened go to the log in one append: `n` in the TUI waits
    for each fsync. Opening where the learner already is writes only lesson_opened."""
    sink = CountingSink()
    s = CourseSession(make_course(), None, sink, Learner(), Clock(), tz=timezone.utc, reader=lambda i: TEXTS[i.id])
    sink.appends.clear()  # the enrolment
    s.open_item("intro")
    assert sink.appends == [["position", "lesson_opened"]]
    s.open_item("intro")
    assert sink.appends[1:] == [["lesson_opened"]]
    s.open_item("practice")  # a quiz: its position only
    assert sink.appends[2:] == [["position"]]
    again = CourseSession(make_course(), None, sink, Learner(), Clock(), tz=timezone.utc)
    assert again.last_position() == "practice" and again.status("intro").status == "started"


def test_one_write_records_a_move_with_one_append() -> None:
    """`n` in the TUI: time on the lesson left, its completion and the next item's opening
    go to the log in one append (one fsync); inside the block the session sees them."""
    sink = CountingSink()
    s = CourseSession(make_course(), None, sink, Learner(), Clock(), tz=timezone.utc, reader=lambda i: TEXTS[i.id])
    s.open_item("intro")
    sink.appends.clear()
    with s.one_write():
        s.add_active_time("intro", 42.0)
        assert s.complete_lesson("intro") and s.status("intro").status == "done"
        with s.one_write():  # a block inside joins the outer write
            s.open_item("practice")
        assert sink.appends == []  # nothing written before the block ends
    assert sink.appends == [["time_spent", "lesson_completed", "position"]]
    again = CourseSession(make_course(), None, sink, Learner(), Clock(), tz=timezone.utc)
    assert again.status("intro").status == "done" and again.last_position() == "practice"
    assert again.time_spent("intro") == 42.0


def test_one_write_writes_what_was_recorded_when_the_block_fails() -> None:
    sink = CountingSink()
    s = CourseSession(make_course(), None, sink, Learner(), Clock(), tz=timezone.utc, reader=lambda i: TEXTS[i.id])
    sink.appends.clear()
    with pytest.raises(MoocError, match="no item"), s.one_write():
        s.open_item("intro")
        s.open_item("nope")
    assert sink.appends == [["position", "lesson_opened"]]


def test_one_write_keeps_nothing_when_the_write_fails() -> None:
    """A full disk at the end of the block: the error is raised and the session is what
    the log holds, as if the block had not run (nothing shown as done that is not saved)."""

    class FullDisk(CountingSink):
        full = False

        def append(self, *events: Event) -> None:
            if self.full:
                raise MoocError("progress.jsonl: progress not saved: the disk is full")
            super().append(*events)

    sink = FullDisk()
    s = CourseSession(make_course(), None, sink, Learner(), Clock(), tz=timezone.utc, reader=lambda i: TEXTS[i.id])
    s.open_item("intro")
    sink.full = True
    with pytest.raises(MoocError, match="disk is full"), s.one_write():
        s.add_active_time("intro", 30.0)
        s.complete_lesson("intro")
        s.open_item("practice")
    assert s.status("intro").status == "started" and s.last_position() == "intro" and s.time_spent("intro") == 0
    sink.full = False
    assert s.complete_lesson("intro")  # recorded again, now that it can be
    assert [t for a in sink.appends for t in a].count("lesson_completed") == 1


def test_lesson_text_and_search() -> None:
    s = session([])
    assert s.lesson_text("intro").startswith("# Intro")
    assert s.search("mean") == [("intro", 2, "The MEAN of a list.")]  # week 2 is locked: not searched
    assert s.search("  ") == []
    with pytest.raises(MoocError, match="is a quiz"):
        s.lesson_text("quiz1")


# ------------------------------------------------------------------ time


def test_active_time_recorded_and_idle_ignored() -> None:
    ticks = [0.0]
    clock = ActivityClock(idle_cutoff=300, clock=lambda: ticks[0])
    for t in (10, 20, 100):
        ticks[0] = t
        clock.touch()
    ticks[0] = 2000  # left for lunch: the whole gap is idle
    clock.touch()
    ticks[0] = 2030
    assert clock.take() == 130
    assert clock.take() == 0

    events: list[Event] = []
    s = session(events)
    s.add_active_time("intro", 130)
    s.add_active_time("intro", 0)
    s.add_active_time("intro", float("nan"))
    assert s.time_spent("intro") == 130 and s.status("intro").status == "started"
    s.open_item("intro")
    s.complete_lesson("intro")
    assert events[-1].type == "lesson_completed" and events[-1].data == {"duration_s": 130}


# ------------------------------------------------------------------ attempts


def test_attempt_limit() -> None:
    events: list[Event] = []
    s = session(events)
    take(s, "quiz1", {})
    r = take(s, "quiz1", {"q0": True})
    assert r.number == 2 and r.attempts_left == 0
    with pytest.raises(MoocError, match="no attempts left"):
        s.start_attempt("quiz1")
    assert session(events).attempts_left("quiz1") == 0
    # unlimited practice
    for _ in range(5):
        take(s, "practice", {})
    assert s.attempts_left("practice") is None


def test_attempt_event_has_everything_sync_needs() -> None:
    events: list[Event] = []
    s = session(events)
    a = s.start_attempt("quiz1")
    a.answer("q0", True)
    a.answer("q1", False)
    with pytest.raises(MoocError, match="no question"):
        a.answer("zz", 1)
    r = a.submit()
    attempt_events = [e for e in events if e.type == "attempt"]
    assert len(attempt_events) == 1 and r.event is attempt_events[0]
    data = attempt_events[0].data
    assert attempt_events[0].item_id == "quiz1" and attempt_events[0].course_version == "1.0.0"
    assert {k: data[k] for k in ("attempt", "score", "earned", "total", "passed", "threshold")} == {
        "attempt": 1,
        "score": 0.5,
        "earned": 1.0,
        "total": 2.0,
        "passed": False,
        "threshold": 0.7,
    }
    assert data["duration_s"] >= 0
    qs = data["questions"]
    assert [(q["id"], q["type"], q["response"], q["score"], q["earned"], q["points"], q["correct"]) for q in qs] == [
        ("q0", "truefalse", True, 1.0, 1.0, 1.0, True),
        ("q1", "truefalse", False, 0.0, 0.0, 1.0, False),
    ]
    assert len({q["statement_id"] for q in qs}) == 2
    with pytest.raises(MoocError, match="already submitted"):
        s.submit(a)


def test_hints_one_by_one_and_recorded() -> None:
    events: list[Event] = []
    s = session(events)
    a = s.start_attempt("practice")
    assert a.show_hint("q0") == "h1"
    assert a.show_hint("q0") == "h2"
    assert a.show_hint("q0") is None
    assert a.hints("q0") == ["h1", "h2"]
    hints = [e for e in events if e.type == "hint_shown"]
    assert [(e.item_id, e.data) for e in hints] == [("practice", {"question_id": "q0"})] * 2


# ------------------------------------------------------------------ presentation


def shuffled_course() -> Course:
    quiz = Quiz(
        title="S",
        shuffle_choices=True,
        questions=(
            SingleChoice(id="s", prompt="p", choices=tuple(Choice(text=str(i), correct=i == 0) for i in range(8))),
            MultipleChoice(id="m", prompt="p", choices=tuple(Choice(text=str(i), correct=i < 2) for i in range(8))),
            Order(id="o", prompt="p", items=("a", "b")),
            Order(id="o5", prompt="p", items=tuple("abcde")),
            Match(id="x", prompt="p", pairs=tuple((str(i), f"r{i}") for i in range(6)), distractors=("d",)),
        ),
    )
    plain = Quiz(
        title="P",
        questions=(
            SingleChoice(id="s", prompt="p", choices=tuple(Choice(text=str(i), correct=i == 0) for i in range(8))),
        ),
    )
    return Course(
        id="c",
        version="1",
        title="C",
        modules=(
            Module(
                id="m",
                title="M",
                items=(
                    Item(id="s", kind="quiz", file="s.toml", title="S", quiz=quiz),
                    Item(id="p", kind="quiz", file="p.toml", title="P", quiz=plain),
                ),
            ),
        ),
    )


def test_shuffle_stable_within_attempt_and_differs_across_attempts() -> None:
    s = session([], course=shuffled_course())
    a = s.start_attempt("s")
    first = {q: a.presented(q) for q in ("s", "m", "o", "o5", "x")}
    assert {q: a.presented(q) for q in first} == first  # stable
    assert sorted(first["s"]) == list(range(8)) and sorted(first["x"]) == list(range(7))
    orders = [first]
    for _ in range(6):
        b = s.start_attempt("s")
        orders.append({q: b.presented(q) for q in first})
    for q in ("s", "m", "x", "o5"):
        assert len({tuple(o[q]) for o in orders}) > 1, q
    for o in orders:  # order items never shown already solved
        assert o["o"] == [1, 0] and o["o5"] != [0, 1, 2, 3, 4]
    # without shuffle_choices, choices keep pack order
    assert s.start_attempt("p").presented("s") == list(range(8))


# ------------------------------------------------------------------ solutions


@pytest.mark.parametrize(
    "mode,before,after_fail,after_pass,after_last",
    [
        ("always", True, True, True, True),
        ("attempted", False, True, True, True),
        ("finished", False, False, True, True),
        ("never", False, False, False, False),
    ],
)
def test_show_solutions_matrix(mode: str, before: bool, after_fail: bool, after_pass: bool, after_last: bool) -> None:
    def course() -> Course:
        quiz = tf_quiz("Q", max_attempts=2, show_solutions=mode)
        return Course(
            id="c",
            version="1",
            title="C",
            modules=(Module(id="m", title="M", items=(Item(id="q", kind="quiz", file="q", title="Q", quiz=quiz),)),),
        )

    s = session([], course=course())
    assert s.may_show_solution("q") is before
    r = take(s, "q", {})
    assert s.may_show_solution("q") is after_fail and r.show_solutions is after_fail
    take(s, "q", {})  # last attempt, failed
    assert s.may_show_solution("q") is after_last
    s2 = session([], course=course())
    take(s2, "q", {"q0": True, "q1": True})
    assert s2.may_show_solution("q") is after_pass


@pytest.mark.parametrize("mode", ["always", "attempted", "finished", "never"])
def test_review_after_a_failed_attempt_teaches_without_the_answer_unless_allowed(mode: str) -> None:
    """player.feedback.review: hints of every question not right unless the answer may be
    shown; the answer and explanation only when show_solutions allows (both UIs render this)."""
    from player.feedback import review, solutions_note

    quiz = Quiz(
        title="Q",
        max_attempts=2,
        show_solutions=mode,
        questions=(
            TrueFalse(id="right", prompt="P", answer=True, hints=("h-right",), explanation="because"),
            TrueFalse(id="wrong", prompt="P", answer=True, hints=("h1", "h2"), explanation="why", feedback_false="no!"),
            TrueFalse(id="blank", prompt="P", answer=True, hints=("h-blank",)),
        ),
    )
    course = Course(
        id="c",
        version="1",
        title="C",
        modules=(Module(id="m", title="M", items=(Item(id="q", kind="quiz", file="q", title="Q", quiz=quiz),)),),
    )
    s = session([], course=course)
    result = take(s, "q", {"right": True, "wrong": False})
    assert not result.passed and result.attempts_left == 1
    right, wrong, blank = review(result)
    assert [r.verdict for r in (right, wrong, blank)] == ["right", "wrong", "unanswered"]
    assert wrong.feedback == ("no!",)  # feedback: always
    shown = mode in ("always", "attempted")
    assert result.show_solutions is shown
    if shown:
        assert (wrong.answer, wrong.explanation, wrong.hints) == ("true", "why", ())
        assert solutions_note(mode, True) is None
    else:
        assert (wrong.answer, wrong.explanation) == (None, None)
        assert wrong.hints == ("h1", "h2") and blank.hints == ("h-blank",) and right.hints == ()
        assert solutions_note(mode, False)
    last = take(s, "q", {})  # the last attempt, failed: "finished" now shows the answers
    assert (review(last)[1].answer is not None) is (mode != "never")


def test_answer_text_of_every_question_type() -> None:
    from packages.questions import Numeric, NumericAnswer, Text, TextAnswer
    from player.feedback import answer_text

    single = SingleChoice(id="s", prompt="P", choices=(Choice(text="a"), Choice(text="b \x1b[31mred", correct=True)))
    multi = MultipleChoice(
        id="m", prompt="P", choices=(Choice(text="a", correct=True), Choice(text="b"), Choice(text="c", correct=True))
    )
    credit = SingleChoice(
        id="c", prompt="P", choices=(Choice(text="half", credit=0.5), Choice(text="full", credit=1.0))
    )
    numeric = Numeric(
        id="n",
        prompt="P",
        answers=(NumericAnswer(value=3.14159, tolerance=0.02, relative=True), NumericAnswer(value=3.0, credit=0.5)),
    )
    absolute = Numeric(id="a", prompt="P", answers=(NumericAnswer(value=1234567.0, tolerance=0.5),))
    text = Text(
        id="t",
        prompt="P",
        answers=(TextAnswer(text="no one"), TextAnswer(text="nobody"), TextAnswer(text="someone", credit=0.5)),
    )
    pattern = Text(id="p", prompt="P", pattern="[0-9]+")
    order = Order(id="o", prompt="P", items=("x", "y"))
    match = Match(id="mt", prompt="P", pairs=(("Canada", "Ottawa"), ("Italy", "Rome")), distractors=("Milan",))
    assert [answer_text(q) for q in (single, multi, credit, numeric, absolute, text, pattern, order, match)] == [
        "b red",
        "a; c",
        "full",
        "3.14159 (± 2%)",
        "1,234,567 (± 0.5)",  # grouped the way English writes it (packages/local_numbers.py)
        "no one or nobody",
        "0 (for example)",
        "1. x; 2. y",
        "Canada: Ottawa; Italy: Rome",
    ]
    assert answer_text(TrueFalse(id="f", prompt="P", answer=False)) == "false"


# ------------------------------------------------------------------ course score, pass, certificate


def test_course_score_weighted_best_and_practice_ignored() -> None:
    events: list[Event] = []
    clock = Clock()
    s = session(events, now=clock)
    take(s, "practice", {"q0": True, "q1": True})
    assert s.course_score() == 0.0  # practice weighs 0
    take(s, "quiz1", {"q0": True, "q1": True})  # 1.0, weight 1
    assert s.course_score() == pytest.approx(0.25)  # quiz2 (weight 3) unattempted counts 0
    clock.when = T0 + timedelta(days=8)
    take(s, "quiz2", {"q0": True, "q1": True})  # 0.5
    take(s, "quiz2", {"q0": True})  # 0.25: best still 0.5
    assert s.course_score() == pytest.approx((1 + 3 * 0.5) / 4)
    assert s.quiz_summary("quiz2").best_score == 0.5 and s.quiz_summary("quiz2").last_score == 0.25


def test_pass_and_certificate() -> None:
    events: list[Event] = []
    clock = Clock()
    s = session(events, now=clock)
    status = s.certificate_status()
    assert not status.eligible and "not attempted yet: 'Quiz 1' and 'Quiz 2'" in status.reasons
    take(s, "quiz1", {"q0": True, "q1": True})
    assert not s.passed()  # quiz2 not attempted, even if the score were enough
    clock.when = T0 + timedelta(days=8)
    r = take(s, "quiz2", {"q0": True})  # 0.25 -> course (1 + 0.75)/4 = 0.4375 < 0.6
    assert not s.passed() and not r.course_passed_now
    assert s.certificate_status().reasons == ["course score 43.8% is below the 60% needed"]
    r = take(s, "quiz2", {"q0": True, "q1": True, "q2": True})  # 0.75 -> (1 + 2.25)/4 = 0.8125
    assert s.passed() and r.course_passed_now
    assert s.certificate_status().eligible and s.certificate_status().reasons == []
    assert [e.data for e in events if e.type == "course_passed"] == [{"score": 0.8125}]
    take(s, "quiz2", {"q0": True, "q1": True, "q2": True, "q3": True})
    assert sum(e.type == "course_passed" for e in events) == 1  # recorded once
    assert not any(e.type == "course_completed" for e in events)  # lessons not done yet
    s.open_item("intro")
    s.complete_lesson("intro")
    s.complete_lesson("more")
    s.complete_lesson("last")
    assert [e.type for e in events].count("course_completed") == 1
    ev = s.evidence()
    assert set(ev["quizzes"]) == {"quiz1", "quiz2"} and len(ev["evidence"]) == 2 + 3 * 4


def test_no_certificate_when_course_offers_none() -> None:
    s = session([], course=make_course(certificate_available=False))
    assert "this course offers no certificate" in s.certificate_status().reasons


def test_cmooc_self_assessment_and_no_certificate() -> None:
    events: list[Event] = []
    s = session(events, course=make_course(kind="cmooc", certificate_available=False))
    s.self_assess("w1", 4)
    s.self_assess("w1", 5)
    assert session(events, course=make_course(kind="cmooc")).self_assessment("w1") == 5
    assert events[-1].type == "self_assessment" and events[-1].data == {"module_id": "w1", "rating": 5}
    for bad in (0, 6, "3", True):
        with pytest.raises(MoocError, match="1 to 5"):
            s.self_assess("w1", bad)  # type: ignore[arg-type]
    with pytest.raises(MoocError, match="no module"):
        s.self_assess("zz", 3)
    assert "cMOOC" in s.certificate_status().reasons[0]
    with pytest.raises(MoocError, match="cMOOC"):
        session([]).self_assess("w1", 3)


# ------------------------------------------------------------------ upgrade


def test_upgrade_keeps_progress_of_surviving_items() -> None:
    events: list[Event] = []
    s = session(events)
    s.open_item("intro")
    s.complete_lesson("intro")
    take(s, "quiz1", {"q0": True, "q1": True})
    take(s, "practice", {"q0": True})
    # version 2 drops "practice", renames nothing else, adds "new"
    old = make_course()
    w1 = Module(
        id="w1",
        title="Week 1",
        items=(
            old.modules[0].items[0],
            old.modules[0].items[2],
            Item(id="new", kind="lesson", file="n.md", title="New"),
        ),
    )
    v2 = make_course(version="2.0.0", modules=(w1, *old.modules[1:]))
    s2 = session(events, course=v2)
    st = statuses(s2)
    assert st["intro"] == "done" and st["quiz1"] == "passed" and st["new"] == "new" and "practice" not in st
    assert s2.enrolled_at == T0 and not s2.outline()[2].locked
    s2.open_item("new")
    assert events[-1].course_version == "2.0.0"
    assert sum(e.type == "enrolled" for e in events) == 1


def test_events_of_other_courses_and_junk_are_ignored() -> None:
    events = [
        Event(type="attempt", course_id="other", course_version="1", item_id="quiz1", data={"score": 1.0}),
        Event(type="attempt", course_id="c", course_version="1", item_id="quiz1", data={"score": "x"}),
        Event(type="attempt", course_id="c", course_version="1", item_id="intro", data={"score": 1.0}),
        Event(type="time_spent", course_id="c", course_version="1", item_id="intro", data={"seconds": -5}),
        Event(type="position", course_id="c", course_version="1", item_id=None),
    ]
    s = session(events)
    assert s.attempts("quiz1") == [] and s.time_spent("intro") == 0 and s.last_position() is None


# ------------------------------------------------------------------ on disk


def test_session_on_the_real_event_log(tmp_path: Any) -> None:
    from packages.layout import Layout
    from player.progress import EventLog

    layout = Layout(home=tmp_path, system_home=tmp_path / "sys")
    s = session(EventLog.for_course(layout, "amina", "c"))  # type: ignore[arg-type]
    s.open_item("intro")
    take(s, "quiz1", {"q0": True, "q1": True})
    again = session(EventLog.for_course(layout, "amina", "c"))  # type: ignore[arg-type]
    assert again.status("quiz1").status == "passed" and again.last_position() == "quiz1"
    assert layout.progress_file("amina", "c").is_file()


def test_a_running_session_catches_up_with_another_process(tmp_path: Any) -> None:
    """Two mooc processes for one learner (the TUI and `--plain` in another terminal):
    each sees what the other recorded once it catches up, reading only the new bytes,
    and a torn line from a writer killed mid-write waits until it is complete."""
    from packages.layout import Layout
    from player.progress import EventLog

    layout = Layout(home=tmp_path, system_home=tmp_path / "sys")
    tui = session(EventLog.for_course(layout, "amina", "c"))  # type: ignore[arg-type]
    other = session(EventLog.for_course(layout, "amina", "c"))  # type: ignore[arg-type]
    assert tui.catch_up() is False  # the other's enrolment: none (it found ours)
    other.complete_lesson("intro")
    take(other, "quiz1", {"q0": True, "q1": True})
    assert tui.status("quiz1").status == "new"
    assert tui.catch_up() is True
    assert tui.status("intro").status == "done" and tui.status("quiz1").status == "passed"
    assert tui.status("last").status != "locked"  # passing quiz1 unlocked week 3 here too
    assert tui.catch_up() is False
    tui.complete_lesson("last")  # our own event: folded once, not again on the next look
    assert tui.catch_up() is False and other.catch_up() is True
    assert other.status("last").status == "done"

    path = layout.progress_file("amina", "c")
    size = path.stat().st_size
    with open(path, "ab") as fh:  # half a line, as a writer killed mid-write leaves it
        fh.write(b'{"course_id":"c","course_version":"1.0.0","data":{},"id":"late"')
    assert tui.catch_up() is False and path.stat().st_size > size
    with open(path, "ab") as fh:  # the rest of the line arrives (the latest position in time wins)
        fh.write(b',"item_id":"practice","time":"2999-12-01T10:00:00.000Z","type":"position"}\n')
    assert tui.catch_up() is True and tui.last_position() == "practice"


# ------------------------------------------------------------------ the real demo course


def perfect_response(q: Any) -> Any:
    """The right answer of a loaded question, in the events.py response shape."""
    from packages.questions import Numeric, Text

    if isinstance(q, SingleChoice):
        return next(i for i, c in enumerate(q.choices) if c.correct)
    if isinstance(q, MultipleChoice):
        return [i for i, c in enumerate(q.choices) if c.correct]
    if isinstance(q, TrueFalse):
        return q.answer
    if isinstance(q, Numeric):
        return q.answers[0].value
    if isinstance(q, Text):
        return (
            q.answers[0].text
            if q.answers
            else {"testing-effect": "the Testing  Effect", "submit-key": " Ctrl + S "}[q.id]
        )
    if isinstance(q, Order):
        return list(range(len(q.items)))
    if isinstance(q, Match):
        return list(range(len(q.pairs)))
    if not q.SCORED:  # a reflection: never scored, any text will do
        return ["Mondays and Thursdays after dinner, 30 minutes.", None]
    raise AssertionError(q)


def test_demo_course_perfect_answers_pass_everything(tmp_path: Any) -> None:
    """Loader and grader agree: the right answers of every demo quiz score 1 and pass the course."""
    from packages.layout import Layout
    from packages.store import Store

    course, source = Store(Layout(home=tmp_path, system_home=tmp_path / "sys")).load("mooc-demo")
    events: list[Event] = []
    s = CourseSession(course, source, events, Learner(), Clock(), tz=timezone.utc)
    assert s.lesson_text("using-the-player").strip()
    for item in course.items():
        if item.kind == "quiz":
            r = take(s, item.id, {q.id: perfect_response(q) for q in item.quiz.questions})  # type: ignore[union-attr]
            assert r.score == 1.0, [(g.question.id, g.grade) for g in r.questions if g.grade.score < 1]
        else:
            s.open_item(item.id)
            s.complete_lesson(item.id)
    assert s.passed() and s.completed() and s.certificate_status().eligible
    assert {"course_completed", "course_passed"} <= {e.type for e in events}
    # the demo's relative tolerance ("5%" of 192) keeps its boundary
    q = course.item("studying-well-quiz").quiz.question("download-time")  # type: ignore[union-attr]
    from player.grading import grade_question

    assert grade_question(q, 192 * 1.05).score == 1.0 and grade_question(q, 201.7).score == 0.0


def test_a_pattern_answer_shows_an_example_never_the_regular_expression() -> None:
    """Issue 14: a learner was shown "text matching ^\\d{3}-\\d{4}$" as the answer."""
    from packages.questions import Text
    from player.feedback import answer_text, example_of

    assert answer_text(Text(id="p", prompt="P", pattern=r"\d{3}-\d{4}")) == "000-0000 (for example)"
    assert answer_text(Text(id="p", prompt="P", pattern="(yes|no)")) == "yes (for example)"
    # too complex to build an example from: no answer line at all (the explanation says it)
    for pattern in (r"(?=x)x", r"(a)\1", "[^x]+", "x*", ".{200}"):
        assert example_of(pattern) is None
        assert answer_text(Text(id="p", prompt="P", pattern=pattern)) == ""


def test_modules_opened_by_date_since_the_last_visit_are_named_once() -> None:
    """Week 2 opens 7 days after enrolment: a learner back on day 8 is told, once."""
    events: list[Event] = []
    clock = Clock()
    s = session(events, now=clock)
    assert s.opened_since_last_visit() == []  # a first visit: nothing to announce
    s.open_item("intro")
    clock.when = T0 + timedelta(days=3)
    back = session(events, now=clock)
    assert back.opened_since_last_visit() == []  # still locked
    back.open_item("intro")
    clock.when = T0 + timedelta(days=8)
    later = session(events, now=clock)
    assert [m.title for m in later.opened_since_last_visit()] == ["Week 2"]
    later.open_item("more")
    assert session(events, now=clock).opened_since_last_visit() == []  # said once: studied since
