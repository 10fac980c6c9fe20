"""Numbers typed and shown the way the learner's language writes them (issue 19):
the parser per language, the shown numbers, the language recorded with an attempt
and carried to the xAPI statement, and the provider's re-grading reading it back."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from packages import i18n
from packages.local_numbers import format_number, format_percent, parse_number
from packages.model import Quiz
from packages.questions import Numeric, NumericAnswer
from player.grading import grade_attempt, grade_question

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


# ------------------------------------------------------------------------ reading


@pytest.mark.parametrize(
    "text,value",
    [
        ("1 234,5", 1234.5),
        (f"1{NBSP}234,5", 1234.5),
        (f"1{NNBSP}234,5", 1234.5),
        (f"1{THIN}234,5", 1234.5),
        ("12 345 678", 12345678.0),
        ("-1 234 567,25", -1234567.25),
        ("1 234.5", 1234.5),  # a decimal point is still read
        ("1,234", 1.234),  # ambiguous: French reads a comma as the decimal mark
        ("3,14", 3.14),
        ("3.14", 3.14),
        (",5", 0.5),
        ("\u22124", -4.0),
        ("1 234e3", 1234000.0),
    ],
)
def test_french_reads_spaces_as_groups_and_the_comma_as_decimal(text: str, value: float) -> None:
    assert parse_number(text, "fr") == pytest.approx(value)
    assert parse_number(text, "fr_FR") == pytest.approx(value)


@pytest.mark.parametrize("language", ["en", "qps", "de"])  # qps and languages without conventions: as English
@pytest.mark.parametrize(
    "text,value",
    [
        ("1,234.5", 1234.5),
        ("1,234", 1234.0),  # ambiguous: English reads a comma between groups of three as a group
        ("12,345,678.25", 12345678.25),
        ("-1,234.5", -1234.5),
        ("3,14", 3.14),  # a comma that cannot be a group is a decimal mark, as before
        ("0,125", 0.125),
        ("3.14", 3.14),
        (" 7 ", 7.0),
        ("1e-3", 0.001),
    ],
)
def test_english_reads_commas_as_groups_and_the_point_as_decimal(language: str, text: str, value: float) -> None:
    assert parse_number(text, language) == pytest.approx(value)


@pytest.mark.parametrize(
    "language,text",
    [
        ("fr", "1,234.5"),
        ("fr", "1.234,5"),
        ("fr", "1,234,567"),
        ("fr", "12 34"),
        ("fr", "1  234"),
        ("fr", "0 123"),
        ("fr", "1 234 5"),
        ("en", "1.234,5"),
        ("en", "1 234,5"),
        ("en", "1,234,5"),
        ("en", "12,34,567"),
        ("qps", "1 234,5"),
        ("en", "nan"),
        ("fr", "inf"),
        ("en", "1e999"),
        ("fr", ""),
        ("en", "1_000"),
        ("fr", "0x10"),
        ("en", "--1"),
        ("fr", "."),
    ],
)
def test_what_a_language_does_not_write_is_refused(language: str, text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, language)


def test_marks_the_wrong_way_round_say_how_the_language_writes_it() -> None:
    with pytest.raises(ValueError, match=r"mixes ',' and '.': write it like 12,345.5 or 12345.5"):
        parse_number("1.234,5", "en")
    with pytest.raises(ValueError, match=f"12{NBSP}345,5 or 12345,5"):
        parse_number("1,234.5", "fr")


@pytest.mark.parametrize("text,value", [("1,234", 1.234), ("3,5", 3.5), ("1e3", 1000.0)])
def test_no_language_reads_as_before_languages(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)
    assert parse_number(text, None) == pytest.approx(value)


@pytest.mark.parametrize("text", ["1 234,5", "1,234.5", "1,234,567"])
def test_no_language_refuses_groups_as_before(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, None)


# ------------------------------------------------------------------------ writing


@pytest.mark.parametrize(
    "value,english,french",
    [
        (1234.5, "1234.5", "1234,5"),  # four digits stay ungrouped (a year, a code)
        (12345.5, "12,345.5", f"12{NBSP}345,5"),
        (-1234567.25, "-1,234,567.25", f"-1{NBSP}234{NBSP}567,25"),
        (3.14, "3.14", "3,14"),
        (0.001, "0.001", "0,001"),
        (1e20, "1e+20", "1e+20"),
        (42.0, "42", "42"),
    ],
)
def test_numbers_are_shown_the_way_the_language_writes_them(value: float, english: str, french: str) -> None:
    assert format_number(value, "en") == english == format_number(value, "qps")
    assert format_number(value, "fr") == french
    for text, language in ((english, "en"), (french, "fr")):  # what is shown reads back as the same number
        assert parse_number(text, language) == pytest.approx(value)


def test_percentages_follow_the_language() -> None:
    assert format_percent(2, "en") == "2%"
    assert format_percent(2.5, "fr") == f"2,5{NBSP}%"


def test_the_right_answer_is_shown_in_the_learners_language(french: None) -> None:
    q = Numeric(id="n", prompt="p", answers=(NumericAnswer(value=12345.5, tolerance=0.5),))
    assert q.right_answer().text() == f"12{NBSP}345,5 (± 0,5)"
    assert q.response_text(1234.25) == "1234,25"
    rel = Numeric(id="r", prompt="p", answers=(NumericAnswer(value=3.5, tolerance=0.025, relative=True),))
    assert rel.right_answer().text() == f"3,5 (± 2,5{NBSP}%)"
    i18n.use_language("en")
    assert q.right_answer().text() == "12,345.5 (± 0.5)"


# ------------------------------------------------------------------------ grading


QUIZ = Quiz(
    title="Numbers",
    questions=[Numeric(id="n", prompt="How much?", answers=(NumericAnswer(value=1234.5),))],
)


def test_grouped_answers_earn_the_credit_of_the_number() -> None:
    assert grade_attempt(QUIZ, {"n": 1234.5}).score == 1.0
    assert grade_attempt(QUIZ, {"n": "1 234,5"}, "fr").score == 1.0
    assert grade_attempt(QUIZ, {"n": f"1{NNBSP}234,5"}, "fr").score == 1.0
    assert grade_attempt(QUIZ, {"n": "1,234.5"}, "en").score == 1.0
    assert grade_attempt(QUIZ, {"n": "1,234.5"}, "qps").score == 1.0
    # the other language's way, and no language (as before): no credit
    assert grade_attempt(QUIZ, {"n": "1 234,5"}, "en").score == 0.0
    assert grade_attempt(QUIZ, {"n": "1,234.5"}, "fr").score == 0.0
    assert grade_attempt(QUIZ, {"n": "1 234,5"}).score == 0.0
    graded = grade_attempt(QUIZ, {"n": "1 234,5"}, "fr").questions[0]
    assert graded.response == 1234.5  # stored as the number it reads as


def test_ambiguous_input_follows_the_answering_language() -> None:
    q = Numeric(id="n", prompt="p", answers=(NumericAnswer(value=1.234),))
    assert grade_question(q, "1,234", language="fr").score == 1.0
    assert grade_question(q, "1,234", language="en").score == 0.0
    assert grade_question(q, "1,234").score == 1.0  # no language: as before


# ------------------------------------------------------------------------ recorded and re-graded


PACK = """\
format = 1
id = "num-101"
version = "1.0.0"
title = "Numbers course"
language = "fr"
kind = "xmooc"

[grading]
pass_threshold = 0.5

[certificate]
available = true

[[modules]]
id = "m1"
title = "Module 1"
  [[modules.items]]
  id = "quiz"
  kind = "quiz"
  file = "quizzes/quiz.toml"
  title = "Quiz"
"""
QUIZ_TOML = 'title = "Quiz"\n\n[[questions]]\nid = "n"\ntype = "numeric"\nprompt = "How much?"\nanswer = 1234.5\n'


def write_numbers_pack(dest: Path, endpoint: str | None = None) -> Path:
    """One graded quiz of one numeric question whose answer is 1234.5."""
    (dest / "quizzes").mkdir(parents=True)
    toml = (
        PACK
        if endpoint is None
        else PACK.replace("[[modules]]", f'[sync]\nxapi_endpoint = "{endpoint}"\n\n[[modules]]')
    )
    (dest / "course.toml").write_text(toml, encoding="utf-8")
    (dest / "quizzes" / "quiz.toml").write_text(QUIZ_TOML, encoding="utf-8")
    return dest


def _session(tmp_path: Path) -> Any:
    from packages.loading import load_course
    from packages.source import open_source
    from player.session import CourseSession

    source = open_source(write_numbers_pack(tmp_path / "pack"))
    return CourseSession(load_course(source), source, [])


def test_the_attempt_records_the_language_and_its_statements_say_it(tmp_path: Path, french: None) -> None:
    from player.event_schema import event_problem
    from sync.statements import Actor, statements_for

    session = _session(tmp_path)
    attempt = session.start_attempt("quiz")
    attempt.answer("n", "1 234,5")  # the engine reads text the way the learner's language writes it
    result = session.submit(attempt)
    assert result.grade.score == 1.0
    event = result.event
    assert event.data["language"] == "fr" and event.data["questions"][0]["response"] == 1234.5
    assert event_problem(event.to_dict()) is None
    statements = statements_for(event, Actor("awa@example.org", "x"), "https://lrs.example", None, None)
    assert [s["context"].get("language") for s in statements] == ["fr", "fr"]
    assert statements[1]["result"]["response"] == "1234.5"  # xAPI numeric: the number, not as typed


def test_an_attempt_without_language_makes_statements_as_before() -> None:
    from player.events import Event
    from sync.statements import Actor, statements_for

    data = {"score": 1.0, "questions": [{"id": "n", "type": "numeric", "response": 3.5, "statement_id": None}]}
    event = Event("attempt", "c", "1.0.0", "quiz", data)
    statements = statements_for(event, Actor(None, "a"), "https://lrs.example", None, None)
    assert all("language" not in s["context"] for s in statements)


@pytest.mark.parametrize("bad", ["", "f", "français", "fr_FR", "../x", 3, None])
def test_a_recorded_language_must_be_a_language_tag(bad: Any) -> None:
    from player.event_schema import event_problem
    from player.events import Event

    event = Event("attempt", "c", "1.0.0", "quiz", {"score": 1.0, "language": bad})
    assert event_problem(event.to_dict()) is not None
    assert event_problem(Event("attempt", "c", "1.0.0", "quiz", {"score": 1.0, "language": "pt-BR"}).to_dict()) is None


def _held(course: Any, response: Any, language: str | None, where: str) -> tuple[Any, dict[str, Any]]:
    """A certificate request and the statements an LRS holds for it: one attempt whose
    numeric response is RESPONSE, its language in the event (`where` = "event"), only in
    the statement's context.language ("context") or nowhere ("none")."""
    from player.events import Event
    from sync.regrade import request_of
    from sync.statements import Actor, encode, statements_for

    actor = Actor("awa@example.org", "x")
    sid = str(uuid.uuid4())
    data: dict[str, Any] = {
        "attempt": 1,
        "score": 1.0,
        "questions": [{"id": "n", "type": "numeric", "statement_id": sid, "response": response, "points": 1.0}],
    }
    if language and where == "event":
        data["language"] = language
    attempt = Event("attempt", "num-101", "1.0.0", "quiz", data)
    held = {s["id"]: json.loads(encode(s)) for s in statements_for(attempt, actor, "https://lrs.example", None, None)}
    if language and where == "context":
        held[attempt.id]["context"]["language"] = language
    request = Event(
        "certificate_requested",
        "num-101",
        "1.0.0",
        data={"score": 1.0, "evidence": [sid], "learner_name": "Awa", "learner_email": "awa@example.org"},
    )
    [st] = statements_for(request, actor, "https://lrs.example", None, None)
    req, why = request_of(json.loads(encode(st)))
    assert req is not None, why
    return req, held


@pytest.mark.parametrize(
    "response,language,where,decision",
    [
        ("1 234,5", "fr", "event", "issue"),
        ("1 234,5", "fr", "context", "issue"),  # an event without it: the statement's context.language
        ("1,234.5", "en", "event", "issue"),
        ("1 234,5", None, "none", "refuse"),  # no language: read as before, no groups
        ("1 234,5", "en", "event", "refuse"),
        (1234.5, None, "none", "issue"),
    ],
)
def test_the_provider_regrades_text_answers_in_the_language_they_were_typed_in(
    tmp_path: Path, response: Any, language: str | None, where: str, decision: str
) -> None:
    from packages.loading import load_course
    from packages.source import open_source
    from sync.regrade import judge

    course = load_course(open_source(write_numbers_pack(tmp_path / "pack")))
    request, held = _held(course, response, language, where)
    verdict = judge(request, held.get, lambda cid, version: course)
    assert verdict.decision == decision, verdict.reason
    if decision == "refuse":
        assert verdict.reason == "the answers earn 0%, below the 50% needed"


def test_json_output_shows_numbers_in_english_whatever_the_language(french: None) -> None:
    from packages.local_numbers import written_in
    from player.class_report import QuestionStat, _question_json

    q = Numeric(id="n", prompt="p", answers=(NumericAnswer(value=1.5),))
    stat = QuestionStat(number=1, question=q, first_attempts=1, wrong={12345.5: [12345.5, 1]})
    assert stat.most_wrong == (f"12{NBSP}345,5", 1)  # the report read by a French teacher
    assert _question_json(stat)["most_common_wrong_answer"] == {"answer": "12,345.5", "count": 1}
    with written_in("en"):
        assert format_number(0.5) == "0.5"
    assert format_number(0.5) == "0,5"
