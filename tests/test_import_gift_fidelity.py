"""`mooc import gift`, round 2 (issue 15): nothing silently wrong, nothing silently lost.

Each case is a small GIFT snippet written here; the quiz is checked as the pack
format reads it and graded by the real grader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from packages.importers.gift import parse_gift
from packages.loading import load_course
from packages.portable import tomllib
from packages.questions import Question
from packages.source import open_source
from player.grading import grade_question

HEAD = 'format = 1\nid = "p"\nversion = "1.0.0"\ntitle = "P"\n\n'
LAYOUTS = {
    "inline items, commented": (
        "# my course\n" + HEAD + '[[modules]]\nid = "m"  # the module\ntitle = "M"\nitems = [\n'
        '  { id = "intro", kind = "lesson", file = "lessons/intro.md" },  # first\n]\n'
    ),
    "array of tables, indented": (
        HEAD + '[[modules]]\nid = "m"\ntitle = "M"\n\n  [[modules.items]]\n  id = "intro"  # keep me\n'
        '  kind = "lesson"\n  file = "lessons/intro.md"\n\n# the second module\n[[modules]]\nid = "n"\ntitle = "N"\n'
    ),
    "module without items": HEAD + '[[modules]]\nid = "m"  # empty so far\ntitle = "M"',
    "all inline": HEAD + 'modules = [{ id = "m", title = "M" }]  # one line\n',
}


def _pack(tmp_path: Path, manifest: str) -> Path:
    pack = tmp_path / "pack"
    (pack / "lessons").mkdir(parents=True)
    (pack / "lessons" / "intro.md").write_text("# Intro\n")
    (pack / "course.toml").write_text(manifest)
    return pack


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_into_keeps_every_comment_and_adds_the_item(run_mooc, tmp_path: Path, layout: str) -> None:
    manifest = LAYOUTS[layout]
    pack = _pack(tmp_path, manifest)
    gift = tmp_path / "a.gift"  # a short name: the item fits an inline table
    gift.write_text("Q? {=a ~b}\n")
    result = run_mooc("import", "gift", str(gift), "--into", str(pack), "--module", "m", "--weight", "0.5")
    assert result.returncode == 0, result.stderr
    text = (pack / "course.toml").read_text()
    comments = [line.split("#", 1)[1] for line in manifest.splitlines() if "#" in line]
    assert comments and all(c in text for c in comments), text
    before, after = tomllib.loads(manifest), tomllib.loads(text)
    module = next(m for m in after["modules"] if m["id"] == "m")
    assert module["items"][-1] == {"id": "a", "kind": "quiz", "file": "quizzes/a.toml", "title": "a", "weight": 0.5}
    module["items"].pop()
    if not module["items"]:
        del module["items"]
    assert after == before  # nothing else changed
    check = run_mooc("pack", "check", str(pack))
    assert check.returncode == 0, check.stdout + check.stderr


def test_into_leaves_a_comment_heading_the_next_module_in_place(tmp_path: Path) -> None:
    from packages.importers.gift import import_gift

    pack = _pack(tmp_path, LAYOUTS["array of tables, indented"])
    gift = tmp_path / "q.gift"
    gift.write_text("Q? {=a ~b}\n")
    import_gift(gift, into=pack, module="m")
    text = (pack / "course.toml").read_text()
    assert '  [[modules.items]]\n  id = "q"' in text
    assert '\n# the second module\n[[modules]]\nid = "n"' in text


def _quiz(tmp_path: Path, body: str) -> tuple[list[Question], Any]:
    """Import GIFT text, put the quiz in a pack, check it as `mooc pack check` does, and load it."""
    from packages.importers.pack_writer import dumps_toml
    from packages.validation import validate

    gift = tmp_path / "t.gift"
    gift.write_text(body)
    quiz, report = parse_gift(gift)
    pack = tmp_path / "qpack"
    (pack / "quizzes").mkdir(parents=True, exist_ok=True)
    (pack / "course.toml").write_text(
        HEAD
        + '[[modules]]\nid = "m"\ntitle = "M"\n[[modules.items]]\nid = "q"\nkind = "quiz"\nfile = "quizzes/q.toml"\n'
    )
    (pack / "quizzes" / "q.toml").write_text(dumps_toml(quiz))
    assert validate(open_source(pack)).errors == []
    item = next(i for i in load_course(open_source(pack)).items() if i.id == "q")
    return list(item.quiz.questions), report


def test_a_per_answer_format_tag_is_not_part_of_the_accepted_text(tmp_path: Path) -> None:
    qs, _ = _quiz(
        tmp_path,
        "Colour of the sky? {=[markdown]light blue =[plain]azure}\n\n"
        "Match {=[html]<b>one</b> -> [plain]1 =two -> [markdown]2 = -> [moodle]3}\n",
    )
    sky, match = qs
    assert [a.text for a in sky.answers] == ["light blue", "azure"]
    assert grade_question(sky, "light blue").score == 1.0 and grade_question(sky, "[markdown]light blue").score == 0
    assert match.pairs == (("**one**", "1"), ("two", "2")) and match.distractors == ("3",)


def test_a_short_answer_without_equals_is_read_as_moodle_reads_it(tmp_path: Path) -> None:
    qs, report = _quiz(tmp_path, "Say one. {One}\n\nOne or two? {One =Two}\n\nNext {=a ~b}\n")
    assert [q.type for q in qs] == ["text", "text", "single"]
    assert [a.text for a in qs[0].answers] == ["One"] and [a.text for a in qs[1].answers] == ["One", "Two"]
    assert report.entries == []


def test_descriptions_become_text_between_questions(tmp_path: Path) -> None:
    qs, report = _quiz(
        tmp_path,
        "Read this first.\n\n::D2::[html]<p>And <b>this</b>.</p>\n\nQ1 {T}\n\nQ2 {F}\n\nThat was all.\n",
    )
    assert [q.prompt for q in qs] == ["Read this first.\n\nAnd **this**.\n\nQ1", "Q2\n\nThat was all."]
    assert [(e.severity, e.component, e.where) for e in report.entries] == [
        ("changed", "description", "t.gift:1"),
        ("changed", "description", "t.gift:3 (D2)"),
        ("changed", "description", "t.gift:9"),
    ]
    assert "shown above the next question (q1)" in report.entries[0].reason
    assert "below the last question's text (q2)" in report.entries[2].reason


def test_numeric_any_other_answer_feedback_is_carried(tmp_path: Path) -> None:
    qs, report = _quiz(tmp_path, "Year? {#=1822:0#Right ~1800#Too early ~#Not even close}\n")
    (year,) = qs
    assert grade_question(year, "1822").score == 1.0 and grade_question(year, "1822").feedback == ["Right"]
    assert grade_question(year, "1800").feedback == ["Too early"]  # the specific answer first
    for wrong in ("1", "-5e307", "1.7e308"):
        assert grade_question(year, wrong).score == 0.0 and grade_question(year, wrong).feedback == ["Not even close"]
    assert report.found["numerical: 'any other answer' feedback"] == 1 and report.entries == []


def test_weights_are_read_as_moodle_reads_them(tmp_path: Path) -> None:
    """Three 33.33333% answers, all picked: full credit and "right", as in Moodle (1/3 each)."""
    from player.feedback import verdict
    from player.grading import QuestionGrade

    qs, _ = _quiz(tmp_path, "Pick three. {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}\n")
    (three,) = qs
    assert [c.credit for c in three.choices] == [1 / 3, 1 / 3, 1 / 3, -1.0]
    for picks in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        grade = grade_question(three, picks)
        assert grade.score == 1.0 and grade.correct
        assert verdict(QuestionGrade(three, picks, grade)) == "right"
    assert grade_question(three, [0, 1]).score == pytest.approx(2 / 3)
    odd, _ = _quiz(tmp_path, "Odd. {=a ~%35%b ~c}\n")  # not one of Moodle's grades: kept as written
    assert odd[0].choices[1].credit == 0.35


def test_text_that_looks_like_markdown_stays_text(tmp_path: Path) -> None:
    qs, _ = _quiz(tmp_path, "# of legs?\\n- a spider\\n1. first {#8}\n\n[html]<p>2) second<br></p> {T}\n")
    assert qs[0].prompt == "\\# of legs?\\\n\\- a spider\\\n1\\. first"
    assert qs[1].prompt == "2\\) second"  # and no stray backslash from the trailing <br>


def test_an_essay_is_a_reflection_and_a_bank_of_essays_imports(tmp_path: Path) -> None:
    """`{}` is an essay: it comes across as an ungraded reflection, its general feedback the reflection's."""
    from packages.question_kinds.reflection import Reflection

    essays = "::Plan:: Write your **study plan**. {####Does it say *when*?}\n\nA description.\n\n"
    qs, report = _quiz(tmp_path, essays + "[markdown]What did you *learn*? {}\n")
    plan, learned = qs
    assert isinstance(plan, Reflection) and isinstance(learned, Reflection)
    assert (plan.id, plan.prompt, plan.feedback, plan.answer) == (
        "plan",
        "Write your \\*\\*study plan\\*\\*.",  # moodle text: shown as written
        "Does it say \\*when\\*?",
        None,
    )
    assert plan.explanation is None and plan.points == 0.0
    assert learned.prompt == "A description.\n\nWhat did you *learn*?" and learned.feedback is None
    assert report.missing_entries == [] and report.found["essay"] == 2 and report.produced["questions"] == 2
    assert [(e.severity, e.component) for e in report.entries] == [("changed", "description")]
