"""The learner, lab, report, sync/consent/login, certificate, pack and import commands
speak the reader's language: every word of their `--help` (at every level of sub-command)
goes through the catalog, and the real `mooc` command, asked for French, answers in
French, while `--json` stays the same for scripts.

The help is formatted in-process in the pseudo-locale `qps`, where a translated string
is inside ⟦ ⟧: an English word outside them is a string that escaped `_()`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator

import pytest

from packages import i18n
from player.cli import main
from tests.support.pseudo import escaped_lines, escaped_words

MODULES = (
    "player.cli.learner_cmd",
    "player.cli.lab_cmd",
    "player.cli.report_cmd",
    "player.cli.sync_cmd",
    "player.cli.certificate_cmd",
    "player.cli.pack_cmd",
    "player.cli.import_cmd",
)
# --home and --learner belong to player/cli/main.py, whose words
# tests/test_i18n_cli_help.py checks on every parser; here they are left out.
MAIN_OPTIONS = ("home", "learner")
NBSP = "\u00a0"


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr(argparse, "_", i18n.gettext)  # argparse's own words, as `mooc` does
    monkeypatch.setattr(argparse, "ngettext", i18n.ngettext)
    i18n.use_language(i18n.PSEUDO)
    try:
        yield
    finally:
        i18n.use_language("en")


def _walk(
    parser: argparse.ArgumentParser, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _walk(child, (*path, name))


def _parsers(module: str) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    top = main.build_parser(only=module)
    found = []
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.extend(_walk(child, (name,)))
    return found


def _not_words(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[str]:
    """What the help rightly shows as written: the command's own names, sub-command
    names, choices and metavars (values a program parses)."""
    keep = ["mooc", *path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            keep += list(action.choices)
        elif action.choices:
            keep += [str(c) for c in action.choices]
        if isinstance(action.metavar, str):
            keep.append(action.metavar)
    return keep


def _without_main_options(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if action.dest in MAIN_OPTIONS:
            action.help = argparse.SUPPRESS


@pytest.mark.parametrize("module", MODULES)
def test_every_word_of_the_help_is_translated(pseudo: None, module: str) -> None:
    parsers = _parsers(module)
    assert parsers, module
    for path, parser in parsers:
        _without_main_options(parser)
        text = parser.format_help()
        assert "⟦" in text, f"mooc {' '.join(path)} --help shows no translated word"
        keep = _not_words(parser, path)
        assert escaped_words(text, allowed=keep) == [], (
            f"mooc {' '.join(path)} --help: English outside ⟦ ⟧:\n" + "\n".join(escaped_lines(text, allowed=keep))
        )


def test_the_walk_reaches_every_sub_command(pseudo: None) -> None:
    names = {" ".join(path) for module in MODULES for path, _ in _parsers(module)}
    for expected in (
        "learner export",
        "lab agent",
        "report",
        "sync",
        "login",
        "consent revoke",
        "certificate issue",
        "certificate verify",
        "pack build",
        "import gift",
    ):
        assert expected in names


def test_the_pseudo_locale_check_sees_an_untranslated_help(pseudo: None) -> None:
    """The check above can fail: a help string not passed through `_()` shows up."""
    parser = main.build_parser(only="player.cli.lab_cmd")
    lab = next(p for path, p in _walk(parser, ()) if path == ("lab",))
    lab.add_argument("--extra", help="a help string nobody translated")
    assert "nobody" in escaped_words(lab.format_help(), allowed=_not_words(lab, ("lab",)))


# ---------------------------------------------------------------- the real command, in French

FR = {"LANGUAGE": "fr"}


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_help_in_french(run_mooc) -> None:
    result = run_mooc("learner", "add", "--help", env=FR)
    assert result.returncode == 0, result.stderr
    assert "ajouter un apprenant" in result.stdout
    assert f"exemple{NBSP}:" in result.stdout
    assert 'mooc learner add "Amina Diallo" --email amina@example.org' in result.stdout  # the example as written
    result = run_mooc("pack", "build", "--help", env=FR)
    assert "Vérifie le dossier source d'un paquet et en fait un unique fichier .mooc" in result.stdout
    assert "La construction vérifie d'abord la source" in result.stdout


def test_a_missing_argument_is_one_french_line(run_mooc) -> None:
    result = run_mooc("learner", "add", env=FR)
    assert result.returncode == 2
    _no_traceback(result)
    assert "ces arguments sont obligatoires" in result.stderr
    assert "NAME" in result.stderr


def test_pack_errors_are_one_line(run_mooc, tmp_path) -> None:
    missing = tmp_path / "absent.mooc"
    result = run_mooc("pack", "check", str(missing), env=FR)
    assert result.returncode == 1
    _no_traceback(result)
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and str(missing) in result.stderr

    result = run_mooc("pack", "check", str(tmp_path), "--max-ratio", "0", env=FR)
    assert result.returncode != 0
    _no_traceback(result)
    assert len(result.stderr.splitlines()) == 1
    assert "--max-ratio doit être positif" in result.stderr


def test_learner_commands_answer_in_french(run_mooc, tmp_path) -> None:
    result = run_mooc("learner", "list", env=FR)
    assert result.stdout.startswith("Aucun apprenant pour l'instant."), result.stdout
    result = run_mooc("learner", "add", "Amina Diallo", env=FR)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Apprenant Amina Diallo ajouté (id amina-diallo)."
    run_mooc("learner", "add", "Kofi Mensah", env=FR)
    out = tmp_path / "all.mooc-learners"
    result = run_mooc("learner", "export", "--all", "-o", str(out), env=FR)
    assert result.returncode == 0, result.stderr
    # French counts: 0 is singular, 2 plural
    assert result.stdout.splitlines()[0] == f"2 apprenants (0 événement) écrit dans {out}."
    result = run_mooc("learner", "remove", "kofi-mensah", env=FR)  # no terminal to confirm on
    assert result.returncode != 0
    _no_traceback(result)
    assert "demande une confirmation" in result.stderr and "--yes" in result.stderr


def test_json_stays_untranslated_in_french(run_mooc) -> None:
    run_mooc("learner", "add", "Amina Diallo")
    english = run_mooc("learner", "list", "--json")
    french = run_mooc("learner", "list", "--json", env=FR)
    assert french.returncode == 0, french.stderr
    data = json.loads(french.stdout)
    assert data[0]["name"] == "Amina Diallo" and data[0]["default"] is False
    assert set(data[0]) == set(json.loads(english.stdout)[0])

    text = run_mooc("sync", "--agent-status", env=FR)
    assert f"dernier succès{NBSP}: jamais" in text.stdout
    status = run_mooc("sync", "--agent-status", "--json", env=FR)
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["running"] is False and report["state"] == "not running"
    assert "jamais" not in status.stdout and "attente" not in status.stdout


def test_a_certificate_date_reads_in_french() -> None:
    """`certificate show` writes "04 August 2026" as `%d %B %Y` did, the month in French."""
    import datetime

    from player.cli.certificate_cmd import _long_date

    when = datetime.datetime(2026, 8, 4, 10, 0)
    assert _long_date(when) == f"{when:%d %B %Y}" == "04 August 2026"
    i18n.use_language("fr")
    try:
        assert _long_date(when) == "04 août 2026"
    finally:
        i18n.use_language("en")
