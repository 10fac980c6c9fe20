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
    EXT_EVENT,
    Actor,
    CourseShape,
    course_iri,
    duration,
    encode,
    event_of,
    item_iri,
    statements_for,
)
from tests.support.ralph import RalphServer

REG = "3f1c6a52-7f2e-4f55-9d7e-1b2c3d4e5f60"
SHAPE = CourseShape({"l1": "m1", "q1": "m1"}, {"l1": "lesson", "q1": "quiz"})


def _events() -> list[Event]:
    questions = [
        {
            "id": "a",
            "type": "single",
            "statement_id": str(uuid.uuid4()),
            "response": 1,
            "score": 1.0,
            "earned": 1.0,
            "points": 1.0,
            "correct": True,
        },
        {
            "id": "b",
            "type": "match",
            "statement_id": str(uuid.uuid4()),
            "response": [0, None],
            "score": 0.5,
            "earned": 1.0,
            "points": 2.0,
            "correct": False,
        },
        {
            "id": "c",
            "type": "text",
            "statement_id": str(uuid.uuid4()),
            "response": 'héllo "x"',
            "score": 0.0,
            "earned": 0.0,
            "points": 1.0,
            "correct": False,
        },
        {
            "id": "d",
            "type": "numeric",
            "statement_id": str(uuid.uuid4()),
            "response": 3.5,
            "score": 1.0,
            "earned": 1.0,
            "points": 1.0,
            "correct": True,
        },
    ]
    return [
        Event("enrolled", "c1", "1.0", None, {"registration": REG}),
        Event("lesson_opened", "c1", "1.0", "l1"),
        Event("lesson_completed", "c1", "1.0", "l1", {"duration_s": 12.345}),
        Event("time_spent", "c1", "1.0", "l1", {"seconds": 3.0}),
        Event("position", "c1", "1.0", "l1"),
        Event("hint_shown", "c1", "1.0", "q1", {"question_id": "a"}),
        Event(
            "attempt",
            "c1",
            "1.0",
            "q1",
            {
                "attempt": 1,
                "score": 0.6,
                "earned": 3.0,
                "total": 5.0,
                "passed": False,
                "duration_s": 9.1,
                "threshold": 0.7,
                "questions": questions,
            },
        ),
        Event(
            "attempt",
            "c1",
            "1.0",
            "q1",
            {
                "attempt": 2,
                "score": 1.0,
                "earned": 5.0,
                "total": 5.0,
                "passed": True,
                "duration_s": 0,
                "threshold": 0.7,
                "questions": [],
            },
        ),
        Event("self_assessment", "c1", "1.0", None, {"module_id": "m1", "rating": 4}),
        Event("course_completed", "c1", "1.0", None, {"score": 0.5}),
        Event("course_passed", "c1", "1.0", None, {"score": 0.8}),
        Event(
            "certificate_requested",
            "c1",
            "1.0",
            None,
            {
                "score": 0.8,
                "threshold": 0.5,
                "quizzes": {"q1": 0.8},
                "evidence": [questions[0]["statement_id"]],
                "learner_name": "Amina",
                "learner_email": "amina@example.org",
            },
        ),
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
    assert (
        answered["result"]["response"] == "L0[.]R0" and answered["result"]["success"] is False
    )  # right side of left 1 not given


def test_actor_is_email_or_pseudonymous_account_and_nothing_else() -> None:
    for event in _events():
        by_mail = statements_for(event, Actor("amina@example.org", "acc-9"), "https://lrs.example.org", REG, SHAPE)
        assert by_mail[0]["actor"] == {"objectType": "Agent", "mbox": "mailto:amina@example.org"}
        anon = statements_for(event, Actor(None, "acc-9"), "https://lrs.example.org", REG, SHAPE)
        assert anon[0]["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "https://lrs.example.org", "name": "acc-9"},
        }
    text = json.dumps(
        [
            statements_for(e, Actor(None, "acc-9"), "https://lrs.example.org", REG, SHAPE)
            for e in _events()
            if e.type != "certificate_requested"
        ]
    )
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


@pytest.mark.parametrize(
    "seconds,expected",
    [(0, "PT0S"), (93.2, "PT93.2S"), (12.345, "PT12.35S"), (3600, "PT3600S"), (-1, "PT0S"), ("x", None)],
)
def test_durations_are_iso8601(seconds: object, expected: str | None) -> None:
    assert duration(seconds) == expected


def _every_type_attempt(tmp_path) -> tuple[list[dict], dict]:
    """An attempt at a real pack's quiz holding all seven question types, as statements."""
    from packages.building import build_pack
    from packages.install import install
    from packages.layout import Layout
    from packages.store import Store
    from tests.support.genpack import generate_pack

    src = generate_pack(tmp_path / "src", lessons=2, questions=7, course_id="types")
    layout = Layout.default(tmp_path / "home")
    install(layout, str(build_pack(src, out=tmp_path / "types.mooc")), quiet=True)
    course, _source = Store(layout).load("types")
    quiz_item = next(i for m in course.modules for i in m.items if i.kind == "quiz")
    responses = {
        "single": 1,
        "multiple": [0, 2],
        "truefalse": False,
        "numeric": 7.5,
        "text": "answer 4",
        "order": [1, 0, 2, 3],
        "match": [0, 2, None],
    }
    questions = [
        {
            "id": q.id,
            "type": q.type,
            "statement_id": str(uuid.uuid4()),
            "response": responses[q.type],
            "score": 0.0,
            "earned": 0.0,
            "points": 1.0,
            "correct": False,
        }
        for q in quiz_item.quiz.questions
    ]
    event = Event(
        "attempt",
        "types",
        "1.0.0",
        quiz_item.id,
        {
            "attempt": 1,
            "score": 0.0,
            "earned": 0.0,
            "total": 7.0,
            "passed": False,
            "threshold": 0.6,
            "questions": questions,
        },
    )
    out = statements_for(event, Actor(None, "acc-7"), "https://lrs.example.org", REG, CourseShape.of(course))
    return out[1:], {q.type: q for q in quiz_item.quiz.questions}


def test_questions_are_standard_cmi_interactions_with_xapi_responses(tmp_path) -> None:
    answered, by_type = _every_type_attempt(tmp_path)
    got = {s["result"]["extensions"]["urn:mooc:extension:question-type"]: s for s in answered}
    assert sorted(got) == sorted(by_type)
    kinds = {t: s["object"]["definition"]["interactionType"] for t, s in got.items()}
    assert kinds == {
        "single": "choice",
        "multiple": "choice",
        "truefalse": "true-false",
        "numeric": "numeric",
        "text": "fill-in",
        "order": "sequencing",
        "match": "matching",
    }
    response = {t: s["result"]["response"] for t, s in got.items()}
    assert response == {
        "single": "1",
        "multiple": "0[,]2",
        "truefalse": "false",
        "numeric": "7.5",
        "text": "answer 4",
        "order": "1[,]0[,]2[,]3",
        "match": "L0[.]R0[,]L1[.]R2",
    }
    single = got["single"]["object"]["definition"]
    right = [i for i, c in enumerate(by_type["single"].choices) if c.correct]
    assert single["correctResponsesPattern"] == [str(right[0])]
    assert [c["description"]["en"] for c in single["choices"]] == [c.text for c in by_type["single"].choices]
    assert single["description"]["en"] == by_type["single"].prompt
    assert got["multiple"]["object"]["definition"]["correctResponsesPattern"] == ["0[,]2"]
    assert got["truefalse"]["object"]["definition"]["correctResponsesPattern"] == [
        "true" if by_type["truefalse"].answer else "false"
    ]
    numeric = by_type["numeric"].answers[0]
    low, high = got["numeric"]["object"]["definition"]["correctResponsesPattern"][0].split("[:]")
    assert float(low) < numeric.value < float(high)
    assert got["text"]["object"]["definition"]["correctResponsesPattern"] == [
        "{case_matters=false}answer 4",
        "{case_matters=false}ans 4",
    ]
    assert got["order"]["object"]["definition"]["correctResponsesPattern"] == ["0[,]1[,]2[,]3"]
    match = got["match"]["object"]["definition"]
    assert match["correctResponsesPattern"] == ["L0[.]R0[,]L1[.]R1[,]L2[.]R2"]
    assert [s["id"] for s in match["source"]] == ["L0", "L1", "L2"] and [
        t["description"]["en"] for t in match["target"]
    ] == ["Ottawa", "Rome", "Lima"]


@pytest.mark.lrs
def test_cmi_interactions_pass_ralph_strict_validation(tmp_path, ralph_lrs: RalphServer) -> None:
    answered, _by_type = _every_type_attempt(tmp_path)
    assert ralph_lrs.validate(answered) == []
