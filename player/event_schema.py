"""Is this decoded object an event the engine can fold, grade and send? One answer.

Events come from the progress log and from the LRS (`mooc sync --pull`); both are
outside input. `event_problem(obj)` returns None for an event every reader can use
(player/session.py folds it, sync/statements.py maps it, sync/certificates.py reads
it), else one short phrase saying what is wrong, e.g.
``"attempt: data.questions must be a list of objects"``.

It checks the envelope (docs/progress-format.md) and, for the event types mooc
knows, the `data` keys those readers use: a key may be absent, but when present it
has the documented type (null only where documented). Event types it does not know pass with a valid envelope (a
newer mooc may add types; readers ignore them). Pure and cheap: no I/O, no recursion.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from typing import Any

from player.events import parse_time

# pack-format-v1 ids (course, item, module); events name them and paths are built from them.
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_MAX_TEXT = 200  # type, time, course_version, item ids


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 45:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 100_000


def _is_short(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _MAX_TEXT


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and _ID.match(value) is not None


# (key, check, what it must be) per known event type: only the keys readers use.
_Check = tuple[str, Callable[[Any], bool], str]
_NUMBER = (_is_number, "a number")
_QUESTION: list[_Check] = [
    ("id", _is_short, "a question id"),
    ("type", _is_short, "a question type"),
    ("statement_id", _is_uuid, "a UUID"),
    ("score", *_NUMBER), ("earned", *_NUMBER), ("points", *_NUMBER),
    ("correct", lambda v: isinstance(v, bool), "true or false"),
]
_DATA: dict[str, list[_Check]] = {
    "enrolled": [("registration", _is_uuid, "a UUID")],
    "lesson_completed": [("duration_s", *_NUMBER)],
    "time_spent": [("seconds", *_NUMBER)],
    "hint_shown": [("question_id", _is_short, "a question id")],
    "attempt": [
        ("attempt", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "a whole number from 1"),
        ("score", *_NUMBER), ("earned", *_NUMBER), ("total", *_NUMBER), ("threshold", *_NUMBER),
        ("duration_s", *_NUMBER),
        ("passed", lambda v: isinstance(v, bool), "true or false"),
        ("questions", lambda v: isinstance(v, list) and all(isinstance(q, dict) for q in v),
         "a list of objects"),
    ],
    "self_assessment": [
        ("module_id", _is_id, "a module id"),
        ("rating", lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5, "a whole number 1-5"),
    ],
    "course_completed": [("score", *_NUMBER)],
    "course_passed": [("score", *_NUMBER)],
    "certificate_requested": [
        ("score", *_NUMBER), ("threshold", *_NUMBER),
        ("quizzes", lambda v: isinstance(v, dict) and all(_is_number(s) for s in v.values()),
         "an object of quiz scores"),
        ("evidence", lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v), "a list of statement ids"),
        ("learner_name", _is_text, "text"),
        ("learner_email", lambda v: v is None or _is_text(v), "text or null"),
    ],
}
_NEEDS_ITEM = {"lesson_completed", "time_spent", "hint_shown", "attempt"}


def event_problem(obj: object) -> str | None:
    """None when `obj` (a decoded progress line or `Event.to_dict()`) is a usable event,
    else what is wrong with it, in a few words."""
    if not isinstance(obj, dict):
        return "not an object"
    if not _is_uuid(obj.get("id")):
        return "id must be a UUID"
    etype = obj.get("type")
    if not _is_short(etype):
        return "type must be a short text"
    if not _is_time(obj.get("time")):
        return "time must be an ISO 8601 time"
    if not _is_id(obj.get("course_id")):
        return "course_id must be a course id"
    if not _is_short(obj.get("course_version")):
        return "course_version must be a short text"
    item = obj.get("item_id")
    if item is not None and not _is_short(item):
        return "item_id must be an item id or null"
    if item is None and etype in _NEEDS_ITEM:
        return f"{etype}: item_id is missing"
    data = obj.get("data")
    if data is None:
        return None
    if not isinstance(data, dict):
        return "data must be an object"
    problem = _check(data, _DATA.get(etype, ()), f"{etype}: data.")
    if problem or etype != "attempt":
        return problem
    for n, question in enumerate(data.get("questions") or [], start=1):
        problem = _check(question, _QUESTION, f"attempt: data.questions[{n}].")
        if problem:
            return problem
    return None


def _is_time(value: Any) -> bool:
    if not _is_short(value):
        return False
    try:
        parse_time(value)
    except ValueError:
        return False
    return True


def _check(data: dict[str, Any], checks: Any, prefix: str) -> str | None:
    for key, ok, what in checks:
        if key in data and not ok(data[key]):
            return f"{prefix}{key} must be {what}"
    return None
