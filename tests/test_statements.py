"""Event -> xAPI mapping: every kind of statement mooc emits passes Ralph's strict
validation, ids are the ones fixed when the event happened, and the actor carries
only what the learner entered about themselves."""

from __future__ import annotations

import getpass
import json
import socket
import uuid

import pytest

from player.events import Event
from sync.statements import (
    EXT_EVENT, Actor, CourseShape, course_iri, duration, encode, event_of, item_iri, statements_for,
)
from tests.support.ralph import RalphServer

REG = "3f1c6a52-7f2e-4f55-9d7e-1b2c3d4e5f60"
SHAPE = CourseShape({"l1": "m1", "q1": "m1"}, {"l1": "lesson", "q1": "quiz"})


def _events() -> list[Event]:
    questions = [
        {"id": "a", "type": "single", "statement_id": str(uuid.uuid4()), "response": 1, "score": 1.0,
         "earned": 1.0, "points": 1.0, "correct": True},
        {"id": "b", "type": "match", "statement_id": str(uuid.uuid4()), "response": [0, None], "score": 0.5,
         "earned": 1.0, "points": 2.0, "correct": False},
        {"id": "c", "type": "text", "statement_id": str(uuid.uuid4()), "response": "héllo \"x\"", "score": 0.0,
         "earned": 0.0, "points": 1.0, "correct": False},
        {"id": "d", "type": "numeric", "statement_id": str(uuid.uuid4()), "response": 3.5, "score": 1.0,
         "earned": 1.0, "points": 1.0, "correct": True},
    ]
    return [
        Event("enrolled", "c1", "1.0", None, {"registration": REG}),
        Event("lesson_opened", "c1", "1.0", "l1"),
        Event("lesson_completed", "c1", "1.0", "l1", {"duration_s": 12.345}),
        Event("time_spent", "c1", "1.0", "l1", {"seconds": 3.0}),
        Event("position", "c1", "1.0", "l1"),
        Event("hint_shown", "c1", "1.0", "q1", {"question_id": "a"}),
        Event("attempt", "c1", "1.0", "q1", {"attempt": 1, "score": 0.6, "earned": 3.0, "total": 5.0,
                                              "passed": False, "duration_s": 9.1, "threshold": 0.7,
                                              "questions": questions}),
        Event("attempt", "c1", "1.0", "q1", {"attempt": 2, "score": 1.0, "earned": 5.0, "total": 5.0,
                                              "passed": True, "duration_s": 0, "threshold": 0.7, "questions": []}),
        Event("self_assessment", "c1", "1.0", None, {"module_id": "m1", "rating": 4}),
        Event("course_completed", "c1", "1.0", None, {"score": 0.5}),
        Event("course_passed", "c1", "1.0", None, {"score": 0.8}),
        Event("certificate_requested", "c1", "1.0", None, {
            "score": 0.8, "threshold": 0.5, "quizzes": {"q1": 0.8}, "evidence": [questions[0]["statement_id"]],
            "learner_name": "Amina", "learner_email": "amina@example.org"}),
    ]


def _all_statements() -> list[dict]:
    out = []
    for actor in (Actor(None, "acc-1"), Actor("amina@example.org", "acc-1")):
        for shape in (SHAPE, None):
            for event in _events():
                out += statements_for(event, actor, "https://lrs.example.org", REG, shape)
    return out


@pytest.mark.lrs
def test_every_kind_of_statement_passes_ralph_strict_validation(ralph_lrs: RalphServer) -> None:
    statements = _all_statements()
    verbs = {s["verb"]["id"] for s in statements}
    assert len(verbs) >= 11  # every verb we emit is in the sample
    assert ralph_lrs.validate(statements) == []


def test_ids_are_fixed_by_the_event_and_regeneration_is_identical() -> None:
    events = _events()
    attempt = events[6]
    out = statements_for(attempt, Actor(None, "acc"), "https://lrs.example.org", REG, SHAPE)
    assert out[0]["id"] == attempt.id
    assert [s["id"] for s in out[1:]] == [q["statement_id"] for q in attempt.data["questions"]]
    assert all(s["context"]["statement"] == {"objectType": "StatementRef", "id": attempt.id} for s in out[1:])
    again = statements_for(attempt, Actor(None, "acc"), "https://lrs.example.org", REG, SHAPE)
    assert [encode(s) for s in again] == [encode(s) for s in out]
    assert out[0]["timestamp"] == attempt.time
    assert out[0]["verb"]["id"].endswith("/failed") and out[0]["result"]["success"] is False
    assert out[0]["result"]["score"] == {"scaled": 0.6, "raw": 3.0, "min": 0.0, "max": 5.0}
    assert out[0]["object"]["id"] == item_iri("c1", "q1")
    assert out[0]["context"]["contextActivities"]["grouping"][0]["id"] == course_iri("c1")
    assert out[0]["context"]["registration"] == REG
    answered = out[2]
    assert answered["result"]["response"] == "[0,null]" and answered["result"]["success"] is False


def test_actor_is_email_or_pseudonymous_account_and_nothing_else() -> None:
    for event in _events():
        by_mail = statements_for(event, Actor("amina@example.org", "acc-9"), "https://lrs.example.org", REG, SHAPE)
        assert by_mail[0]["actor"] == {"objectType": "Agent", "mbox": "mailto:amina@example.org"}
        anon = statements_for(event, Actor(None, "acc-9"), "https://lrs.example.org", REG, SHAPE)
        assert anon[0]["actor"] == {"objectType": "Agent",
                                    "account": {"homePage": "https://lrs.example.org", "name": "acc-9"}}
    text = json.dumps([statements_for(e, Actor(None, "acc-9"), "https://lrs.example.org", REG, SHAPE)
                       for e in _events() if e.type != "certificate_requested"])
    for private in {getpass.getuser(), socket.gethostname()} - {"", "c1"}:
        assert f'"{private}"' not in text


def test_events_round_trip_through_the_statement_extension() -> None:
    for event in _events():
        main = statements_for(event, Actor(None, "a"), "https://x.example.org", REG, SHAPE)[0]
        carried = main["context"]["extensions"][EXT_EVENT]
        # What the statement says already (id, course id and version) is not repeated.
        assert carried == {k: v for k, v in event.to_dict().items() if k not in ("id", "course_id", "course_version")}
        assert event_of(json.loads(encode(main))) == event
        # Statements of older mooc versions carry the whole event: still read.
        old = json.loads(encode(main))
        old["context"]["extensions"][EXT_EVENT] = event.to_dict()
        assert event_of(old) == event
    answer = statements_for(_events()[6], Actor(None, "a"), "https://x.example.org", REG, SHAPE)[1]
    assert event_of(answer) is None  # only the attempt statement carries the event


@pytest.mark.parametrize("seconds,expected", [(0, "PT0S"), (93.2, "PT93.2S"), (12.345, "PT12.35S"),
                                              (3600, "PT3600S"), (-1, "PT0S"), ("x", None)])
def test_durations_are_iso8601(seconds: object, expected: str | None) -> None:
    assert duration(seconds) == expected
