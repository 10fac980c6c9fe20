"""`mooc import gift` on Moodle's own GIFT examples: structure, weights, grading, errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from packages.errors import MoocError
from packages.importers.gift import parse_gift
from packages.loading import load_course
from packages.portable import tomllib
from packages.source import open_source
from packages.validation import validate
from player.grading import grade_question

COURSE = """\
# my course: comments must survive the import
format = 1
id = "gift-test"
version = "1.0.0"
title = "GIFT test"

[[modules]]
id = "week-1"
title = "Week 1"

  [[modules.items]]
  id = "intro"
  kind = "lesson"
  file = "lessons/intro.md"

[[modules]]
id = "week-2"  # the second week
title = "Week 2"

  [[modules.items]]
  id = "more"
  kind = "lesson"
  file = "lessons/intro.md"
"""


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    (pack / "lessons").mkdir(parents=True)
    (pack / "course.toml").write_text(COURSE)
    (pack / "lessons" / "intro.md").write_text("# Intro\n\nHello.\n")
    return pack


@pytest.fixture(scope="module")
def gift_files(corpus_dir: Path) -> list[Path]:
    files = sorted((corpus_dir / "gift").glob("*.gift.txt"))
    assert len(files) == 3
    return files


def _quiz(tmp_path: Path, gift: Path, module: str = "week-1"):
    """Import into a real pack, check it, and return the loaded quiz."""
    pack = tmp_path / "pack" if (tmp_path / "pack").exists() else _pack(tmp_path)
    from packages.importers.gift import import_gift

    _, written = import_gift(gift, into=pack, module=module)
    report = validate(open_source(pack))
    assert report.errors == [], [str(e) for e in report.errors]
    course = load_course(open_source(pack))
    item = next(i for i in course.items() if i.file == f"quizzes/{written.name}")
    return item.quiz


def test_every_corpus_file_imports_and_passes_pack_check(run_mooc, gift_files: list[Path], tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    counts = {}
    for gift in gift_files:
        result = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "week-2", "--json")
        assert result.returncode == 0, result.stderr
        import json

        counts[gift.name] = json.loads(result.stdout)["produced"]["questions"]
    assert counts == {
        "moodle-examples.gift.txt": 43,
        "moodle-questions-in-category.gift.txt": 4,
        "moodle-questions.gift.txt": 9,  # with the essay, a reflection
    }
    check = run_mooc("pack", "check", str(pack))
    assert check.returncode == 0, check.stdout + check.stderr
    text = (pack / "course.toml").read_text()
    assert text.startswith("# my course: comments must survive") and 'id = "week-2"  # the second week' in text
    manifest = tomllib.loads(text)
    assert [i["id"] for i in manifest["modules"][1]["items"]][1:] == [
        "moodle-examples",
        "default-for-new-features",
        "moodle-questions",
    ]


def test_specific_questions_match_the_source(gift_files: list[Path], tmp_path: Path) -> None:
    quiz = _quiz(tmp_path, gift_files[0])
    qs = {q.id: q for q in quiz.questions}
    first = quiz.questions[0]  # Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}
    assert first.prompt == "Who's buried in Grant's tomb?"
    assert [(c.text, c.correct) for c in first.choices] == [("Grant", False), ("Jefferson", False), ("no one", True)]
    assert quiz.questions[1].prompt == "Grant is \\_\\_\\_\\_\\_ in Grant's tomb."  # missing word
    tf = quiz.questions[2]
    assert tf.type == "truefalse" and tf.answer is False
    pi = [q for q in quiz.questions if q.type == "numeric" and "pi" in q.prompt]
    assert [(a.value, a.tolerance) for a in pi[0].answers] == [(3.1415, 0.0005)]
    assert pi[1].answers[0].value == pytest.approx(3.1415) and pi[1].answers[0].tolerance == pytest.approx(0.0005)
    assert qs["kanji-origins"].prompt == "Japanese characters originally\\\ncame from what country?"
    match = next(q for q in quiz.questions if q.type == "match" and "countries" in q.prompt)
    assert match.pairs == (("Canada", "Ottawa"), ("Italy", "Rome"), ("Japan", "Tokyo"), ("India", "New Delhi"))
    control = qs["gift-control-characters"]
    assert [c.text for c in control.choices] == [
        "~",
        "=",
        "\\#",
        "{",
        "}",
        "\\\\",
    ]  # Markdown for # (a heading alone) and \
    assert control.choices[5].correct and control.choices[0].feedback == "~ is a control character."
    assert [c.text for c in qs["jesus-hometown"].choices] == ["Jerusalem", "Bethlehem", "Galilee", "Nazareth"]
    assert [c.credit for c in qs["jesus-hometown"].choices] == [None, 0.25, 0.5, 1.0]
    md = next(q for q in quiz.questions if "**Grant's tomb**" in q.prompt)  # [markdown] kept as is
    assert [(a.text, a.feedback) for a in md.answers] == [
        ("no one", "excellent answer!"),
        ("nobody", "excellent answer!"),
    ]


def test_weights_grade_as_moodle_does(gift_files: list[Path], tmp_path: Path) -> None:
    quiz = _quiz(tmp_path, gift_files[0])
    qs = {q.id: q for q in quiz.questions}
    hometown = qs["jesus-hometown"]
    assert [grade_question(hometown, i).score for i in range(4)] == [0.0, 0.25, 0.5, 1.0]
    short = qs["jesus-hometown-2"]
    assert grade_question(short, "Nazareth").score == 1.0
    assert grade_question(short, "nazereth").score == 0.75 and grade_question(short, "Rome").score == 0.0
    born = qs["numerical-example"]  # =1822:0 and =%50%1822:2
    assert [grade_question(born, x).score for x in ("1822", "1821", "1819")] == [1.0, 0.5, 0.0]
    two = [q for q in quiz.questions if q.type == "multiple"]
    assert len(two) == 2  # "What two people are entombed": multiple answers, with and without penalties
    assert grade_question(two[0], [1, 2]).score == 1.0 and grade_question(two[0], [0, 1]).score == 0.5
    assert grade_question(two[1], [1, 2]).score == 1.0 and grade_question(two[1], [0, 1]).score == 0.0
    assert grade_question(two[1], [0, 1, 2]).score == 0.5


def test_second_file_feedback_distractors_and_reports(gift_files: list[Path], tmp_path: Path) -> None:
    quiz = _quiz(tmp_path, gift_files[2])
    qs = {q.id: q for q in quiz.questions}
    tf = qs["q1"]  # {FALSE#42 is the Ultimate Answer.#You gave the right answer.####...}
    assert tf.answer is False and tf.feedback_true == "42 is the Ultimate Answer."
    assert tf.feedback_false == "You gave the right answer."
    assert tf.explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert grade_question(tf, False).feedback == ["You gave the right answer."]
    acts = qs["moodle-activities"]
    assert acts.distractors == ("Chat",) and acts.prompt == "Match the **activity** to the description."
    colours = qs["colours"]
    assert grade_question(colours, [0, 2]).score == 1.0 and grade_question(colours, [0, 1]).score == 0.0
    q5 = qs["q5"]  # {#3:2~#Completely wrong}: "any other answer" is an answer every number is within
    assert [(a.value, a.tolerance, a.credit) for a in q5.answers] == [(3.0, 2.0, 1.0), (0.0, sys.float_info.max, 0.0)]
    assert grade_question(q5, "4").score == 1.0 and grade_question(q5, "4").feedback == []
    assert grade_question(q5, "-1e300").feedback == ["Completely wrong"]
    animal = qs["shortanswer"]
    assert grade_question(animal, "cat").score == 0.5 and grade_question(animal, "frog").feedback == ["Good!"]
    essay = qs["q8"]  # `::Q8:: How are you? {}`: an essay is a reflection, never scored
    assert essay.type == "reflection" and essay.prompt == "How are you?" and essay.points == 0.0
    assert essay.feedback is None and essay.answer is None
    _, report = parse_gift(gift_files[2])
    assert report.missing_entries == [] and report.found["essay"] == 1


def test_category_becomes_title_and_html_becomes_markdown(gift_files: list[Path]) -> None:
    quiz, report = parse_gift(gift_files[1])
    assert quiz["title"] == "Default for New Features"
    greeting = next(q for q in quiz["questions"] if q["id"] == "greeting")
    assert greeting["prompt"] == (
        "[Listen to this greeting:](http://demo.moodle.net/file.php/5/media/bonjour.mp3)"
        "\\\n\\\nWhat language is being spoken?"
    )
    assert report.found["category: $course$/Default for New Features"] == 4


def test_real_world_mess_and_descriptions(tmp_path: Path) -> None:
    gift = tmp_path / "mess.gift"
    gift.write_bytes(
        "\ufeff// comment\r\n$CATEGORY: top/Week 1\r\n\r\nTime is 10:30 now?{T}\r\n\r\n"
        "Just a description, nothing to answer.\r\n\r\n::N::\tTabs\tand odd  spaces {\r\n"
        "  =  yes  \r\n  ~  no  }\r\n".encode()
    )
    quiz, report = parse_gift(gift)
    assert quiz["title"] == "Week 1"
    assert [q["prompt"] for q in quiz["questions"]] == [
        "Time is 10:30 now?",
        "Just a description, nothing to answer.\n\nTabs and odd spaces",  # text between questions
    ]
    assert [c["text"] for c in quiz["questions"][1]["choices"]] == ["yes", "no"]
    assert report.missing_entries == []
    assert [(e.component, e.where) for e in report.entries] == [("description", "mess.gift:6")]


@pytest.mark.parametrize(
    "body,message",
    [
        ("Q1 {=a}\n\nBroken question {\n=a\n~b\n", "mess.gift: line 3: answer block '{' is never closed"),
        ("When? {#abc}", "line 1: 'abc' is not a number"),
        ("Match {=a -> b =c}", "line 1: matching pair 'c' has no '->'"),
        ("Weights {~%abc%x =y}", "line 1: bad weight"),
        # nothing to import: what the file holds instead
        ("Just text.\n\nMore text.\n", "nothing to import: found 2 descriptions, and no question to import"),
        ("Q? {#inf}\n\nA description.\n", "mess.gift: nothing to import: found 1 description, 1 question that cannot"),
        ("// only a comment\n", "mess.gift: nothing to import: no question in it"),
    ],
)
def test_syntax_errors_name_file_and_line(run_mooc, tmp_path: Path, body: str, message: str) -> None:
    gift = tmp_path / "mess.gift"
    gift.write_text(body)
    with pytest.raises(MoocError, match=message.replace("(", r"\(").replace("{", r"\{")):
        parse_gift(gift)
    result = run_mooc("import", "gift", str(gift), "-o", str(tmp_path / "q.toml"))
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "q.toml").exists()


def test_cli_output_file_and_report(run_mooc, gift_files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "quiz.toml"
    result = run_mooc("import", "gift", str(gift_files[2]), "-o", str(out), "--report", str(tmp_path / "r.md"))
    assert result.returncode == 0, result.stderr
    assert "9 questions" in result.stdout and "essay" not in result.stdout
    written = tomllib.loads(out.read_text())
    assert written["title"] == "moodle questions"
    assert written["questions"][0] == {"id": "q8", "type": "reflection", "prompt": "How are you?"}
    assert "| essay | Q8 |" not in (tmp_path / "r.md").read_text()  # no longer reported
    again = run_mooc("import", "gift", str(gift_files[2]), "-o", str(out))
    assert again.returncode == 1 and "already exists" in again.stderr
    no_module = run_mooc("import", "gift", str(gift_files[2]), "--into", str(_pack(tmp_path)), "--module", "nope")
    assert no_module.returncode == 1 and "no module 'nope' (modules: week-1, week-2)" in no_module.stderr


def test_the_summary_counts_in_words(run_mooc, tmp_path: Path) -> None:
    """One of a kind reads "1 quiz", "1 question", never "1 quizzes"."""
    gift = tmp_path / "one.gift"
    gift.write_text("::Q1:: 2+2 = {#4}\n", encoding="utf-8")
    r = run_mooc("import", "gift", str(gift), "-o", str(tmp_path / "one.toml"))
    assert r.returncode == 0, r.stderr
    first = (r.stdout + r.stderr).splitlines()[0]
    assert first == "imported one.gift: 1 question, 1 quiz", first


def test_into_a_course_toml_nested_too_deep_is_one_line_naming_it(run_mooc, tmp_path: Path) -> None:
    """A hostile course.toml (arrays 5,000 deep) is refused naming that file, and left as it was."""
    pack = tmp_path / "p"
    assert run_mooc("pack", "init", str(pack)).returncode == 0
    manifest = pack / "course.toml"
    manifest.write_text(manifest.read_text() + "\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    before = manifest.read_bytes()
    gift = tmp_path / "q.gift"
    gift.write_text("::Q:: 1+1 {#2}\n", encoding="utf-8")
    r = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "week-1")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.strip() == f"mooc: error: {manifest}: nested too deeply to edit"
    assert manifest.read_bytes() == before
