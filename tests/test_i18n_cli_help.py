"""Every command's --help is translated: the whole parser tree (every sub-command and
nested sub-command) formatted under the pseudo-locale `qps` leaves no English word
outside ⟦ ⟧, the real `mooc ... --help` speaks the pseudo-locale and French, and an
error comes out in French on one line.

Allowed outside ⟦ ⟧: command names, option names, metavars and choices (`text`,
`novideo`, `full`): a person types them as they are, in every language.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from packages import i18n
from packages.pseudo_locale import OPEN
from player.cli import main
from tests.support.pseudo import escaped_lines, escaped_words

NBSP = "\u00a0"


def _spaces(text: str) -> str:
    return text.replace(NBSP, " ")


def _sub_commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _walk(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for name, child in _sub_commands(parser).items():
        yield from _walk(child, (*path, name))


def _typed_words(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> set[str]:
    """Words of this help a person types as they are: the command's own name (in the
    usage line), its sub-commands' names and every choice of its options."""
    words = {"mooc", *path, *_sub_commands(parser)}
    for action in parser._actions:
        if action.choices and not isinstance(action, argparse._SubParsersAction):
            words.update(str(choice) for choice in action.choices)
    return words


# Collected in English once: the names only (the texts are built again under qps).
COMMANDS = [path for path, _parser in _walk(main.build_parser())]


@pytest.fixture
def pseudo_locale(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The pseudo-locale in-process, argparse's own words through mooc's catalog as
    `mooc` sets them (main._speak); English again afterwards."""
    i18n.use_language(i18n.PSEUDO)
    monkeypatch.setattr(argparse, "_", i18n.gettext)
    monkeypatch.setattr(argparse, "ngettext", i18n.ngettext)
    try:
        yield
    finally:
        i18n.use_language(i18n.ENGLISH)


def test_the_walk_reaches_nested_commands():
    names = {" ".join(path) for path in COMMANDS}
    assert {"", "play", "install", "catalog", "catalog add", "catalog build", "learner", "learner add"} <= names
    assert len(COMMANDS) > 40


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: "-".join(("mooc", *path)))
def test_help_of_every_command_is_translated(path: tuple[str, ...], pseudo_locale: None) -> None:
    parser = main.build_parser()
    for name in path:
        parser = _sub_commands(parser)[name]
    allowed = _typed_words(parser, path)
    text = parser.format_help()
    command = " ".join(("mooc", *path))
    assert OPEN in text, f"`{command} --help` is not in the pseudo-locale at all"
    lines = "\n".join(escaped_lines(text, words=allowed))
    assert escaped_words(text, words=allowed) == [], f"`{command} --help` has English left:\n{lines}"


@pytest.mark.parametrize(
    "argv", [["--help"], ["play", "--help"], ["install", "--help"], ["catalog", "add", "--help"], ["serve", "--help"]]
)
def test_real_help_in_the_pseudo_locale(run_mooc, argv: list[str]) -> None:
    result = run_mooc(*argv, env={"LANGUAGE": "qps"})
    assert result.returncode == 0, result.stderr
    parser = main.build_parser()
    for name in argv[:-1]:
        parser = _sub_commands(parser)[name]
    allowed = _typed_words(parser, tuple(argv[:-1]))
    lines = "\n".join(escaped_lines(result.stdout, words=allowed))
    assert OPEN in result.stdout
    assert escaped_words(result.stdout, words=allowed) == [], f"mooc {' '.join(argv)}: English left:\n{lines}"


@pytest.mark.parametrize(
    ("argv", "phrases"),
    [
        (["--help"], ["affiche cette aide", "premiers pas", "étudier un cours (en plein écran"]),
        (["play", "--help"], ["affiche cette aide", "ouvrir un cours là où vous l'avez laissé"]),
        (["install", "--help"], ["affiche cette aide", "installer pour tous les comptes de cet ordinateur"]),
        (["catalog", "add", "--help"], ["affiche cette aide", "un nom court pour lui"]),
        (["upgrade", "--help"], ["affiche cette aide", f"Variantes{NBSP}: text (leçons et quiz)"]),
    ],
)
def test_real_help_in_french(run_mooc, argv: list[str], phrases: list[str]) -> None:
    result = run_mooc(*argv, env={"LANGUAGE": "fr"})
    assert result.returncode == 0, result.stderr
    for phrase in phrases:
        assert phrase in result.stdout, f"mooc {' '.join(argv)}: no {phrase!r} in\n{result.stdout}"
    english = run_mooc(*argv)
    assert "show this help message and exit" in english.stdout and "affiche" not in english.stdout


def test_an_error_comes_out_in_french_on_one_line(run_mooc) -> None:
    result = run_mooc("update", "no-such-course", env={"LANGUAGE": "fr"})
    assert result.returncode != 0
    assert result.stderr.startswith(f"mooc{NBSP}: erreur{NBSP}: ")
    # (the message itself goes through safe_text.one_line, which folds its no-break spaces)
    assert _spaces(result.stderr) == "mooc : erreur : no-such-course : pas installé (voir `mooc list`)\n"
    english = run_mooc("update", "no-such-course")
    assert english.stderr == "mooc: error: no-such-course: not installed (see `mooc list`)\n"


def test_the_plain_mode_notice_and_an_unknown_item_in_french(run_mooc) -> None:
    demo = Path(main.__file__).resolve().parents[2] / "packages" / "demo_course"
    result = run_mooc("play", str(demo), "no-such-item", input="", env={"LANGUAGE": "fr"})
    assert result.returncode != 0
    first, second = result.stderr.splitlines()
    assert first == f"mooc{NBSP}: l'entrée n'est pas un terminal{NBSP}: lecture en mode texte (--plain)"
    assert _spaces(second).startswith("mooc : erreur : mooc-demo : pas d'élément « no-such-item » (éléments : ")


def test_ctrl_c_notes_in_french_and_english() -> None:
    try:
        i18n.use_language("fr")
        said = main.interrupted_line("install", ["install", "stats-101"])
        assert said == (
            f"mooc{NBSP}: interrompu{NBSP}: la version installée est inchangée et un téléchargement partiel "
            f"est conservé{NBSP}: relancez `mooc install stats-101` pour le reprendre"
        )
        assert main.interrupted_line("list", ["list"]) == f"mooc{NBSP}: interrompu"
    finally:
        i18n.use_language(i18n.ENGLISH)
    assert main.interrupted_line("sync", ["sync"]) == (
        "mooc: interrupted: records already sent are kept and never sent twice: run `mooc sync` again to send the rest"
    )
    assert main.interrupted_line(None, []) == "mooc: interrupted"
