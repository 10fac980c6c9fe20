"""The words mooc shows, in the reader's language: stdlib gettext at run time.

Every string a person reads goes through `_()` (or `ngettext` for a count, `pgettext`
where one English word has two meanings), with named placeholders filled after the
lookup::

    from packages.i18n import _, ngettext
    raise MoocError(_("{path}: not a course pack").format(path=path))
    print(ngettext("{n} lesson", "{n} lessons", n).format(n=n))

A string defined at import time (a table, a constant) is marked with `N_()` and
translated where it is shown: `_(TABLE[key])`.

Catalogs are `.po` files in `packages/locale/<lang>/LC_MESSAGES/mooc.po`, extracted and
compiled with Babel's `pybabel` (`scripts/translations`, a development tool), and the
compiled `.mo` beside each is package data, so a plain `pip install` speaks French.

The language, first found wins: `use_language()` (a learner's own language, the
`language` key of config.toml, both applied by the `mooc` command), else the usual
variables `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`, else on Windows the user's UI
language, else English. `qps` is the pseudo-locale for tests: every string wrapped in
⟦ ⟧, lengthened and accented (`packages/pseudo_locale.py`).

Not translated: `--json` keys and values, xAPI, file formats, log files.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
import struct
from pathlib import Path
from typing import Any

DOMAIN = "mooc"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
PSEUDO = "qps"  # the pseudo-locale (ISO 639 reserves qaa-qtz for local use)
ENGLISH = "en"
_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class _State:
    translations: _gettext.NullTranslations | None = None
    code: str = ENGLISH
    held: bool = False  # hold_english(): a --json run stays English to the end
    wanted: str = ENGLISH  # while held: the language the reader reads


_state = _State()


def _(message: str) -> str:
    """`message` in the current language (itself in English or when untranslated)."""
    return _active().gettext(message)


gettext = _


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, by the language's own rule (French: 0 and 1
    are singular). Placeholders are filled by the caller: `.format(n=n)`."""
    return _active().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` where `context` tells two meanings of one English word apart."""
    return _active().pgettext(context, message)


def N_(message: str) -> str:
    """Marks `message` for the catalog without translating it (it is translated where
    it is shown, once the language is known)."""
    return message


def language() -> str:
    """The language the words are shown in: "en", "fr", "qps"..."""
    _active()
    return _state.code


def reader_language() -> str:
    """The language the reader reads, even while a --json run holds its words in English:
    for what is data rather than words (which bundled demo course a French reader gets)."""
    return _state.wanted if _state.held else language()


def available() -> tuple[str, ...]:
    """Languages mooc speaks: English and every compiled catalog shipped."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (ENGLISH, *found)


def use_language(code: str | None) -> str:
    """Shows words in `code` from now on (None: the environment's language). An unknown
    code falls back to the environment, then English; returns the code in use. While
    hold_english() holds, words stay English and `code` is only remembered as the
    reader's (reader_language())."""
    wanted = [normalize(code)] if code and normalize(code) else []
    translations, chosen = _load([*wanted, *environment_languages()])
    if _state.held:
        _state.wanted = chosen
        return _state.code
    _state.translations, _state.code = translations, chosen
    return chosen


def hold_english() -> None:
    """English from now on, whatever a learner's language says later: a `--json` run
    is read by a program, messages inside the JSON and errors beside it included."""
    _state.wanted = language()
    _state.translations, _state.code = _gettext.NullTranslations(), ENGLISH
    _state.held = True


def release() -> None:
    """Undo hold_english() (tests, and a process that runs several commands)."""
    _state.held = False


def normalize(code: str) -> str:
    """ "fr_FR.UTF-8" -> "fr", "pt-BR" -> "pt"; "" for C/POSIX or nonsense."""
    base = code.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    if base in ("c", "posix") or not base.isalpha() or len(base) > 8:
        return ""
    return base


def environment_languages() -> list[str]:
    """The languages the usual variables ask for, in order (LANGUAGE may list several,
    as "fr:en"); on Windows without them, the user's UI language."""
    for name in _ENV:
        value = os.environ.get(name, "")
        if value:
            if name != "LANGUAGE" and normalize(value) == "":
                return []  # LC_ALL=C: untranslated, as gettext does
            codes = [normalize(part) for part in value.split(":")] if name == "LANGUAGE" else [normalize(value)]
            codes = [c for c in codes if c]
            if codes:
                return codes
    if os.name == "nt":  # pragma: no cover - Windows sets none of the variables
        return _windows_languages()
    return []


def _windows_languages() -> list[str]:  # pragma: no cover - Windows only
    import ctypes
    import locale

    try:
        lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return []
    code = normalize(locale.windows_locale.get(lcid, ""))
    return [code] if code else []


def _active() -> _gettext.NullTranslations:
    if _state.translations is None:
        _state.translations, _state.code = _load(environment_languages())
    return _state.translations


class _Catalog(_gettext.GNUTranslations):
    """GNUTranslations reading a little-endian UTF-8 catalog (what Babel writes) in less
    time: ~2,000 strings are parsed at every start of mooc in French, and the stdlib's
    entry-by-entry parse cost 2.2 ms of a 50 ms command. The header (charset, plural
    rule) is still read by the stdlib; another byte order or charset, by the stdlib alone."""

    def _parse(self, fp: Any) -> None:
        buf = fp.read()
        try:
            magic, _version, n, originals, translations = struct.unpack_from("<5I", buf)
            keys = struct.unpack_from(f"<{2 * n}I", buf, originals)
            values = struct.unpack_from(f"<{2 * n}I", buf, translations)
            header = buf[values[1] : values[1] + values[0]]
        except struct.error:
            magic, keys, header = 0, (1,), b""
        if magic != self.LE_MAGIC or keys[0] != 0 or b"charset=utf-8" not in header:
            return super()._parse(io.BytesIO(buf))
        # the header alone, as a one-entry catalog: the stdlib sets charset and plural from it
        one = struct.pack("<11I", magic, 0, 1, 28, 36, 0, 44, 0, 44, len(header), 44) + header + b"\x00"
        super()._parse(io.BytesIO(one))
        catalog: dict[Any, str] = self._catalog  # type: ignore[attr-defined]
        for i in range(2, 2 * n, 2):
            msg = buf[keys[i + 1] : keys[i + 1] + keys[i]].decode()
            text = buf[values[i + 1] : values[i + 1] + values[i]].decode()
            if "\x00" in msg:
                first = msg.split("\x00")[0]
                for form, said in enumerate(text.split("\x00")):
                    catalog[(first, form)] = said
            else:
                catalog[msg] = text


def _load(codes: list[str]) -> tuple[_gettext.NullTranslations, str]:
    for code in codes:
        if code == ENGLISH:
            break
        if code == PSEUDO:
            from packages.pseudo_locale import PseudoTranslations

            return PseudoTranslations(), PSEUDO
        path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        try:
            with open(path, "rb") as fh:
                return _Catalog(fh), code
        except (OSError, ValueError):  # not shipped, or a damaged catalog: try the next one
            continue
    return _gettext.NullTranslations(), ENGLISH
