"""Each learner's own language on a shared PC, and config.toml's `language`, through
the real `mooc` command (player/ui_language.py, player/learners.py, player/config.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from packages import i18n

ENGLISH = {"LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.use_language("en")


def one_line_error(r: Any) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def test_learner_language_add_edit_list_and_json(run_mooc: Any, mooc_home: Any) -> None:
    r = run_mooc("learner", "add", "Amina Diallo", "--language", "fr_FR")
    assert r.returncode == 0, r.stderr
    assert "mooc speaks français (fr) to Amina Diallo." in r.stdout
    assert run_mooc("learner", "add", "Bob").returncode == 0
    listed = run_mooc("learner", "list").stdout.splitlines()
    assert listed[0].rstrip().endswith("Amina Diallo  [fr]")
    assert listed[1].rstrip().endswith("Bob")  # no language: the line is as it was
    rows = {row["id"]: row for row in json.loads(run_mooc("learner", "list", "--json").stdout)}
    assert rows["amina-diallo"]["language"] == "fr" and rows["bob"]["language"] is None
    assert 'language = "fr"' in (mooc_home.home / "learners.toml").read_text()

    r = run_mooc("learner", "edit", "bob", "--language", "fr")
    assert r.returncode == 0 and "mooc speaks français (fr) to Bob." in r.stdout
    r = run_mooc("learner", "edit", "amina-diallo", "--language", "none")
    assert r.returncode == 0 and "mooc speaks this computer's language to Amina Diallo." in r.stdout
    rows = {row["id"]: row for row in json.loads(run_mooc("learner", "list", "--json").stdout)}
    assert rows["amina-diallo"]["language"] is None and rows["bob"]["language"] == "fr"
    assert rows["amina-diallo"]["name"] == "Amina Diallo"  # nothing else changed


@pytest.mark.parametrize(
    "typed", ["xx", "de", "../fr", "fr\x1b[31m", "f" * 10_000], ids=["xx", "de", "path", "escape", "10kB"]
)
def test_a_language_mooc_does_not_have_is_one_line_listing_those_it_has(run_mooc: Any, typed: str) -> None:
    r = run_mooc("learner", "add", "Amina", "--language", typed)
    assert r.returncode == 2
    line = one_line_error(r)
    assert "unknown language" in line and "en (English), fr (français)" in line
    assert "\x1b" not in line and len(line) < 200
    assert run_mooc("learner", "list", "--json").stdout.strip() == "[]"  # nobody was added


def test_a_command_acting_as_a_learner_speaks_their_language(run_mooc: Any) -> None:
    assert run_mooc("learner", "add", "Amina", "--language", "fr").returncode == 0
    assert run_mooc("learner", "add", "Bob").returncode == 0
    r = run_mooc("--learner", "amina", "progress", env=ENGLISH)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Amina n'a encore commencé aucun cours\u00a0: essayez `mooc play`.\n"
    r = run_mooc("--learner", "bob", "progress", env=ENGLISH)  # the computer's language
    assert r.stdout == "Bob has not started a course yet: try `mooc play`.\n"
    # The learner's language wins over the environment's, both ways.
    r = run_mooc("--learner", "bob", "progress", env={"LANGUAGE": "fr"})
    assert r.stdout.startswith("Bob n'a encore commencé")
    assert run_mooc("learner", "edit", "bob", "--language", "en").returncode == 0
    r = run_mooc("--learner", "bob", "progress", env={"LANGUAGE": "fr"})
    assert r.stdout == "Bob has not started a course yet: try `mooc play`.\n"


def test_a_registry_without_language_still_reads_and_a_bad_one_is_one_line(run_mooc: Any, mooc_home: Any) -> None:
    registry = mooc_home.home / "learners.toml"
    entry = '[[learners]]\nid = "amina"\nname = "Amina"\naccount_id = "3f1c"\ncreated = "2025-01-31T09:00:00.000Z"\n'
    registry.write_text('format = "mooc-learners"\nversion = 1\n\n' + entry)
    rows = json.loads(run_mooc("learner", "list", "--json").stdout)
    assert rows[0]["language"] is None
    for bad in ('"fr\\u001b[2J"', "3", '"' + "x" * 10_000 + '"'):
        registry.write_text('format = "mooc-learners"\nversion = 1\n\n' + entry + f"language = {bad}\n")
        r = run_mooc("learner", "list")
        assert r.returncode != 0
        line = one_line_error(r)
        assert str(registry) in line and "'language' must be a language code" in line
        assert "\x1b" not in line and len(line) < 400
    registry.write_text('format = "mooc-learners"\nversion = 1\n\n' + entry + 'language = "fr"\n')
    assert run_mooc("progress", env=ENGLISH).stdout.startswith("Amina n'a encore commencé")


def test_config_language_is_spoken_checked_and_a_learner_wins(run_mooc: Any, mooc_home: Any) -> None:
    config = mooc_home.home / "config.toml"
    assert run_mooc("learner", "add", "Amina").returncode == 0
    config.write_text('language = "fr"\n')
    assert run_mooc("progress", env=ENGLISH).stdout.startswith("Amina n'a encore commencé")
    assert run_mooc("learner", "edit", "amina", "--language", "en").returncode == 0
    assert run_mooc("progress", env=ENGLISH).stdout.startswith("Amina has not started")
    assert run_mooc("learner", "edit", "amina", "--language", "none").returncode == 0
    config.write_text('language = "fr_FR.UTF-8"\n')  # as LANG writes it
    assert run_mooc("progress", env=ENGLISH).stdout.startswith("Amina n'a encore commencé")
    for bad in ("3", '"fr\\u001b[2J"', "[1, 2]", '"' + "f" * 10_000 + '"', '"C"'):
        config.write_text(f"language = {bad}\n")
        r = run_mooc("progress", env=ENGLISH)
        assert r.returncode != 0
        line = one_line_error(r)
        assert str(config) in line and "language must be a language code" in line and "\x1b" not in line


def test_the_new_words_are_translated_in_the_pseudo_locale(run_mooc: Any) -> None:
    from tests.support.pseudo import escaped_words

    pseudo = {"LANGUAGE": "qps"}
    said = run_mooc("learner", "add", "Amina", "--language", "fr", env=pseudo).stdout.splitlines()[-1]
    assert "⟦" in said and escaped_words(said, allowed=["Amina", "français"]) == []
    said = run_mooc("learner", "edit", "amina", "--language", "none", env=pseudo).stdout.splitlines()[-1]
    assert "⟦" in said and escaped_words(said, allowed=["Amina"]) == []
    for args in (("learner", "add", "Bob", "--language", "xx"), ("search", "--language", "f!")):
        error = run_mooc(*args, env=pseudo).stderr.strip().split(": ", 2)[-1]
        assert "⟦" in error and escaped_words(error, allowed=["English", "français", "none"]) == [], error
    for args in (("learner", "add", "--help"), ("learner", "edit", "--help"), ("search", "--help")):
        shown = run_mooc(*args, env=pseudo).stdout
        help_text = shown[shown.index("\n  --language LANG") + 1 :].split("\n  -", 1)[0].split("\n\n", 1)[0]
        assert "⟦" in help_text and escaped_words(help_text) == [], help_text


def test_the_full_screen_player_starts_in_the_known_learners_language(mooc_home: Any, monkeypatch: Any) -> None:
    """`mooc play` applies the learner's language before it imports the TUI, when the
    learner is known without asking; with a choice to make, the computer's stays."""
    import argparse

    from packages.layout import Layout
    from player.cli.play_cmd import _speak_to_known_learner
    from player.learners import Learners

    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.delenv("MOOC_LEARNER", raising=False)
    layout = Layout.default(mooc_home.home)
    learners = Learners(layout)
    learners.add("Amina", language="fr")
    i18n.use_language(None)
    _speak_to_known_learner(layout, argparse.Namespace(learner=None))  # the only learner
    assert i18n.language() == "fr"
    learners.add("Bob")
    i18n.use_language(None)
    _speak_to_known_learner(layout, argparse.Namespace(learner=None))  # the TUI will ask who
    assert i18n.language() == "en"
    _speak_to_known_learner(layout, argparse.Namespace(learner="amina"))
    assert i18n.language() == "fr"
    i18n.use_language(None)
    _speak_to_known_learner(layout, argparse.Namespace(learner="nobody"))  # the TUI says it
    assert i18n.language() == "en"


def test_a_learner_carried_to_another_pc_keeps_their_language(run_mooc: Any, tmp_path: Any) -> None:
    other = {"MOOC_HOME": str(tmp_path / "pc2"), "LANGUAGE": "en"}
    assert run_mooc("learner", "add", "Amina", "--language", "fr").returncode == 0
    assert run_mooc("learner", "export", "amina", "-o", str(tmp_path / "amina.mooc-learners")).returncode == 0
    r = run_mooc("learner", "import", str(tmp_path / "amina.mooc-learners"), env=other)
    assert r.returncode == 0, r.stderr
    (row,) = json.loads(run_mooc("learner", "list", "--json", env=other).stdout)
    assert row["language"] == "fr"
    assert run_mooc("--learner", "amina", "progress", env=other).stdout.startswith("Amina n'a encore commencé")
    # A learner already on the other PC without a language gets the carried one, and is told.
    pc3 = {"MOOC_HOME": str(tmp_path / "pc3"), "LANGUAGE": "en"}
    assert run_mooc("learner", "add", "Amina", env=pc3).returncode == 0
    r = run_mooc("learner", "import", str(tmp_path / "amina.mooc-learners"), env=pc3)
    assert r.returncode == 0 and "language fr" in r.stdout
    assert json.loads(run_mooc("learner", "list", "--json", env=pc3).stdout)[0]["language"] == "fr"
    # A hostile language in an export is one line naming the file, and nothing is imported.
    from player.learner_export import ExportedLearner, write

    bad = tmp_path / "bad.mooc-learners"
    write(bad, [ExportedLearner("amina", "Amina", None, row["account_id"], language="fr\x1b[2J" + "x" * 10_000)])
    pc4 = {"MOOC_HOME": str(tmp_path / "pc4"), "LANGUAGE": "en"}
    r = run_mooc("learner", "import", str(bad), env=pc4)
    assert r.returncode != 0
    line = one_line_error(r)
    assert str(bad) in line and "'language' is not a language code" in line and "\x1b" not in line
    assert len(line) < 400
    assert json.loads(run_mooc("learner", "list", "--json", env=pc4).stdout) == []


def test_a_roster_sets_each_students_language(run_mooc: Any, tmp_path: Any) -> None:
    roster = tmp_path / "class-4b.csv"
    roster.write_text("name;email;language\nAmina Diallo;amina@example.org;fr\nChen Wei;;\n", encoding="utf-8")
    r = run_mooc("learner", "import", str(roster))
    assert r.returncode == 0, r.stderr
    rows = {row["name"]: row["language"] for row in json.loads(run_mooc("learner", "list", "--json").stdout)}
    assert rows == {"Amina Diallo": "fr", "Chen Wei": None}
    roster.write_text("name,language\nChen Wei,fr_FR\n", encoding="utf-8")
    r = run_mooc("learner", "import", str(roster))
    assert r.returncode == 0 and "updated: Chen Wei (language fr)" in r.stdout
    assert run_mooc("learner", "import", str(roster)).stdout.endswith("0 added, 0 updated, 1 unchanged.\n")
    roster.write_text("name,language\nBob,klingon\nEve,fr\n", encoding="utf-8")
    r = run_mooc("learner", "import", str(roster))
    assert r.returncode != 0
    line = one_line_error(r)
    assert str(roster) in line and "line 2" in line and "unknown language 'klingon'" in line
    assert "nothing imported" in line
    assert len(json.loads(run_mooc("learner", "list", "--json").stdout)) == 2
