"""The pack layer's words in the reader's language: hostile packs, catalogs and install
sources given to the real `mooc` command each get ONE error line, every word of it
translated (the pseudo-locale `qps` leaves no English outside ⟦ ⟧ but the file named) and
in French a sentence written for it; `mooc pack check` reports in the language too."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.pseudo import escaped_lines, escaped_words

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "packages" / "demo_course"
NBSP = "\u00a0"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    french: str  # a phrase of the French translation the error must hold
    allowed: tuple[str, ...] = ()  # text rightly left as is (a path, Python's own words)


def _demo_copy(root: Path, name: str) -> Path:
    dest = root / name
    shutil.copytree(DEMO, dest)
    return dest


@pytest.fixture
def hostile(tmp_path: Path) -> list[Case]:
    """Each a different bad input, as a teacher or learner meets them."""
    root = tmp_path / "in"
    root.mkdir()
    bad_id = _demo_copy(root, "bad-id")
    manifest = bad_id / "course.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('id = "mooc-demo"', 'id = "Bad Id"', 1), encoding="utf-8"
    )
    no_lesson = _demo_copy(root, "no-lesson")
    lesson = sorted((no_lesson / "lessons").iterdir())[0]
    lesson.unlink()
    (root / "junk.mooc").write_bytes(b"this is not a zip archive at all\n" * 4)
    with zipfile.ZipFile(root / "escape.mooc", "w") as zf:
        zf.writestr("../evil.md", "# out of the pack\n")
    (root / "not-catalog").mkdir()
    (root / "not-catalog" / "catalog.json").write_text(json.dumps({"hello": 1}), encoding="utf-8")
    (root / "bad-sha").mkdir()
    (root / "bad-sha" / "catalog.json").write_text(
        json.dumps(
            {"format": 1, "courses": [{"id": "c1", "version": "1.0.0", "url": "c1.mooc", "size": 10, "sha256": "xyz"}]}
        ),
        encoding="utf-8",
    )
    toml_broken = _demo_copy(root, "toml-broken")
    (toml_broken / "course.toml").write_text("format = 1\nid = [unclosed\n", encoding="utf-8")
    return [
        Case("missing file", ("install", str(root / "absent.mooc")), "ni un fichier, ni un dossier"),
        Case(
            "not a zip",
            ("install", str(root / "junk.mooc")),
            "ce n'est pas une archive .mooc lisible",
            ("File is not a zip file",),  # zipfile's own words, quoted as the reason
        ),
        Case("bad rate", ("install", "--limit-rate", "fast", str(root / "junk.mooc")), "n'est pas un débit"),
        Case("bad manifest id", ("install", str(bad_id)), "n'est pas un identifiant valide"),
        Case("missing lesson", ("install", str(no_lesson)), "fichier absent du paquet"),
        Case("path leaving the pack", ("install", str(root / "escape.mooc")), "le chemin sort du paquet"),
        Case("not a catalog", ("catalog", "add", str(root / "not-catalog")), "ce n'est pas un catalogue"),
        Case("bad catalog sha256", ("catalog", "add", str(root / "bad-sha")), "64 chiffres hexadécimaux"),
        Case("build from a file", ("pack", "build", str(root / "junk.mooc")), "ce n'est pas un dossier"),
        Case(
            "broken TOML",
            ("install", str(toml_broken)),
            "erreur de syntaxe TOML",
            ("Invalid value",),  # tomllib's own words, quoted as the reason
        ),
    ]


def _error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# "mooc: error:" is the command line's own prefix (player/cli, translated there)
_CLI_PREFIX = "mooc: error:"


def test_hostile_inputs_speak_the_pseudo_locale_without_english(run_mooc, hostile, tmp_path):
    assert len({case.args[0:2] + (case.french,) for case in hostile}) >= 8  # different errors, not one repeated
    for case in hostile:
        result = run_mooc(*case.args, env={"LANGUAGE": "qps"})
        lines = _error_lines(result)
        assert result.returncode != 0, case.name
        assert len(lines) == 1, f"{case.name}: {result.stderr}"
        assert "Traceback" not in result.stderr
        allowed = [_CLI_PREFIX, str(tmp_path), *case.allowed]
        assert "⟦" in lines[0], f"{case.name}: not translated at all: {lines[0]}"
        assert escaped_words(lines[0], allowed=allowed) == [], f"{case.name}: {escaped_lines(lines[0], allowed)}"


def test_hostile_inputs_give_one_french_line(run_mooc, hostile):
    for case in hostile:
        result = run_mooc(*case.args, env={"LANGUAGE": "fr"})
        lines = _error_lines(result)
        assert result.returncode != 0, case.name
        assert len(lines) == 1, f"{case.name}: {result.stderr}"
        assert case.french in lines[0], f"{case.name}: {lines[0]}"
        assert f"{NBSP}: " in lines[0], f"{case.name}: the '<file> : <problem>' shape: {lines[0]}"


def test_english_stays_as_it_was(run_mooc, hostile):
    """The same inputs in English: the messages tests and users already know."""
    by_name = {case.name: case for case in hostile}
    result = run_mooc(*by_name["bad rate"].args)
    assert _error_lines(result) == ["mooc: error: --limit-rate: 'fast' is not a rate (examples: 200k, 1M, 50000)"]
    result = run_mooc(*by_name["path leaving the pack"].args)
    assert _error_lines(result)[0].endswith("escape.mooc: '../evil.md': path leaves the pack (..)")


def test_pack_check_of_the_demo_course_is_reported_in_the_language(run_mooc):
    result = run_mooc("pack", "check", str(DEMO), env={"LANGUAGE": "qps"})
    assert result.returncode == 0, result.stderr
    assert "⟦" in result.stdout
    assert escaped_words(result.stdout, allowed=[str(DEMO)]) == [], escaped_lines(result.stdout, [str(DEMO)])
    result = run_mooc("pack", "check", str(DEMO), env={"LANGUAGE": "fr"})
    assert f"{NBSP}: mooc-demo 1.0.0 (2 modules, 9 éléments, 20 questions){NBSP}: 0 erreur, 0 avertissement" in (
        result.stdout
    )


def test_pack_check_of_a_broken_pack_names_each_problem_in_french(run_mooc, tmp_path):
    pack = _demo_copy(tmp_path, "broken")
    sorted((pack / "lessons").iterdir())[0].unlink()
    result = run_mooc("pack", "check", str(pack), env={"LANGUAGE": "fr"})
    assert result.returncode == 1
    assert f"erreur{NBSP}: course.toml" in result.stdout
    assert "fichier absent du paquet" in result.stdout
    assert f"{pack}{NBSP}: 1 erreur, 1 avertissement" in result.stdout
    result = run_mooc("pack", "check", str(pack), env={"LANGUAGE": "qps"})
    assert escaped_words(result.stdout, allowed=[str(pack)]) == [], escaped_lines(result.stdout, [str(pack)])
