"""The pseudo-locale `qps`: proves that every string a person reads is translated and
that layouts hold when words grow.

Each translated string comes back wrapped in ⟦ ⟧, its letters accented and about 30 %
longer (`~` before the closing bracket), as a real translation into a longer language
would be. What must stay exactly as written is left alone: format fields (`{name}`,
`%(name)s`, `%s`), Rich/Textual markup (`[b]`, `[/]`), `code in backticks` and
`--options`. A word of English outside ⟦ ⟧ in any output is a string that escaped
translation (tests/test_i18n_pseudo*.py look for them).
"""

from __future__ import annotations

import gettext
import re

OPEN, CLOSE = "⟦", "⟧"
_ACCENTS = str.maketrans("aeiouycnAEIOUYCN", "áéíöüýçñÁÉÍÖÜÝÇÑ")
# Spans kept verbatim: format fields, %-placeholders, markup tags, code, options.
_KEEP = re.compile(r"\{[^{}]*\}|%\([A-Za-z_]+\)[sdr]|%[sdr%]|\[[^\[\]\n]*\]|`[^`\n]*`|(?<![\w-])--?[A-Za-z][\w-]*")


def pseudo(message: str) -> str:
    """`message` as the pseudo-locale shows it ("" stays "")."""
    if not message:
        return message
    parts: list[str] = []
    last = 0
    for match in _KEEP.finditer(message):
        parts.append(message[last : match.start()].translate(_ACCENTS))
        parts.append(match.group())
        last = match.end()
    parts.append(message[last:].translate(_ACCENTS))
    body = "".join(parts)
    grow = "~" * max(1, round(len(message) * 0.3))
    # A trailing newline or colon stays last, where argparse and prompts expect it.
    tail = len(body) - len(body.rstrip("\n"))
    core = body[: len(body) - tail] if tail else body
    return f"{OPEN}{core}{grow}{CLOSE}" + "\n" * tail


class PseudoTranslations(gettext.NullTranslations):
    """Translations into the pseudo-locale, made on the fly (no catalog file)."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)
