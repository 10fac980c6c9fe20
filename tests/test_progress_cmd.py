"""`mooc progress` (table and --json) on the real command, after real plain-mode study."""

from __future__ import annotations

import json
from typing import Any

COURSE_KEYS = {
    "id",
    "title",
    "version",
    "kind",
    "items_done",
    "items_total",
    "lessons_done",
    "lessons_total",
    "score",
    "threshold",
    "passed",
    "completed",
    "certificate",
    "enrolled",
    "last_studied",
    "position",
    "time_spent_s",
    "quizzes",
}
QUIZ_KEYS = {
    "id",
    "title",
    "graded",
    "weight",
    "status",
    "best_score",
    "attempts",
    "attempts_left",
    "threshold",
    "passed",
}


def test_nothing_started(run_mooc: Any) -> None:
    r = run_mooc("progress", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["format"] == 1 and data["courses"] == [] and data["learner"]["id"]
    r = run_mooc("progress")
    assert r.returncode == 0 and "has not started a course yet" in r.stdout


def test_unknown_course_is_a_one_line_error(run_mooc: Any) -> None:
    r = run_mooc("progress", "no-such-course")
    assert r.returncode == 1
    assert r.stderr.startswith("mooc: error: no course 'no-such-course'") and "Traceback" not in r.stderr


def test_demo_course_progress_table_and_json(run_mooc: Any) -> None:
    # with nothing installed and no COURSE, plain mode plays the bundled demo course
    r = run_mooc("play", "--plain", input="1\nn\nq\n")
    assert r.returncode == 0, r.stderr
    assert "Course: Learning in the open" in r.stdout and "Marked done: Using the player." in r.stdout

    r = run_mooc("progress", "--json")
    data = json.loads(r.stdout)
    (course,) = data["courses"]
    assert set(course) == COURSE_KEYS and all(set(q) == QUIZ_KEYS for q in course["quizzes"])
    assert (course["id"], course["items_done"], course["items_total"], course["lessons_done"]) == ("mooc-demo", 1, 9, 1)
    assert course["position"] == "player-practice" and course["enrolled"] and course["last_studied"]
    assert course["score"] == 0 and course["passed"] is False and course["certificate"]["eligible"] is False
    practice = next(q for q in course["quizzes"] if q["id"] == "player-practice")
    assert practice["graded"] is False and practice["status"] == "started" and practice["best_score"] is None
    locked = next(q for q in course["quizzes"] if q["id"] == "studying-well-quiz")
    assert locked["status"] == "locked" and locked["attempts_left"] == 3

    # into a pipe: plain sentences, no box drawing (a screen reader's log, a script)
    r = run_mooc("progress")
    assert r.returncode == 0, r.stderr
    assert "(mooc-demo): 1 of 9 items done, score 0%, needed 60%, passed: no" in r.stdout
    assert not set(r.stdout) & set("│─┃━┏┓┗┛┡┩└┘┌┐╇╈") and "\x1b" not in r.stdout
    r = run_mooc("progress", "mooc-demo")
    assert "  Quiz: Practice: the player's keys: started, no score yet, needed 60%, 0 attempts, practice." in r.stdout
    assert "Certificate: not attempted yet" in r.stdout


def test_progress_is_per_learner(run_mooc: Any) -> None:
    assert run_mooc("learner", "add", "Amina").returncode == 0
    assert run_mooc("learner", "add", "Bola").returncode == 0
    r = run_mooc("play", "--plain", "mooc-demo", "using-the-player", "--learner", "amina", input="\nq\n")
    assert r.returncode == 0, r.stderr
    amina = json.loads(run_mooc("progress", "--json", "--learner", "amina").stdout)
    bola = json.loads(run_mooc("progress", "--json", "--learner", "Bola").stdout)
    assert amina["learner"] == {"id": "amina", "name": "Amina"} and len(amina["courses"]) == 1
    assert bola["courses"] == []
    # plain mode asks who is learning when several learners share the account
    r = run_mooc("play", "--plain", "mooc-demo", input="2\nq\n")
    assert r.returncode == 0, r.stderr
    assert "Who is learning?" in r.stdout and "Learner: Bola" in r.stdout
