"""Which language mooc speaks to this person: a learner's own, else the `language` key
of config.toml, else the environment (packages/i18n.py).

On a shared lab PC each learner may have a language (`mooc learner add NAME --language
fr`); the machine's config.toml may set one for everybody (`language = "fr"`); without
either, the usual variables (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`) decide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from packages import i18n
from packages.errors import UsageError
from packages.i18n import _

_CONFIG_PEEK = 64 * 1024  # config.toml is a few lines; a bigger one is read by load_config, not here


def configured_language(config_file: Path) -> str | None:
    """The `language` key of config.toml, read cheaply (this runs at every start): the
    file is parsed only when it mentions `language`. A bad file is left to the command
    that reads it, which names the problem; here it just means "not set"."""
    data = _peek(config_file)
    if data is None:
        return None
    if b"language" not in data:
        return None
    from packages.portable import tomllib

    try:
        value = tomllib.loads(data.decode("utf-8")).get("language")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, str) and i18n.normalize(value) else None


def _peek(path: Path) -> bytes | None:
    """The start of `path` if it is a plain file; None for a FIFO (whose opening would
    wait for a writer forever), a folder or a device: the command that loads the config
    names that problem in one line."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, _CONFIG_PEEK)
    except OSError:
        return None
    finally:
        os.close(fd)


def start_language(argv: Sequence[str]) -> str:
    """At the start of `mooc`: the config's language, else the environment's."""
    from packages.layout import Layout, default_home

    home = _home_option(argv)
    # Layout owns the path; only the home is needed (the system folder costs an import).
    config_file = Layout(home=Path(home).expanduser() if home else default_home(), system_home=Path()).config_file
    return i18n.use_language(configured_language(config_file))


def learner_language(code: str | None) -> str:
    """Once the learner is known: their language if they have one, else as started."""
    if code and i18n.normalize(code):
        return i18n.use_language(code)
    return i18n.language()


_TAG = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,3}$")
NONE = "none"  # `mooc learner edit ID --language none`: back to the machine's language


def is_language_tag(value: str) -> bool:
    """A short BCP 47-like tag ("fr", "pt-BR", "fr_FR"): letters, digits, - or _ only."""
    return len(value) <= 35 and bool(_TAG.match(value))


def is_config_language(value: object) -> bool:
    """What config.toml's `language` may hold: a tag ("fr", "pt-BR") or a locale name as
    in LANG ("fr_FR.UTF-8"), printable and short."""
    return isinstance(value, str) and len(value) <= 40 and value.isprintable() and bool(i18n.normalize(value))


# Each language by its own name (an endonym is never translated: a lost reader finds theirs).
_NAMES = {"en": "English", "fr": "français", "qps": "pseudo"}


def language_name(code: str) -> str:
    """ "fr" -> "français"; an unknown code is shown as it is."""
    return _NAMES.get(code, code)


def check_language(value: str, *, allow_none: bool = False) -> str | None:
    """The language a person typed (--language), as mooc stores it ("fr_FR" -> "fr"),
    or None for "none" (when `allow_none`); else one clear line listing what mooc has."""
    from packages.safe_text import one_line

    text = value.strip()
    if allow_none and text.casefold() == NONE:
        return None
    code = i18n.normalize(text) if len(text) <= 40 else ""
    if code not in i18n.available():
        choices = ", ".join(f"{c} ({language_name(c)})" for c in i18n.available()) + (f", {NONE}" if allow_none else "")
        raise UsageError(
            _("unknown language {code}: mooc speaks {choices}").format(code=one_line(repr(text[:40])), choices=choices)
        )
    return code


def _home_option(argv: Sequence[str]) -> str | None:
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--home" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--home="):
            return arg.split("=", 1)[1]
    return None
