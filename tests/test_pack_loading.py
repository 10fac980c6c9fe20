"""Loading a pack into the model: every field, every default, the extensions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from packages.errors import MoocError
from packages.loading import first_heading, load_course, read_lesson
from packages.questions import Match, MultipleChoice, Numeric, Order, SingleChoice, Text, TrueFalse
from packages.source import open_source
from packages.validation import validate

# The example of /work/shared/pack-format-v1.md, written strictly to the contract.
CONTRACT_COURSE = """\
format = 1                      # required integer
id = "stats-101"                # required; ^[a-z0-9][a-z0-9._-]{0,63}$
version = "1.2.0"               # required; semantic version
title = "Statistics 101"        # required
language = "en"                 # BCP 47 tag; default "en"
summary = "One paragraph shown in the library."
authors = ["A. Author"]
license = "CC-BY-4.0"           # SPDX identifier
kind = "xmooc"                  # "xmooc": auto-graded, certificate possible
                                # "cmooc": self-assessment, no certificate
weekly_hours = 3                # announced study time per week

[grading]
pass_threshold = 0.6            # weighted course score in [0, 1] needed to pass; default 0.5

[certificate]
available = true                # default: true for xmooc, false for cmooc

[sync]                          # optional: where learning records go when online
xapi_endpoint = "https://lrs.example.org/xAPI/"

[[modules]]                     # typically one per week (pedagogical scripting)
id = "week-1"                   # unique in the pack
title = "Week 1: Describing data"
unlock_after_days = 0           # days after the learner's enrolment; default 0
requires = []                   # ids of quizzes that must be passed first; default none

  [[modules.items]]
  id = "mean"                   # unique in the pack; ^[a-z0-9][a-z0-9._-]{0,63}$
  kind = "lesson"
  file = "lessons/mean.md"
  title = "The mean"            # optional: default is the file's first heading

  [[modules.items]]
  id = "week-1-quiz"
  kind = "quiz"
  file = "quizzes/week-1.toml"
  weight = 1.0                  # share of the course score; default 1.0; 0 = practice
"""

CONTRACT_QUIZ = """\
title = "Week 1 quiz"
max_attempts = 3                # 0 = unlimited; default 0
pass_threshold = 0.7            # default: the course's grading.pass_threshold
shuffle_choices = false         # default false
show_solutions = "finished"     # "always" | "attempted" | "finished" | "never"
                                # finished = passed, or no attempts left

[[questions]]
id = "q1"                       # required, unique in the quiz
type = "single"                 # see the types below
prompt = "Which is the mean of 2, 4 and 9?"   # Markdown
points = 1                      # default 1
hint = "Add them up first."     # optional
explanation = "(2 + 4 + 9) / 3 = 5"          # optional, shown per show_solutions
choices = [
  { text = "4" },
  { text = "5", correct = true },
  { text = "9", feedback = "That is the largest value." },
]
"""


def write_pack(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def contract_pack(root: Path) -> Path:
    return write_pack(
        root,
        {
            "course.toml": CONTRACT_COURSE,
            "lessons/mean.md": "# The mean\n\nAdd and divide.\n",
            "quizzes/week-1.toml": CONTRACT_QUIZ,
        },
    )


def test_contract_example_loads_every_field(tmp_path: Path) -> None:
    course = load_course(open_source(contract_pack(tmp_path)))
    assert (course.id, course.version, course.title, course.format) == ("stats-101", "1.2.0", "Statistics 101", 1)
    assert course.language == "en" and course.summary == "One paragraph shown in the library."
    assert course.authors == ("A. Author",) and course.license == "CC-BY-4.0"
    assert course.kind == "xmooc" and course.weekly_hours == 3.0
    assert course.pass_threshold == 0.6 and course.certificate_available is True
    assert course.xapi_endpoint == "https://lrs.example.org/xAPI/"
    (module,) = course.modules
    assert (module.id, module.title, module.unlock_after_days, module.requires) == (
        "week-1",
        "Week 1: Describing data",
        0,
        (),
    )
    lesson, quiz_item = module.items
    assert (lesson.id, lesson.kind, lesson.file, lesson.title) == ("mean", "lesson", "lessons/mean.md", "The mean")
    assert (quiz_item.kind, quiz_item.weight, quiz_item.title) == ("quiz", 1.0, "Week 1 quiz")
    quiz = quiz_item.quiz
    assert quiz is not None
    assert (quiz.title, quiz.max_attempts, quiz.pass_threshold, quiz.shuffle_choices, quiz.show_solutions) == (
        "Week 1 quiz",
        3,
        0.7,
        False,
        "finished",
    )
    (q,) = quiz.questions
    assert isinstance(q, SingleChoice)
    assert (q.id, q.prompt, q.points, q.hints, q.explanation) == (
        "q1",
        "Which is the mean of 2, 4 and 9?",
        1.0,
        ("Add them up first.",),
        "(2 + 4 + 9) / 3 = 5",
    )
    assert [c.text for c in q.choices] == ["4", "5", "9"]
    assert [c.correct for c in q.choices] == [False, True, False]
    assert q.choices[2].feedback == "That is the largest value." and q.choices[0].credit is None
    assert course.quiz_pass_threshold(quiz_item) == 0.7
    assert read_lesson(open_source(tmp_path), lesson) == "# The mean\n\nAdd and divide.\n"
    report = validate(open_source(tmp_path))
    assert report.ok and report.problems == []


def test_defaults(tmp_path: Path) -> None:
    write_pack(
        tmp_path,
        {
            "course.toml": """
            format = 1
            id = "c"
            version = "0.1.0"
            title = "C"
            kind = "cmooc"
            [[modules]]
            id = "m"
            title = "M"
              [[modules.items]]
              id = "l"
              kind = "lesson"
              file = "lessons/l.md"
              [[modules.items]]
              id = "qz"
              kind = "quiz"
              file = "quizzes/q.toml"
        """,
            "lessons/l.md": "Intro text\n\n## The *real* title ##\n\n# Later\n",
            "quizzes/q.toml": """
            [[questions]]
            id = "a"
            type = "numeric"
            prompt = "pi?"
            answer = 3.14
        """,
        },
    )
    course = load_course(open_source(tmp_path))
    assert course.language == "en" and course.pass_threshold == 0.5
    assert course.certificate_available is False  # cmooc default
    assert course.summary == "" and course.authors == () and course.license is None and course.xapi_endpoint is None
    lesson, quiz_item = course.items()
    assert lesson.title == "The *real* title"  # the first heading
    assert quiz_item.title == "qz" and quiz_item.quiz.title == "qz"  # no title anywhere: the id
    quiz = quiz_item.quiz
    assert (quiz.max_attempts, quiz.pass_threshold, quiz.shuffle_choices, quiz.show_solutions) == (
        0,
        None,
        False,
        "finished",
    )
    assert course.quiz_pass_threshold(quiz_item) == 0.5
    (q,) = quiz.questions
    assert isinstance(q, Numeric) and q.points == 1.0 and q.hints == () and q.explanation is None
    assert len(q.answers) == 1 and (q.answers[0].value, q.answers[0].tolerance, q.answers[0].relative) == (
        3.14,
        0.0,
        False,
    )


ALL_TYPES_QUIZ = """
    [[questions]]
    id = "s"
    type = "single"
    prompt = "single"
    points = 2.5
    choices = [{ text = "a", correct = true }, { text = "b" }]

    [[questions]]
    id = "m"
    type = "multiple"
    prompt = "multiple"
    choices = [{ text = "a", correct = true }, { text = "b", correct = true }, { text = "c" }]

    [[questions]]
    id = "tf"
    type = "truefalse"
    prompt = "tf"
    answer = false

    [[questions]]
    id = "n-abs"
    type = "numeric"
    prompt = "abs"
    answer = 10
    tolerance = 0.5

    [[questions]]
    id = "n-rel"
    type = "numeric"
    prompt = "rel"
    answer = 200
    tolerance = "2.5%"

    [[questions]]
    id = "t"
    type = "text"
    prompt = "text"
    answers = ["no one", "nobody"]
    pattern = "no ?body"
    case_sensitive = true

    [[questions]]
    id = "o"
    type = "order"
    prompt = "order"
    items = ["first", "second", "third"]

    [[questions]]
    id = "mt"
    type = "match"
    prompt = "match"
    pairs = [["Canada", "Ottawa"], ["Italy", "Rome"]]
"""

EXTENSIONS_QUIZ = """
    [[questions]]
    id = "s"
    type = "single"
    prompt = "credit"
    hints = ["one", "two"]
    choices = [{ text = "a", credit = 1 }, { text = "b", credit = 0.5 }, { text = "c", credit = -0.25 }]

    [[questions]]
    id = "tf"
    type = "truefalse"
    prompt = "tf"
    answer = true
    feedback_true = "Yes."
    feedback_false = "No."

    [[questions]]
    id = "n"
    type = "numeric"
    prompt = "n"
    answers = [{ value = 3.14, tolerance = 0.01, feedback = "Exact." },
               { value = 3, tolerance = "10%", credit = 0.5, feedback = "Close." }]

    [[questions]]
    id = "t"
    type = "text"
    prompt = "t"
    answers = ["Paris", { text = "paris france", credit = 0.5, feedback = "Just Paris." }]

    [[questions]]
    id = "mt"
    type = "match"
    prompt = "mt"
    pairs = [["Canada", "Ottawa"], ["Italy", "Rome"]]
    distractors = ["Toronto", "Milan"]
"""


def _quiz_pack(root: Path, quiz: str) -> Path:
    return write_pack(
        root,
        {
            "course.toml": """
            format = 1
            id = "c"
            version = "1.0.0-beta.1+build.5"
            title = "C"
            [[modules]]
            id = "m"
            title = "M"
            items = [{ id = "q", kind = "quiz", file = "quizzes/q.toml", weight = 0 }]
        """,
            "quizzes/q.toml": quiz,
        },
    )


def test_every_v1_question_type(tmp_path: Path) -> None:
    course = load_course(open_source(_quiz_pack(tmp_path, ALL_TYPES_QUIZ)))
    item = course.item("q")
    assert item.weight == 0.0 and not item.is_graded and course.graded_quizzes() == []
    s, m, tf, n_abs, n_rel, t, o, mt = item.quiz.questions
    assert isinstance(s, SingleChoice) and s.points == 2.5 and [c.correct for c in s.choices] == [True, False]
    assert isinstance(m, MultipleChoice) and [c.correct for c in m.choices] == [True, True, False]
    assert isinstance(tf, TrueFalse) and tf.answer is False and tf.feedback_true is None
    assert isinstance(n_abs, Numeric) and n_abs.answers[0].tolerance == 0.5 and not n_abs.answers[0].relative
    assert (
        isinstance(n_rel, Numeric) and n_rel.answers[0].relative and n_rel.answers[0].tolerance == pytest.approx(0.025)
    )
    assert n_rel.answers[0].credit == 1.0
    assert isinstance(t, Text) and [a.text for a in t.answers] == ["no one", "nobody"]
    assert t.pattern == "no ?body" and t.case_sensitive is True and all(a.credit == 1.0 for a in t.answers)
    assert isinstance(o, Order) and o.items == ("first", "second", "third")
    assert isinstance(mt, Match) and mt.pairs == (("Canada", "Ottawa"), ("Italy", "Rome")) and mt.distractors == ()
    assert [q.type for q in item.quiz.questions] == [
        "single",
        "multiple",
        "truefalse",
        "numeric",
        "numeric",
        "text",
        "order",
        "match",
    ]


def test_extension_fields(tmp_path: Path) -> None:
    course = load_course(open_source(_quiz_pack(tmp_path, EXTENSIONS_QUIZ)))
    s, tf, n, t, mt = course.item("q").quiz.questions
    assert s.hints == ("one", "two") and [c.credit for c in s.choices] == [1.0, 0.5, -0.25]
    assert (tf.feedback_true, tf.feedback_false) == ("Yes.", "No.")
    assert [(a.value, a.tolerance, a.relative, a.credit, a.feedback) for a in n.answers] == [
        (3.14, 0.01, False, 1.0, "Exact."),
        (3.0, 0.1, True, 0.5, "Close."),
    ]
    assert [(a.text, a.credit, a.feedback) for a in t.answers] == [
        ("Paris", 1.0, None),
        ("paris france", 0.5, "Just Paris."),
    ]
    assert mt.distractors == ("Toronto", "Milan")
    assert validate(open_source(tmp_path)).problems == []


def test_invalid_pack_raises_one_line_error(tmp_path: Path) -> None:
    write_pack(tmp_path, {"course.toml": 'format = 1\nid = "Bad Id"\nversion = "1"\ntitle = "x"\nmodules = []\n'})
    with pytest.raises(MoocError) as exc:
        load_course(open_source(tmp_path))
    msg = str(exc.value)
    assert "\n" not in msg and "3 errors" in msg
    assert "'Bad Id' is not a valid id" in msg and "not a semantic version" in msg and "no modules" in msg


def test_first_heading_variants() -> None:
    assert first_heading("# Title #\n") == "Title"
    assert first_heading("```\n# not this\n```\nSetext\n======\n") == "Setext"
    assert first_heading("    # indented code\n### Third\n") == "Third"
    assert first_heading("no heading here\n") is None


def test_lesson_title_from_heading_needs_no_title_key_and_load_reads_only_what_it_needs(tmp_path: Path) -> None:
    """load_course reads a lesson only when its title must come from its heading."""
    write_pack(
        tmp_path,
        {
            "course.toml": """
            format = 1
            id = "c"
            version = "1.0.0"
            title = "C"
            [[modules]]
            id = "m"
            title = "M"
            items = [{ id = "a", kind = "lesson", file = "lessons/a.md", title = "Given" },
                     { id = "b", kind = "lesson", file = "lessons/b.md" }]
        """,
            "lessons/a.md": "# From file\n",
            "lessons/b.md": "Setext title\n---\n",
        },
    )
    source = open_source(tmp_path)
    reads: list[str] = []
    original = source.read_bytes

    def spy(rel: str) -> bytes:
        reads.append(rel)
        return original(rel)

    source.read_bytes = spy  # type: ignore[method-assign]
    course = load_course(source)
    assert [i.title for i in course.items()] == ["Given", "Setext title"]
    assert reads == ["course.toml", "lessons/b.md"]


def test_big_generated_pack_loads_fast(tmp_path: Path) -> None:
    import time

    from tests.support.genpack import generate_pack

    generate_pack(tmp_path / "big", lessons=2000, questions=10000)
    start = time.perf_counter()
    course = load_course(open_source(tmp_path / "big"))
    elapsed = time.perf_counter() - start
    assert len(course.items()) == 2500
    assert sum(len(i.quiz.questions) for i in course.items() if i.quiz) == 10000
    assert {q.type for i in course.items() if i.quiz for q in i.quiz.questions} == {
        "single",
        "multiple",
        "truefalse",
        "numeric",
        "text",
        "order",
        "match",
    }
    assert elapsed < 5.0, f"loading took {elapsed:.2f} s"  # ~0.5 s here; bound generous for a shared CI box
