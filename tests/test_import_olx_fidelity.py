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
