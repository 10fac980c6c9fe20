"""Which language mooc speaks (packages/i18n.py, player/ui_language.py) and the
pseudo-locale (packages/pseudo_locale.py)."""

from __future__ import annotations

import pytest

from packages import i18n
from packages.pseudo_locale import pseudo
from tests.support.pseudo import escaped_words


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.use_language("en")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANGUAGE": "fr:en"}, "fr"),
        ({"LANGUAGE": "", "LC_ALL": "fr_FR.UTF-8"}, "fr"),
        ({"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANGUAGE": "", "LC_ALL": "C"}, "en"),
        ({"LANGUAGE": "de:fr"}, "fr"),  # no German catalog: the next one asked for
        ({"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}, "en"),
        ({"LANGUAGE": "qps"}, "qps"),
    ],
)
def test_the_language_comes_from_the_usual_variables(monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.use_language(None) == expected


def test_an_explicit_language_wins_and_an_unknown_one_falls_back(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    assert i18n.use_language("fr_FR") == "fr"
    assert i18n.use_language("xx") == "en"
    assert i18n.use_language("../../etc") == "en"  # never a path into the file system


def test_french_is_shipped():
    assert i18n.available() == ("en", "fr")


def test_pseudo_wraps_lengthens_and_keeps_what_must_stay():
    text = pseudo("Install {course} with `mooc install` or --json [b]now[/b] (%(default)s)")
    assert text.startswith("⟦") and text.endswith("⟧")
    assert "{course}" in text and "`mooc install`" in text and "--json" in text
    assert "[b]" in text and "[/b]" in text and "%(default)s" in text
    assert "Install" not in text and "Íñstáll" in text
    assert len(text) > len("Install {course} with `mooc install` or --json [b]now[/b] (%(default)s)") * 1.25
    assert pseudo("usage: \n").endswith("⟧\n")


def test_pseudo_strings_format_like_the_english(monkeypatch):
    i18n.use_language("qps")
    assert i18n._("{n} lessons").format(n=3).startswith("⟦3 ")
    assert "3" in i18n.ngettext("{n} lesson", "{n} lessons", 3).format(n=3)


def test_escaped_words_finds_english_outside_the_brackets():
    shown = "⟦Íñstáll~~⟧ stats-101 --json COURSE\nPress any key ⟦öñé ⟦ñéstéd~⟧ twö~⟧ /tmp/x.mooc"
    assert escaped_words(shown) == ["Press", "any", "key"]
    assert escaped_words(shown, allowed=["Press any key"]) == []
    assert escaped_words(shown, words={"Press", "any", "key"}) == []


def test_french_plural_counts_zero_as_one():
    i18n.use_language("fr")
    assert i18n._state.translations is not None
    assert i18n._state.translations.plural(0) == 0  # type: ignore[attr-defined]
    assert i18n._state.translations.plural(2) == 1  # type: ignore[attr-defined]


def test_config_language_is_used_at_start(tmp_path, monkeypatch):
    from player.ui_language import configured_language, start_language

    monkeypatch.setenv("LANGUAGE", "en")
    (tmp_path / "config.toml").write_text('language = "fr"\n')
    assert configured_language(tmp_path / "config.toml") == "fr"
    assert start_language(["--home", str(tmp_path), "list"]) == "fr"
    (tmp_path / "config.toml").write_text("language = [1, 2]\n")  # nonsense: not set
    assert start_language(["--home", str(tmp_path), "list"]) == "en"
    (tmp_path / "config.toml").write_bytes(b"\xff\xfe language")  # not even UTF-8
    assert start_language([f"--home={tmp_path}", "list"]) == "en"


def test_argparse_speaks_the_language(run_mooc):
    shown = run_mooc("--help", env={"LANGUAGE": "qps"})
    assert shown.returncode == 0
    assert shown.stdout.startswith("⟦üságé:")
    missing = run_mooc("install", env={"LANGUAGE": "qps"})
    assert missing.returncode == 2
    assert "⟦thé föllöwíñg árgüméñts áré réqüíréd" in missing.stderr


def test_a_json_run_stays_english_even_for_a_french_learner(run_mooc):
    run_mooc("learner", "add", "Amina", "--language", "fr")
    french = run_mooc("info", "no-such-course", env={"LANGUAGE": "fr"})
    assert french.returncode != 0 and "erreur" in french.stderr
    scripted = run_mooc("info", "no-such-course", "--json", env={"LANGUAGE": "fr"})
    assert scripted.returncode == french.returncode
    assert "mooc: error:" in scripted.stderr and "erreur" not in scripted.stderr
    listed = run_mooc("learner", "list", "--json", env={"LANGUAGE": "fr"})
    assert '"language": "fr"' in listed.stdout


def test_hold_english_outlasts_a_learners_language():
    from player.ui_language import learner_language

    i18n.hold_english()
    try:
        assert learner_language("fr") == "en"
        assert i18n._("show this help message and exit") == "show this help message and exit"
    finally:
        i18n.release()
    assert i18n.use_language("fr") == "fr"


def test_while_english_is_held_the_readers_language_is_still_known(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "fr")
    i18n.use_language(None)
    i18n.hold_english()
    try:
        assert i18n.language() == "en" and i18n.reader_language() == "fr"
        i18n.use_language("en")  # a learner whose own language is English
        assert i18n.reader_language() == "en" and i18n.language() == "en"
    finally:
        i18n.release()


def test_a_true_false_right_answer_is_said_in_the_readers_words_and_kept_in_json():
    from packages.questions import TrueFalse

    right = TrueFalse(id="q", prompt="?", answer=True).right_answer()
    assert right.text() == "true"
    i18n.use_language("fr")
    assert right.text() == "vrai"
    assert right.to_json()["answers"][0]["text"] == "true"  # type: ignore[index]
