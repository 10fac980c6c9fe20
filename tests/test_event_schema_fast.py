"""The quick check of attempt questions (player/event_schema.py `_questions_ok`, and
`_question_ok` for one) never accepts an event that the full checks refuse: compared
on every combination of a good question with one value replaced by each kind of value,
in both key orders, after a good question (whose keys the next one's are compared
with first), and nested deep."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from player import event_schema

GOOD = {
    "id": "q1",
    "type": "single",
    "statement_id": "5f1c2b7e-1111-2222-3333-444455556666",
    "response": 1,
    "score": 1.0,
    "earned": 1.0,
    "points": 1.0,
    "correct": True,
}
VALUES = [
    None,
    True,
    False,
    0,
    3,
    -2,
    1.5,
    math.inf,
    -math.inf,
    math.nan,
    "",
    "x",
    "x" * 100_001,
    [],
    [1, 2],
    [True, None, "a"],
    [[1]],
    [{"a": 1}],
    {"a": 1},
    {},
    [math.nan],
    ["x" * 100_001],
    10**30,
]


def _event(question: object, **more: object) -> dict[str, object]:
    return {
        "id": "0b6c2b7e-1111-2222-3333-444455556666",
        "type": "attempt",
        "time": "2026-12-01T10:00:00.000Z",
        "course_id": "c",
        "course_version": "1",
        "item_id": "quiz",
        "data": {"score": 0.5, "questions": [dict(GOOD), question], **more},
    }


def _slow(obj: object, monkeypatch: pytest.MonkeyPatch) -> str | None:
    with monkeypatch.context() as m:
        m.setattr(event_schema, "_question_ok", lambda q: False)
        m.setattr(event_schema, "_questions_ok", lambda qs: False)
        return event_schema.event_problem(obj)


@pytest.mark.parametrize("key", [*GOOD, "extra"])
@pytest.mark.parametrize("order", ["as the engine writes", "sorted, as files hold it", "decoded from a file"])
def test_quick_check_agrees_with_the_full_checks(key: str, order: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for value in VALUES:
        question = dict(GOOD, **{key: value})
        event = _event(question)
        if order.startswith("sorted"):  # the good question first, the same keys in the same order
            event["data"]["questions"] = [dict(sorted(q.items())) for q in event["data"]["questions"]]  # type: ignore[index]
        elif order.startswith("decoded"):  # keys made once by the decoder, shared by both questions
            event = json.loads(json.dumps(event, sort_keys=True))
        fast, slow = event_schema.event_problem(event), _slow(event, monkeypatch)
        assert (fast is None) == (slow is None), (key, repr(value)[:40], fast, slow)
        assert fast == slow or fast is None or slow is None
    event = _event({k: v for k, v in GOOD.items() if k != key})  # the key left out
    assert (event_schema.event_problem(event) is None) == (_slow(event, monkeypatch) is None)


def test_deep_data_beside_checked_questions_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    deep: object = 1
    for _ in range(10):
        deep = [deep]
    event = _event(dict(GOOD), extra=deep)
    assert event_schema.event_problem(event) == _slow(event, monkeypatch) == "'data' nests deeper than 6 levels"
    for a, b in itertools.product(VALUES[:8], repeat=2):
        event = _event(dict(GOOD, response=[a, b]))
        assert (event_schema.event_problem(event) is None) == (_slow(event, monkeypatch) is None)


def test_the_usual_question_takes_the_quick_path() -> None:
    """What the engine writes, and what files hold (keys sorted), is a quick yes: else
    every answer of a class report would go through the slow checks."""
    for question in (dict(GOOD), dict(sorted(GOOD.items())), dict(GOOD, response=[0, 2]), dict(GOOD, response="x")):
        assert event_schema._question_ok(question), question
