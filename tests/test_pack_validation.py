"""validate(): every problem at once, each with its file, key path, line and column."""

from __future__ import annotations

from pathlib import Path

from packages.pack_report import Problem, Report
from packages.source import open_source
from packages.validation import validate
from tests.test_pack_loading import CONTRACT_QUIZ, contract_pack, write_pack

COURSE_OK_HEAD = """\
format = 1
id = "c"
version = "1.0.0"
title = "C"
"""


def problems(root: Path) -> Report:
    return validate(open_source(root))


def strs(report: Report, severity: str = "error") -> list[str]:
    return [str(p) for p in report.sorted() if p.severity == severity]


def test_every_course_problem_reported_at_once(tmp_path: Path) -> None:
    write_pack(
        tmp_path,
        {
            "course.toml": """\
format = 1
id = "Stats 101"
version = "1.2"
language = "english!"
kind = "ymooc"
colour = "blue"

[grading]
pass_threshold = 1.5

[certificate]
available = "yes"

[sync]
xapi_endpoint = "ftp://x"

[[modules]]
id = "week-1"
title = "W1"
requires = ["nope", "l1"]

  [[modules.items]]
  id = "l1"
  kind = "lesson"
  file = "lessons/missing.md"

  [[modules.items]]
  id = "l1"
  kind = "video"
  file = "../etc/passwd"

  [[modules.items]]
  id = "q"
  kind = "quiz"
  file = "quizzes/q.toml"
  weight = -1

[[modules]]
id = "week-1"
title = "W1 again"
unlock_after_days = -3
""",
            "quizzes/q.toml": 'title = "Q"\n[[questions]]\nid = "a"\ntype = "truefalse"\nprompt = "p"\nanswer = true\n',
            "media/unused.png": b"\x89PNG",
        },
    )
    report = problems(tmp_path)
    errors = strs(report)
    expected = [
        "course.toml: missing required key 'title'",
        "course.toml:2:1: id: 'Stats 101' is not a valid id",
        "course.toml:3:1: version: '1.2' is not a semantic version (like 1.2.0)",
        "course.toml:4:1: language: 'english!' is not a BCP 47 language tag",
        'course.toml:5:1: kind: must be "xmooc" or "cmooc", not \'ymooc\'',
        "course.toml:9:1: grading.pass_threshold: must be between 0 and 1, not 1.5",
        "course.toml:12:1: certificate.available: must be true or false, not the string 'yes'",
        "course.toml:15:1: sync.xapi_endpoint: 'ftp://x' is not a usable xAPI endpoint: not an http or https URL",
        "course.toml:20:1: modules[0].requires[0]: 'nope' names no quiz of this course",
        "course.toml:20:1: modules[0].requires[1]: 'l1' names an item that is not a quiz",
        "course.toml:25:3: modules[0].items[0].file: lessons/missing.md: no such file in the pack",
        "course.toml:28:3: modules[0].items[1].id: duplicate item id 'l1' (also modules[0].items[0])",
        'course.toml:29:3: modules[0].items[1].kind: must be "lesson" or "quiz", not \'video\'',
        "course.toml:30:3: modules[0].items[1].file: '../etc/passwd': path leaves the pack (..)",
        "course.toml:36:3: modules[0].items[2].weight: must not be negative, not -1",
        "course.toml:39:1: modules[1].id: duplicate module id 'week-1'",
        "course.toml:41:1: modules[1].unlock_after_days: must not be negative, not -3",
    ]
    for want in expected:
        assert any(e.startswith(want) for e in errors), f"missing: {want}\nin: {errors}"
    assert len(errors) == len(expected), errors
    warnings = strs(report, "warning")
    assert any(w.startswith("course.toml:6:1: colour: unknown key") for w in warnings), warnings
    assert any(w.startswith("media/unused.png: file is not used by the course") for w in warnings), warnings
    assert any(w.startswith("course.toml:38:1: modules[1]: module has no items") for w in warnings), warnings
    assert report.course is None and not report.ok


def _quiz_course(root: Path, quiz: str | bytes, lesson: str | bytes | None = None) -> Path:
    items = '{ id = "q", kind = "quiz", file = "quizzes/week-1.toml" }'
    files: dict[str, str | bytes] = {"quizzes/week-1.toml": quiz}
    if lesson is not None:
        items += ', { id = "l", kind = "lesson", file = "lessons/l.md" }'
        files["lessons/l.md"] = lesson
    files["course.toml"] = COURSE_OK_HEAD + f'[[modules]]\nid = "m"\ntitle = "M"\nitems = [{items}]\n'
    return write_pack(root, files)


BAD_QUIZ = """\
title = "Q"
max_attempts = -1
show_solutions = "sometimes"
pass_threshold = "high"

[[questions]]
id = "s0"
type = "single"
prompt = "p"
choices = [{ text = "a" }, { text = "b" }]

[[questions]]
id = "s1"
type = "single"
prompt = "p"
choices = [{ text = "a", correct = true }, { text = "b", correct = true }]

[[questions]]
id = "m"
type = "multiple"
prompt = "p"
choices = [{ text = "a" }, { text = "b" }]

[[questions]]
id = "o"
type = "order"
prompt = "p"
items = ["only"]

[[questions]]
id = "mt"
type = "match"
prompt = "p"
pairs = [["a", "b"]]

[[questions]]
id = "t"
type = "text"
prompt = "p"
pattern = "(unclosed"

[[questions]]
id = "n"
type = "numeric"
prompt = "p"
answer = 1
tolerance = "two percent"

[[questions]]
id = "n"
type = "essay"
prompt = "p"

[[questions]]
id = "tf"
type = "truefalse"
prompt = "p"
answer = true
sparkle = 1

[[questions]]
id = "tf"
type = "truefalse"
answer = false
"""


def test_every_quiz_rule(tmp_path: Path) -> None:
    report = problems(_quiz_course(tmp_path, BAD_QUIZ))
    errors = strs(report)
    f = "quizzes/week-1.toml"
    expected = [
        f"{f}:2:1: max_attempts: must not be negative, not -1",
        f"{f}:3:1: show_solutions: must be one of always, attempted, finished, never; not 'sometimes'",
        f"{f}:4:1: pass_threshold: must be a number, not the string 'high'",
        f"{f}:10:1: questions[0].choices: no choice has correct = true",
        f"{f}:16:1: questions[1].choices: 2 choices have correct = true",
        f"{f}:22:1: questions[2].choices: no choice has correct = true",
        f"{f}:28:1: questions[3].items: needs at least 2 items",
        f"{f}:34:1: questions[4].pairs: needs at least 2 pairs",
        f"{f}:40:1: questions[5].pattern: invalid regular expression",
        f"{f}:47:1: questions[6].tolerance: 'two percent' is not a percentage like \"2%\"",
        f"{f}:51:1: questions[7].type: unknown question type 'essay'",
        f"{f}:61:1: questions[9]: missing required key 'prompt'",
    ]
    for want in expected:
        assert any(e.startswith(want) for e in errors), f"missing: {want}\nin: {errors}"
    assert len(errors) == len(expected), errors
    assert any(w.startswith(f"{f}:59:1: questions[8].sparkle: unknown key") for w in strs(report, "warning"))


def test_duplicate_question_ids(tmp_path: Path) -> None:
    quiz = CONTRACT_QUIZ + CONTRACT_QUIZ[CONTRACT_QUIZ.index("[[questions]]") :]
    errors = strs(problems(_quiz_course(tmp_path, quiz)))
    assert len(errors) == 1 and "questions[1].id: duplicate question id 'q1' (also questions[0])" in errors[0]


def test_credit_extension_rules(tmp_path: Path) -> None:
    quiz = """\
[[questions]]
id = "s"
type = "single"
prompt = "p"
choices = [{ text = "a", credit = 0.5 }, { text = "b", credit = 2 }]
"""
    errors = strs(problems(_quiz_course(tmp_path, quiz)))
    assert any("questions[0].choices[1].credit: must be between -1 and 1, not 2" in e for e in errors), errors
    assert any("questions[0].choices: no choice is worth full credit" in e for e in errors), errors


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    quiz = 'title = "Q"\n\n[[questions]]\nid = "a"\ntype = single\n'
    (error,) = problems(_quiz_course(tmp_path, quiz)).errors
    assert (error.file, error.line, error.column) == ("quizzes/week-1.toml", 5, 8)
    assert str(error).startswith("quizzes/week-1.toml:5:8: TOML syntax error: invalid value")


def test_invalid_utf8_names_file_and_byte_offset(tmp_path: Path) -> None:
    lesson = "# Caf\u00e9\n".encode() + b"na\xefve\n"
    (error,) = problems(_quiz_course(tmp_path, CONTRACT_QUIZ, lesson)).errors
    assert error.file == "lessons/l.md" and error.line == 2 and error.column == 3
    assert "invalid UTF-8 at byte 10" in error.message


def test_toml_that_is_not_a_pack(tmp_path: Path) -> None:
    write_pack(tmp_path, {"course.toml": '[tool.poetry]\nname = "x"\n'})
    (error,) = problems(tmp_path).errors
    assert (
        str(error) == "course.toml: not a course pack manifest (no format, id or modules keys; see `mooc docs format`)"
    )


def test_newer_format_is_refused_clearly(tmp_path: Path) -> None:
    write_pack(tmp_path, {"course.toml": 'format = 2\nid = "c"\nfancy = "new stuff"\n'})
    (error,) = problems(tmp_path).errors
    assert str(error) == "course.toml:1:1: format: format 2 needs a newer mooc (this mooc reads format 1)"


def test_missing_course_toml(tmp_path: Path) -> None:
    (error,) = problems(tmp_path).errors
    assert error.file == "course.toml" and "missing" in error.message


def test_lesson_warnings_and_links(tmp_path: Path) -> None:
    lesson = (
        "No heading.\n\n![plot](../media/plot.png) [x](../media/gone.csv) [web](https://example.org)\n[out](../../x)\n"
    )
    root = _quiz_course(tmp_path, CONTRACT_QUIZ, lesson)
    (root / "media").mkdir()
    (root / "media" / "plot.png").write_bytes(b"png")
    (root / "README.md").write_text("about this pack\n")
    report = problems(root)
    assert strs(report) == ["lessons/l.md:4: link '../../x' leaves the pack"]
    assert strs(report, "warning") == [
        "lessons/l.md: lesson has no heading (start it with '# Title')",
        "lessons/l.md:3: link '../media/gone.csv': no such file in the pack",
    ]


def test_empty_quiz_is_a_warning(tmp_path: Path) -> None:
    report = problems(_quiz_course(tmp_path, 'title = "Nothing yet"\n'))
    assert report.ok and strs(report, "warning") == ["quizzes/week-1.toml: quiz has no questions"]


def test_symlink_leaving_the_pack(tmp_path: Path) -> None:
    root = contract_pack(tmp_path / "pack")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "media").mkdir()
    (root / "media" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    report = problems(root)
    assert strs(report) == ["media/leak.txt: symlink leaving the pack"]


def test_escape_sequences_and_markup_are_neutralised_in_messages(tmp_path: Path) -> None:
    write_pack(
        tmp_path,
        {"course.toml": 'format = 1\nid = "\\u001b[31mred[bold]x"\nversion = "1.0.0"\ntitle = "t"\nmodules = []\n'},
    )
    report = problems(tmp_path)
    text = "\n".join(str(p) for p in report.problems)
    assert "\x1b" not in text and "[bold]" in text
    assert all("\x1b" not in str(v) for p in report.problems for v in p.to_dict().values())


def test_problem_str_and_dict() -> None:
    p = Problem("error", "quizzes/week-1.toml", "questions[3].choices", "no choice has correct = true")
    assert str(p) == "quizzes/week-1.toml: questions[3].choices: no choice has correct = true"
    p = Problem("warning", "a.toml", "", "m", 3, 7)
    assert str(p) == "a.toml:3:7: m"
    assert p.to_dict() == {
        "severity": "warning",
        "file": "a.toml",
        "key_path": "",
        "message": "m",
        "line": 3,
        "column": 7,
    }


# Every key of every question type, strings everywhere a string may be.
EVERY_KEY_QUIZ = """\
title = "All"
[[questions]]
id = "single"
type = "single"
prompt = "p single"
hint = "h single"
explanation = "e single"
choices = [{ text = "s1", correct = true, feedback = "f s1" }, { text = "s2", credit = 0.5 }]
[[questions]]
id = "multiple"
type = "multiple"
prompt = "p multiple"
hints = ["h1 multiple", "h2 multiple"]
choices = [{ text = "m1", correct = true }, { text = "m2", feedback = "f m2" }]
[[questions]]
id = "truefalse"
type = "truefalse"
prompt = "p tf"
answer = true
feedback_true = "ft"
feedback_false = "ff"
[[questions]]
id = "numeric"
type = "numeric"
prompt = "p numeric"
answer = 3
tolerance = "2%"
[[questions]]
id = "numeric-answers"
type = "numeric"
prompt = "p numeric answers"
answers = [{ value = 3, tolerance = 0.5, credit = 1, feedback = "f n" }]
[[questions]]
id = "text"
type = "text"
prompt = "p text"
answers = ["t1", { text = "t2", credit = 1, feedback = "f t2" }]
pattern = "t[0-9]"
case_sensitive = true
[[questions]]
id = "order"
type = "order"
prompt = "p order"
items = ["o1", "o2"]
[[questions]]
id = "match"
type = "match"
prompt = "p match"
pairs = [["l1", "r1"], ["l2", "r2"]]
distractors = ["d1"]
[[questions]]
id = "reflection"
type = "reflection"
prompt = "p reflection"
answer = "model answer"
feedback = "f reflection"
"""


def _strings(value: object) -> set[str]:
    """Every string in VALUE: a TOML value, or a parsed question and what it holds."""
    import dataclasses

    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        value = list(value.values())
    elif dataclasses.is_dataclass(value):
        value = [getattr(value, f.name) for f in dataclasses.fields(value)]
    if isinstance(value, (list, tuple)):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def test_question_strings_are_the_quiz_files_strings(tmp_path: Path) -> None:
    """Every string a parsed question holds is a string of its quiz file as written: link
    checking skips quiz files whose text cannot spell a link (validation._may_link), which
    holds only while no question type builds strings of its own."""
    from packages.portable import tomllib
    from packages.questions import QUESTION_CLASSES

    report = problems(_quiz_course(tmp_path, EVERY_KEY_QUIZ))
    assert report.ok, strs(report)
    quiz = report.course.items()[0].quiz
    raw = {q["id"]: q for q in tomllib.loads(EVERY_KEY_QUIZ)["questions"]}
    assert {q.TYPE for q in quiz.questions} == set(QUESTION_CLASSES)  # a new type needs a sample here
    for q in quiz.questions:
        assert QUESTION_CLASSES[q.TYPE].KEYS <= raw[q.id].keys() | {"answer", "answers", "tolerance"}
        assert _strings(q) <= _strings(raw[q.id]), q.id


def test_links_spelled_with_toml_escapes_are_checked(tmp_path: Path) -> None:
    quiz = CONTRACT_QUIZ.replace(
        'prompt = "Which is the mean of 2, 4 and 9?"', 'prompt = "See ![plot]\\u0028../media/gone.png) first"'
    )
    assert strs(problems(_quiz_course(tmp_path, quiz)), "warning") == [
        "quizzes/week-1.toml: link '../media/gone.png': no such file in the pack"
    ]


def test_link_search_shortcut_finds_what_the_full_scan_finds() -> None:
    """lesson_links skips text that cannot hold a link without scanning it: random text
    made of the characters links are made of gives the same links either way."""
    import random

    from packages.validation import _scan_links, lesson_links

    rng = random.Random(20)
    pieces = ["](", "]:", "[", "]", "(", ")", "=", " = ", "src", "href", '"', "'", "a.png", "\n", "`", "#", " ", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert lesson_links(text) == _scan_links(text), text


def test_a_folder_nested_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    """The walk keeps a stack, not recursion: here 400 folders deep under a recursion
    limit of 300 (lowered, so the folder stays shallow enough to clean up)."""
    import os
    import sys

    write_pack(tmp_path, {"course.toml": COURSE_OK_HEAD + '[[modules]]\nid = "m"\ntitle = "M"\n'})
    deep = tmp_path / "media"
    deep = deep.joinpath(*["d"] * 400)
    os.makedirs(deep)
    (deep / "x.txt").write_text("deep")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(300)
    try:
        report = problems(tmp_path)
    finally:
        sys.setrecursionlimit(limit)
    assert report.errors == []
    assert [w.file.rsplit("/", 1)[-1] for w in report.warnings if "not used" in w.message] == ["x.txt"]
