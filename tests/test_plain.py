"""`mooc play --plain` driven through pipes, as a screen reader user or a script would.

The real installed `mooc` runs as a subprocess; a small driver reads its output up
to each prompt and answers by what is on screen (choices, order items and match
options are shuffled per attempt, so answers are chosen by their text).
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MOOC_BIN, Homes

COURSE_TOML = """\
format = 1
id = "plain-test"
version = "1.0.0"
title = "Plain \\u001b[31mtest\\u001b[0m [bold]course[/bold]"
[grading]
pass_threshold = 0.5

[[modules]]
id = "m1"
title = "Module one"
  [[modules.items]]
  id = "intro"
  kind = "lesson"
  file = "lessons/intro.md"
  title = "Introduction"
  [[modules.items]]
  id = "quiz"
  kind = "quiz"
  file = "quizzes/quiz.toml"
  title = "Every type"

[[modules]]
id = "m2"
title = "Module two"
requires = ["quiz"]
  [[modules.items]]
  id = "after"
  kind = "lesson"
  file = "lessons/after.md"
  title = "After the quiz"
"""

QUIZ_TOML = """\
title = "Every type"
max_attempts = 2
shuffle_choices = true
show_solutions = "always"

[[questions]]
id = "single"
type = "single"
prompt = "Which is the mean of 2, 4 and 9?"
hint = "Add them up first."
choices = [ { text = "four" }, { text = "five", correct = true }, { text = "nine", feedback = "That is the largest value." } ]

[[questions]]
id = "multi"
type = "multiple"
points = 2
prompt = "Which are primes?"
choices = [ { text = "two", correct = true }, { text = "three", correct = true }, { text = "four" }, { text = "six" } ]

[[questions]]
id = "tf"
type = "truefalse"
prompt = "The sky is green."
answer = false

[[questions]]
id = "num"
type = "numeric"
prompt = "Pi to two decimals?"
answer = 3.14
tolerance = "1%"

[[questions]]
id = "text"
type = "text"
prompt = "Who is there?"
answers = ["no one", "nobody"]

[[questions]]
id = "order"
type = "order"
prompt = "Order these."
items = ["alpha", "beta", "gamma"]

[[questions]]
id = "match"
type = "match"
prompt = "Capitals."
pairs = [["Canada", "Ottawa"], ["Italy", "Rome"]]
distractors = ["Milan"]
explanation = "Ottawa and Rome."
"""


def make_pack(root: Path) -> Path:
    pack = root / "plain-test"
    (pack / "lessons").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "course.toml").write_text(COURSE_TOML)
    (pack / "lessons" / "intro.md").write_text(
        "# Introduction\n\nHello \x1b]0;pwned\x07**learner** [bold]x[/bold].\n\nSee [the site](https://example.org).\n")
    (pack / "lessons" / "after.md").write_text("# After\n\nDone.\n")
    (pack / "quizzes" / "quiz.toml").write_text(QUIZ_TOML)
    return pack


class Driver:
    """Talk to an interactive process: read to the next prompt, answer one line."""

    PROMPT = re.compile(r"(: |> )$")

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, bufsize=0)
        self.transcript = ""

    def read_prompt(self, timeout: float = 30) -> str:
        assert self.proc.stdout is not None
        chunk = b""
        deadline = time.monotonic() + timeout
        while True:
            text = chunk.decode("utf-8", "replace")
            if self.PROMPT.search(text):
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no prompt; output so far:\n{self.transcript}{text}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            data = os.read(self.proc.stdout.fileno(), 65536)
            if not data:
                raise AssertionError(f"mooc ended early:\n{self.transcript}{text}\n{self.stderr()}")
            chunk += data
        self.transcript += text
        return text

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.transcript += line + "\n"
        self.proc.stdin.write((line + "\n").encode())

    def close(self) -> tuple[str, int]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        rest = self.proc.stdout.read().decode()
        code = self.proc.wait(timeout=30)
        self.transcript += rest
        return rest, code

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return ""
        return self.proc.stderr.read().decode()


def options(screen: str) -> dict[str, int]:
    """'  2. five' lines of the last block -> {"five": 2}."""
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"^  (\d+)\. (.+)$", screen, re.M)}


@pytest.fixture
def installed(run_mooc: Any, tmp_path: Path) -> Path:
    pack = make_pack(tmp_path)
    r = run_mooc("install", str(pack))
    assert r.returncode == 0, r.stderr
    return pack


def test_plain_mode_every_question_type_then_progress_json(installed: Path, mooc_home: Homes, run_mooc: Any) -> None:
    d = Driver([str(MOOC_BIN), "play", "--plain", "plain-test"], mooc_home.env())
    screen = d.read_prompt()
    assert "Course: Plain test [bold]course[/bold]" in screen  # escapes stripped, markup literal
    assert "\x1b" not in screen
    assert "1. Introduction (lesson, new)" in screen
    assert "Module 2: Module two (locked: pass 'Every type' first)" in screen
    assert "3. After the quiz (lesson, locked)" in screen

    d.send("3")
    screen = d.read_prompt()
    assert "'After the quiz' is locked: pass 'Every type' first" in screen

    d.send("1")
    screen = d.read_prompt()
    assert "Lesson: Introduction" in screen
    assert "Hello learner [bold]x[/bold]." in screen and "pwned" not in screen and "\x1b" not in screen
    assert "See the site (https://example.org)." in screen

    d.send("")  # Enter: marks the lesson done, opens the quiz
    screen = d.read_prompt()
    assert "Marked done: Introduction." in screen
    assert "Quiz: Every type" in screen and "attempts left: 2 of 2" in screen
    assert "Question 1 of 7 (1 point):" in screen
    opts = options(screen)
    assert set(opts) == {"four", "five", "nine"}
    d.send("7")
    assert "type one number from 1 to 3" in d.read_prompt()
    d.send("?")
    assert "Hint: Add them up first." in d.read_prompt()
    d.send(str(opts["five"]))

    screen = d.read_prompt()
    assert "Question 2 of 7 (2 points):" in screen
    opts = options(screen)
    d.send(f"{opts['two']}, {opts['four']} {opts['three']}")  # 2 right, 1 wrong of 2 right: 0.5 × 2 points

    screen = d.read_prompt()
    assert "True or false" in screen
    d.send("maybe")
    assert "type true or false" in d.read_prompt()
    d.send("F")

    screen = d.read_prompt()
    assert "Pi to two decimals?" in screen
    d.send("1,234.5")
    assert "mixes ',' and '.'" in d.read_prompt()
    d.send(" 3,16 ")  # within 1% of 3.14, decimal comma

    d.read_prompt()
    d.send("  No   ONE ")

    screen = d.read_prompt()
    opts = options(screen)
    assert set(opts) == {"alpha", "beta", "gamma"} and list(opts) != ["alpha", "beta", "gamma"]
    d.send(f"{opts['alpha']} {opts['alpha']} {opts['beta']}")
    assert re.search(r"you gave \d twice", d.read_prompt())
    d.send(" ".join(str(opts[k]) for k in ("alpha", "beta", "gamma")))

    screen = d.read_prompt()
    assert "Canada: option number: " in screen
    opts = options(screen)
    assert set(opts) == {"Ottawa", "Rome", "Milan"}
    d.send(str(opts["Ottawa"]))
    d.read_prompt()
    d.send(str(opts["Milan"]))  # wrong: half of the match question

    screen = d.read_prompt()
    # 1 + 1 + 1 + 1 + 1 + 1 + 0.5 = 6.5 of 8
    assert "Score: 6.5/8" in screen
    assert "Passed: 81.25%, pass mark 50%." in screen
    assert "Question 2: partly right, 1 of 2 points." in screen
    assert "Question 7: partly right, 0.5 of 1 points." in screen
    assert "Answer: Canada: Ottawa; Italy: Rome" in screen and "Ottawa and Rome." in screen
    assert "Attempts left: 1." in screen
    assert "Congratulations: you passed the course" in screen
    d.send("o")
    screen = d.read_prompt()
    assert "2. Every type (quiz, passed, best 81.25%, 1 attempt left)" in screen
    assert "3. After the quiz (lesson, new)" in screen
    d.send("q")
    rest, code = d.close()
    assert code == 0 and "Goodbye" in rest

    r = run_mooc("progress", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    (course,) = data["courses"]
    assert course["id"] == "plain-test" and course["passed"] is True and course["score"] == 0.8125
    assert course["lessons_done"] == 1 and course["items_done"] == 2 and course["items_total"] == 3
    (quiz,) = course["quizzes"]
    assert (quiz["attempts"], quiz["attempts_left"], quiz["best_score"], quiz["status"]) == (1, 1, 0.8125, "passed")
    assert course["certificate"]["eligible"] is True

    # the event log holds one attempt event with every response in the events.py shape
    log = next((mooc_home.home / "learners").glob("*/progress/plain-test.jsonl"))
    events = [json.loads(line) for line in log.read_text().splitlines()[1:]]
    (attempt,) = [e for e in events if e["type"] == "attempt"]
    responses = {q["id"]: q["response"] for q in attempt["data"]["questions"]}
    assert responses == {"single": 1, "multi": [0, 1, 2], "tf": False, "num": 3.16, "text": "No   ONE",
                         "order": [0, 1, 2], "match": [0, 2]}
    assert [e["type"] for e in events].count("hint_shown") == 1


def test_plain_start_at_item_and_eof_mid_quiz_saves_nothing_half_done(installed: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "plain-test", "quiz", input="2\n")
    assert r.returncode == 0, r.stderr
    assert "Quiz: Every type" in r.stdout and "Question 1 of 7" in r.stdout
    assert "The unfinished attempt was not submitted" in r.stdout and "Input ended" in r.stdout
    r = run_mooc("progress", "plain-test", "--json")
    quiz = json.loads(r.stdout)["courses"][0]["quizzes"][0]
    assert quiz["attempts"] == 0 and quiz["status"] == "started"


def test_plain_unknown_item_is_a_one_line_error(installed: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "plain-test", "nope", input="")
    assert r.returncode == 1
    assert r.stderr.startswith("mooc: error: plain-test: no item 'nope'") and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- in-process pieces


def test_fmt_points_and_markdown_lines() -> None:
    from player.plain import fmt_points, markdown_lines

    assert [fmt_points(v) for v in (3.0, 2.5, 2 / 3, 0.0, 10.005, 4.999999)] == ["3", "2.5", "0.67", "0", "10.01", "5"]
    lines = markdown_lines("# Title\ntext with `code` and *emph*\n```\nx = 1\n```\n![a chart](c.png)\n\x1b[2Jx")
    assert lines == ["Title", "text with code and emph", "Code:", "x = 1", "End of code.", "image: a chart", "x"]


def test_plain_player_in_process_records_like_the_tui() -> None:
    """The same session API: in-memory events, scripted stdin."""
    from tests.test_session import session as make_session

    from player.events import Event
    from player.plain import run_plain

    events: list[Event] = []
    s = make_session(events)
    out = io.StringIO()
    run_plain(s, "quiz1", stdin=io.StringIO("t\n?\n?\n?\ntrue\nq\n"), stdout=out)
    text = out.getvalue()
    assert "Score: 2/2" in text and "Hint: h1" in text and "Hint: h2" in text and "No more hints." in text
    types = [e.type for e in events]
    assert types[:2] == ["enrolled", "position"] and types.count("attempt") == 1 and types.count("hint_shown") == 2


def test_plain_cmooc_self_assessment() -> None:
    from tests.test_session import make_course, session as make_session

    from player.events import Event
    from player.plain import run_plain

    events: list[Event] = []
    s = make_session(events, course=make_course(kind="cmooc", certificate_available=False))
    out = io.StringIO()
    run_plain(s, "intro", stdin=io.StringIO("s\n9\n4\nq\n"), stdout=out)
    assert "Type a number from 1 to 5." in out.getvalue() and "Recorded: 4 of 5." in out.getvalue()
    assert s.self_assessment("w1") == 4 and events[-1].type in ("self_assessment", "time_spent")


def test_plain_plays_a_pack_folder_without_installing(run_mooc: Any, tmp_path: Path) -> None:
    pack = make_pack(tmp_path)
    r = run_mooc("play", "--plain", str(pack), "intro", input="q\n")
    assert r.returncode == 0, r.stderr
    assert "Lesson: Introduction" in r.stdout and "Goodbye" in r.stdout


def test_play_unknown_course_fails_before_the_ui(run_mooc: Any) -> None:
    r = run_mooc("play", "no-such-course")
    assert r.returncode == 1 and r.stderr.startswith("mooc: error: no course 'no-such-course' is installed")
