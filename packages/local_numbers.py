"""Numbers the way the reader's language writes them: typed answers read, numbers shown.

One table holds each language's conventions (`CONVENTIONS`); every other language
writes numbers as English does (the pseudo-locale `qps` included). Rules, in
docs/grading.md ("Typed numbers"):

- French: the decimal mark is `,` (a `.` is read as one too, as before), digits are
  grouped by three with a space, a no-break space (U+00A0), a narrow no-break space
  (U+202F) or a thin space (U+2009): "1 234,5" = 1234.5, and "1,234" = 1.234.
- English: the decimal mark is `.` and digits are grouped by three with `,`:
  "1,234.5" = 1234.5 and "1,234" = 1234; a comma that cannot be a group ("3,5",
  "0,125") is a decimal mark, as before.
- No language (`language=None`: an answer recorded before answers carried their
  language): the reading of earlier versions, without groups; "1,234" = 1.234.

A number holding both marks the wrong way round for its language ("1.234,5" in
English, "1,234.5" in French) is refused rather than guessed. Shown numbers group
their digits from five digits on (10 000, not 1 000: years and four-digit values
read better ungrouped, as typographers of both languages do).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from packages.i18n import _

SPACES = "\u0020\u00a0\u202f\u2009"  # space, no-break, narrow no-break, thin space


@dataclass(frozen=True)
class Conventions:
    """How one language writes a number."""

    decimal: str  # the decimal mark shown
    group: str  # the group separator shown
    groups: str  # the group separators read (any of these characters)
    percent: str = "%"  # what follows a percentage's number ("\u00a0%" in French)


ENGLISH = Conventions(decimal=".", group=",", groups=",")
FRENCH = Conventions(decimal=",", group="\u00a0", groups=SPACES, percent="\u00a0%")
CONVENTIONS: dict[str, Conventions] = {"en": ENGLISH, "fr": FRENCH}

GROUP_FROM = 5  # digits of an integer part before it is shown grouped (12 345, not 1 234)

_LEGACY = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_SIMPLE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def conventions(language: str) -> Conventions:
    """The conventions of `language` ("fr", "en", "qps"...): English for any other."""
    return CONVENTIONS.get(language.split("_")[0].split("-")[0].lower(), ENGLISH)


_WRITTEN_IN: ContextVar[str | None] = ContextVar("numbers_written_in", default=None)


def current_language() -> str:
    """The language numbers are shown in: `written_in`'s, else the one words are shown in."""
    from packages.i18n import language

    return _WRITTEN_IN.get() or language()


@contextmanager
def written_in(language: str) -> Iterator[None]:
    """Numbers shown in `language` inside the block: `--json` output, whose values are
    never translated, shows them in English (`with written_in("en"): ...`)."""
    token = _WRITTEN_IN.set(language)
    try:
        yield
    finally:
        _WRITTEN_IN.reset(token)


# ---------------------------------------------------------------------------
# Reading


def parse_number(text: str, language: str | None = None) -> float:
    """A number typed by a learner answering in `language` (None: the reading before
    answers carried a language). ValueError says why it is no number."""
    raw = text.strip().replace("\u2212", "-")  # U+2212 MINUS SIGN, as pasted from documents
    if not raw:
        raise ValueError(_("type a number"))
    if language is None:
        return _legacy(raw)
    conv = conventions(language)
    plain = _ungrouped(raw, conv)
    if plain is None:
        if "," in raw and "." in raw:
            raise ValueError(
                _("{text} mixes ',' and '.': write it like {grouped} or {plain}").format(
                    text=repr(raw), grouped=format_number(12345.5, language), plain=_plain(12345.5, conv)
                )
            )
        raise ValueError(_("{text} is not a number").format(text=repr(raw)))
    return _finite(plain, raw)


def _legacy(raw: str) -> float:
    if "," in raw and "." in raw:
        raise ValueError(
            _("{text} mixes ',' and '.': write the number without a thousands separator").format(text=repr(raw))
        )
    if not _LEGACY.fullmatch(raw):
        raise ValueError(_("{text} is not a number").format(text=repr(raw)))
    return _finite(raw.replace(",", "."), raw)


def _finite(plain: str, raw: str) -> float:
    value = float(plain)
    if not math.isfinite(value):
        raise ValueError(_("{text} is too large").format(text=repr(raw)))
    return value


def _ungrouped(raw: str, conv: Conventions) -> str | None:
    """`raw` as Python's float() reads it ("1234.5"), or None when `conv` does not read
    it as a number."""
    sign = raw[0] if raw[0] in "+-" else ""
    body = raw[len(sign) :]
    exponent = ""
    cut = max(body.rfind("e"), body.rfind("E"))
    if cut > 0:
        body, exponent = body[:cut], body[cut:]
    groups = "".join(re.escape(c) for c in conv.groups)
    grouped = re.fullmatch(rf"([1-9]\d{{0,2}}(?:[{groups}]\d{{3}})+)(?:([.,])(\d*))?", body)
    if grouped and grouped.group(2) and grouped.group(2) in conv.groups:
        grouped = None  # "1,234,5" in English: a group of one digit at the end
    if grouped:
        whole = re.sub(f"[{groups}]", "", grouped.group(1))
        body = whole + ("." + grouped.group(3) if grouped.group(2) else "")
    elif "," in body and "." in body:
        return None
    else:
        body = body.replace(",", ".")
    plain = sign + body + exponent
    return plain if _SIMPLE.fullmatch(plain) else None


# ---------------------------------------------------------------------------
# Writing


def format_number(value: float, language: str | None = None) -> str:
    """`value` as a reader of `language` (None: the language words are shown in) reads it:
    12 significant digits, the language's decimal mark, groups from GROUP_FROM digits."""
    conv = conventions(language if language is not None else current_language())
    return _shown(value, conv, group=True)


def format_percent(value: float, language: str | None = None) -> str:
    """`value` (already ×100) as a percentage: "2%" in English, "2 %" in French."""
    conv = conventions(language if language is not None else current_language())
    return _shown(value, conv, group=True) + conv.percent


def percent_text(number: str, language: str | None = None) -> str:
    """A percentage its caller already rounded and wrote in English digits ("12.5") as
    the reader writes it: "12.5%" in English, "12,5 %" in French."""
    conv = conventions(language if language is not None else current_language())
    return number.replace(".", conv.decimal) + conv.percent


def _plain(value: float, conv: Conventions) -> str:
    return _shown(value, conv, group=False)


def _shown(value: float, conv: Conventions, *, group: bool) -> str:
    text = f"{value:.12g}"
    mantissa, e, exponent = text.partition("e")
    sign = "-" if mantissa.startswith("-") else ""
    whole, dot, fraction = mantissa.lstrip("-").partition(".")
    if group and len(whole) >= GROUP_FROM:
        head = len(whole) % 3 or 3
        whole = conv.group.join([whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))])
    return sign + whole + (conv.decimal + fraction if dot else "") + e + exponent
