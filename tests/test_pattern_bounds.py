"""Hostile `pattern` regexes: grading is bounded in time and answer length, pack check flags them.

`(a|aa)+$` backtracks exponentially in Python's `re` (and in `regex`): with the old
`re.fullmatch` a 60-character answer never finished grading. Here the real `mooc play
--plain` subprocess, the real Textual app and the real `mooc pack check` meet it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from packages.answer_pattern import (
    MATCH_TIMEOUT,
    MAX_ANSWER_CHARS,
    MatchBudget,
    Outcome,
    fullmatch,
    problems,
)
from packages.layout import Layout
from packages.questions import Text
from player.grading import ANSWER_TOO_LONG, PATTERN_TIMED_OUT, grade_question
from tests.support.pilot_wait import until_screen

SLOW = "(a|aa)+$"  # exponential backtracking on 'aaaa...!'
NESTED = r"(\w+\s?)+$"  # a repeat in a repeat: flagged by its shape
HOSTILE_ANSWER = "a" * 60 + "!"
# Generous "did not hang" bound: the old code ran for hours on these inputs.
DID_NOT_HANG = 30.0


def write_pack(root: Path, questions: list[dict[str, Any]], course_id: str = "slow-pattern") -> Path:
    pack = root / course_id
    (pack / "quizzes").mkdir(parents=True)
    (pack / "quizzes" / "q.toml").write_text(
        tomli_w.dumps({"title": "Patterns", "questions": questions}), encoding="utf-8"
    )
    course = {
        "format": 1,
        "id": course_id,
        "version": "1.0.0",
        "title": "Slow patterns",
        "modules": [
            {
                "id": "m",
                "title": "Module",
                "items": [{"id": "q", "kind": "quiz", "file": "quizzes/q.toml", "title": "Patterns"}],
            }
        ],
    }
    (pack / "course.toml").write_text(tomli_w.dumps(course), encoding="utf-8")
    return pack


SLOW_QUIZ = [
    {"id": "slow", "type": "text", "prompt": "Type some a's", "pattern": SLOW},
    {"id": "fine", "type": "text", "prompt": "Who is there?", "answers": ["nobody"]},
]


# ----------------------------------------------------------------------------- grading


def test_catastrophic_pattern_times_out_and_grades_wrong() -> None:
    q = Text(id="t", prompt="p", pattern=SLOW)
    start = time.monotonic()
    grade = grade_question(q, HOSTILE_ANSWER)
    elapsed = time.monotonic() - start
    assert grade.score == 0.0 and not grade.correct and grade.valid
    assert grade.feedback == [PATTERN_TIMED_OUT]
    assert elapsed < DID_NOT_HANG
    assert grade_question(q, "aaaa").correct  # a normal answer still matches


def test_one_attempt_shares_one_budget() -> None:
    budget = MatchBudget()
    start = time.monotonic()
    outcomes = [fullmatch(SLOW, HOSTILE_ANSWER, ignore_case=False, budget=budget) for _ in range(40)]
    assert set(outcomes) == {Outcome.TIMED_OUT}
    assert budget.remaining < 0  # spent: later matches get only the minimum
    assert time.monotonic() - start < DID_NOT_HANG
    # a cheap pattern still matches once the budget is spent
    assert fullmatch(r"\d+", "42", ignore_case=False, budget=budget) is Outcome.MATCH


def test_answer_length_is_bounded() -> None:
    q = Text(id="t", prompt="p", pattern=r"a+", answers=())
    pasted = "a" * (10 * 1024 * 1024)
    grade = grade_question(q, pasted)
    assert grade.score == 0.0 and grade.feedback == [ANSWER_TOO_LONG.format(limit=MAX_ANSWER_CHARS)]
    assert grade_question(q, "a" * MAX_ANSWER_CHARS).correct
    # NFKC can make an answer longer: the bound holds after normalising too
    assert fullmatch(r".*", "a" * (MAX_ANSWER_CHARS + 1), ignore_case=False) is Outcome.TOO_LONG


@pytest.mark.parametrize("pattern", ["(?:a{3000}){1000}", "(" * 60 + "a" + ")" * 60, "x" * 6000])
def test_patterns_too_big_to_compile_never_match(pattern: str) -> None:
    start = time.monotonic()
    assert fullmatch(pattern, "a", ignore_case=False) is Outcome.REFUSED
    assert time.monotonic() - start < DID_NOT_HANG


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d+(\.\d+)*",
        r"(?i)(ctrl|control)\s*[+-]?\s*s|\^s",
        r"colou?r",
        r"(?<=a)b|a(?!c)",
        r"(\w)\1",
        r"\d{1,3}(,\d{3})*",
    ],
)
def test_ordinary_patterns_are_not_flagged(pattern: str) -> None:
    assert problems(pattern, ignore_case=True, budget=MatchBudget(remaining=5)) == []


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(x+x+)+y", NESTED, r"((a+)b?)+", SLOW, r"(.*a){20}"])
def test_dangerous_patterns_are_flagged(pattern: str) -> None:
    found = problems(pattern, ignore_case=False, budget=MatchBudget(remaining=5))
    assert [p.severity for p in found] == ["warning"]


# ----------------------------------------------------------------------------- plain mode


def test_plain_mode_grades_a_catastrophic_pattern_and_saves_the_attempt(
    run_mooc: Any, mooc_home: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SLOW_QUIZ)
    r = run_mooc("install", str(pack))
    assert r.returncode == 0, r.stderr
    start = time.monotonic()
    r = run_mooc("play", "--plain", "slow-pattern", input=f"1\n{HOSTILE_ANSWER}\nnobody\n", timeout=120)
    elapsed = time.monotonic() - start
    assert r.returncode == 0, r.stderr
    assert elapsed < DID_NOT_HANG + 10
    assert "Score: 1/2" in r.stdout
    assert "took too long to check" in r.stdout
    assert "Your progress is saved." in r.stdout
    progress = run_mooc("progress", "slow-pattern", "--json")
    assert progress.returncode == 0, progress.stderr
    quiz = json.loads(progress.stdout)["courses"][0]["quizzes"][0]
    assert quiz["attempts"] == 1 and quiz["best_score"] == 0.5


# ----------------------------------------------------------------------------- the TUI


async def test_tui_submit_returns_and_ctrl_q_quits(mooc_home: Any, tmp_path: Path) -> None:
    from packages.install import install
    from tui.app import MoocApp

    layout = Layout.default(mooc_home.home)
    install(layout, str(write_pack(tmp_path, SLOW_QUIZ)), quiet=True)
    from player.learners import Learners

    Learners(layout).current()  # not the first start: nobody to ask for
    app = MoocApp(layout=layout, course_id="slow-pattern")
    start = time.monotonic()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_screen(pilot, "CourseScreen")
        await pilot.press("enter")  # start the quiz
        await until_screen(pilot, "QuizScreen")
        assert type(app.screen).__name__ == "QuizScreen"
        await pilot.press(*HOSTILE_ANSWER, "tab", *"nobody", "tab")
        await pilot.press("ctrl+s")
        for _ in range(400):
            if app.screen.result is not None:
                break
            await pilot.pause(0.05)
        result = app.screen.result
        assert result is not None
        assert result.earned == 1.0 and result.total == 2.0
        from tests.test_tui import shown

        feedback = shown(app.screen.query_one("#q-1 .feedback"))  # rendered: feedback is Markdown
        assert "took too long to check" in feedback
        await pilot.press("ctrl+q")
        for _ in range(100):
            if not app.is_running:
                break
            await pilot.pause(0.05)
        assert app._exit and app.return_code == 0  # ctrl+q reached the app and it is quitting
    assert time.monotonic() - start < DID_NOT_HANG + 30
    progress = layout.progress_file(app.learner.id, "slow-pattern").read_text(encoding="utf-8")
    attempts = [json.loads(line) for line in progress.splitlines()[1:] if '"attempt"' in line]
    assert len(attempts) == 1 and attempts[0]["data"]["questions"][0]["response"] == HOSTILE_ANSWER


# ----------------------------------------------------------------------------- pack check


def test_pack_check_flags_dangerous_and_refused_patterns(run_mooc: Any, tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        [
            {"id": "fine", "type": "text", "prompt": "A number", "pattern": r"\d+(\.\d+)*"},
            {"id": "slow", "type": "text", "prompt": "a's", "pattern": SLOW},
            {"id": "nested", "type": "text", "prompt": "words", "pattern": NESTED},
            {"id": "huge", "type": "text", "prompt": "x", "pattern": "(?:a{3000}){1000}"},
            {"id": "deep", "type": "text", "prompt": "x", "pattern": "(" * 3000 + "a" + ")" * 3000},
        ],
    )
    start = time.monotonic()
    r = run_mooc("pack", "check", str(pack), "--json")
    assert time.monotonic() - start < DID_NOT_HANG
    assert r.returncode == 1
    report = json.loads(r.stdout)
    by_key = {(p["key_path"], p["severity"]): p for p in report["errors"] + report["warnings"]}
    assert set(by_key) == {
        ("questions[1].pattern", "warning"),
        ("questions[2].pattern", "warning"),
        ("questions[3].pattern", "error"),
        ("questions[4].pattern", "error"),
    }
    slow = by_key[("questions[1].pattern", "warning")]
    quiz_lines = (pack / "quizzes" / "q.toml").read_text(encoding="utf-8").splitlines()
    slow_line = next(n for n, line in enumerate(quiz_lines, start=1) if SLOW in line)
    assert slow["file"] == "quizzes/q.toml" and slow["line"] == slow_line
    assert f"took over {MATCH_TIMEOUT:g} s" in slow["message"]
    assert "repeat" in by_key[("questions[2].pattern", "warning")]["message"]
    assert "grading refuses this pattern" in by_key[("questions[3].pattern", "error")]["message"]
    # the one-line text form names file, line, key
    text = run_mooc("pack", "check", str(pack))
    assert f"warning: quizzes/q.toml:{slow_line}:1: questions[1].pattern: pattern took over" in text.stdout
    assert text.returncode == 1 and "Traceback" not in text.stdout + text.stderr
