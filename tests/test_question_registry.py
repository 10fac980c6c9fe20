"""packages/question_types.py lists every question type; each one is taken through
every part of mooc that handles questions (model, loader, grader, right answer, xAPI,
plain mode, TUI), so a type that one of them lacks fails here. The same for the kinds
of progress events (player/events.py EVENT_TYPES): the schema, the fold, the statement
builder and the pull, the learner export and import."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from packages.question_types import REGISTRY

SAMPLE_EVENTS: dict[str, tuple[str | None, dict[str, Any]]] = {
    "enrolled": (None, {"registration": "3f1c6a52-7f2e-4f55-9d7e-1b2c3d4e5f60"}),
    "lesson_opened": ("intro", {}),
    "lesson_completed": ("intro", {"duration_s": 12.5}),
    "time_spent": ("intro", {"seconds": 3.0}),
    "position": ("intro", {}),
    "hint_shown": ("quiz1", {"question_id": "a"}),
    "attempt": (
        "quiz1",
        {
            "attempt": 1,
            "score": 1.0,
            "earned": 1.0,
            "total": 1.0,
            "passed": True,
            "threshold": 0.6,
            "questions": [
                {
                    "id": "a",
                    "type": "single",
                    "statement_id": "0b7b6b8e-3c9a-4f7e-9a44-6c1d7a1f0e11",
                    "response": 1,
                    "score": 1.0,
                    "earned": 1.0,
                    "points": 1.0,
                    "correct": True,
                }
            ],
        },
    ),
    "self_assessment": (None, {"module_id": "w1", "rating": 4}),
    "course_completed": (None, {"score": 1.0}),
    "course_passed": (None, {"score": 1.0}),
    "certificate_requested": (
        None,
        {
            "score": 1.0,
            "threshold": 0.6,
            "quizzes": {"quiz1": 1.0},
            "evidence": [],
            "learner_name": "Amina",
            "learner_email": None,
        },
    ),
    "certificate_issued": (None, {"request": "3f1c6a52-7f2e-4f55-9d7e-1b2c3d4e5f61", "credential": "a.b.c"}),
    "certificate_refused": (None, {"request": "3f1c6a52-7f2e-4f55-9d7e-1b2c3d4e5f62", "reason": "no"}),
}


@pytest.fixture(scope="module")
def every_type(tmp_path_factory) -> tuple[Any, Any, dict[str, Any]]:
    """A real installed pack whose quiz holds one question of each type: (course, quiz item, {type: question})."""
    from packages.building import build_pack
    from packages.install import install
    from packages.layout import Layout
    from packages.store import Store
    from tests.support.genpack import generate_pack

    tmp = tmp_path_factory.mktemp("types")
    src = generate_pack(tmp / "src", lessons=1, questions=len(REGISTRY), course_id="types")
    layout = Layout.default(tmp / "home")
    install(layout, str(build_pack(src, out=tmp / "types.mooc")), quiet=True)
    course, _source = Store(layout).load("types")
    item = next(i for m in course.modules for i in m.items if i.kind == "quiz")
    return course, item, {q.type: q for q in item.quiz.questions}


def _right(q: Any) -> Any:
    """The full-credit response of Q, in the progress format."""
    kind = q.type
    if kind == "single":
        return next(i for i, c in enumerate(q.choices) if c.correct)
    if kind == "multiple":
        return [i for i, c in enumerate(q.choices) if c.correct]
    if kind == "truefalse":
        return q.answer
    if kind == "numeric":
        return q.answers[0].value
    if kind == "text":
        return q.answers[0].text
    if kind in ("order", "match"):
        return list(range(len(q.items if kind == "order" else q.pairs)))
    raise AssertionError(f"a sample right answer for {kind!r} is missing here")


def test_the_registry_names_every_model_and_the_loader_knows_every_type(every_type) -> None:
    import packages.questions as questions

    _course, _item, by_type = every_type
    assert tuple(REGISTRY) == questions.QUESTION_TYPES
    for name, t in REGISTRY.items():
        cls = getattr(questions, t.model)
        assert questions.QUESTION_CLASSES[name] is cls and isinstance(by_type[name], cls), name


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_type_is_graded_explained_and_mapped_to_xapi(every_type, name: str) -> None:
    from player.feedback import answer_text, right_answer
    from player.grading import _GRADERS, grade_question
    from sync.interactions import definition, response

    q = every_type[2][name]
    assert type(q) in _GRADERS
    assert grade_question(q, _right(q)).score == pytest.approx(1.0), name
    assert answer_text(q) == right_answer(q).text() != "", name
    structured = right_answer(q).to_json()
    assert structured["how"] != "none" and all(a["credit"] > 0 for a in structured["answers"]), name
    defined = definition(q, "en", "http://adlnet.gov/expapi/activities/cmi.interaction")
    assert defined["interactionType"] == REGISTRY[name].interaction
    assert response(name, _right(q)) in defined["correctResponsesPattern"] or name in ("numeric", "text")


@pytest.mark.parametrize("name", list(REGISTRY))
def test_plain_mode_asks_every_type(every_type, name: str) -> None:
    from player.plain import PlainPlayer
    from player.session import CourseSession

    course, item, by_type = every_type
    q = by_type[name]
    session = CourseSession(course, None, [], None, enroll=False)
    attempt = session.start_attempt(item.id)
    shown = attempt.presented(q.id)
    right = _right(q)
    lines = {
        "single": lambda: str(shown.index(right) + 1),
        "multiple": lambda: " ".join(str(shown.index(i) + 1) for i in right),
        "truefalse": lambda: "true" if right else "false",
        "numeric": lambda: repr(right),
        "text": lambda: right,
        "order": lambda: " ".join(str(shown.index(i) + 1) for i in right),
    }
    out = io.StringIO()
    if name == "match":
        answers = "\n".join(str(shown.index(i) + 1) for i in right) + "\n"
        player = PlainPlayer(session, io.StringIO(answers), out)
        player.ask_match(attempt, q)
    else:
        player = PlainPlayer(session, io.StringIO(""), out)
        player.show_options(q, shown)
        attempt.answer(q.id, player.parse(q, lines[name](), shown))
    assert attempt.responses[q.id] == right, (name, out.getvalue())


async def test_the_tui_asks_every_type_with_its_widget(every_type) -> None:
    from textual.app import App, ComposeResult

    from player.grading import match_options
    from tui.screens.quiz import QuestionBox

    _course, _item, by_type = every_type

    def presented(q: Any) -> list[int]:
        if q.type in ("single", "multiple"):
            return list(range(len(q.choices)))
        if q.type == "order":
            return list(range(len(q.items)))
        if q.type == "match":
            return list(range(len(match_options(q))))
        return []

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            for n, q in enumerate(by_type.values(), start=1):
                yield QuestionBox(n, q, presented(q))

    app = Host()
    async with app.run_test(size=(100, 200)):
        for box in app.query(QuestionBox):
            widgets = {type(w).__name__ for w in box.query(".answer")}
            assert widgets == {REGISTRY[box.question.type].widget}, (box.question.type, widgets)
            assert box.response() is None  # nothing chosen yet: unanswered, for every type


def test_every_event_kind_is_checked_folded_sent_pulled_and_carried(tmp_path: Path) -> None:
    from player.event_schema import event_problem
    from player.events import EVENT_TYPES, Event
    from player.learner_export import ExportedLearner, read, write
    from player.session import CourseSession
    from sync.statements import Actor, CourseShape, event_of, statements_for
    from tests.test_session import make_course

    assert set(SAMPLE_EVENTS) == set(EVENT_TYPES), "a new event kind needs a sample here"
    course = make_course()
    shape = CourseShape.of(course)
    events = [Event(kind, course.id, course.version, item, data) for kind, (item, data) in SAMPLE_EVENTS.items()]
    for event in events:
        assert event_problem(event.to_dict()) is None, event.type
        statements = statements_for(event, Actor(None, "acc"), "https://lrs.example.org", None, shape)
        back = event_of(statements[0])
        assert back is not None and back.to_dict() == event.to_dict(), event.type
    CourseSession(course, None, list(events), None, enroll=False)  # every kind folds
    path = tmp_path / "one.mooc-learners"
    write(path, [ExportedLearner("amina", "Amina", None, "acc-1", None, events)])
    [carried] = read(path).learners
    assert sorted(e.id for e in carried.events) == sorted(e.id for e in events)
    assert {e.id: e.to_dict() for e in carried.events} == {e.id: e.to_dict() for e in events}
