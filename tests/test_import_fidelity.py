"""Issue 15's "done means": for the Open edX demo course and every GIFT file of the
corpus, every piece of the source came across exactly, changed and reported, or
missing and reported: none is silently lost (tests/support/import_fidelity.py reads
the source on its own and checks each piece against the pack and the report).

`pytest -s` prints the tables; tests/benchmarks/import_fidelity.py prints them too.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from packages.importers.gift import import_gift
from packages.importers.olx import import_olx
from tests.support.import_fidelity import entries_by_kind, gift_fidelity, olx_fidelity


@pytest.fixture(scope="module")
def demo(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    source = corpus_dir / "olx" / "openedx-demo-course"
    pack = tmp_path_factory.mktemp("fidelity") / "demo"
    return source, import_olx(source, pack), pack


def test_nothing_of_the_demo_course_is_silently_lost(demo) -> None:
    source, report, pack = demo
    fidelity = olx_fidelity(source, report, pack)
    print("\n" + fidelity.markdown() + "\n\n" + entries_by_kind(report))
    assert fidelity.lost == []
    assert fidelity.total("exact") > 100 and fidelity.total("missing") > 20  # it looked at the whole course
    fields = [c for kind, c in fidelity.table.items() if kind.startswith("problem field")]
    assert sum(c["exact"] + c["changed"] for c in fields) == report.produced["questions"] == 27


def test_nothing_of_the_gift_files_is_silently_lost(corpus_dir: Path, tmp_path: Path) -> None:
    for gift in sorted((corpus_dir / "gift").glob("*.gift.txt")):
        out = tmp_path / f"{gift.name}.toml"
        report, _ = import_gift(gift, output=out)
        fidelity = gift_fidelity(gift, report, out)
        print("\n" + fidelity.markdown() + "\n\n" + entries_by_kind(report))
        assert fidelity.lost == [], gift.name
        assert fidelity.total("exact") + fidelity.total("changed") == report.produced["questions"] + fidelity.table.get(
            "description", {}
        ).get("changed", 0)


def test_the_check_sees_a_silent_loss(demo, tmp_path: Path) -> None:
    """Not vacuous: a report that forgets an entry, or a pack missing what `placed` claims, is caught."""
    source, report, pack = demo
    forgetful = dataclasses.replace(report, entries=[e for e in report.entries if e.component != "lti"])
    assert len(olx_fidelity(source, forgetful, pack).lost) == 2
    boastful = dataclasses.replace(report, placed={k: v for k, v in report.placed.items() if "#" not in v})
    assert len(olx_fidelity(source, boastful, pack).lost) == 27  # every question
    gift = tmp_path / "t.gift"
    gift.write_text("Q1 {T}\n\nA description.\n\nQ2 {F}\n\n::E:: Essay {}\n")
    report_g, _ = import_gift(gift, output=tmp_path / "t.toml")
    assert gift_fidelity(gift, report_g, tmp_path / "t.toml").lost == []
    silent = dataclasses.replace(report_g, entries=[])
    assert gift_fidelity(gift, silent, tmp_path / "t.toml").lost == ["description t.gift:3"]
    unplaced = dataclasses.replace(report_g, placed={k: v for k, v in report_g.placed.items() if k != "t.gift:7"})
    assert gift_fidelity(gift, unplaced, tmp_path / "t.toml").lost == ["essay t.gift:7"]  # the essay's reflection
