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
        HEAD + '[[modules]]\nid = "m"\ntitle = "M"\n[[modules.items]]\nid = "q"\nkind = "quiz"\nfile = "quizzes/q.toml"\n'
    )
    (pack / "quizzes" / "q.toml").write_text(dumps_toml(quiz))
    assert validate(open_source(pack)).errors == []
    item = next(i for i in load_course(open_source(pack)).items() if i.id == "q")
    return list(item.quiz.questions), report
