"""packages/question_types.py lists every question type; each one is taken through
every part of mooc that handles questions (model, loader, grader, right answer, xAPI,
plain mode, TUI), so a type that one of them lacks fails here. The same for the kinds
of progress events (player/events.py EVENT_TYPES): the schema, the fold, the statement
builder and the pull, the learner export and import.

A new question type needs, here: a sample question (`SAMPLES`, for a type
tests/support/genpack.py does not write), its full-credit response (`_right`), and
the tests of what it does that no other type does (below: the `reflection` type)."""

from __future__ import annotations

import dataclasses
import io
import json
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


# The keys of one sample question of each type tests/support/genpack.py does not write.
SAMPLES: dict[str, str] = {
    "reflection": 'answer = "Space the practice: **short sessions**, days apart."\nfeedback = "Did you plan breaks?"\n',
}


@pytest.fixture(scope="module")
def every_type(tmp_path_factory) -> tuple[Any, Any, dict[str, Any]]:
    """A real installed pack whose quiz holds one question of each type: (course, quiz item, {type: question})."""
    from packages.building import build_pack
    from packages.install import install
    from packages.layout import Layout
    from packages.store import Store
    from tests.support.genpack import TYPES, generate_pack

    tmp = tmp_path_factory.mktemp("types")
    src = generate_pack(tmp / "src", lessons=1, questions=len(TYPES), course_id="types")
    with open(src / "quizzes" / "q00000.toml", "a", encoding="utf-8") as quiz:
        for name, keys in SAMPLES.items():
            quiz.write(
                f'\n[[questions]]\nid = "sample-{name}"\ntype = "{name}"\nprompt = "How would you study?"\n{keys}'
            )
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
    if kind == "reflection":  # never scored: any text, with a self-rating or none
        return ["Short sessions, a few days apart.", 4]
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
    assert answer_text(q) == right_answer(q).text() != "", name
    structured = right_answer(q).to_json()
    defined = definition(q, "en", "http://adlnet.gov/expapi/activities/cmi.interaction")
    assert defined["interactionType"] == REGISTRY[name].interaction
    if not q.SCORED:  # a model answer worth nothing, and nothing for an LRS to score against
        grade = grade_question(q, _right(q))
        assert grade.valid and grade.score == 0 and q.points == 0, name
        assert structured["how"] == "model" and all(a["credit"] == 0 for a in structured["answers"]), name
        assert "correctResponsesPattern" not in defined and response(name, _right(q)), name
        return
    assert grade_question(q, _right(q)).score == pytest.approx(1.0), name
    assert structured["how"] != "none" and all(a["credit"] > 0 for a in structured["answers"]), name
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
    elif name == "reflection":
        player = PlainPlayer(session, io.StringIO(f"{right[0]}\n{right[1]}\n"), out)
        player.ask_reflection(attempt, q)
        assert "Model answer:" in out.getvalue() and "Did you plan breaks?" in out.getvalue()
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
            # each answer widget is of the type's widget class (or one made from it: the
            # text and number answers are SteadyInputs, Textual's Input typing lighter)
            widgets = [{c.__name__ for c in type(w).__mro__} for w in box.query(".answer")]
            named = REGISTRY[box.question.type].widget
            assert widgets and all(named in kinds for kinds in widgets), (box.question.type, widgets)
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


# ------------------------------------------------------------------ the reflection type

JOURNAL = """title = "Journal"

[[questions]]
id = "pick"
type = "single"
prompt = "Pick B"
points = 2
choices = [ { text = "A" }, { text = "B", correct = true } ]

[[questions]]
id = "plan"
type = "reflection"
prompt = "How will you **plan** your study week?"
answer = "Short sessions, spread over the week."
feedback = "Did you plan *breaks*?"
"""


def _journal_pack(root: Path, quiz: str = JOURNAL) -> Path:
    """One lesson, the quiz QUIZ, and a second module that requires passing it."""
    pack = root / "reflect-pack"
    (pack / "lessons").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "lessons" / "intro.md").write_text("# Intro\n\nHello.\n")
    (pack / "quizzes" / "journal.toml").write_text(quiz)
    (pack / "course.toml").write_text(
        'format = 1\nid = "reflect-101"\nversion = "1.0.0"\ntitle = "Reflecting"\nlanguage = "en"\n\n'
        '[grading]\npass_threshold = 0.6\n\n[[modules]]\nid = "m1"\ntitle = "One"\n\n'
        '  [[modules.items]]\n  id = "intro"\n  kind = "lesson"\n  file = "lessons/intro.md"\n\n'
        '  [[modules.items]]\n  id = "journal"\n  kind = "quiz"\n  file = "quizzes/journal.toml"\n\n'
        '[[modules]]\nid = "m2"\ntitle = "Two"\nrequires = ["journal"]\n\n'
        '  [[modules.items]]\n  id = "later"\n  kind = "lesson"\n  file = "lessons/intro.md"\n'
    )
    return pack


REFLECTIONS_ONLY = JOURNAL.split("[[questions]]")[0] + "[[questions]]" + JOURNAL.split("[[questions]]")[2]


def test_a_reflection_is_checked_like_any_question_and_an_unknown_type_is_refused(run_mooc: Any, tmp_path) -> None:
    """`answer` and `feedback` are optional strings; `points` is ignored with a warning. A type
    mooc does not know is an error naming the types it knows: what a mooc older than the
    reflection type says of one (so such a pack never installs there to be mis-graded)."""
    bad = JOURNAL.replace("points = 2\n", "").replace('prompt = "How', 'points = 3\nanswer_key = 1\nprompt = "How')
    bad = bad.replace('answer = "Short sessions, spread over the week."', "answer = true")
    out = run_mooc("pack", "check", str(_journal_pack(tmp_path / "a", bad)))
    assert out.returncode == 1
    assert (
        "warning: quizzes/journal.toml:12:1: questions[1].points: a reflection is never scored: its points are ignored"
        in out.stdout
    )
    assert "journal.toml:13:1: questions[1].answer_key: unknown key (ignored; a typo?)" in out.stdout
    assert "error: quizzes/journal.toml:15:1: questions[1].answer: must be a string, not true" in out.stdout
    essay = run_mooc("pack", "check", str(_journal_pack(tmp_path / "b", JOURNAL.replace('"reflection"', '"essay"'))))
    assert essay.returncode == 1 and (
        "questions[1].type: unknown question type 'essay' (one of single, multiple, truefalse, numeric, text, "
        "order, match, reflection)" in essay.stdout
    )
    installed = run_mooc("install", str(_journal_pack(tmp_path / "c", JOURNAL.replace('"reflection"', '"essay"'))))
    assert installed.returncode == 1 and "unknown question type 'essay'" in installed.stderr
    assert run_mooc("pack", "check", str(_journal_pack(tmp_path / "d"))).returncode == 0


def test_reflections_never_count_in_a_score(tmp_path) -> None:
    """Left out of the total; recorded without score, earned or correct; a quiz of
    reflections alone is done (100%) once one is written, 0 with none written."""
    from packages.loading import load_course
    from packages.source import open_source
    from player.feedback import response_text, review_question
    from player.grading import grade_attempt

    quiz = load_course(open_source(_journal_pack(tmp_path / "a"))).item("journal").quiz
    plan = quiz.question("plan")
    assert (plan.type, plan.points, plan.SCORED) == ("reflection", 0.0, False)
    graded = grade_attempt(quiz, {"pick": 1, "plan": ["Two hours on Sunday.", 2]})
    assert (graded.score, graded.earned, graded.total, graded.scored) == (1.0, 2.0, 2.0, True)
    assert grade_attempt(quiz, {"pick": 0, "plan": ["Two hours on Sunday.", 2]}).score == 0.0
    written = graded.questions[1]
    assert written.record("sid") == {
        "id": "plan",
        "type": "reflection",
        "statement_id": "sid",
        "response": ["Two hours on Sunday.", 2],
        "points": 0.0,
    }
    assert set(graded.questions[0].record("sid")) >= {"score", "earned", "correct"}
    seen = review_question(2, written, show_solution=True)
    assert (seen.verdict, seen.feedback, seen.hints) == ("noted", ("Did you plan *breaks*?",), ())
    assert seen.answer == "Short sessions, spread over the week."
    assert response_text(plan, ["Two hours\non Sunday.", 2]) == "Two hours on Sunday. (self-rating 2 of 5)"
    assert response_text(plan, ["Just this.", None]) == "Just this."
    for malformed in ("text alone", ["text", 6], ["text", True], [3, 4], ["a", 1, 2]):
        assert response_text(plan, malformed) == "(not understood)"
        assert not grade_attempt(quiz, {"plan": malformed}).questions[1].grade.valid
    alone = load_course(open_source(_journal_pack(tmp_path / "b", REFLECTIONS_ONLY))).item("journal").quiz
    done = grade_attempt(alone, {"plan": ["Mornings.", None]})
    assert (done.score, done.total, done.scored) == (1.0, 0.0, False) and done.passed(0.6)
    assert grade_attempt(alone, {}).score == 0.0
    empty = dataclasses.replace(alone, questions=())
    assert (grade_attempt(empty, {}).score, grade_attempt(empty, {}).scored) == (0.0, True)  # as before


def test_plain_mode_asks_to_write_then_shows_the_model_answer_and_asks_a_rating(
    run_mooc: Any, mooc_home, tmp_path
) -> None:
    """Through the real `mooc play --plain`: the text and rating land in the progress file
    (the attempt's response), the score leaves the reflection out, and the class report
    lists no right or wrong answers for it."""
    assert run_mooc("install", str(_journal_pack(tmp_path))).returncode == 0
    typed = "2\n\nMornings, 20 minutes, before work.\n9\n4\nq\n"  # B; nothing written; the text; no such rating; 4
    out = run_mooc("play", "--plain", "reflect-101", "journal", input=typed)
    assert out.returncode == 0, out.stderr
    said = out.stdout
    assert "Question 2 of 2 (not scored):" in said and "Question 1 of 2 (2 points):" in said
    asked = said.index("Question 2 of 2")
    assert said.index("Model answer:", asked) < said.index("How close is your answer?", asked)
    assert "Type your answer, or skip." in said and "  Did you plan breaks?" in said
    assert "Type a number from 1 to 5, or press Enter." in said
    assert "Score: 2/2" in said and "Question 2: written, not scored." in said and "Unlocked: Two." in said
    log = next((mooc_home.home / "learners").glob("*/progress/reflect-101.jsonl"))
    (attempt,) = [e for e in map(json.loads, log.read_text().splitlines()[1:]) if e["type"] == "attempt"]
    pick, plan = attempt["data"]["questions"]
    assert attempt["data"]["score"] == 1.0 and attempt["data"]["total"] == 2.0 and "score" in pick
    assert plan["response"] == ["Mornings, 20 minutes, before work.", 4]
    assert plan["points"] == 0.0 and not {"score", "earned", "correct"} & set(plan)
    report = json.loads(run_mooc("report", "--json").stdout)
    (quiz,) = report["courses"][0]["quizzes"]
    assert [q["id"] for q in quiz["questions"]] == ["pick"] and quiz["learners_passed"] == 1


async def test_the_tui_reveals_the_model_answer_after_writing_and_takes_a_rating(mooc_home, tmp_path) -> None:
    """A quiz of reflections alone in the real app: the model answer appears on leaving the
    text area, the rating is picked by keys, and the submitted quiz is done, not scored."""
    from packages.install import install
    from packages.layout import Layout
    from player.learners import Learners
    from tests.test_tui import events, make_app, screen_name, shown, wait_for
    from tui.widgets.reflection_input import ReflectionInput

    layout = Layout.default(mooc_home.home)
    learner = Learners(layout).current()
    install(layout, str(_journal_pack(tmp_path, REFLECTIONS_ONLY)), quiet=True)
    app = make_app(layout, course_id="reflect-101", item_id="journal")
    async with app.run_test(size=(80, 40)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("enter")  # "Start the quiz"
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        box = app.screen.query_one("#q-1")
        widget = box.query_one(ReflectionInput)
        assert "Question 1 · not scored" in str(box.children[0].content)
        await pilot.press(*"Mornings, before work.")  # h, g, y...: written, not keys
        assert not widget.revealed and box.response() == ["Mornings, before work.", None]
        await pilot.press("tab")
        await wait_for(pilot, lambda: widget.revealed)
        model = shown(widget.query_one(".model"))
        assert "Model answer:" in model and "Short sessions, spread over the week." in model and "breaks" in model
        await pilot.press("enter", "down", "down", "down", "enter")  # open the rating, pick 3
        await wait_for(pilot, lambda: widget.rating == 3)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.result is not None)
        result = str(app.screen.query_one("#quiz-result").content)
        assert "Done: this quiz is not scored; your answers are kept." in result and "Score" not in result
        assert "Unlocked: Two" in result
        feedback = shown(box.query_one(".feedback"))
        assert "written (not scored)" in feedback and "0/0" not in feedback and "breaks" in feedback
    (attempt,) = [e for e in events(layout, learner.id, "reflect-101") if e["type"] == "attempt"]
    assert attempt["data"]["questions"][0]["response"] == ["Mornings, before work.", 3]
    assert attempt["data"]["passed"] is True and attempt["data"]["score"] == 1.0


@pytest.mark.lrs
def test_a_reflection_is_synced_as_long_fill_in_and_a_certificate_ignores_it(
    run_mooc: Any, mooc_home, tmp_path, ralph_lrs
) -> None:
    """End to end with the real Ralph LRS: the learner's text is the response of a
    `long-fill-in` interaction with no score, no success and no correct pattern (valid
    xAPI); the provider re-grades the certificate request leaving the reflection out."""
    from packages.layout import Layout
    from packages.store import Store
    from player.learners import Learners
    from player.progress import EventLog
    from player.session import CourseSession
    from tests.test_certificate_issue import Provider, _pack

    provider = Provider(tmp_path, run_mooc, ralph_lrs)
    pack = _pack(tmp_path / "pack", ralph_lrs.endpoint, provider.did, course_id="reflect-cert")
    for quiz in (pack / "quizzes").glob("*.toml"):
        quiz.write_text(quiz.read_text() + '\n[[questions]]\nid = "why"\ntype = "reflection"\nprompt = "Why?"\n')
    assert run_mooc("install", str(pack)).returncode == 0
    assert run_mooc("learner", "add", "Ada", "--email", "ada.reflect@example.org").returncode == 0
    login = ["login", ralph_lrs.endpoint, "--user", ralph_lrs.user, "--password-stdin"]
    assert run_mooc(*login, input=ralph_lrs.password + "\n").returncode == 0
    layout = Layout.default(mooc_home.home)
    ada = Learners(layout).get("ada")
    course, source = Store(layout).load("reflect-cert")
    session = CourseSession(course, source, EventLog.for_course(layout, ada.id, "reflect-cert"), ada)
    session.open_item("intro")
    session.complete_lesson("intro")
    texts = {}
    for item in ("quiz-1", "quiz-2"):
        attempt = session.start_attempt(item)
        attempt.answer("q1", 1)
        attempt.answer("q2", True)
        texts[item] = f"Because of {item}: it {'is' if item == 'quiz-1' else 'was'} worth it."
        attempt.answer("why", [texts[item], 5 if item == "quiz-1" else None])
        assert session.submit(attempt).grade.score == 1.0
    assert run_mooc("certificate", "request", "reflect-cert", "--learner", "ada").returncode == 0
    assert run_mooc("consent", "allow", ralph_lrs.endpoint, "--learner", "ada").returncode == 0
    assert run_mooc("sync", "--learner", "ada").returncode == 0

    answered = [
        s
        for s in ralph_lrs.all_statements()
        if s["object"]["id"].endswith(":question:why") and "reflect-cert" in s["object"]["id"]
    ]
    assert sorted(s["result"]["response"] for s in answered) == sorted(texts.values())
    for statement in answered:
        assert statement["object"]["definition"]["interactionType"] == "long-fill-in"
        assert "correctResponsesPattern" not in statement["object"]["definition"]
        assert not {"score", "success"} & set(statement["result"])
    assert ralph_lrs.validate(answered) == []
    run = provider.issue(pack)
    mine = [o for o in run["outcomes"] if "ada.reflect" in o["learner"]]
    assert [(o["decision"], o["score"]) for o in mine] == [("issued", 1.0)], run
