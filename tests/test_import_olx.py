"""`mooc import olx` on the real Open edX demo course, checked against the source XML.

The source is parsed here independently (stdlib ElementTree: the corpus is trusted
test data) and every imported question is compared with it, then played through
the real grader with the source's own correct answers.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from packages.errors import MoocError
from packages.importers.html_markdown import html_to_markdown
from packages.importers.olx import import_olx
from packages.importers.olx_components import srt_to_paragraphs
from packages.loading import load_course
from packages.questions import MultipleChoice, Numeric, SingleChoice, Text
from packages.source import open_source
from packages.validation import validate
from player.grading import grade_question

SUPPORTED = {"multiplechoiceresponse", "choiceresponse", "optionresponse", "numericalresponse", "stringresponse"}
KNOWN_COMPONENTS = {"html", "video", "problem", "library_content"}
# Sample answers for the regular-expression text problems (the source has patterns, not answers).
REGEXP_SAMPLES = {"330956aa9c304a0a8e944d3caac15494": "bubble", "7071a317a0744a37924ef5dea17d47e1": "for quizzes"}


@pytest.fixture(scope="module")
def course_src(corpus_dir: Path) -> Path:
    return corpus_dir / "olx" / "openedx-demo-course"


@pytest.fixture(scope="module")
def imported(course_src: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("olx") / "demo"
    report = import_olx(course_src, out)
    return out, report.to_dict()


@pytest.fixture(scope="module")
def course(imported):
    return load_course(open_source(imported[0]))


def _questions(course) -> dict[str, tuple]:
    return {q.id: (item, q) for item in course.items() if item.quiz for q in item.quiz.questions}


def _text(el: ET.Element) -> str:
    return " ".join("".join(t for t in [el.text or ""] + [c.tail or "" for c in el]).split())


def _source_problems(course_src: Path) -> dict[str, ET.Element]:
    return {p.stem: ET.parse(p).getroot() for p in sorted((course_src / "problem").glob("*.xml"))}


def test_pack_check_passes_with_no_errors(imported) -> None:
    report = validate(open_source(imported[0]))
    assert report.errors == [], [str(e) for e in report.errors]
    assert report.course is not None and report.course.title == "Open edX Demo Course"


def test_course_metadata_and_structure(course, course_src: Path) -> None:
    assert course.id == "openedx-demox-democourse"
    assert course.version == "1.0.0"
    assert course.language == "en"
    assert course.summary.startswith("Explore Open edX")
    chapters = ET.parse(course_src / "course" / "DemoCourse.xml").getroot().findall("chapter")
    titles = [
        ET.parse(course_src / "chapter" / f"{c.get('url_name')}.xml").getroot().get("display_name") for c in chapters
    ]
    assert [m.title for m in course.modules] == titles


def test_every_supported_response_became_a_question(course, course_src: Path) -> None:
    questions = _questions(course)
    expected = 0
    for url_name, problem in _source_problems(course_src).items():
        responses = [r for r in problem.iter() if r.tag.endswith("response")]
        if any("$" in (r.get("answer") or "") for r in responses):
            continue  # randomised by a script: reported instead (see below)
        for i, r in enumerate(responses, start=1):
            qid = url_name if len(responses) == 1 else f"{url_name}-{i}"
            if r.tag in SUPPORTED:
                expected += 1
                assert qid in questions, f"{r.tag} of {url_name} missing"
    assert len(questions) == expected == 27


def test_choices_match_the_source(course, course_src: Path) -> None:
    questions = _questions(course)
    checked = {"multiplechoiceresponse": 0, "choiceresponse": 0, "optionresponse": 0}
    for url_name, problem in _source_problems(course_src).items():
        responses = [r for r in problem.iter() if r.tag.endswith("response")]
        for i, r in enumerate(responses, start=1):
            qid = url_name if len(responses) == 1 else f"{url_name}-{i}"
            if r.tag not in checked or qid not in questions:
                continue
            q = questions[qid][1]
            if r.tag == "optionresponse" and r.find(".//optioninput").get("options"):
                field = r.find(".//optioninput")
                names = [s.strip() for s in field.get("options").strip("()").replace("'", "").split(",")]
                right = [field.get("correct")]
            else:
                choices = r.findall(".//choice") + r.findall(".//option")
                names = [_text(c) for c in choices]
                right = [_text(c) for c in choices if (c.get("correct") or "").lower() == "true"]
            assert [c.text for c in q.choices] == names, qid
            assert [c.text for c in q.choices if c.correct] == right, qid
            assert isinstance(q, MultipleChoice if r.tag == "choiceresponse" else SingleChoice)
            checked[r.tag] += 1
    assert checked == {"multiplechoiceresponse": 9, "choiceresponse": 2, "optionresponse": 9}


def test_numeric_and_text_answers_match_the_source(course, course_src: Path) -> None:
    questions = _questions(course)
    src = _source_problems(course_src)
    simple = questions["3b8100660f3947c198e0a9b35f7c6cf6"][1]  # 600 +- 5
    assert isinstance(simple, Numeric)
    assert src["3b8100660f3947c198e0a9b35f7c6cf6"].find(".//numericalresponse").get("answer") == "600"
    assert (simple.answers[0].value, simple.answers[0].tolerance) == (600.0, 5.0)
    partial = questions["9f898b5307d841fcb03f5ee4eb206a9a"][1]  # partial_credit="list": 1 is worth half
    assert [(a.value, a.credit) for a in partial.answers] == [(2.0, 1.0), (1.0, 0.5)]
    assert len(partial.hints) == 3
    dwarfs = questions["3e5a945f54374fc7ababadc080660f2d"][1]
    resp = src["3e5a945f54374fc7ababadc080660f2d"].find("stringresponse")
    assert isinstance(dwarfs, Text) and not dwarfs.case_sensitive
    assert [a.text for a in dwarfs.answers] == [resp.get("answer")] + [
        a.get("answer") for a in resp.findall("additional_answer")
    ]
    regexp = questions["330956aa9c304a0a8e944d3caac15494"][1]
    assert regexp.pattern == "..bble" and regexp.explanation and "bubble" in regexp.explanation


def _source_answer(problem: ET.Element, index: int, q) -> object:
    r = [r for r in problem.iter() if r.tag.endswith("response")][index - 1]
    if r.tag in ("multiplechoiceresponse", "optionresponse"):
        field = r.find(".//optioninput")
        if field is not None and field.get("correct"):
            return [c.text for c in q.choices].index(field.get("correct"))
        choices = r.findall(".//choice") + r.findall(".//option")
        return next(i for i, c in enumerate(choices) if (c.get("correct") or "").lower() == "true")
    if r.tag == "choiceresponse":
        return [i for i, c in enumerate(r.findall(".//choice")) if c.get("correct") == "true"]
    if r.tag == "numericalresponse":
        return r.get("answer")
    return r.get("answer")


def test_play_every_imported_question_with_the_source_answers(course, course_src: Path) -> None:
    src = _source_problems(course_src)
    played = 0
    for qid, (_item, q) in _questions(course).items():
        url_name, _, index = qid.partition("-")
        response = REGEXP_SAMPLES.get(url_name) or _source_answer(src[url_name], int(index or 1), q)
        grade = grade_question(q, response)
        assert grade.score == 1.0, (qid, response)
        played += 1
    assert played == 27
    # and a wrong answer scores 0 / partial credit where Open edX gives it
    q = _questions(course)["9f898b5307d841fcb03f5ee4eb206a9a"][1]
    assert grade_question(q, "1").score == 0.5 and grade_question(q, "3").score == 0.0


def test_graded_quizzes_follow_the_grading_policy(course, course_src: Path) -> None:
    policy = json.loads((course_src / "policies" / "DemoCourse" / "grading_policy.json").read_text())
    assert course.pass_threshold == min(policy["GRADE_CUTOFFS"].values())
    weights = {g["type"]: g["weight"] for g in policy["GRADER"]}
    graded = {item.title: item.weight for item in course.graded_quizzes()}
    # Basic and Advanced have gradable problems; Intermediate holds none mooc can grade (reported).
    assert graded == {  # titles say where the quizzes come from
        "Basic Assessment Tools: graded problems": weights["Basic Assessment Tools"],
        "Advanced Assessment Tools: graded problems": weights["Advanced Assessment Tools"],
    }
    practice = [i for i in course.items() if i.kind == "quiz" and i.weight == 0]
    assert [i.title for i in practice] == ["Other Learning Tools › Subsection Pre-Requisites: exercises"]
    basic = next(i for i in course.items() if i.title.startswith("Basic Assessment Tools") and i.kind == "quiz")
    assert basic.quiz.show_solutions == "never"  # strictest of its problems' showanswer


def test_report_lists_every_unsupported_component(imported, course_src: Path) -> None:
    out, report = imported
    reported = {(e["component"], e["ident"]) for e in report["missing"]}
    expected = set()
    without_notice = set()  # content for some learners only, and scripts with no text: no notice for learners
    for vertical in (course_src / "vertical").glob("*.xml"):
        for comp in ET.parse(vertical).getroot():
            if comp.tag not in KNOWN_COMPONENTS:
                expected.add((comp.tag, comp.get("url_name")))
            elif comp.tag == "html":
                xml = ET.parse(course_src / "html" / f"{comp.get('url_name')}.xml").getroot()
                body = (course_src / "html" / f"{xml.get('filename')}.html").read_text()
                text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]*>", "", body).strip()
                if xml.get("group_access") or xml.get("visible_to_staff_only") or (not text and "<script" in body):
                    without_notice.add(("html", comp.get("url_name")))
    course_xml = ET.parse(course_src / "course" / "DemoCourse.xml").getroot()
    without_notice |= {
        (c.tag, c.get("slug") or c.get("url_name")) for c in course_xml if c.tag != "chapter"
    }  # the wiki
    expected |= without_notice
    for url_name, problem in _source_problems(course_src).items():
        for r in problem.iter():
            if r.tag.endswith("response") and (r.tag not in SUPPORTED or "$" in (r.get("answer") or "")):
                expected.add((r.tag, url_name))
    assert reported == expected
    assert len(report["missing"]) == 87 and len(without_notice) == 65
    # each has a notice in the lessons, naming the component and where it was
    lessons = "\n".join(p.read_text() for p in (out / "lessons").glob("*.md"))
    for component, ident in expected - without_notice:
        assert f"`{ident}`" in lessons and f"**Not available in mooc:** {component}" in lessons


def test_videos_become_transcript_text_and_links(imported, course_src: Path) -> None:
    out, report = imported
    assert report["found"]["video"] == 11
    srt = (course_src / "static" / "48c991fb-083c-45e1-adad-930d2b11b11e-en.srt").read_text()
    text = srt_to_paragraphs(srt)
    assert "-->" not in text and "next up we're going to be hearing about the state of open edx" in text
    lesson = (out / "lessons" / "advanced-video-settings.md").read_text()
    assert "https://www.youtube.com/watch?v=AOUEsgFrYeg" in lesson
    assert "### Transcript" in lesson and "-->" not in lesson and "00:00:0" not in lesson


def test_html_becomes_markdown_with_media_copied(imported) -> None:
    out, _ = imported
    all_md = "\n".join(p.read_text() for p in (out / "lessons").glob("*.md"))
    prose = re.sub(r"(?s)```.*?```", "", all_md)  # code samples the course shows as text may hold tags
    assert "<script" not in prose and "<style" not in prose
    assert "| Component Type | Example(s) |" in all_md  # a table
    images = [line for line in all_md.splitlines() if "](../media/" in line]
    assert images
    for line in images:
        target = line.split("](../media/", 1)[1].split(")", 1)[0]
        assert (out / "media" / target.replace("%20", " ")).is_file(), target
    quiz = (out / "quizzes" / "basic-assessment-tools-quiz.toml").read_text()
    assert "../media/Abacus.png" in quiz and (out / "media" / "Abacus.png").is_file()


def test_html_converter_details() -> None:
    md = html_to_markdown(
        '<h2>T</h2><script>alert(1)</script><style>p{}</style><p>a <b>b</b> <a href="x.html">'
        'l</a></p><ol><li>one</li><li>two<ul><li>sub</li></ul></li></ol><img src="/static/i.png"'
        ' alt="pic"><iframe src="https://e.org/v"></iframe>',
        lambda url, kind: "../media/i.png" if "static" in url else url,
    )
    assert "alert" not in md and "p{}" not in md
    assert md.startswith("## T\n\na **b** [l](x.html)")
    assert "1. one\n2. two" in md and "  - sub" in md
    assert "![pic](../media/i.png)" in md and "[Embedded content](https://e.org/v)" in md


def test_library_found_next_to_the_course(corpus_dir: Path, course_src: Path, tmp_path: Path) -> None:
    """Without exported children, library_content takes the problems of the library folder beside the course."""
    work = tmp_path / "exports"
    shutil.copytree(course_src, work / "course")
    block = work / "course" / "library_content" / "34a4d5e71d974c029cbde1956bd7c820.xml"
    root = ET.parse(block).getroot()
    for child in list(root):
        root.remove(child)
    ET.ElementTree(root).write(block)
    report = import_olx(work / "course", tmp_path / "no-lib")
    assert ("library_content", "34a4d5e71d974c029cbde1956bd7c820") in {
        (e.component, e.ident) for e in report.missing_entries
    }
    shutil.copytree(corpus_dir / "olx" / "openedx-demo-library", work / "library")
    import_olx(work / "course", tmp_path / "with-lib")
    course = load_course(open_source(tmp_path / "with-lib"))
    lib_ids = {p.stem for p in (corpus_dir / "olx" / "openedx-demo-library" / "problem").glob("*.xml")}
    assert lib_ids <= set(_questions(course))


# -- the command, archives and hostile input -------------------------------------------


def _tar(path: Path, entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def test_cli_imports_the_studio_tarball(run_mooc, course_src: Path, tmp_path: Path) -> None:
    archive = tmp_path / "course.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(course_src, arcname="course")
    out = tmp_path / "pack"
    result = run_mooc("import", "olx", str(archive), "-o", str(out), "--report", str(tmp_path / "r.json"))
    assert result.returncode == 0, result.stderr
    assert "27 questions" in result.stdout and "not imported (87;" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert len(report["missing"]) == 87
    check = run_mooc("pack", "check", str(out))
    assert check.returncode == 0, check.stdout + check.stderr
    again = run_mooc("import", "olx", str(archive), "-o", str(out))
    assert again.returncode == 1 and "not empty" in again.stderr
    md = run_mooc(
        "import", "olx", str(archive), "-o", str(tmp_path / "p2"), "--report", str(tmp_path / "r.md"), "--json"
    )
    assert json.loads(md.stdout)["produced"]["questions"] == 27
    assert (tmp_path / "r.md").read_text().startswith("# Import report")


@pytest.mark.parametrize(
    "name,kind",
    [
        ("../evil.xml", tarfile.REGTYPE),
        ("/abs.xml", tarfile.REGTYPE),
        ("course/link", tarfile.SYMTYPE),
        ("course/fifo", tarfile.FIFOTYPE),
    ],
)
def test_hostile_archive_entries_are_refused(run_mooc, tmp_path: Path, name: str, kind: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    data = b"<x/>" if kind == tarfile.REGTYPE else None
    if data:
        info.size = len(data)
    if kind == tarfile.SYMTYPE:
        info.linkname = "/etc/passwd"
    good = tarfile.TarInfo("course/course.xml")
    body = b'<course url_name="r" org="o" course="c"/>'
    good.size = len(body)
    archive = _tar(tmp_path / "bad.tar.gz", [(good, body), (info, data)])
    result = run_mooc("import", "olx", str(archive), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.startswith("mooc: error: bad.tar.gz: ") and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.xml").exists()


def _course_with(tmp_path: Path, chapter_xml: str) -> Path:
    root = tmp_path / "c"
    (root / "chapter").mkdir(parents=True)
    (root / "course.xml").write_text('<course url_name="r" org="o" course="c"/>')
    (root / "course").mkdir()
    (root / "course" / "r.xml").write_text('<course display_name="C"><chapter url_name="ch"/></course>')
    (root / "chapter" / "ch.xml").write_text(chapter_xml)
    return root


@pytest.mark.parametrize(
    "xml,message",
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<chapter>&xxe;</chapter>',
            "DTDs and entities are not allowed",
        ),
        (
            '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            "<chapter>&lol2;</chapter>",
            "DTDs and entities are not allowed",
        ),
        ('<chapter display_name="x">\n  <sequential url_name="s">\n</chapter>', "chapter/ch.xml: line 3"),
    ],
)
def test_hostile_or_broken_xml(run_mooc, tmp_path: Path, xml: str, message: str) -> None:
    source = _course_with(tmp_path, xml)
    result = run_mooc("import", "olx", str(source), "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "root:" not in result.stderr + result.stdout and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_not_an_export(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(MoocError, match="no course.xml"):
        import_olx(tmp_path / "empty", tmp_path / "out")


def test_grading_policy_that_is_not_an_object(tmp_path: Path) -> None:
    """A grading_policy.json holding a JSON array is a clean error, not an AttributeError."""
    source = _course_with(tmp_path, '<chapter display_name="x"/>')
    (source / "policies" / "r").mkdir(parents=True)
    (source / "policies" / "r" / "grading_policy.json").write_text('["GRADER"]')
    with pytest.raises(MoocError, match=r"policies/r/grading_policy.json: expected a JSON object"):
        import_olx(source, tmp_path / "out")


def test_course_entry_of_policy_that_is_not_an_object(tmp_path: Path) -> None:
    """policy.json's "course/RUN" holding a string is a clean error naming the file, not an AttributeError."""
    source = _course_with(tmp_path, '<chapter display_name="x"/>')
    (source / "policies" / "r").mkdir(parents=True)
    (source / "policies" / "r" / "policy.json").write_text('{"course/r": "Intro"}')
    with pytest.raises(MoocError, match=r'policies/r/policy.json: "course/r" should be a JSON object'):
        import_olx(source, tmp_path / "out")
