"""`mooc import olx`, round 2 (issue 15): nothing silently wrong, nothing silently lost.

Each case is a small course written here in OLX (inline, the way Studio's
export may also write it), imported, checked with `mooc pack check`'s own code,
loaded, and its questions graded by the real grader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from packages.importers.olx import import_olx
from packages.loading import load_course
from packages.source import open_source
from packages.validation import validate
from player.grading import grade_question


def _course(tmp_path: Path, chapters: str, *, policy: dict[str, Any] | None = None, name: str = "c") -> Path:
    """An export folder whose course.xml holds `chapters` (inline OLX)."""
    root = tmp_path / name
    (root / "course").mkdir(parents=True)
    (root / "course.xml").write_text('<course url_name="r" org="o" course="c"/>')
    (root / "course" / "r.xml").write_text(f'<course display_name="C">{chapters}</course>')
    if policy is not None:
        (root / "policies" / "r").mkdir(parents=True)
        (root / "policies" / "r" / "policy.json").write_text(json.dumps({"course/r": policy}))
    return root


def _unit(body: str, title: str = "U", extra: str = "") -> str:
    return (
        f'<chapter display_name="Ch"><sequential display_name="S"><vertical display_name="{title}" {extra}>'
        f"{body}</vertical></sequential></chapter>"
    )


def _import(tmp_path: Path, source: Path) -> tuple[Any, Any, Path]:
    out = tmp_path / f"{source.name}-pack"
    report = import_olx(source, out)
    assert validate(open_source(out)).errors == []
    return load_course(open_source(out)), report, out


def _questions(course: Any) -> dict[str, Any]:
    return {q.id: q for item in course.items() if item.quiz for q in item.quiz.questions}


def _lessons(out: Path) -> str:
    return "\n".join(p.read_text() for p in sorted((out / "lessons").glob("*.md")))


def test_html_keeps_its_meaning_in_markdown(tmp_path: Path) -> None:
    html = (
        "<p>Light: 3&#215;10<sup>8</sup> m/s; water: H<sub>2</sub>O; x<sub>i</sub>; e<sup>i&#960;</sup>.<br/></p>"
        "<p># not a heading<br/>- not a list<br/>1. not a list either</p>"
        "<table><tr><th>A</th><th>B</th><th>C</th></tr>"
        '<tr><td rowspan="2">a</td><td>b</td><td>c</td></tr><tr><td>d</td><td>e</td></tr>'
        '<tr><td colspan="2">f</td><td>g</td></tr></table>'
    )
    _, _, out = _import(tmp_path, _course(tmp_path, _unit(f"<html><![CDATA[{html}]]></html>")))
    text = _lessons(out)
    assert "Light: 3×10⁸ m/s; water: H₂O; x\\_i; e^(iπ)." in text
    assert "e^(iπ).\\" not in text  # a trailing <br> leaves no stray backslash
    assert "\\# not a heading\\\n\\- not a list\\\n1\\. not a list either" in text
    assert "| a | b | c |\n|  | d | e |\n| f |  | g |" in text  # cells stay under their columns


def test_a_trailing_br_leaves_no_backslash_in_prompts_choices_and_feedback(tmp_path: Path) -> None:
    problem = (
        '<problem url_name="p" display_name="P"><multiplechoiceresponse>'
        "<label>Pick one<br/></label><choicegroup>"
        '<choice correct="true">Right<br/><choicehint>Yes<br/></choicehint></choice>'
        '<choice correct="false">Wrong<br/></choice></choicegroup></multiplechoiceresponse>'
        "<solution><p>Because<br/></p></solution></problem>"
    )
    course, _, _ = _import(tmp_path, _course(tmp_path, _unit(problem)))
    q = _questions(course)["p"]
    assert q.prompt == "Pick one" and [c.text for c in q.choices] == ["Right", "Wrong"]
    assert q.choices[0].feedback == "Yes" and q.explanation == "Because"


def _problem_course(tmp_path: Path, *problems: str) -> tuple[dict[str, Any], Any, Path]:
    course, report, out = _import(tmp_path, _course(tmp_path, _unit("".join(problems))))
    return _questions(course), report, out


def test_shuffle_is_a_quiz_setting_never_a_question_key(tmp_path: Path) -> None:
    problem = (
        '<problem url_name="p"><multiplechoiceresponse><choicegroup shuffle="true">'
        '<choice correct="true">a</choice><choice correct="false">b</choice></choicegroup>'
        "</multiplechoiceresponse></problem>"
    )
    _, _, out = _problem_course(tmp_path, problem)
    (quiz,) = (out / "quizzes").glob("*.toml")
    assert "_shuffle" not in quiz.read_text() and "shuffle_choices = true" in quiz.read_text()


def test_an_apostrophe_in_a_dropdown_option_is_part_of_it(tmp_path: Path) -> None:
    problem = (
        '<problem url_name="p"><optionresponse><optioninput '
        "options=\"('I don't know','Yes','It\\'s fine', 'No')\" correct=\"I don't know\"/></optionresponse></problem>"
    )
    qs, _, _ = _problem_course(tmp_path, problem)
    assert [(c.text, c.correct) for c in qs["p"].choices] == [
        ("I don't know", True),
        ("Yes", False),
        ("It's fine", False),
        ("No", False),
    ]


def _numeric(url_name: str, answer: str, inner: str = "", attrs: str = "") -> str:
    return (
        f'<problem url_name="{url_name}"><numericalresponse answer="{answer}" {attrs}>{inner}'
        "<formulaequationinput/></numericalresponse></problem>"
    )


def _scores(q: Any, *answers: str) -> list[float]:
    return [grade_question(q, a).score for a in answers]


def test_numeric_answers_are_graded_as_open_edx_grades_them(tmp_path: Path) -> None:
    tolerance = '<responseparam type="tolerance" default="1%"/>'
    qs, report, _ = _problem_course(
        tmp_path,
        _numeric("sun", "9.3*10^7", tolerance),  # Studio's own template: arithmetic
        _numeric("plain", "12"),  # no tolerance: Open edX still allows 0.001%
        _numeric("open", "(1, 5)"),
        _numeric("half-open", "[1/2, 2^2)"),
        _numeric("close", "[10, 20]", attrs='partial_credit="close"'),
        _numeric(
            "both",
            "100",
            '<responseparam type="tolerance" default="1"/><responseparam partial_answers="50"/>'
            '<responseparam partial_range="3"/>',
            'partial_credit="list,close"',
        ),
    )
    assert _scores(qs["sun"], "93000000", "93900000", "94000000") == [1.0, 1.0, 0.0]
    assert _scores(qs["plain"], "12", "12.0001", "12.001") == [1.0, 1.0, 0.0]
    assert _scores(qs["open"], "1", "1.0001", "3", "4.9999", "5") == [0.0, 1.0, 1.0, 1.0, 0.0]
    assert _scores(qs["half-open"], "0.5", "0.4999", "3.9999", "4") == [1.0, 0.0, 1.0, 0.0]
    # close: the range widened by 2 x its width on each side (ends excluded) is worth half
    assert _scores(qs["close"], "15", "20", "-9.99", "39.99", "-10", "40") == [1.0, 1.0, 0.5, 0.5, 0.0, 0.0]
    # list,close: 50 half; within 3 x the tolerance of 100 half; of 50 a quarter
    assert _scores(qs["both"], "101", "50", "103", "52", "104", "60") == [1.0, 0.5, 0.5, 0.25, 0.0, 0.0]
    assert report.missing_entries == []


def test_numeric_answers_that_are_not_arithmetic_are_reported_never_run(tmp_path: Path) -> None:
    qs, report, _ = _problem_course(
        tmp_path,
        _numeric("code", "__import__('os').getcwd()"),
        _numeric("huge", "10^400"),
        _numeric("empty", "(5, 1)"),
        _numeric("ok", "2*(3+4)"),
    )
    assert set(qs) == {"ok"} and grade_question(qs["ok"], "14").score == 1.0
    reasons = {e.ident: e.reason for e in report.missing_entries}
    assert "cannot be read as a number" in reasons["code"] and "too large" in reasons["huge"]
    assert "holds no number" in reasons["empty"]


def test_answer_specific_hints_are_carried(tmp_path: Path) -> None:
    numeric = _numeric(
        "n",
        "42",
        '<correcthint>Right, 42.</correcthint><hintgroup><numericalhint answer="41" name="h1"/>'
        '<hintpart on="h1"><text>Off by one.</text></hintpart></hintgroup>',
    )
    string = (
        '<problem url_name="s"><stringresponse answer="Paris" type="ci"><correcthint>Yes.</correcthint>'
        '<additional_answer answer="paris, france"><correcthint>Precise.</correcthint></additional_answer>'
        '<stringequalhint answer="Lyon">That is the second city.</stringequalhint>'
        '<regexphint answer="L.*">Not with an L.</regexphint><textline/></stringresponse></problem>'
    )
    qs, report, _ = _problem_course(tmp_path, numeric, string)
    n, s = qs["n"], qs["s"]
    assert grade_question(n, "42").feedback == ["Right, 42."] and grade_question(n, "42").score == 1.0
    assert grade_question(n, "41").feedback == ["Off by one."] and grade_question(n, "41").score == 0.0
    assert grade_question(s, "PARIS").feedback == ["Yes."] and grade_question(s, "Paris, France").feedback == [
        "Precise."
    ]
    assert grade_question(s, "lyon").score == 0.0 and grade_question(s, "lyon").feedback == ["That is the second city."]
    assert [a.text for a in s.answers if a.credit == 1.0] == ["Paris", "paris, france"]
    assert [(e.component, e.reason) for e in report.entries] == [
        ("stringresponse", "feedback for wrong answers matching a pattern (regexphint) dropped")
    ]


PARTITIONS = [
    {"id": 7, "name": "Content Groups", "scheme": "cohort", "groups": [{"id": 1, "name": "Group A"}]},
    {
        "id": 9,
        "name": "Experiment",
        "scheme": "random",
        "groups": [{"id": 0, "name": "Blue"}, {"id": 1, "name": "Red"}],
    },
]


def test_content_for_staff_or_some_learners_is_left_out_and_reported(tmp_path: Path) -> None:
    chapters = (
        '<chapter display_name="Open"><sequential display_name="S"><vertical display_name="Lesson">'
        "<html><![CDATA[<p>For everyone.</p>]]></html>"
        '<html url_name="key" display_name="Key" visible_to_staff_only="true"><![CDATA[<p>ANSWER KEY</p>]]></html>'
        '<html url_name="cohort" group_access="{&quot;7&quot;: [1]}"><![CDATA[<p>COHORT ONLY</p>]]></html>'
        '<html url_name="nobody" group_access="{&quot;7&quot;: []}"><![CDATA[<p>No restriction.</p>]]></html>'
        '</vertical><vertical url_name="notes" display_name="Notes" visible_to_staff_only="true">'
        "<html><![CDATA[<p>STAFF NOTES</p>]]></html></vertical></sequential></chapter>"
        '<chapter url_name="hidden" display_name="Hidden" visible_to_staff_only="true"><sequential>'
        "<vertical><html><![CDATA[<p>HIDDEN CHAPTER</p>]]></html></vertical></sequential></chapter>"
    )
    course, report, out = _import(tmp_path, _course(tmp_path, chapters, policy={"user_partitions": PARTITIONS}))
    text = _lessons(out)
    assert "For everyone." in text and "No restriction." in text
    for secret in ("ANSWER KEY", "COHORT ONLY", "STAFF NOTES", "HIDDEN CHAPTER", "Not available"):
        assert secret not in text
    assert [m.title for m in course.modules] == ["Open"]
    left_out = {e.ident: e.reason for e in report.missing_entries}
    assert set(left_out) == {"key", "cohort", "notes", "hidden"}
    assert "visible to staff only" in left_out["key"] and "(Content Groups: 'Group A')" in left_out["cohort"]


def test_a_content_experiment_brings_its_first_group(tmp_path: Path) -> None:
    experiment = (
        '<split_test url_name="ab" display_name="Colour test" user_partition_id="9" '
        'group_id_to_child="{&quot;1&quot;: &quot;block-v1:o+c+r+type@vertical+block@red&quot;, '
        '&quot;0&quot;: &quot;block-v1:o+c+r+type@vertical+block@blue&quot;}">'
        '<vertical url_name="red"><html><![CDATA[<p>RED CONTENT</p>]]></html></vertical>'
        '<vertical url_name="blue"><html><![CDATA[<p>Blue content.</p>]]></html>'
        '<problem url_name="q"><multiplechoiceresponse><choicegroup><choice correct="true">a</choice>'
        '<choice correct="false">b</choice></choicegroup></multiplechoiceresponse></problem></vertical>'
        "</split_test>"
    )
    course, report, out = _import(
        tmp_path, _course(tmp_path, _unit(experiment), policy={"user_partitions": PARTITIONS})
    )
    text = _lessons(out)
    assert "Blue content." in text and "RED CONTENT" not in text and set(_questions(course)) == {"q"}
    (changed,) = [e for e in report.entries if e.component == "split_test"]
    assert changed.severity == "changed" and "group 'Blue' (the first); left out: 'Red'" in changed.reason
    assert [(e.component, e.ident) for e in report.missing_entries] == [("vertical", "red")]


def _mc(url_name: str) -> str:
    return (
        f'<problem url_name="{url_name}"><multiplechoiceresponse><choicegroup><choice correct="true">a</choice>'
        '<choice correct="false">b</choice></choicegroup></multiplechoiceresponse></problem>'
    )


def test_a_library_block_draws_only_from_its_capa_type(tmp_path: Path) -> None:
    block = (
        '<library_content url_name="lib" max_count="1" capa_type="multiplechoiceresponse">'
        f'{_mc("m1")}{_mc("m2")}<problem url_name="t1"><stringresponse answer="x"><textline/></stringresponse>'
        "</problem></library_content>"
    )
    course, report, _ = _import(tmp_path, _course(tmp_path, _unit(block)))
    assert set(_questions(course)) == {"m1", "m2"}
    (entry,) = [e for e in report.entries if e.component == "library_content"]
    assert "1 random problem of the 2 with a multiplechoiceresponse field; mooc includes all 2" in entry.reason
    assert "1 problem of other types is not in the pool" in entry.reason


def test_the_pages_around_the_outline_become_the_first_lessons(tmp_path: Path) -> None:
    source = _course(
        tmp_path,
        _unit("<html><![CDATA[<p>Unit text.</p>]]></html>"),
        policy={
            "pdf_textbooks": [
                {
                    "tab_title": "Reader",
                    "chapters": [
                        {"title": "Ch 1", "url": "/static/ch1.pdf"},
                        {"title": "Ch 2", "url": "/static/gone.pdf"},
                    ],
                }
            ],
            "tabs": [{"type": "static_tab", "name": "Syllabus", "url_slug": "syl"}, {"type": "progress"}],
        },
    )
    (source / "about").mkdir()
    (source / "about" / "overview.html").write_text("<h2>About</h2><p>What this course is.</p>")
    (source / "about" / "effort.html").write_text("4 hours a week")
    (source / "info").mkdir()
    (source / "info" / "handouts.html").write_text("<ol></ol>")  # empty: no lesson
    (source / "info" / "updates.items.json").write_text(
        json.dumps(
            [{"date": "May 1", "content": "<p>Welcome!</p>"}, {"date": "x", "content": "gone", "status": "deleted"}]
        )
    )
    (source / "static").mkdir()
    (source / "static" / "ch1.pdf").write_bytes(b"%PDF-1.4\n")
    (source / "tabs").mkdir()
    (source / "tabs" / "syl.html").write_text("<p>Week by week.</p>")
    course, report, out = _import(tmp_path, source)
    items = course.modules[0].items
    assert [i.title for i in items] == ["About this course", "Course updates", "Textbook: Reader", "Syllabus", "U"]
    lessons = {i.title: (out / i.file).read_text() for i in items}
    assert (
        "What this course is." in lessons["About this course"]
        and "## Effort\n\n4 hours a week" in lessons["About this course"]
    )
    assert "## May 1\n\nWelcome!" in lessons["Course updates"] and "gone" not in lessons["Course updates"]
    assert "[Ch 1](../media/ch1.pdf)" in lessons["Textbook: Reader"] and (out / "media" / "ch1.pdf").is_file()
    assert "Week by week." in lessons["Syllabus"]
    assert [(e.component, e.reason) for e in report.missing_entries] == [
        ("pdf_textbooks", "chapter 'Ch 2': its file is not in the export")
    ]
    assert report.found["handouts (empty)"] == 1


def test_quiz_titles_say_where_they_come_from(tmp_path: Path) -> None:
    def seq(title: str, units: int) -> str:
        return (
            f'<sequential display_name="{title}">'
            + "".join(f'<vertical display_name="Unit">{_mc(f"{title}-{n}")}</vertical>' for n in range(units))
            + "</sequential>"
        )

    chapters = f'<chapter display_name="Week 1">{seq("Basics", 1)}{seq("More", 2)}</chapter>'
    chapters += f'<chapter display_name="Week 2">{seq("Basics", 1)}</chapter>'
    course, _, _ = _import(tmp_path, _course(tmp_path, chapters))
    titles = [i.title for i in course.items() if i.kind == "quiz"]
    assert titles == [
        "Week 1 › Basics › Unit: exercises",
        "Week 1 › More › Unit: exercises",
        "Week 1 › More › Unit: exercises (2)",
        "Week 2 › Basics › Unit: exercises",
    ]
    assert len(set(titles)) == len(titles)


def test_html_that_only_works_in_a_browser_is_reported(tmp_path: Path) -> None:
    unit = _unit(
        '<html url_name="widget"><![CDATA[<p>Rate this page</p><button onclick="x()">+1</button>]]></html>'
        '<html url_name="script"><![CDATA[<script src="/static/feedback.js"></script>]]></html>'
    )
    _, report, out = _import(tmp_path, _course(tmp_path, unit))
    assert "Rate this page" in _lessons(out)
    assert [(e.severity, e.ident) for e in report.entries] == [("changed", "widget"), ("missing", "script")]
    assert "<button> does not work offline" in report.entries[0].reason


def test_broken_or_hostile_pages_around_the_outline_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "secret.pdf").write_bytes(b"%PDF secret")
    policy = {
        "pdf_textbooks": [{"tab_title": "Evil", "chapters": [{"title": "Up", "url": "/static/../../secret.pdf"}]}],
        "tabs": [{"type": "static_tab", "name": "Escape", "url_slug": "../../secret"}],
        "user_partitions": "not a list",
    }
    source = _course(tmp_path, _unit("<html><![CDATA[<p>Text.</p>]]></html>"), policy=policy)
    (source / "info").mkdir()
    (source / "info" / "updates.items.json").write_text("[{broken")
    course, report, out = _import(tmp_path, source)
    assert not list(out.rglob("secret*")) and "Text." in _lessons(out)
    kinds = {(e.severity, e.component) for e in report.entries}
    assert {("missing", "course updates"), ("missing", "pdf_textbooks"), ("missing", "static_tab")} <= kinds
