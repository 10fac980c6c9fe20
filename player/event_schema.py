"""The shape every event must have before the engine folds it.

A progress log is read back from disk, and events also arrive from elsewhere
(`mooc sync --pull`, `mooc sync --import`): a line of the wrong shape, say an
``attempt`` whose ``questions`` is a string, once made every later fold, and so
`mooc certificate request`, fail for good. `event_problem()` checks a decoded event
against what the engine actually reads (player/session_fold.py folds it,
sync/certificates.py and sync/statements.py read it back) and names the first
problem; readers skip such events with a warning, keeping their bytes.

The shapes are those of docs/progress-format.md. Keys a type does not list are
free (newer mooc versions add keys), but no value nests deeper than
`MAX_DEPTH`; event types this mooc does not know are accepted with any `data`.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from player.events import EVENT_TYPES, parse_time

MAX_DEPTH = 6  # data > questions > [n] > response > [n] is 4 deep
MAX_ID = 128
MAX_TEXT = 100_000  # a typed text answer, a learner name
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*$")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,7}")


# --------------------------------------------------------------------------- value checks


def _is_str(v: object) -> bool:
    return isinstance(v, str) and len(v) <= MAX_TEXT


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_count(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_bool(v: object) -> bool:
    return isinstance(v, bool)


def _is_uuid(v: object) -> bool:
    if not isinstance(v, str) or len(v) > 64:
        return False
    try:
        uuid.UUID(v)
    except ValueError:
        return False
    return True


def _is_scalar(v: object) -> bool:
    return v is None or _is_bool(v) or _is_number(v) or _is_str(v)


def _is_response(v: object) -> bool:
    """single: int; multiple, order, match: list of int (or null); truefalse: bool;
    numeric: number; text: str; nothing answered: null."""
    return _is_scalar(v) or (isinstance(v, list) and all(_is_scalar(x) for x in v))


def _is_score_map(v: object) -> bool:
    return isinstance(v, dict) and all(_is_number(x) for x in v.values())


def _is_str_list(v: object) -> bool:
    return isinstance(v, list) and all(_is_str(x) for x in v)


def _is_optional_str(v: object) -> bool:
    return v is None or _is_str(v)


def _is_language(v: object) -> bool:
    """A language tag (BCP 47, what xAPI's `context.language` holds): "fr", "en", "pt-BR"."""
    return isinstance(v, str) and LANGUAGE_TAG.fullmatch(v) is not None


@dataclass(frozen=True)
class Field:
    """One key of an event's data: what it must be, and whether it must be there;
    `inner` checks the parts of a list (and names the one at fault)."""

    check: Callable[[object], bool]
    what: str
    required: bool = False
    inner: Callable[[object, str], str | None] | None = None


NUMBER = Field(_is_number, "a number")
TEXT = Field(_is_str, "a string")

QUESTION: Mapping[str, Field] = {
    "id": Field(_is_str, "a string", required=True),
    "type": TEXT,
    "statement_id": TEXT,
    "response": Field(_is_response, "a value or a list of values"),
    "score": NUMBER,
    "earned": NUMBER,
    "points": NUMBER,
    "correct": Field(_is_bool, "true or false"),
}


def _scalar_ok(v: object) -> bool:
    t = type(v)
    if t is str:
        return len(v) <= MAX_TEXT  # type: ignore[arg-type]
    if t is int or t is float:
        return v - v == 0  # type: ignore[operator]  # finite: inf - inf and nan - nan are nan
    return v is None or t is bool


def _question_ok(q: object) -> bool:
    """A quick yes for the usual question of an attempt: the known keys well typed and
    EVERY value a scalar or a list of scalars, so the question also nests at most 2
    deep. Anything else goes through the checks that name the problem; never says yes
    where they, depth included, find one."""
    return _questions_ok((q,))


def _questions_ok(questions: Iterable[object]) -> bool:
    """`_question_ok` of every question (a 50-question quiz has 50 per attempt), in one
    loop: a class has tens of thousands, and a call each cost a fifth of the check. The
    keys of a question read from a file are the same strings as the previous one's (the
    JSON decoder makes each key once), so they compare at once."""
    keys = None
    for q in questions:
        if type(q) is not dict:
            return False
        found = tuple(q)
        if found == keys or found == _SORTED:  # as files hold it (keys sorted): the values in that order
            keys = found
            c, e, i, p, r, sc, s, t = q.values()
        elif q.keys() == _AS_WRITTEN:  # what the engine writes, in any order
            i, t, s, r, sc, e, p, c = (
                q["id"],
                q["type"],
                q["statement_id"],
                q["response"],
                q["score"],
                q["earned"],
                q["points"],
                q["correct"],
            )
        elif _other_question_ok(q):
            continue
        else:
            return False
        tr = type(r)  # each key's type checked in one line
        if not (
            type(i) is str
            and type(t) is str
            and type(s) is str
            and type(c) is bool
            and len(i) + len(t) + len(s) <= MAX_TEXT
            and type(sc) in _NUMBERS
            and type(e) in _NUMBERS
            and type(p) in _NUMBERS
            and sc - sc == 0
            and e - e == 0
            and p - p == 0  # finite: inf - inf is nan
            and (
                r is None
                or tr is int
                or tr is bool
                or (tr is float and r - r == 0)
                or (tr is str and len(r) <= MAX_TEXT)
                or (tr is list and all(map(_scalar_ok, r)))
            )
        ):
            return False
    return True


def _other_question_ok(q: dict[str, Any]) -> bool:
    """`_question_ok` for a question with keys missing or added."""
    if "id" not in q:
        return False
    for key, v in q.items():
        t = type(v)
        if t is str:
            if len(v) > MAX_TEXT or key in _NOT_TEXT_KEYS:
                return False
        elif key in _TEXT_KEYS:
            return False
        elif t is float or t is int:
            if v - v != 0 or key == "correct":
                return False
        elif t is bool:
            if key in _NUMBER_KEYS:
                return False
        elif v is None or t is list:
            if key != "response" or (v is not None and not all(map(_scalar_ok, v))):
                return False
        else:
            return False
    return True


_NUMBERS = (int, float)
_AS_WRITTEN = frozenset(("id", "type", "statement_id", "response", "score", "earned", "points", "correct"))
_SORTED = tuple(sorted(_AS_WRITTEN))
_TEXT_KEYS = frozenset(("id", "type", "statement_id"))
_NUMBER_KEYS = frozenset(("score", "earned", "points"))
_NOT_TEXT_KEYS = _NUMBER_KEYS | {"correct"}


def _questions_problem(v: object, path: str) -> str | None:
    assert isinstance(v, list)
    for n, q in enumerate(v):
        if _question_ok(q):
            continue
        if not isinstance(q, dict):
            return f"'{path}[{n}]' must be an object"
        problem = _fields_problem(q, QUESTION, f"{path}[{n}].")
        if problem:
            return problem
    return None


# The data of each event type: every key the engine reads, with its type.
DATA: Mapping[str, Mapping[str, Field]] = {
    "enrolled": {"registration": Field(_is_uuid, "a UUID")},
    "lesson_opened": {},
    "lesson_completed": {"duration_s": NUMBER},
    "time_spent": {"seconds": NUMBER},
    "position": {},
    "hint_shown": {"question_id": TEXT},
    "attempt": {
        "score": Field(_is_number, "a number", required=True),
        "attempt": Field(_is_count, "a whole number"),
        "earned": NUMBER,
        "total": NUMBER,
        "passed": Field(_is_bool, "true or false"),
        "duration_s": NUMBER,
        "threshold": NUMBER,
        "questions": Field(lambda v: isinstance(v, list), "a list", inner=_questions_problem),
        "language": Field(_is_language, "a language code like fr"),
    },
    "self_assessment": {"module_id": TEXT, "rating": Field(_is_count, "a whole number")},
    "course_completed": {"score": NUMBER},
    "course_passed": {"score": NUMBER},
    "certificate_requested": {
        "score": Field(_is_number, "a number", required=True),
        "threshold": NUMBER,
        "quizzes": Field(_is_score_map, "an object of numbers"),
        "evidence": Field(_is_str_list, "a list of strings"),
        "learner_name": TEXT,
        "learner_email": Field(_is_optional_str, "a string or null"),
    },
    "certificate_issued": {
        "request": Field(_is_uuid, "the request's id", required=True),
        "credential": Field(_is_str, "a string", required=True),
    },
    "certificate_refused": {
        "request": Field(_is_uuid, "the request's id", required=True),
        "reason": Field(_is_str, "a string", required=True),
    },
}
assert set(DATA) == EVENT_TYPES, "every event type needs its data shape"
_ATTEMPT = DATA["attempt"]
_ATTEMPT_CHECKED = {k: f for k, f in _ATTEMPT.items() if k != "questions"}


def _fields_problem(obj: Mapping[str, object], fields: Mapping[str, Field], prefix: str) -> str | None:
    for key, f in fields.items():
        if key not in obj:
            if f.required:
                return f"'{prefix}{key}' is missing"
            continue
        value = obj[key]
        if not f.check(value):
            return f"'{prefix}{key}' must be {f.what}"
        if f.inner is not None:
            problem = f.inner(value, f"{prefix}{key}")
            if problem:
                return problem
    return None


def _too_deep(value: object, limit: int) -> bool:
    """True when lists/objects nest more than `limit` levels, `value` being level 1.
    Level by level (no recursion); flat data, most events, costs one pass."""
    level = [value]
    for _ in range(limit):
        below: list[object] = []
        for v in level:
            below += [
                c
                for c in (v.values() if type(v) is dict else v)  # type: ignore[attr-defined]
                if type(c) is dict or type(c) is list
            ]
        if not below:
            return False
        level = below
    return True


def event_problem(obj: object) -> str | None:
    """None when `obj` (a decoded progress line, or `Event.to_dict()`) is an event the
    engine can fold; otherwise the first problem, e.g. "'data.questions' must be a list"."""
    if not isinstance(obj, dict):
        return "not an object"
    head: tuple[Any, ...] = tuple(map(obj.get, _HEAD))
    eid, etype, etime, course, version = head
    if not (
        type(eid) is str
        and type(etype) is str
        and type(etime) is str
        and type(course) is str
        and type(version) is str
        and eid
        and etype
        and etime
        and course
        and version
    ):  # the usual event passes in one line; the checks that name the problem:
        for key, value in zip(_HEAD, head):
            if not isinstance(value, str) or not value:
                return f"'{key}' must be a non-empty string"
    if len(eid) > MAX_ID or not _ID.match(eid):
        return "'id' must be an event id (a UUID: letters, digits and '-')"
    try:
        parse_time(etime)
    except ValueError:
        return "'time' must be an ISO 8601 time"
    item = obj.get("item_id")
    if item is not None and not (isinstance(item, str) and item):
        return "'item_id' must be a string or null"
    data = obj.get("data")
    if data is None:
        data = {}
    elif not isinstance(data, dict):
        return "'data' must be an object"
    fields = DATA.get(etype)
    if _SCALARS.issuperset(map(type, data.values())):
        pass  # flat data (most events): one level deep
    elif (
        fields is _ATTEMPT
        and type(data.get("questions")) is list
        and _questions_ok(data["questions"])
        and _containers(data) == 1
    ):
        # the usual attempt: its questions are checked, and nest at most 3 deep below
        # data; they are its only list or object
        fields = _ATTEMPT_CHECKED
    elif _too_deep(data, MAX_DEPTH):
        return f"'data' nests deeper than {MAX_DEPTH} levels"
    if not fields:
        return None  # no data to check (a position), or a type a newer mooc added: readers ignore it
    return _fields_problem(data, fields, "data.")


_HEAD = ("id", "type", "time", "course_id", "course_version")
_SCALARS = frozenset((str, int, float, bool, type(None)))


def _containers(data: dict[str, object]) -> int:
    """How many of the values are lists or objects."""
    types = list(map(type, data.values()))
    return types.count(list) + types.count(dict)
