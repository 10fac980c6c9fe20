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
import signal
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
        "# Introduction\n\nHello \x1b]0;pwned\x07**learner** [bold]x[/bold].\n\nSee [the site](https://example.org).\n"
    )
    (pack / "lessons" / "after.md").write_text("# After\n\nDone.\n")
    (pack / "quizzes" / "quiz.toml").write_text(QUIZ_TOML)
    return pack


class Driver:
    """Talk to an interactive process: read to the next prompt, answer one line."""

    PROMPT = re.compile(r"(: |> )$")

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, bufsize=0
        )
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
    d.send("1.234,5")  # English groups with commas: this has them the wrong way round
    assert "mixes ',' and '.': write it like 12,345.5 or 12345.5" in d.read_prompt()
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
    assert "Question 7: partly right, 0.5 of 1 point." in screen  # one point, not "1 points"
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
    assert responses == {
        "single": 1,
        "multi": [0, 1, 2],
        "tf": False,
        "num": 3.16,
        "text": "No   ONE",
        "order": [0, 1, 2],
        "match": [0, 2],
    }
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
    from player.markdown_text import markdown_lines
    from player.plain_console import fmt_points

    assert [fmt_points(v) for v in (3.0, 2.5, 2 / 3, 0.0, 10.005, 4.999999)] == ["3", "2.5", "0.67", "0", "10.01", "5"]
    lines = markdown_lines("# Title\ntext with `code` and *emph*\n```\nx = 1\n```\n![a chart](c.png)\n\x1b[2Jx")
    assert lines == ["Title", "text with code and emph", "Code:", "x = 1", "End of code.", "image: a chart", "x"]
    # escapes are the characters they stand for (not in code), a hard break's backslash goes
    escaped = markdown_lines("\\# not a heading, snake\\_case, \\*no emph\\*, a \\\\ backslash\\\n`a\\_b` \\_\\_\\_")
    assert escaped == ["# not a heading, snake_case, *no emph*, a \\ backslash", "a\\_b ___"]


def test_plain_player_in_process_records_like_the_tui() -> None:
    """The same session API: in-memory events, scripted stdin."""
    from player.events import Event
    from player.plain import run_plain
    from tests.test_session import session as make_session

    events: list[Event] = []
    s = make_session(events)
    out = io.StringIO()
    run_plain(s, "quiz1", stdin=io.StringIO("t\n?\n?\n?\ntrue\nq\n"), stdout=out)
    text = out.getvalue()
    assert "Score: 2/2" in text and "Hint: h1" in text and "Hint: h2" in text and "No more hints." in text
    types = [e.type for e in events]
    assert types[:2] == ["enrolled", "position"] and types.count("attempt") == 1 and types.count("hint_shown") == 2


def test_plain_cmooc_self_assessment() -> None:
    from player.events import Event
    from player.plain import run_plain
    from tests.test_session import make_course
    from tests.test_session import session as make_session

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


# --------------------------------------------------------------------------- journeys (issue 11)


def journey_course() -> str:
    """course.toml of the journey pack: a lesson, a quiz of two questions, a quiz of one."""
    import tomli_w

    items = [
        {"id": "read", "kind": "lesson", "file": "lessons/read.md", "title": "Reading"},
        {"id": "two", "kind": "quiz", "file": "quizzes/two.toml", "title": "Two questions"},
        {"id": "solo", "kind": "quiz", "file": "quizzes/solo.toml", "title": "Solo"},
    ]
    return tomli_w.dumps(
        {
            "format": 1,
            "id": "journey",
            "version": "1.0.0",
            "title": "Journey",
            "modules": [{"id": "m1", "title": "Module one", "items": items}],
        }
    )


TWO_TOML = """\
title = "Two questions"
max_attempts = 3

[[questions]]
id = "mean"
type = "single"
prompt = "Which is the mean of 2, 4 and 9?"
hint = "Add them up first, then divide."
explanation = "(2 + 4 + 9) / 3 = 5"
choices = [ { text = "four", feedback = "That is the median." }, { text = "five", correct = true }, { text = "nine" } ]

[[questions]]
id = "sky"
type = "truefalse"
prompt = "The sky is green."
answer = false
hints = ["Look up.", "Think of grass."]
"""

SOLO_TOML = """\
title = "Solo"
max_attempts = 1
show_solutions = "never"

[[questions]]
id = "only"
type = "numeric"
prompt = "Two plus two?"
answer = 4
hint = "Count on your fingers."
explanation = "2 + 2 = 4"
"""


@pytest.fixture
def journey(run_mooc: Any, tmp_path: Path) -> Path:
    pack = tmp_path / "journey"
    (pack / "lessons").mkdir(parents=True)
    (pack / "quizzes").mkdir()
    (pack / "media").mkdir()
    (pack / "course.toml").write_text(journey_course())
    (pack / "quizzes" / "two.toml").write_text(TWO_TOML)
    (pack / "quizzes" / "solo.toml").write_text(SOLO_TOML)
    (pack / "media" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    (pack / "media" / "notes.txt").write_text("notes\n")
    (pack / "lessons" / "read.md").write_text(
        "# Reading\n\nThe chart: ![A chart](../media/chart.png)\n\nRead [the notes](../media/notes.txt), "
        "[the site](https://example.org) and [a lost file](../media/gone.pdf). Then take [the quiz](../quizzes/two.toml).\n\n"
        "```\nnot a link: [x](../media/chart.png)\n```\n"
    )
    r = run_mooc("install", str(pack))
    assert r.returncode == 0, r.stderr
    return pack


def journey_events(mooc_home: Homes) -> list[dict[str, Any]]:
    log = next((mooc_home.home / "learners").glob("*/progress/journey.jsonl"))
    return [json.loads(line) for line in log.read_text().splitlines()[1:]]


def test_plain_lesson_done_records_the_time_spent_reading(journey: Path, mooc_home: Homes) -> None:
    """Issue 11: the first read of a lesson was completed with duration 0 (time was
    recorded only after the completion); now the reading time goes with it."""
    d = Driver([str(MOOC_BIN), "play", "--plain", "journey"], mooc_home.env())
    d.read_prompt()
    d.send("1")
    assert "Lesson: Reading" in d.read_prompt()
    time.sleep(1.5)  # reading
    d.send("")  # Enter: done, and on to the quiz
    screen = d.read_prompt()
    assert "Marked done: Reading." in screen and "Question 1 of 2" in screen
    rest, code = d.close()  # input ends mid-quiz: nothing half-done is recorded
    assert code == 0 and "Input ended" in rest
    events = journey_events(mooc_home)
    (done,) = [e for e in events if e["type"] == "lesson_completed"]
    assert 1.4 <= done["data"]["duration_s"] < 60
    spent = sum(e["data"]["seconds"] for e in events if e["type"] == "time_spent" and e["item_id"] == "read")
    assert abs(spent - done["data"]["duration_s"]) < 0.5  # the same measurement, recorded once
    assert not [e for e in events if e["type"] == "attempt"]


def installed_file(mooc_home: Homes, name: str) -> Path:
    found = [p for p in mooc_home.home.rglob(name) if "downloads" not in p.parts]
    assert len(found) == 1, found
    return found[0].resolve()


def test_plain_lesson_files_show_their_real_path_and_open(
    journey: Path, mooc_home: Homes, run_mooc: Any, tmp_path: Path
) -> None:
    opened = tmp_path / "opened.txt"
    viewer = tmp_path / "viewer.sh"  # a real program standing in for xdg-open (no desktop here)
    viewer.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}.tmp && mv {opened}.tmp {opened}\n')
    viewer.chmod(0o755)
    r = run_mooc("play", "--plain", "journey", "read", input="m\nm 9\nm 3\nm 1\nq\n", env={"MOOC_OPENER": str(viewer)})
    assert r.returncode == 0, r.stderr
    chart, notes = installed_file(mooc_home, "chart.png"), installed_file(mooc_home, "notes.txt")
    assert chart.is_absolute() and mooc_home.home.resolve() in chart.parents
    out = r.stdout
    assert "The chart: image: A chart (file 1)" in out
    assert (
        "Read the notes (file 2), the site (https://example.org) and a lost file (file 3). Then take the quiz (item 2)."
    ) in out  # another item of the course: its number in the outline
    assert "not a link: [x](../media/chart.png)" in out  # code is not a link
    assert "This lesson links to 3 files; type m and its number to open one:" in out
    assert f"  File 1, image: A chart: {chart}\n" in out
    assert f"  File 2, the notes: {notes}\n" in out
    assert (
        "  File 3, a lost file: cannot be opened: lessons/read.md: linked file media/gone.pdf is not in the pack" in out
    )
    assert out.count(f"File 1, image: A chart: {chart}") == 2  # `m` lists them again
    assert "Type m and a number from 1 to 3." in out
    assert "File 3 cannot be opened: lessons/read.md: linked file media/gone.pdf is not in the pack" in out
    assert f"File 1: Opened chart.png with viewer.sh. It is {chart}" in out
    deadline = time.monotonic() + 20  # the viewer runs detached
    while not opened.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert opened.read_text() == str(chart)
    assert chart.read_bytes() == (journey / "media" / "chart.png").read_bytes()


def test_plain_lesson_file_without_a_viewer_says_so_and_shows_the_path(
    journey: Path, mooc_home: Homes, run_mooc: Any, tmp_path: Path
) -> None:
    empty = tmp_path / "no-programs"
    empty.mkdir()
    r = run_mooc("play", "--plain", "journey", "read", input="m 2\nq\n", env={"MOOC_OPENER": "", "PATH": str(empty)})
    assert r.returncode == 0, r.stderr
    notes = installed_file(mooc_home, "notes.txt")
    assert f"Cannot open file 2 here: no program to open it here (install xdg-utils); the file is {notes}" in r.stdout


def test_plain_sigkill_mid_quiz_then_enter_takes_the_quiz_again(journey: Path, mooc_home: Homes, run_mooc: Any) -> None:
    """Issue 11: after a crash mid-quiz, Enter at "You were at: QUIZ" skipped the quiz."""
    d = Driver([str(MOOC_BIN), "play", "--plain", "journey", "two"], mooc_home.env())
    assert "Question 1 of 2" in d.read_prompt()
    d.send("1")  # four: wrong
    d.read_prompt()
    d.send("t")  # wrong
    screen = d.read_prompt()
    assert "Not passed: 0%" in screen
    d.send("r")
    assert "Start a new attempt? Type y or n: " in d.read_prompt()
    d.send("y")
    assert "Question 1 of 2" in d.read_prompt()
    d.send("2")  # five: right
    assert "The sky is green." in d.read_prompt()
    d.proc.send_signal(signal.SIGKILL)  # the PC is switched off at the wall
    d.proc.wait(timeout=30)
    before = journey_events(mooc_home)
    assert [e["data"]["score"] for e in before if e["type"] == "attempt"] == [0.0]  # the first attempt is intact

    d = Driver([str(MOOC_BIN), "play", "--plain", "journey"], mooc_home.env())
    screen = d.read_prompt()
    assert (
        "You were at: Two questions, a quiz you have not passed yet. Press Enter to take it, n for the next item."
    ) in screen
    d.send("")
    screen = d.read_prompt()
    assert "Quiz: Two questions" in screen and "attempts left: 2 of 3" in screen
    assert "Question 1 of 2" in screen and "Start a new attempt" not in screen  # Enter said it already
    d.send("2")
    d.read_prompt()
    d.send("f")
    screen = d.read_prompt()
    assert "Score: 2/2" in screen and "Attempts left: 1." in screen
    d.send("q")
    _rest, code = d.close()
    assert code == 0
    after = journey_events(mooc_home)
    assert after[: len(before)] == before
    assert [e["data"]["score"] for e in after if e["type"] == "attempt"] == [0.0, 1.0]

    # a passed quiz is not offered again: Enter goes on
    r = run_mooc("play", "--plain", "journey", input="\nq\n")
    assert "You were at: Two questions. Press Enter for the next item, r to open it again." in r.stdout
    assert "Quiz: Solo" in r.stdout


def test_plain_yes_no_asks_again_then_takes_the_safe_answer(journey: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "journey", "two", input="1\nt\nr\nmaybe\nYES\n")
    assert r.returncode == 0, r.stderr
    assert "Type y for yes or n for no, not 'maybe'." in r.stdout
    assert r.stdout.count("Question 1 of 2") == 2  # YES started the second attempt
    assert "The unfinished attempt was not submitted" in r.stdout  # then input ended mid-quiz

    r = run_mooc("play", "--plain", "journey", "two", input="x\nyes please\n\nq\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("Start a new attempt? Type y or n: ") == 3
    assert "Type y for yes or n for no, not 'yes please'." in r.stdout and "Type y for yes or n for no.\n" in r.stdout
    assert "No yes or no after 3 tries: no new attempt was started." in r.stdout
    assert r.stdout.count("Question 1 of 2") == 0 and "Goodbye" in r.stdout

    r = run_mooc("play", "--plain", "journey", "two", input="N\nr\n")
    assert r.returncode == 0, r.stderr
    assert "No new attempt. Enter for the next item." in r.stdout
    assert "No answer: no new attempt was started." in r.stdout and "Input ended" in r.stdout
    r = run_mooc("progress", "journey", "--json")
    quiz = json.loads(r.stdout)["courses"][0]["quizzes"][0]
    assert quiz["attempts"] == 1  # only the first, submitted attempt


def test_plain_failed_attempt_teaches_without_giving_the_answer(journey: Path, run_mooc: Any) -> None:
    """Default show_solutions ("finished"): a failed attempt with attempts left shows the
    feedback and hints of each question not right, not the answers; passing shows them."""
    r = run_mooc("play", "--plain", "journey", "two", input="1\nt\n")
    assert r.returncode == 0, r.stderr
    report = r.stdout[r.stdout.index("Score: 0/2") :]
    assert "Question 1: wrong.\n  That is the median.\n  Hint: Add them up first, then divide.\n" in report
    assert "Question 2: wrong.\n  Hint: Look up.\n  Hint: Think of grass.\n" in report
    assert "Answer:" not in report and "(2 + 4 + 9) / 3 = 5" not in report
    assert "The answers and explanations appear once you pass this quiz or have no attempts left." in report

    r = run_mooc("play", "--plain", "journey", "two", input="y\n2\nf\n")
    report = r.stdout[r.stdout.index("Score: 2/2") :]
    assert "Question 1: right.\n  Answer: five\n  (2 + 4 + 9) / 3 = 5\n" in report
    assert "Hint:" not in report and "appear once" not in report


def test_plain_never_shows_answers_but_hints_and_counts_in_the_singular(journey: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "journey", "solo", input="5\nsubmit\n")
    assert r.returncode == 0, r.stderr
    assert "1 question, pass mark 50%, attempts left: 1 of 1." in r.stdout  # not "1 questions"
    assert "This is your last attempt: once submitted, the quiz is closed." in r.stdout
    assert "Question 1 of 1 (1 point):" in r.stdout
    report = r.stdout[r.stdout.index("Score: 0/1") :]
    assert "Question 1: wrong.\n  Hint: Count on your fingers.\n" in report
    assert "Answer:" not in report and "2 + 2 = 4" not in report
    assert "This quiz does not show its answers" in report and "Attempts left: 0." in report
    r = run_mooc("play", "--plain", "journey", "solo", input="")
    assert "You have no attempts left on this quiz." in r.stdout and "Answer:" not in r.stdout


def test_plain_ctrl_c_saves_and_says_how_to_go_on(journey: Path, mooc_home: Homes) -> None:
    d = Driver([str(MOOC_BIN), "play", "--plain", "journey", "read"], mooc_home.env())
    assert "Lesson: Reading" in d.read_prompt()
    time.sleep(1.2)
    d.proc.send_signal(signal.SIGINT)
    rest, code = d.close()
    assert code == 130
    assert (
        "Interrupted. Your progress is saved (an unfinished quiz attempt is not counted); "
        "mooc play --plain continues where you stopped." in rest
    )
    assert "Traceback" not in d.stderr()
    spent = [e for e in journey_events(mooc_home) if e["type"] == "time_spent" and e["item_id"] == "read"]
    assert spent and spent[0]["data"]["seconds"] >= 1.0  # the reading time was recorded on the way out


# --------------------------------------------------------------------------- issue 14: attempts are not wasted


def attempts_of(run_mooc: Any, quiz_index: int = 0) -> int:
    r = run_mooc("progress", "journey", "--json")
    return json.loads(r.stdout)["courses"][0]["quizzes"][quiz_index]["attempts"]


def test_plain_all_skipped_is_not_submitted_without_asking(journey: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "journey", "two", input="skip\nskip\nleave\n")
    assert r.returncode == 0, r.stderr
    assert "You answered no question: submitted now, this attempt would score 0." in r.stdout
    assert "You left the quiz. The attempt was not submitted, so it does not count." in r.stdout
    assert "Score:" not in r.stdout and attempts_of(run_mooc) == 0
    # input ending at the question is the safe answer too: nothing submitted
    r = run_mooc("play", "--plain", "journey", "two", input="skip\nskip\n")
    assert "The unfinished attempt was not submitted" in r.stdout and attempts_of(run_mooc) == 0


def test_plain_incomplete_attempt_goes_back_to_a_skipped_question(journey: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "journey", "two", input="2\nskip\n2\nf\n")
    assert r.returncode == 0, r.stderr
    assert "Not answered: question 2; it would earn no points." in r.stdout
    assert r.stdout.count("Question 2 of 2") == 2  # asked again, answered, then submitted at once
    assert "Score: 2/2" in r.stdout and attempts_of(run_mooc) == 1
    assert "Next: Solo. Press Enter." in r.stdout


def test_plain_leave_mid_quiz_asks_then_leaves_without_submitting(journey: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "journey", "two", input="leave\nn\n2\nleave\ny\nq\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("Leave this quiz? Your answers so far are not counted. Type y or n: ") == 2
    assert r.stdout.count("Your answer, a number from 1 to 3: ") == 2  # "n" stays: asked again
    assert "You left the quiz." in r.stdout and "Goodbye" in r.stdout
    assert "Score:" not in r.stdout and attempts_of(run_mooc) == 0


def test_plain_failed_attempt_says_try_again(journey: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "journey", "two", input="1\nt\n")
    assert "Next: type r to try again, or press Enter for the next item." in r.stdout


def test_plain_skipped_order_question_is_not_answered(installed: Path, run_mooc: Any, mooc_home: Homes) -> None:
    """Fair grading in plain mode too: an order question skipped earns nothing."""
    answers = "1\n1\nt\n3\nx\nskip\nskip\nskip\nsubmit\n"
    r = run_mooc("play", "--plain", "plain-test", "quiz", input=answers)
    assert r.returncode == 0, r.stderr
    assert "Not answered: questions 6 and 7; they would earn no points." in r.stdout
    assert "Question 6: not answered." in r.stdout
    log = next((mooc_home.home / "learners").glob("*/progress/plain-test.jsonl"))
    events = [json.loads(line) for line in log.read_text().splitlines()[1:]]
    (attempt,) = [e for e in events if e["type"] == "attempt"]
    order = next(q for q in attempt["data"]["questions"] if q["id"] == "order")
    assert order["response"] is None and order["earned"] == 0


# --------------------------------------------------------------------------- issue 14: no terminal, no TUI


def test_play_through_pipes_falls_back_to_plain_mode(installed: Path, run_mooc: Any) -> None:
    """`mooc play` from a script or cron: stdin and stdout are pipes. No full-screen app
    (no escape codes into the pipe, no busy loop): plain mode, with one line saying so."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    r = run_mooc("play", "plain-test", input="1\nq\n", timeout=60)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "mooc: input is not a terminal: playing in plain mode (--plain)\n"
    assert "\x1b" not in r.stdout and "Lesson: Introduction" in r.stdout and "Goodbye" in r.stdout
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert wall < 30 and cpu < 20  # ended by itself; no spinning

    r = run_mooc("play", "plain-test", input="", timeout=60)  # cron: nothing to read
    assert r.returncode == 0 and "Input ended" in r.stdout and "\x1b" not in r.stdout


def test_play_with_term_dumb_in_a_real_terminal_is_plain(installed: Path, mooc_home: Homes) -> None:
    """A real pseudo-terminal with TERM=dumb (Emacs shell, some screen readers)."""
    import pty

    from packages.layout import Layout
    from player.learners import Learners

    Learners(Layout(mooc_home.home, mooc_home.system)).current()  # not the first start: no name to ask

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command on the pty
        os.execve(str(MOOC_BIN), [str(MOOC_BIN), "play", "plain-test"], mooc_home.env(TERM="dumb"))
    out = b""
    deadline = time.monotonic() + 30
    sent = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
            if not sent and b"> " in out:
                os.write(fd, b"q\n")
                sent = True
    finally:
        done, status = os.waitpid(pid, os.WNOHANG)
        for _ in range(50):
            if done:
                break
            time.sleep(0.1)
            done, status = os.waitpid(pid, os.WNOHANG)
        if not done:  # still running: a full-screen app, or a hang; fail, but never hang the suite
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = out.decode("utf-8", "replace")
    assert os.WEXITSTATUS(status) == 0, text
    assert "mooc: TERM=dumb: playing in plain mode (--plain)" in text and "Goodbye" in text
    assert "\x1b[" not in text and "\x1b]" not in text


# --------------------------------------------------------------------------- issue 14: text for a screen reader


def test_markdown_tables_are_read_row_by_row() -> None:
    from player.markdown_text import markdown_lines

    lines = markdown_lines(
        "Keys:\n\n| Key | What it does |\n|-----|:---:|\n| `n` | **next** item |\n"
        "| `a \\| b` | [help](https://x.org) |\n\nAfter."
    )
    assert lines == [
        "Keys:",
        "",
        "Table: Key, What it does.",
        "Key: n. What it does: next item.",
        "Key: a | b. What it does: help (https://x.org).",
        "End of table.",
        "",
        "After.",
    ]
    assert not any("---" in line or line.startswith("|") for line in lines)


def test_plain_search_results_are_words_not_markdown(installed: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "plain-test", "intro", input="/learner\nq\n")
    assert r.returncode == 0, r.stderr
    assert "  1. Introduction: Hello learner [bold]x[/bold]." in r.stdout  # no ** and no "line 3"


# --------------------------------------------------------------------------- issue 14: progress and certificate


def test_plain_progress_says_what_is_left_and_no_lrs_means_no_promise(journey: Path, run_mooc: Any) -> None:
    r = run_mooc("play", "--plain", "journey", "two", input="2\nf\nprogress\ncertificate\nq\n")
    assert r.returncode == 0, r.stderr
    assert "Progress in Journey: 1 of 3 items done." in r.stdout
    assert "Not done yet: Reading, Solo." in r.stdout
    assert "Quiz: Two questions: passed, best 100%, pass mark 50%, 1 attempt, 2 left." in r.stdout
    assert "Certificate: not yet." in r.stdout and "not attempted yet: 'Solo'" in r.stdout
    r = run_mooc("play", "--plain", "journey", "solo", input="4\nsubmit\ncertificate\nq\n")
    assert "nowhere to send a certificate request" in r.stdout
    assert "Request your certificate now?" not in r.stdout


def test_plain_certificate_is_requested_after_a_yes(journey: Path, run_mooc: Any, mooc_home: Homes) -> None:
    (mooc_home.home / "config.toml").write_text('[sync]\nendpoint = "https://lrs.example.org/xapi/"\n')
    run_mooc("play", "--plain", "journey", "two", input="2\nf\n")
    r = run_mooc("play", "--plain", "journey", "solo", input="4\nsubmit\ncertificate\nn\ncertificate\ny\nprogress\nq\n")
    assert r.returncode == 0, r.stderr
    assert "can request it. The request goes to lrs.example.org" in r.stdout
    assert "Nothing was requested." in r.stdout and "Certificate requested: it is sent with the next sync." in r.stdout
    assert "waits until you allow sending your records to lrs.example.org" in r.stdout  # progress, after
    requested = [e for e in journey_events(mooc_home) if e["type"] == "certificate_requested"]
    assert len(requested) == 1


def test_plain_preview_of_a_folder_records_nothing(journey: Path, run_mooc: Any, mooc_home: Homes) -> None:
    """`mooc play --plain ./my-course/` while a course with the same id is installed:
    the author's preview never writes into the learner's real progress."""
    assert run_mooc("play", "--plain", "journey", "read", input="q\n").returncode == 0  # real progress
    before = next((mooc_home.home / "learners").glob("*/progress/journey.jsonl"))
    before_text = before.read_text()
    r = run_mooc("play", "--plain", str(journey), "two", input="2\nf\nq\n")
    assert r.returncode == 0, r.stderr
    assert "Preview of" in r.stdout and "nothing is recorded" in r.stdout and "Score: 2/2" in r.stdout
    assert "Goodbye. This was a preview: nothing was recorded." in r.stdout  # not "your progress is saved"
    assert "progress is saved" not in r.stdout
    assert before.read_text() == before_text


def test_plain_names_a_module_that_opened_by_date_since_the_last_visit() -> None:
    from datetime import timedelta

    from player.events import Event
    from player.plain import run_plain
    from tests.test_session import T0, Clock
    from tests.test_session import session as make_session

    events: list[Event] = []
    clock = Clock()
    make_session(events, now=clock).open_item("intro")
    clock.when = T0 + timedelta(days=8)
    out = io.StringIO()
    run_plain(make_session(events, now=clock), stdin=io.StringIO("q\n"), stdout=out)
    assert "New since your last visit: the module Week 2 is now open." in out.getvalue()
    again = io.StringIO()
    run_plain(make_session(events, now=clock), stdin=io.StringIO("q\n"), stdout=again)
    assert "New since your last visit" not in again.getvalue()


def test_plain_shows_imported_markdown_as_lessons_show_it(run_mooc: Any, tmp_path: Path) -> None:
    """An imported fill-in-the-blank: its blank is `_____`, `snake\\_case` is snake_case, in the prompt,
    the choices, the feedback and the explanation (the lesson path: player/markdown_text.py), never a backslash."""
    from tests.test_import_gift import _pack

    pack = _pack(tmp_path)
    gift = tmp_path / "names.gift"
    gift.write_text(
        "::style::Python names a variable in {~camelCase#Java uses camelCase. Python: snake_case. =snake_case "
        "~kebab-case####Write *my_var* (stars and all).} style.\n"
    )
    imported = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "week-1")
    assert imported.returncode == 0, imported.stderr
    assert "snake\\\\_case" in (pack / "quizzes" / "names.toml").read_text()  # escaped in the pack, as Markdown
    wrong = run_mooc("play", "--plain", str(pack), "names", input="1\n")
    assert wrong.returncode == 0, wrong.stderr
    assert "Python names a variable in _____ style.\n  1. camelCase\n  2. snake_case\n" in wrong.stdout
    assert "Question 1: wrong.\n  Java uses camelCase. Python: snake_case.\n" in wrong.stdout
    right = run_mooc("play", "--plain", str(pack), "names", input="2\n")
    assert "Question 1: right.\n  Answer: snake_case\n  Write *my_var* (stars and all).\n" in right.stdout
    assert "\\" not in wrong.stdout + right.stdout
