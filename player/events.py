"""Learning events: the durable record of what a learner did.

Every graded attempt, lesson completion and other learning act is an `Event` with a
UUID and a timestamp fixed when it happened. Progress is a fold over a learner's
events for a course (player/progress.py); the sync issue turns each event into
xAPI statements whose ids derive from the ids stored here, so an event must carry
everything an upload needs. Events are appended, never edited.

Event types and their `data` (all keys documented in docs/progress-format.md):

- ``enrolled``: ``{"registration": uuid}``; the first time the learner opens the
  course. Its time is the enrolment date that `unlock_after_days` counts from.
- ``lesson_opened``: ``{}``; the learner opened a lesson (xAPI "experienced").
- ``lesson_completed``: ``{"duration_s": float}``; active time spent before completing.
- ``time_spent``: ``{"seconds": float}``; active time on an item (idle not counted).
- ``position``: ``{}``; the item the learner is at (resume point).
- ``hint_shown``: ``{"question_id": str}``.
- ``attempt``: a graded quiz attempt::

      {"attempt": 1, "score": 0.75, "earned": 3.0, "total": 4.0, "passed": true,
       "duration_s": 93.2, "threshold": 0.7,
       "questions": [{"id": "q1", "type": "single", "statement_id": uuid,
                      "response": <json>, "score": 1.0, "earned": 1.0,
                      "points": 1.0, "correct": true}, ...]}

  ``response`` is type-specific: single → choice index (int, in pack order);
  multiple → sorted list of choice indexes; truefalse → bool; numeric → float;
  text → str; order → list of item indexes (pack order) as the learner ordered them;
  match → list, for each left side in pack order, the index of the chosen right side
  (pack order) or null.
- ``self_assessment``: ``{"module_id": str, "rating": int 1..5}`` (cMOOC packs).
- ``course_completed`` / ``course_passed``: ``{"score": float}``; recorded once, when first reached.
- ``certificate_requested``: ``{"score", "threshold", "quizzes": {item_id: best},
  "evidence": [statement ids of graded attempts], "learner_name", "learner_email"}``.
- ``certificate_issued``: ``{"request": the request's event id, "credential": the signed
  VC-JWT}``; ``certificate_refused``: ``{"request", "reason"}``. Written by the provider
  (`mooc certificate issue`), received by `mooc sync --pull`, never sent back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

EVENT_TYPES = frozenset(
    {
        "enrolled",
        "lesson_opened",
        "lesson_completed",
        "time_spent",
        "position",
        "hint_shown",
        "attempt",
        "self_assessment",
        "course_completed",
        "course_passed",
        "certificate_requested",
        "certificate_issued",
        "certificate_refused",
    }
)
# Events the course provider writes (`mooc certificate issue`) and the learner's mooc
# only receives (`mooc sync --pull`): never sent back.
PROVIDER_EVENT_TYPES = frozenset({"certificate_issued", "certificate_refused"})


def now_iso() -> str:
    """UTC timestamp with milliseconds, written the same way every time (xAPI compares text)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Event:
    """One line of a progress file (docs/progress-format.md)."""

    type: str
    course_id: str
    course_version: str
    item_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=now_iso)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "time": self.time,
            "course_id": self.course_id,
            "course_version": self.course_version,
            "item_id": self.item_id,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        # What __init__ would store, stored at once: a report reads tens of thousands of
        # events, and a frozen dataclass's __init__ sets each field through
        # object.__setattr__ (3x the time). Event has no __post_init__ to skip.
        event = object.__new__(cls)
        event.__dict__.update(
            type=str(raw["type"]),
            course_id=str(raw["course_id"]),
            course_version=str(raw["course_version"]),
            item_id=raw.get("item_id"),
            data=dict(raw.get("data") or {}),
            id=str(raw["id"]),
            time=str(raw["time"]),
        )
        return event
