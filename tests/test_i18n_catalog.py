"""The French catalog is complete and right: every string the sources pass to `_()`
(and argparse's own words) has a translation that is not fuzzy and keeps the same
placeholders, and the compiled .mo shipped in the package is the .po's."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("babel", reason="Babel (pybabel) is a test dependency: pip install -e '.[test]'")

REPO = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("translations", REPO / "scripts" / "translations.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


translations = _script()


@pytest.fixture(scope="module")
def wanted():
    import argparse

    return translations.template([Path(argparse.__file__)])


def test_there_is_a_french_catalog():
    assert [p.parent.parent.name for p in translations.catalogs()] == ["fr"]


def test_every_string_is_translated_into_french(wanted):
    assert len(wanted) > 30  # the sources do use _(): an empty template would pass anything
    catalog = translations.read(translations.LOCALE / "fr" / "LC_MESSAGES" / "mooc.po")
    problems = translations.problems(catalog, wanted)
    assert problems == [], f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:40])


def test_the_shipped_mo_is_the_po_compiled():
    for po in translations.catalogs():
        assert po.with_suffix(".mo").read_bytes() == translations.compiled(translations.read(po)), (
            f"{po.with_suffix('.mo')} is stale: run scripts/translations.py compile"
        )


def test_the_check_catches_what_it_should(tmp_path):
    from babel.messages.catalog import Catalog

    wanted = Catalog(locale="fr")
    wanted.add("{n} lessons left")
    wanted.add("Quit")
    wanted.add("Save")
    wanted.add(("{n} file", "{n} files"))
    have = Catalog(locale="fr")
    have.add("{n} lessons left", "{count} leçons restantes")  # placeholder renamed
    have.add("Quit", "Quitter", flags=["fuzzy"])
    have.add(("{n} file", "{n} files"), ("un fichier", "{n} fichiers"))  # singular may drop {n}
    found = translations.problems(have, wanted)
    assert any(p.startswith("placeholders differ") and "lessons left" in p for p in found)
    assert "fuzzy: 'Quit'" in found
    assert "untranslated: 'Save'" in found
    assert not any("file" in p for p in found)
    assert len(found) == 3


def test_no_f_string_is_passed_to_gettext():
    """`_(f"...")` cannot be in a catalog: the lookup key changes with every value."""
    bad = []
    for folder in ("packages", "player", "sync", "tui"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"\b(?:_|ngettext|pgettext|N_)\(\s*f[\"']", text):
                bad.append(f"{path.relative_to(REPO)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert bad == []


def test_the_running_pythons_argparse_words_are_in_the_catalog(wanted):
    assert any("argparse.py" in loc for m in wanted for loc, _ in m.locations), sys.version


def test_the_quick_catalog_reader_reads_what_gettext_reads(tmp_path):
    """packages/i18n.py parses the shipped .mo itself (faster at every start); it must
    give exactly the stdlib's catalog, plural rule and charset, and leave a catalog it
    was not written for (latin-1 here) to the stdlib."""
    import gettext
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from packages.i18n import _Catalog

    shipped = translations.LOCALE / "fr" / "LC_MESSAGES" / "mooc.mo"
    with open(shipped, "rb") as a, open(shipped, "rb") as b:
        quick, stdlib = _Catalog(a), gettext.GNUTranslations(b)
    assert quick._catalog == stdlib._catalog and len(quick._catalog) > 1000
    assert quick._info == stdlib._info and quick._charset == stdlib._charset
    assert [quick.plural(n) for n in range(4)] == [stdlib.plural(n) for n in range(4)] == [0, 0, 1, 1]
    assert quick.ngettext("{n} lesson", "{n} lessons", 2) == stdlib.ngettext("{n} lesson", "{n} lessons", 2)

    other = Catalog(locale="fr", charset="latin-1")
    other.add("Quit", "Quitter l'été")
    other.add(("{n} file", "{n} files"), ("{n} fichier", "{n} fichiers"))
    buf = io.BytesIO()
    write_mo(buf, other)
    quick, stdlib = _Catalog(io.BytesIO(buf.getvalue())), gettext.GNUTranslations(io.BytesIO(buf.getvalue()))
    assert quick.gettext("Quit") == "Quitter l'été"
    assert quick._catalog == stdlib._catalog and quick._charset == stdlib._charset == "latin-1"
