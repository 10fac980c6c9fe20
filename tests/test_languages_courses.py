"""A course's language, shown and searchable (`mooc list`, `mooc search --language`,
catalogs served by a real local HTTP server; a hostile one shown as "und"), the bundled French demo course, and
a French-speaking newcomer offered it first (plain mode and the TUI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from packages import i18n
from packages.catalog import parse_catalog
from packages.store import BUNDLED_FR_DIR, BUNDLED_FR_ID, BUNDLED_ID
from tests.support.static_server import StaticServer

FRENCH = {"LANGUAGE": "fr"}
HOSTILE_LANGUAGES = ["fr\x1b[2J\x1b]0;pwned\x07", "f" * 10_000, "en-" + "a" * 10_000, "fr\u202e", "../../etc"]
HOSTILE_IDS = ["escapes", "10kB", "10kB-tag", "bidi", "path"]


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.use_language("en")


@pytest.fixture(scope="module")
def www(tmp_path_factory: Any) -> Path:
    """A publisher folder: an English course and the French demo course, built as packs."""
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    base = tmp_path_factory.mktemp("pub")
    src = generate_pack(base / "src", lessons=3, questions=3, course_id="stats-101", version="1.0.0")
    pub = base / "www"
    build_pack(src, out=pub / "stats-101-1.0.0.mooc")
    build_pack(BUNDLED_FR_DIR, out=pub / "mooc-demo-fr-1.0.0.mooc")
    return pub


def test_search_shows_and_filters_by_language_from_a_served_catalog(www: Path, tmp_path: Path, run_mooc: Any):
    root = tmp_path / "www"
    shutil.copytree(www, root)
    assert run_mooc("catalog", "build", str(root)).returncode == 0
    with StaticServer(root) as srv:
        r = run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "uni")
        assert r.returncode == 0, r.stderr
    hits = {h["id"]: h for h in json.loads(run_mooc("search", "", "--json").stdout)}
    assert hits[BUNDLED_FR_ID]["language"] == "fr" and hits["stats-101"]["language"] == "en"
    lines = run_mooc("search", "").stdout.splitlines()
    assert any(line.startswith(f"{BUNDLED_FR_ID}  1.0.0  fr  ") for line in lines)

    r = run_mooc("search", "--language", "fr", "--json")
    assert [h["id"] for h in json.loads(r.stdout)] == [BUNDLED_FR_ID]
    r = run_mooc("search", "--language", "FR")  # tags are case-insensitive
    assert r.returncode == 0 and [line.split()[0] for line in r.stdout.splitlines()] == [BUNDLED_FR_ID]
    r = run_mooc("search", "stats", "--language", "en")
    assert [line.split()[0] for line in r.stdout.splitlines()] == ["stats-101"]
    r = run_mooc("search", "--language", "fr-CA")  # a region finds only that region
    assert r.returncode == 1 and r.stdout == "" and "no course in fr-CA matches ''" in r.stderr
    r = run_mooc("search", "stats", "--language", "fr", env=FRENCH)
    assert r.returncode == 1 and "aucun cours en fr ne correspond à 'stats'" in r.stderr


@pytest.mark.parametrize(
    "typed", ["fr\x1b[31m", "x" * 10_000, "fr_FR", "1"], ids=["escape", "10kB", "underscore", "digit"]
)
def test_a_bad_language_filter_is_one_line(run_mooc: Any, typed: str) -> None:
    r = run_mooc("search", "--language", typed)
    assert r.returncode == 2 and r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert "not a language tag" in line and "\x1b" not in line and len(line) < 200


@pytest.mark.parametrize("language", HOSTILE_LANGUAGES, ids=HOSTILE_IDS)
def test_a_hostile_catalog_language_is_undetermined_and_costs_nothing_else(language: str) -> None:
    good = {"id": "a", "version": "1.0.0", "url": "a.mooc", "size": 10, "sha256": "0" * 64}
    other = {**good, "id": "b", "language": "fr-CA"}
    raw = json.dumps({"format": 1, "courses": [{**good, "language": language}, other]}).encode()
    entries = parse_catalog(raw, "https://pub.example/catalog.json", name="uni")
    assert [(e.id, e.language) for e in entries] == [("a", "und"), ("b", "fr-CA")]


def test_a_catalog_language_written_with_an_underscore_is_a_tag() -> None:
    good = {"id": "a", "version": "1.0.0", "url": "a.mooc", "size": 10, "sha256": "0" * 64}
    raw = json.dumps({"format": 1, "courses": [{**good, "language": " pt_BR "}]}).encode()
    assert parse_catalog(raw, "https://pub.example/catalog.json", name="uni")[0].language == "pt-BR"


def test_a_hostile_catalog_served_over_http_is_shown_safely(www: Path, tmp_path: Path, run_mooc: Any) -> None:
    root = tmp_path / "www"
    shutil.copytree(www, root)
    assert run_mooc("catalog", "build", str(root)).returncode == 0
    doc = json.loads((root / "catalog.json").read_text())
    hostile = {e["id"]: e for e in doc["courses"]}["stats-101"]
    hostile["language"] = HOSTILE_LANGUAGES[0] + "x" * 10_000
    (root / "catalog.json").write_text(json.dumps(doc))
    with StaticServer(root) as srv:
        r = run_mooc("catalog", "add", srv.url + "catalog.json", "--name", "uni")
    assert r.returncode == 0, r.stderr
    r = run_mooc("search", "")
    assert r.returncode == 0 and "\x1b" not in r.stdout and "pwned" not in r.stdout
    (row,) = [line for line in r.stdout.splitlines() if line.startswith("stats-101 ")]
    assert row.split()[2] == "und" and len(row) < 200
    hits = {h["id"]: h for h in json.loads(run_mooc("search", "--json").stdout)}
    assert hits["stats-101"]["language"] == "und" and hits[BUNDLED_FR_ID]["language"] == "fr"
    assert [h["id"] for h in json.loads(run_mooc("search", "--language", "und", "--json").stdout)] == ["stats-101"]


@pytest.mark.parametrize("language", HOSTILE_LANGUAGES, ids=HOSTILE_IDS)
def test_a_hostile_pack_language_is_one_bounded_problem(tmp_path: Path, run_mooc: Any, language: str) -> None:
    import tomli_w

    from packages.portable import tomllib

    pack = tmp_path / "pack"
    shutil.copytree(BUNDLED_FR_DIR, pack)
    course = tomllib.loads((pack / "course.toml").read_text(encoding="utf-8"))
    course["language"] = language
    (pack / "course.toml").write_text(tomli_w.dumps(course), encoding="utf-8")
    r = run_mooc("pack", "check", str(pack))
    assert r.returncode != 0
    out = r.stdout + r.stderr
    problem = [line for line in out.splitlines() if "language:" in line]
    assert len(problem) == 1 and "is not a BCP 47 language tag" in problem[0], out
    assert "\x1b" not in out and "\u202e" not in out and len(problem[0]) < 200


def test_french_demo_passes_pack_check_and_is_original_french(run_mooc: Any) -> None:
    r = run_mooc("pack", "check", str(BUNDLED_FR_DIR))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 errors, 0 warnings" in r.stdout
    from packages.portable import tomllib
    from packages.source import open_source
    from packages.validation import validate

    with open_source(BUNDLED_FR_DIR) as source:
        report = validate(source)
    course = report.course
    assert course is not None and not report.problems
    assert (course.id, course.language, course.kind) == (BUNDLED_FR_ID, "fr", "xmooc")
    assert len(course.modules) == 2 and course.certificate_available
    assert len([i for i in course.items() if i.kind == "lesson"]) == 4
    assert len([i for i in course.items() if i.kind == "quiz"]) == 2
    assert "sync" not in tomllib.loads((BUNDLED_FR_DIR / "course.toml").read_text(encoding="utf-8"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((BUNDLED_FR_DIR / "lessons").glob("*.md")))
    for command in ("mooc certificate request", "mooc sync", "mooc certificate verify", "mooc progress"):
        assert command in text
    assert "\u00a0:" in text and " :" not in text.replace("```", "")  # French typography


def test_french_demo_numeric_answers_typed_the_french_way_earn_the_credit() -> None:
    from packages.questions import Numeric
    from packages.source import open_source
    from packages.validation import validate
    from player.grading import grade_question, parse_number

    with open_source(BUNDLED_FR_DIR) as source:
        course = validate(source).course
    assert course is not None
    numerics = {q.id: q for i in course.items() if i.quiz for q in i.quiz.questions if isinstance(q, Numeric)}
    hours = numerics["heures-semaine"]
    assert grade_question(hours, parse_number("2,5")).score == 1.0
    assert grade_question(hours, parse_number("2.5")).score == 1.0
    assert grade_question(hours, parse_number("2,4")).score == 0.0
    assert grade_question(numerics["score-du-cours"], parse_number("65")).score == 1.0


def test_mooc_list_shows_the_french_demo_first_to_a_french_newcomer_only(run_mooc: Any) -> None:
    english = run_mooc("list").stdout.splitlines()
    assert english[0].split() == ["ID", "VERSION", "FLAVOUR", "LANG", "ORIGIN", "TITLE"]
    assert [line.split()[0] for line in english[1:]] == [BUNDLED_ID]  # unchanged in English
    french = run_mooc("list", env=FRENCH).stdout.splitlines()
    assert [line.split()[0] for line in french[1:]] == [BUNDLED_FR_ID, BUNDLED_ID]
    assert french[1].split()[3] == "fr" and french[2].split()[3] == "en"
    listed = json.loads(run_mooc("list", "--json", env=FRENCH).stdout)
    assert [(c["id"], c["language"]) for c in listed] == [(BUNDLED_FR_ID, "fr"), (BUNDLED_ID, "en")]
    # Playable by its id in any language (`mooc play mooc-demo-fr`), listed in English only when asked.
    r = run_mooc("info", BUNDLED_FR_ID)
    assert r.returncode == 0 and "language:  fr" in r.stdout


def test_a_french_newcomer_in_plain_mode_is_offered_the_french_demo_first(run_mooc: Any, tmp_path: Path) -> None:
    r = run_mooc("play", "--plain", input="1\nq\n", env=FRENCH)
    assert r.returncode == 0, r.stderr
    menu = r.stdout[r.stdout.index("\n  1. ") :]
    first, second = [line for line in menu.splitlines() if line.startswith("  ")][:2]
    assert first.startswith("  1. Étudier dans un MOOC") and first.endswith(f"({BUNDLED_FR_ID})")
    assert second.endswith(f"({BUNDLED_ID})")
    assert "Une semaine d'étude, concrètement" in r.stdout  # "1" opened the French demo
    # An English-speaking newcomer goes straight into the English demo, as before.
    r = run_mooc("play", "--plain", input="q\n", env={"LANGUAGE": "en", "MOOC_HOME": str(tmp_path / "other")})
    assert r.returncode == 0 and "Which course?" not in r.stdout
    assert "Course: Learning in the open: a short course on MOOCs" in r.stdout


async def test_the_tui_library_offers_the_french_demo_first_to_a_french_newcomer(mooc_home: Any) -> None:
    from packages.layout import Layout
    from player.learners import Learners
    from tests.test_tui import SIZE, make_app, screen_name, wait_for

    layout = Layout.default(mooc_home.home)
    Learners(layout).current()
    i18n.use_language("fr")
    app = make_app(layout)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        options = app.screen.query_one("#courses")
        assert options.option_count == 2
        assert [c.id for c in app.screen.courses] == [BUNDLED_FR_ID, BUNDLED_ID]
        assert options.highlighted == 0
        assert str(options.get_option_at_index(0).prompt).startswith("Étudier dans un MOOC")
    i18n.use_language("en")
    app = make_app(layout)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        assert [c.id for c in app.screen.courses] == [BUNDLED_ID]


@pytest.mark.parametrize("language", HOSTILE_LANGUAGES, ids=HOSTILE_IDS)
def test_a_hand_edited_installed_summary_language_is_shown_safely(
    www: Path, mooc_home: Any, run_mooc: Any, language: str
) -> None:
    assert run_mooc("install", str(www / "stats-101-1.0.0.mooc")).returncode == 0
    pointer = mooc_home.home / "courses" / "stats-101" / "current.json"
    summary = json.loads(pointer.read_text())
    summary["language"] = language
    pointer.write_text(json.dumps(summary))
    r = run_mooc("list")
    assert r.returncode == 0 and r.stderr == ""
    (row,) = [line for line in r.stdout.splitlines() if line.startswith("stats-101 ")]
    assert row.split()[3] == "und" and len(row) < 200  # still installed, its language undetermined
    listed = {c["id"]: c for c in json.loads(run_mooc("list", "--json").stdout)}
    assert listed["stats-101"]["language"] == "und"
    assert json.loads(pointer.read_text())["language"] == language  # nothing stored is changed
