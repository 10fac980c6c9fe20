"""The event fold: what a learner's events say about one course, item by item.

A `CourseSession` (player/session.py) folds every event of the learner's log into one
`CourseProgress`, and then each event it records, with `fold_event`. The fold is by
item id and ignores events for items the course no longer has (and malformed ones),
so upgrading a pack keeps the progress of every surviving item. The event types are
checked in player/event_schema.py; rules and decisions are in docs/grading.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from packages.model import Course
from player.events import Event, parse_time


@dataclass
class CourseProgress:
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


def fold_event(course: Course, p: CourseProgress, e: Event) -> None:
    """Fold one event into `p` (the caller keeps count of the events it folded)."""
    if e.course_id != course.id:
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
    if item_id is None or not course.has_item(item_id):
        return  # an item a newer pack version dropped, or a malformed event
    item = course.item(item_id)
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
        seconds = as_float(e.data.get("seconds"))
        if seconds is not None and seconds > 0:
            p.time_spent[item_id] = p.time_spent.get(item_id, 0.0) + seconds
            p.started.add(item_id)
    elif e.type == "attempt" and item.kind == "quiz":
        score = as_float(e.data.get("score"))
        if score is None:
            return
        data = dict(e.data, score=min(1.0, max(0.0, score)), time=e.time)
        p.attempts.setdefault(item_id, []).append(data)
        p.attempt_events.setdefault(item_id, []).append(e)
        p.started.add(item_id)


def _safe_time(text: str) -> datetime | None:
    try:
        t = parse_time(text)
    except (ValueError, TypeError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None
