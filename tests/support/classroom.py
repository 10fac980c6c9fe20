"""A small class for the classroom tests: a course pack and learners studying it
through the real engine, plus hand-made export files (hostile ones included)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

COURSE_ID = "class-101"


def write_class_pack(dest: Path, endpoint: str | None = None, course_id: str = COURSE_ID) -> Path:
    """Two lessons, a graded quiz of three questions (single, truefalse, text) and a
    practice quiz; pass mark 60%."""
    (dest / "lessons").mkdir(parents=True, exist_ok=True)
    (dest / "quizzes").mkdir(exist_ok=True)
    (dest / "lessons" / "one.md").write_text("# One\n\nThe mean adds and divides.\n")
    (dest / "lessons" / "two.md").write_text("# Two\n\nThe median is the middle value.\n")
    (dest / "quizzes" / "week-1.toml").write_text(
        'title = "Week 1 quiz"\nmax_attempts = 3\n\n'
        '[[questions]]\nid = "mean"\ntype = "single"\nprompt = "The mean of 2, 4 and 9?"\n'
        'choices = [ { text = "four" }, { text = "five", correct = true }, { text = "nine" } ]\n\n'
        '[[questions]]\nid = "tf"\ntype = "truefalse"\nprompt = "The median is the middle value."\nanswer = true\n\n'
        '[[questions]]\nid = "word"\ntype = "text"\nprompt = "Name the middle value."\n'
        'answers = [ { text = "median" } ]\n'
    )
    (dest / "quizzes" / "practice.toml").write_text(
        'title = "Warm-up"\n\n[[questions]]\nid = "p1"\ntype = "truefalse"\nprompt = "Ready?"\nanswer = true\n'
    )
    sync = f'[sync]\nxapi_endpoint = "{endpoint}"\n\n' if endpoint else ""
    (dest / "course.toml").write_text(
        f'format = 1\nid = "{course_id}"\nversion = "1.0.0"\ntitle = "Statistics for the class"\n'
        'language = "en"\nkind = "xmooc"\n\n[grading]\npass_threshold = 0.6\n\n[certificate]\navailable = true\n\n'
        f'{sync}[[modules]]\nid = "m1"\ntitle = "Week 1"\n'
        '  [[modules.items]]\n  id = "one"\n  kind = "lesson"\n  file = "lessons/one.md"\n  title = "One"\n'
        '  [[modules.items]]\n  id = "warm-up"\n  kind = "quiz"\n  file = "quizzes/practice.toml"\n'
        '  title = "Warm-up"\n  weight = 0\n'
        '  [[modules.items]]\n  id = "two"\n  kind = "lesson"\n  file = "lessons/two.md"\n  title = "Two"\n'
        '  [[modules.items]]\n  id = "week-1"\n  kind = "quiz"\n  file = "quizzes/week-1.toml"\n'
        '  title = "Week 1 quiz"\n'
    )
    return dest


# Answers in pack order: (mean choice index, tf, word)
RIGHT = (1, True, "median")


def study(
    home: Path,
    learner: str,
    attempts: list[tuple[int, bool, str]],
    *,
    lessons: tuple[str, ...] = ("one",),
    seconds: float = 0.0,
    course_id: str = COURSE_ID,
) -> dict[str, Any]:
    """Study through the real engine as `learner`; returns what the session says."""
    from packages.layout import Layout
    from packages.store import Store
    from player.learners import Learners
    from player.progress import EventLog
    from player.session import CourseSession

    layout = Layout.default(home)
    who = Learners(layout).get(learner)
    course, source = Store(layout).load(course_id)
    session = CourseSession(course, source, EventLog.for_course(layout, who.id, course_id), who)
    for lesson in lessons:
        session.open_item(lesson)
        if seconds:
            session.add_active_time(lesson, seconds)
        session.complete_lesson(lesson)
    for mean, tf, word in attempts:
        attempt = session.start_attempt("week-1")
        attempt.answer("mean", mean)
        attempt.answer("tf", tf)
        attempt.answer("word", word)
        session.submit(attempt)
    return {
        "best": session.best_score("week-1"),
        "attempts": len(session.attempts("week-1")),
        "score": session.course_score(),
        "passed": session.passed(),
        "lessons": sum(session.lesson_done(i) for i in ("one", "two")),
        "time": session.total_time(),
    }


def export_bytes(
    learners: list[dict[str, Any]],
    events: dict[str, list[dict[str, Any]]],
    *,
    created: str = "2026-12-01T10:00:00.000Z",
) -> bytes:
    """A learner export written by hand (to plant hostile content with a valid checksum)."""
    lines = [json.dumps({"format": "mooc-learner-export", "version": 1, "created": created, "learners": len(learners)})]
    for learner in learners:
        lines.append(json.dumps({"learner": learner}))
        lines += [json.dumps(e) for e in events.get(learner["id"], [])]
    body = ("\n".join(lines) + "\n").encode()
    end = {
        "end": {
            "learners": len(learners),
            "events": sum(len(v) for v in events.values()),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
    }
    return body + (json.dumps(end) + "\n").encode()
