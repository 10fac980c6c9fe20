"""Sync's errors in the learner's language (issue 19): through the real `mooc`, a French
learner reads a French one-liner naming the file or host, the pseudo-locale shows that
no word of sync's messages escaped translation, and English stays as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.pseudo import escaped_words

NBSP = "\u00a0"
CLI_WORDS = ("mooc", "error")  # the command's own prefix ("mooc: error: "), not sync's words


def one_error_line(r: Any) -> str:
    assert r.returncode == 1 and r.stdout == "", r
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    return r.stderr.strip()


@pytest.fixture
def cases(tmp_path: Path) -> dict[str, tuple[list[str], str, str]]:
    """name -> (arguments, the English line's sync words, the French line's)."""
    missing = tmp_path / "nothere.json"
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"format": "mooc-sync-export", "version": 1, "endpoints": [', encoding="utf-8")
    return {
        "a pull with nowhere to pull from": (
            ["sync", "--pull"],
            "no installed course names an LRS endpoint: nothing to pull from",
            f"aucun cours installé n'indique de point d'accès LRS{NBSP}: rien à récupérer",
        ),
        "a login to no xAPI endpoint": (
            ["login", "ftp://lrs.example.org/xapi/", "--user", "teacher"],
            "endpoint: 'ftp://lrs.example.org/xapi/' is not an http(s) URL of an xAPI endpoint",
            f"point d'accès{NBSP}: 'ftp://lrs.example.org/xapi/' n'est pas une URL http(s) de point d'accès xAPI",
        ),
        "an import of a missing file": (
            ["sync", "--import", str(missing)],
            f"{missing}: no such file",
            f"{missing}{NBSP}: fichier introuvable",
        ),
        "an import of a damaged file": (
            ["sync", "--import", str(damaged)],
            f"{damaged}: not a mooc sync export",
            f"{damaged}{NBSP}: pas un export de synchronisation mooc",
        ),
    }


def test_sync_errors_are_french_one_liners_for_a_french_learner(run_mooc: Any, cases: dict[str, Any]) -> None:
    for name, (args, english, french) in cases.items():
        en = one_error_line(run_mooc(*args))
        assert english in en, (name, en)
        fr = one_error_line(run_mooc(*args, env={"LANGUAGE": "fr"}))
        assert " ".join(french.split()) in " ".join(fr.split()), (name, fr)  # error lines print U+00A0 as a space
        assert english not in fr, (name, fr)


def test_no_word_of_sync_errors_escapes_translation(run_mooc: Any, cases: dict[str, Any], tmp_path: Path) -> None:
    for name, (args, _english, _french) in cases.items():
        line = one_error_line(run_mooc(*args, env={"LANGUAGE": "qps"}))
        shown = line.replace(str(tmp_path), "")  # a path is no word to translate
        assert escaped_words(shown, allowed=CLI_WORDS) == [], (name, line)
