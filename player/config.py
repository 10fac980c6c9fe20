"""The user's settings file (``layout.config_file``, TOML) and safe ways to change it.

Keys other parts of mooc read::

    language = "fr"              # the language mooc speaks on this computer (player/ui_language.py)

    [learners]
    default = "amina"            # learner used when no --learner / MOOC_LEARNER is given

    [keys]                       # TUI key remapping: binding id -> key string
    next = "ctrl+n"

    [sync]                       # sync overrides
    endpoint = "https://lrs.example.org/xapi/"
    [sync.courses.stats-101]
    endpoint = "https://other.example.org/xapi/"

Writes are read-modify-write under an exclusive lock and land atomically (temp
file + fsync + rename), so two mooc processes changing settings at once never
lose each other's change and a crash never leaves a half-written file. Comments
in the file are not preserved by a write (tomli_w writes plain TOML).

`write_atomic` and `locked` are also used for the learners registry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout, make_dirs
from packages.portable import lock
from player.ui_language import is_config_language

# Top-level tables and the type each must have; anything else is kept untouched.
_TABLES = ("learners", "keys", "sync")


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file of the data folder as a dict ({} if missing). Bounded, never through
    a symbolic link, only a file of ours; every problem is one line naming the file."""
    from packages.datafile import load_toml

    return load_toml(path)


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace `path` with `data` all at once; a failure is a one-line error and leaves the old file.

    Mode 0600 by default: settings and the learners registry (names, emails) are private."""
    from packages import fsutil

    try:
        fsutil.write_atomic(path, data, mode)
    except OSError as err:
        raise MoocError(
            _("{path}: cannot write ({strerror}); the previous file is unchanged").format(
                path=path, strerror=err.strerror
            )
        ) from None


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Exclusive lock for a read-modify-write of `path` (a hidden sibling lock file,
    because the file itself is replaced by each write)."""
    from packages.datafile import open_file

    lock_path = path.with_name(f".{path.name}.lock")
    try:
        make_dirs(lock_path.parent)
        fd = open_file(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as err:
        raise MoocError(
            _("{lock_path}: cannot lock: {strerror}").format(lock_path=lock_path, strerror=err.strerror)
        ) from None
    try:
        lock(fd)
        yield
    finally:
        os.close(fd)


def _check(path: Path, config: dict[str, Any]) -> dict[str, Any]:
    for name in _TABLES:
        if name in config and not isinstance(config[name], dict):
            raise MoocError(
                _("{path}: [{name}] must be a table, not {name2}").format(
                    path=path, name=name, name2=type(config[name]).__name__
                )
            )
    language = config.get("language")
    if language is not None and not is_config_language(language):
        raise MoocError(
            _('{path}: language must be a language code in quotes, such as language = "fr"').format(path=path)
        )
    default = config.get("learners", {}).get("default")
    if default is not None and not isinstance(default, str):
        raise MoocError(_("{path}: [learners] default must be a string (a learner id)").format(path=path))
    return config


def load_config(layout: Layout) -> dict[str, Any]:
    """The user's settings ({} when there is no config file yet)."""
    path = layout.config_file
    return _check(path, read_toml(path))


def update_config(layout: Layout, mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Change the settings safely: lock, re-read, `mutate(config)` in place, write atomically.

    Returns the config as written. Empty tables are dropped so the file stays tidy.
    """
    import tomli_w

    path = layout.config_file
    with locked(path):
        config = _check(path, read_toml(path))
        mutate(config)
        config = _drop_empty(config)
        _check(path, config)
        write_atomic(path, tomli_w.dumps(config).encode("utf-8"))
    return config


def _drop_empty(table: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            value = _drop_empty(value)
            if not value:
                continue
        if value is None:
            continue
        out[key] = value
    return out
