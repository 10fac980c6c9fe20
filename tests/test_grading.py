"""The grading table of pack-format-v1, exhaustively, plus the model's credit extensions."""

from __future__ import annotations

import math

import pytest

from packages.model import Quiz
from packages.questions import (
    Choice,
    Match,
    MultipleChoice,
    Numeric,
    NumericAnswer,
    Order,
    SingleChoice,
    Text,
    TextAnswer,
    TrueFalse,
)
from player.grading import grade_attempt, grade_question, normalise_text, parse_number

SINGLE = SingleChoice(
    id="s",
    prompt="p",
    choices=(
        Choice(text="4"),
        Choice(text="5", correct=True, feedback="Right."),
        Choice(text="9", feedback="That is the largest value."),
    ),
)
MULTI = MultipleChoice(
    id="m",
    prompt="p",
    choices=(
        Choice(text="a", correct=True, feedback="fa"),
        Choice(text="b", correct=True),
        Choice(text="c"),
        Choice(text="d", feedback="fd"),
    ),
)


# ------------------------------------------------------------------ single


@pytest.mark.parametrize("response,score", [(1, 1.0), (0, 0.0), (2, 0.0)])
def test_single(response: int, score: float) -> None:
    g = grade_question(SINGLE, response)
    assert g.score == score and g.correct == (score == 1.0) and g.valid


def test_single_feedback_per_choice() -> None:
    assert grade_question(SINGLE, 2).feedback == ["That is the largest value."]
    assert grade_question(SINGLE, 1).feedback == ["Right."]
    assert grade_question(SINGLE, 0).feedback == []


@pytest.mark.parametrize("response", [3, -1, True, False, "1", 1.0, [1], {"a": 1}])
def test_single_malformed_scores_zero(response: object) -> None:
    g = grade_question(SINGLE, response)
    assert g.score == 0.0 and not g.correct and not g.valid


def test_single_unanswered() -> None:
    g = grade_question(SINGLE, None)
    assert g.score == 0.0 and not g.correct and g.valid


def test_single_choice_credit_extension() -> None:
    q = SingleChoice(
        id="s",
        prompt="p",
        choices=(Choice(text="a", correct=True), Choice(text="b", credit=0.5), Choice(text="c", credit=-1.0)),
    )
    assert grade_question(q, 0).score == 1.0
    g = grade_question(q, 1)
    assert g.score == 0.5 and not g.correct
    assert grade_question(q, 2).score == 0.0  # negative credit clamps at 0


# ------------------------------------------------------------------ multiple


@pytest.mark.parametrize(
    "response,score",
    [
        ([0, 1], 1.0),
        ([0], 0.5),
        ([1], 0.5),
        ([0, 2], 0.0),  # (1 - 1) / 2
        ([0, 1, 2], 0.5),  # (2 - 1) / 2
        ([0, 1, 2, 3], 0.0),
        ([2, 3], 0.0),  # all wrong: 0, never negative
        ([2], 0.0),
        ([], 0.0),
    ],
)
def test_multiple_formula(response: list[int], score: float) -> None:
    g = grade_question(MULTI, response)
    assert g.score == pytest.approx(score) and g.score >= 0
    assert g.correct == (score == 1.0)


def test_multiple_order_of_response_does_not_matter() -> None:
    assert grade_question(MULTI, [1, 0]).score == 1.0


def test_multiple_feedback_of_each_picked_choice() -> None:
    assert grade_question(MULTI, [3, 0]).feedback == ["fa", "fd"]


@pytest.mark.parametrize("response", [[0, 0], [0, 4], [-1], [True], "01", 0, [0.0], [None]])
def test_multiple_malformed(response: object) -> None:
    g = grade_question(MULTI, response)
    assert g.score == 0.0 and not g.valid


def test_multiple_credit_extension() -> None:
    q = MultipleChoice(
        id="m",
        prompt="p",
        choices=(
            Choice(text="a", correct=True, credit=0.6),
            Choice(text="b", correct=True, credit=0.4),
            Choice(text="c", credit=-0.5),
        ),
    )
    assert grade_question(q, [0, 1]).score == pytest.approx(1.0)
    assert grade_question(q, [0]).score == pytest.approx(0.6)
    assert grade_question(q, [0, 2]).score == pytest.approx(0.1)
    assert grade_question(q, [2]).score == 0.0


# ------------------------------------------------------------------ truefalse


def test_truefalse() -> None:
    q = TrueFalse(id="t", prompt="p", answer=False, feedback_true="no, false", feedback_false="yes")
    assert grade_question(q, False).score == 1.0 and grade_question(q, False).correct
    assert grade_question(q, True).score == 0.0
    assert grade_question(q, True).feedback == ["no, false"]
    assert grade_question(q, False).feedback == ["yes"]
    for bad in (0, 1, "false", "true", None and 1, [True]):
        assert grade_question(q, bad).score == 0.0


# ------------------------------------------------------------------ numeric


def num(value: float, tolerance: float = 0.0, relative: bool = False, **kw: object) -> Numeric:
    return Numeric(
        id="n", prompt="p", answers=(NumericAnswer(value=value, tolerance=tolerance, relative=relative),), **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "q,response,score",
    [
        (num(3.14, 0.01), 3.14, 1.0),
        (num(3.14, 0.01), 3.15, 1.0),  # exactly at the edge: included (despite float error)
        (num(3.14, 0.01), 3.13, 1.0),
        (num(3.14, 0.01), 3.1501, 0.0),  # just outside: excluded
        (num(3.14, 0.01), 3.1299, 0.0),
        (num(0.3, 0.0), 0.1 + 0.2, 1.0),  # float error is not a wrong answer
        (num(0.3, 0.0), 0.3001, 0.0),
        (num(100, 0.02, relative=True), 102, 1.0),  # "2%" of 100 = 2, boundary included
        (num(100, 0.02, relative=True), 98, 1.0),
        (num(100, 0.02, relative=True), 102.01, 0.0),
        (num(-50, 0.1, relative=True), -55, 1.0),  # relative to |answer| for negatives
        (num(-50, 0.1, relative=True), -45, 1.0),
        (num(-50, 0.1, relative=True), -55.01, 0.0),
        (num(-50, 0.1, relative=True), 55, 0.0),
        (num(0, 0.02, relative=True), 0, 1.0),  # "2%" of 0 is 0: only 0 is right
        (num(0, 0.02, relative=True), 0.0001, 0.0),
        (num(0, 0.02, relative=True), -0.0, 1.0),
        (num(1e9, 0.5), 1e9 + 0.5, 1.0),
        (num(1e9, 0.5), 1e9 + 0.6, 0.0),
    ],
)
def test_numeric_tolerance(q: Numeric, response: float, score: float) -> None:
    assert grade_question(q, response).score == score


@pytest.mark.parametrize(
    "text,value",
    [
        ("3,14", 3.14),
        (" 3.14 ", 3.14),
        ("\t-2\n", -2.0),
        ("+7", 7.0),
        ("1e3", 1000.0),
        (",5", 0.5),
        ("5.", 5.0),
        ("\u22124", -4.0),
        ("1,234", 1.234),
        ("0", 0.0),
    ],
)
def test_parse_number_accepts(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1,234.5",
        "1.234,5",
        "1,2,3",
        "1.2.3",
        "abc",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "1_000",
        "1 000",
        "0x10",
        "1e999",
        "3.14abc",
        "--1",
        "1e",
        ".",
    ],
)
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_parse_number_explains_ambiguity() -> None:
    with pytest.raises(ValueError, match="mixes"):
        parse_number("1,234.5")


def test_numeric_accepts_comma_text_and_ints() -> None:
    q = num(3.14, 0.01)
    assert grade_question(q, "3,14").score == 1.0
    assert grade_question(q, " 3.14 ").score == 1.0
    assert grade_question(num(2), 2).score == 1.0


@pytest.mark.parametrize("bad", ["", "abc", "1,234.5", math.nan, math.inf, -math.inf, True, [3.14], {"v": 1}])
def test_numeric_malformed_scores_zero(bad: object) -> None:
    g = grade_question(num(3.14, 0.01), bad)
    assert g.score == 0.0 and not g.correct and not g.valid


def test_numeric_partial_credit_and_feedback() -> None:
    q = Numeric(
        id="n",
        prompt="p",
        answers=(
            NumericAnswer(value=10, tolerance=0.1, feedback="exact"),
            NumericAnswer(value=10, tolerance=1, credit=0.5, feedback="close"),
        ),
    )
    assert (grade_question(q, 10).score, grade_question(q, 10).feedback) == (1.0, ["exact"])
    g = grade_question(q, 10.8)
    assert (g.score, g.correct, g.feedback) == (0.5, False, ["close"])
    assert grade_question(q, 12).score == 0.0


# ------------------------------------------------------------------ text


def text(*answers: str, pattern: str | None = None, case_sensitive: bool = False) -> Text:
    return Text(
        id="t",
        prompt="p",
        answers=tuple(TextAnswer(text=a) for a in answers),
        pattern=pattern,
        case_sensitive=case_sensitive,
    )


@pytest.mark.parametrize(
    "q,response,score",
    [
        (text("no one", "nobody"), "nobody", 1.0),
        (text("no one", "nobody"), "  No   One ", 1.0),  # trimmed, white space collapsed, case folded
        (text("no one"), "no\tone", 1.0),
        (text("no one"), "noone", 0.0),
        (text("Straße"), "STRASSE", 1.0),  # Unicode case folding
        (text("STRASSE"), "straße", 1.0),
        (text("café"), "cafe\u0301", 1.0),  # NFKC: decomposed accent
        (text("file"), "\ufb01le", 1.0),  # NFKC: ligature
        (text("abc"), "ＡＢＣ", 1.0),  # NFKC: full-width
        (text("Paris", case_sensitive=True), "paris", 0.0),
        (text("Paris", case_sensitive=True), " Paris ", 1.0),
        (text("Straße", case_sensitive=True), "STRASSE", 0.0),
        (text(pattern=r"\d+"), "42", 1.0),
        (text(pattern=r"\d+"), " 42 ", 1.0),  # the trimmed response
        (text(pattern=r"\d+"), "42a", 0.0),  # whole match, not search
        (text(pattern=r"\d+"), "a42", 0.0),
        (text(pattern=r"colou?r"), "COLOR", 1.0),  # case-insensitive unless case_sensitive
        (text(pattern=r"colou?r", case_sensitive=True), "COLOR", 0.0),
        (text("x", pattern=r"y+"), "yyy", 1.0),  # answers and/or pattern
        (text("x", pattern=r"y+"), "x", 1.0),
        (text(pattern=r"("), "(", 0.0),  # a broken pattern never crashes grading
        (text("a"), "", 0.0),
    ],
)
def test_text(q: Text, response: str, score: float) -> None:
    assert grade_question(q, response).score == score


@pytest.mark.parametrize("bad", [3, True, ["a"], {"a": 1}])
def test_text_malformed(bad: object) -> None:
    assert grade_question(text("3"), bad).score == 0.0
    assert not grade_question(text("3"), bad).valid


def test_text_partial_credit_and_feedback() -> None:
    q = Text(
        id="t",
        prompt="p",
        answers=(
            TextAnswer(text="ottawa", feedback="yes"),
            TextAnswer(text="toronto", credit=0.25, feedback="largest city"),
        ),
    )
    assert grade_question(q, "Ottawa").feedback == ["yes"]
    g = grade_question(q, "toronto")
    assert (g.score, g.correct, g.feedback) == (0.25, False, ["largest city"])


def test_normalise_text_is_documented_behaviour() -> None:
    assert normalise_text("  A\u00a0 b  ") == "a b"  # NBSP is white space
    assert normalise_text("  A  b ", case_sensitive=True) == "A b"


# ------------------------------------------------------------------ order


ORDER = Order(id="o", prompt="p", items=("first", "second", "third", "fourth"))


@pytest.mark.parametrize(
    "response,score",
    [
        ([0, 1, 2, 3], 1.0),
        ([1, 0, 2, 3], 0.5),
        ([3, 2, 1, 0], 0.0),
        ([0, 2, 1, 3], 0.5),
        ([1, 2, 3, 0], 0.0),
        ([0, 1, 3, 2], 0.5),
    ],
)
def test_order_fraction_in_place(response: list[int], score: float) -> None:
    g = grade_question(ORDER, response)
    assert g.score == score and g.correct == (score == 1.0)


@pytest.mark.parametrize(
    "bad",
    [[0, 1, 2], [0, 1, 2, 3, 4], [0, 0, 1, 2], [0, 1, 2, 4], [-1, 0, 1, 2], "0123", [0, 1, 2, "3"], [0.0, 1, 2, 3]],
)
def test_order_malformed(bad: object) -> None:
    g = grade_question(ORDER, bad)
    assert g.score == 0.0 and not g.valid


# ------------------------------------------------------------------ match


MATCH = Match(
    id="x", prompt="p", pairs=(("Canada", "Ottawa"), ("Italy", "Rome"), ("Peru", "Lima")), distractors=("Milan",)
)


@pytest.mark.parametrize(
    "response,score",
    [
        ([0, 1, 2], 1.0),
        ([0, 2, 1], 1 / 3),
        ([1, 2, 0], 0.0),
        ([0, None, None], 1 / 3),
        ([None] * 3, 0.0),
        ([0, 3, 2], 2 / 3),
        ([0, 0, 0], 1 / 3),
    ],
)
def test_match_fraction_of_pairs(response: list[int | None], score: float) -> None:
    g = grade_question(MATCH, response)
    assert g.score == pytest.approx(score) and g.correct == (score == 1.0)


@pytest.mark.parametrize("bad", [[0, 1], [0, 1, 2, 3], [0, 1, 4], [0, 1, -1], [0, 1, True], "012", None and 1])
def test_match_malformed(bad: object) -> None:
    assert grade_question(MATCH, bad).score == 0.0


def test_match_duplicate_right_sides_compared_by_text() -> None:
    q = Match(id="x", prompt="p", pairs=(("a", "same"), ("b", "same")))
    assert grade_question(q, [1, 0]).score == 1.0


# ------------------------------------------------------------------ attempts


def test_attempt_weighted_by_points() -> None:
    quiz = Quiz(
        title="q",
        questions=(
            SingleChoice(id="a", prompt="p", points=3, choices=(Choice(text="x", correct=True), Choice(text="y"))),
            TrueFalse(id="b", prompt="p", points=1, answer=True),
            Order(id="c", prompt="p", points=2, items=("1", "2")),
        ),
    )
    g = grade_attempt(quiz, {"a": 0, "b": False, "c": [1, 0]})
    assert (g.earned, g.total, g.score) == (3.0, 6.0, 0.5)
    assert g.passed(0.5) and not g.passed(0.51)
    g = grade_attempt(quiz, {"a": 0, "b": True, "c": [0, 1]})
    assert g.score == 1.0


def test_attempt_missing_and_malformed_responses_score_zero() -> None:
    quiz = Quiz(title="q", questions=(TrueFalse(id="b", prompt="p", answer=True), num(1.0)))
    g = grade_attempt(quiz, {"n": "garbage"})
    assert g.score == 0.0 and g.questions[0].response is None and g.questions[1].response == "garbage"


def test_attempt_normalises_responses_for_the_event() -> None:
    quiz = Quiz(title="q", questions=(MULTI, num(3.14, 0.01)))
    g = grade_attempt(quiz, {"m": (1, 0), "n": "3,14"})
    assert g.questions[0].response == [0, 1]
    assert g.questions[1].response == 3.14
    assert g.score == 1.0


def test_attempt_with_no_points_is_the_mean() -> None:
    quiz = Quiz(
        title="q",
        questions=(
            TrueFalse(id="a", prompt="p", points=0, answer=True),
            TrueFalse(id="b", prompt="p", points=0, answer=True),
        ),
    )
    assert grade_attempt(quiz, {"a": True}).score == 0.5


def test_attempt_score_threshold_float_error() -> None:
    quiz = Quiz(
        title="q", questions=tuple(TrueFalse(id=f"q{i}", prompt="p", points=0.1, answer=True) for i in range(10))
    )
    g = grade_attempt(quiz, {f"q{i}": True for i in range(7)})
    assert g.passed(0.7)
