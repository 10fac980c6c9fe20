"""The JSON record of one course's progress, as `mooc progress --json` prints it.

`mooc progress --json` prints, for scripts (a status bar), this stable shape;
keys are only ever added, never renamed or removed (documented in docs/grading.md)::

    {"format": 1,
     "learner": {"id": "amina", "name": "Amina"},
     "courses": [{
        "id": "stats-101", "title": "...", "version": "1.2.0", "kind": "xmooc",
        "items_done": 5, "items_total": 12,
        "lessons_done": 4, "lessons_total": 8,
        "score": 0.42, "threshold": 0.6, "passed": false, "completed": false,
        "certificate": {"eligible": false, "reasons": ["..."]},
        "enrolled": "2026-12-01T12:00:00.000Z" | null,
        "last_studied": "2026-12-03T18:20:11.000Z" | null,
        "position": "item-id" | null,
        "time_spent_s": 5400.0,
        "quizzes": [{"id": "week-1-quiz", "title": "...", "graded": true, "weight": 1.0,
                     "status": "passed", "best_score": 0.8 | null, "attempts": 2,
                     "attempts_left": 1 | null, "threshold": 0.7, "passed": true}]}]}
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from player.session import CourseSession


def progress_record(session: CourseSession) -> dict[str, Any]:
    """The JSON record of one course (shape in this module's docstring)."""
    course = session.course
    lessons = [i for i in course.items() if i.kind == "lesson"]
    done, total = session.progress_counts()
    quizzes = []
    for item in course.items():
        if item.kind != "quiz":
            continue
        view = session.status(item.id)
        quizzes.append(
            {
                "id": item.id,
                "title": item.title,
                "graded": item.is_graded,
                "weight": item.weight,
                "status": view.status,
                "best_score": view.best_score,
                "attempts": view.attempts_used,
                "attempts_left": view.attempts_left,
                "threshold": session.threshold(item.id),
                "passed": session.quiz_passed(item.id),
            }
        )
    cert = session.certificate_status()
    return {
        "id": course.id,
        "title": course.title,
        "version": course.version,
        "kind": course.kind,
        "items_done": done,
        "items_total": total,
        "lessons_done": sum(1 for i in lessons if session.status(i.id).status == "done"),
        "lessons_total": len(lessons),
        "score": round(session.course_score(), 6),
        "threshold": course.pass_threshold,
        "passed": session.passed(),
        "completed": session.completed(),
        "certificate": {"eligible": cert.eligible, "reasons": cert.reasons},
        "enrolled": _iso(session.enrolled_at),
        "last_studied": _iso(session.last_studied),
        "position": session.last_position(),
        "time_spent_s": round(sum(session.time_spent(i.id) for i in course.items()), 3),
        "quizzes": quizzes,
    }


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
