#!/usr/bin/env python3
"""mooc's translation catalogs, with Babel (a development tool: `pip install Babel`).

    scripts/translations.py update     extract every `_()` string of packages/ player/ sync/ tui/
                                       (and argparse's own, for Python 3.10-3.13 where found) and
                                       bring each packages/locale/<lang>/LC_MESSAGES/mooc.po up to
                                       date: new strings empty, gone strings dropped
    scripts/translations.py compile    write each catalog's mooc.mo (shipped in the package)
    scripts/translations.py check      list untranslated, fuzzy and placeholder-mismatched
                                       strings, and catalogs whose .mo is stale; exit 1 if any
    scripts/translations.py new LANG   start a catalog for LANG
    scripts/translations.py fill LANG FILE.json
                                       set translations from a JSON object {msgid: msgstr}
                                       (a list of forms for a plural); clears "fuzzy"
    scripts/translations.py merge OURS THEIRS OUT
                                       union of two versions of one .po (a git merge conflict):
                                       every translation either side has, OURS first

Catalogs are kept sorted by msgid without source locations, so two branches adding
strings rarely touch the same lines. tests/test_i18n_catalog.py runs `check`'s logic.
"""

from __future__ import annotations

import datetime
import glob
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "packages" / "locale"
SOURCES = ("packages", "player", "sync", "tui")
DOMAIN = "mooc"
_FIXED_DATE = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
_FIELD = re.compile(r"\{([^{}:!]*)[^{}]*\}|%\(([A-Za-z_]+)\)[sdr]|%([sdr])")


def argparse_sources() -> list[Path]:
    """argparse.py of this Python and of every Python 3.10-3.13 found beside it."""
    import argparse

    found = {Path(argparse.__file__).resolve()}
    for pattern in (
        "/root/.pyenv/versions/3.1[0-3]*/lib/python3.1[0-3]/argparse.py",
        "/usr/lib/python3.1[0-3]/argparse.py",
        "/usr/local/lib/python3.1[0-3]/argparse.py",
    ):
        found.update(Path(p).resolve() for p in glob.glob(pattern))
    return sorted(found)


def template(argparse_files: Iterable[Path] | None = None) -> Catalog:
    """Every translatable string of mooc's sources, plus argparse's."""
    # A fixed date: a date that moved at every update would make two branches conflict.
    catalog = Catalog(domain=DOMAIN, project="mooc", charset="utf-8", creation_date=_FIXED_DATE)
    for folder in SOURCES:
        method_map = [("**/locale/**", "ignore"), ("**.py", "python")]
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map=method_map, strip_comment_tags=True
        ):
            catalog.add(message, locations=[(f"{folder}/{filename}", lineno)], context=context, auto_comments=comments)
    for path in argparse_sources() if argparse_files is None else argparse_files:
        for lineno, message, comments, context in extract_from_file("python", str(path)):
            catalog.add(message, locations=[("argparse.py", lineno)], context=context, auto_comments=comments)
    return catalog


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale=path.parent.parent.name, domain=DOMAIN)


def write(path: Path, catalog: Catalog) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, sort_output=True, no_location=True, ignore_obsolete=True, width=100)
    path.write_bytes(buf.getvalue())


def compiled(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def fields(text: str) -> list[str]:
    """The placeholders of `text`, sorted: `{name}`, `%(name)s`, `%s`."""
    return sorted(m.group(0) if m.group(3) else (m.group(1) or m.group(2) or "") for m in _FIELD.finditer(text))


def problems(catalog: Catalog, wanted: Catalog) -> list[str]:
    """What is wrong with `catalog` against the strings the sources use."""
    found: list[str] = []
    for want in wanted:
        if not want.id:
            continue
        key = want.id if isinstance(want.id, str) else want.id[0]
        message = catalog.get(key, context=want.context)
        if message is None or not _translated(message):
            found.append(f"untranslated: {key!r}")
        elif message.fuzzy:
            found.append(f"fuzzy: {key!r}")
        else:
            found.extend(_mismatches(message))
    return found


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(s for s in strings)


def _mismatches(message: Message) -> list[str]:
    ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
    strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
    out = []
    for text in strings:
        # A plural form may leave out the count ("one lesson" for {n}=1 reads naturally).
        allowed = [fields(i) for i in ids]
        have = fields(text)
        if have not in allowed and not (len(ids) > 1 and set(have) <= set(fields(ids[-1]))):
            out.append(f"placeholders differ: {ids[0]!r} has {allowed[0]}, translation {text!r} has {have}")
    return out


def update() -> None:
    wanted = template()
    for path in catalogs():
        catalog = read(path)
        catalog.update(wanted, no_fuzzy_matching=True, update_header_comment=False)
        write(path, catalog)
        missing = sum(1 for m in catalog if m.id and not _translated(m))
        print(f"{path.relative_to(ROOT)}: {len(catalog)} strings, {missing} untranslated")


def compile_all() -> None:
    for path in catalogs():
        path.with_suffix(".mo").write_bytes(compiled(read(path)))
        print(f"{path.with_suffix('.mo').relative_to(ROOT)} written")


def check() -> int:
    wanted = template()
    bad = 0
    for path in catalogs():
        catalog = read(path)
        for problem in problems(catalog, wanted):
            print(f"{path.relative_to(ROOT)}: {problem}")
            bad += 1
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            print(f"{mo.relative_to(ROOT)}: stale, run scripts/translations.py compile")
            bad += 1
    return 1 if bad else 0


def new(lang: str) -> None:
    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(locale=lang, domain=DOMAIN, project="mooc", charset="utf-8")
    catalog.update(template(), no_fuzzy_matching=True)
    write(path, catalog)
    print(f"{path.relative_to(ROOT)} started")


def merge(ours: Path, theirs: Path, out: Path) -> None:
    lang = out.parent.parent.name
    mine = read_po(open(ours, "rb"), locale=lang, domain=DOMAIN)
    other = read_po(open(theirs, "rb"), locale=lang, domain=DOMAIN)
    for message in other:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        have = mine.get(key, context=message.context)
        if have is None or not _translated(have) or (have.fuzzy and not message.fuzzy):
            if have is not None:
                mine.delete(key, context=message.context)
            mine[key] = message
    write(out, mine)


def fill(lang: str, source: Path) -> None:
    import json

    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    catalog = read(path)
    unknown = []
    for key, text in json.loads(source.read_text(encoding="utf-8")).items():
        message = catalog.get(key)
        if message is None:
            unknown.append(key)
            continue
        message.string = tuple(text) if isinstance(text, list) else text
        message.flags.discard("fuzzy")
    write(path, catalog)
    for key in unknown:
        print(f"not in the catalog (run update first, or a typo): {key!r}", file=sys.stderr)
    print(f"{path.relative_to(ROOT)}: filled")


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
    elif argv[:1] == ["compile"]:
        compile_all()
    elif argv[:1] == ["check"]:
        return check()
    elif argv[:1] == ["new"] and len(argv) == 2:
        new(argv[1])
    elif argv[:1] == ["fill"] and len(argv) == 3:
        fill(argv[1], Path(argv[2]))
    elif argv[:1] == ["merge"] and len(argv) == 4:
        merge(Path(argv[1]), Path(argv[2]), Path(argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
