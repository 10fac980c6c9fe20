"""Reading mooc's own files (settings, progress, outbox, caches) as the hostile input they may be.

Anything in the data folder may have been damaged (a crash, a full disk, a bad merge,
an editor) or planted (a link to a file elsewhere, a FIFO, a 2 GB file, JSON nested
100,000 deep). Every read here therefore:

- opens the file itself, never what a symbolic link points to (``O_NOFOLLOW`` where
  the OS has it), without blocking (a FIFO never hangs mooc), and checks what it
  opened: a regular file and, for the user's own data, owned by this user;
- is bounded: a file bigger than its limit is refused before it is read;
- decodes JSON and TOML so that every kind of damage, nesting deep enough to exhaust
  the stack included, becomes ONE `MoocError` naming the file, never a traceback.

`loads_json` / `loads_toml` are the decoders for bytes that come from elsewhere (a
line of a log, a file inside a pack): every failure is a `DataError` (a ValueError)
whose message says what is wrong, for the caller to prefix with where it was.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.i18n import _

KIB = 1024
MIB = 1024 * KIB
MAX_SETTINGS_BYTES = 1 * MIB  # config.toml, learners.toml, credentials, consent, status, pointers
MAX_CACHE_BYTES = 16 * MIB  # cached catalogs, the catalogs list
MAX_LOG_BYTES = 64 * MIB  # a progress log (years of daily study are a few MB)

# Never follow a link at the last step (Windows has no such flag: checked before opening).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class DataError(ValueError):
    """Bytes that do not decode; the message says why (the caller says where)."""


def loads_json(raw: bytes | bytearray | str) -> Any:
    """json.loads, with every failure (syntax, encoding, nesting depth) a DataError."""
    import json

    try:
        return json.loads(raw)
    except RecursionError:
        raise DataError(_("not valid JSON (nested too deeply)")) from None
    except UnicodeDecodeError as err:
        raise DataError(_("not valid UTF-8 (byte {start})").format(start=err.start)) from None
    except ValueError as err:  # JSONDecodeError, and integers with too many digits
        raise DataError(_("not valid JSON ({err})").format(err=err)) from None


def loads_toml(text: str) -> dict[str, Any]:
    """tomllib.loads, with every failure (syntax, nesting depth) a DataError.

    The syntax message ends with "(at line L, column C)", as tomllib writes it."""
    from packages.portable import tomllib

    try:
        return tomllib.loads(text)
    except RecursionError:
        raise DataError(_("invalid TOML (nested too deeply)")) from None
    except ValueError as err:  # TOMLDecodeError
        raise DataError(_("invalid TOML: {err}").format(err=err)) from None


def decode_utf8(raw: bytes) -> str:
    """UTF-8 text, or a DataError naming the line of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(_("line {line}: not valid UTF-8").format(line=line)) from None


# --------------------------------------------------------------------------- opening


def check_opened(fd: int, path: Path | str, *, own: bool = True) -> os.stat_result:
    """What an open descriptor is must be what we meant to open: a regular file, and
    (`own`) one of this user's. Returns its stat; MoocError naming `path` otherwise."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise MoocError(_("{path}: not a regular file; mooc reads only plain files here").format(path=path))
    if own and not owned_by_us(st):
        raise MoocError(
            _(
                "{path}: owned by another user (uid {st_uid}); mooc reads only its own files here (fix the owner or remove the file)"
            ).format(path=path, st_uid=st.st_uid)
        )
    return st


def owned_by_us(st: os.stat_result) -> bool:
    """True when this user owns the file (always on systems without user ids)."""
    from packages.portable import my_uid

    uid = my_uid()
    return uid is None or st.st_uid == uid


def link_error(path: Path | str) -> MoocError:
    return MoocError(
        _(
            "{path}: is a symbolic link; mooc does not follow links in its data folder (replace the link with the file itself)"
        ).format(path=path)
    )


def open_file(path: Path | str, flags: int = os.O_RDONLY, mode: int = 0o600, *, own: bool = True) -> int:
    """os.open that refuses links (O_NOFOLLOW, where the OS has it) and anything but a
    regular file of ours. FileNotFoundError passes through (callers decide what a
    missing file means); every other problem is a MoocError naming the file."""
    if not _NOFOLLOW and os.path.islink(path):  # Windows: no O_NOFOLLOW, check first
        raise link_error(path)
    nonblock = getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(
            path, flags | _NOFOLLOW | nonblock | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0), mode
        )
    except FileNotFoundError:
        raise
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(path):
            raise link_error(path) from None
        raise MoocError(_("{path}: cannot open: {strerror}").format(path=path, strerror=err.strerror)) from None
    try:
        check_opened(fd, path, own=own)
        if nonblock:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_fd(fd: int, path: Path | str, limit: int, *, start: int = 0) -> bytes:
    """The bytes of an open regular file from `start`, at most `limit` of them; a longer
    file is refused before anything is read (MoocError naming it)."""
    size = os.fstat(fd).st_size
    if size - start > limit:
        raise MoocError(
            _("{path}: too large ({size} bytes; at most {limit} are read): not a file mooc wrote; move it away").format(
                path=path, size=size, limit=limit
            )
        )
    chunks: list[bytes] = []
    got = 0
    os.lseek(fd, start, os.SEEK_SET)  # (not pread: Windows has none; appends ignore the offset)
    while True:
        chunk = os.read(fd, min(1 * MIB, limit + 1 - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        if got > limit:  # it grew while we read
            raise MoocError(
                _(
                    "{path}: too large (more than {limit} bytes are not read): not a file mooc wrote; move it away"
                ).format(path=path, limit=limit)
            )
    return b"".join(chunks)


def read_bytes(path: Path | str, limit: int = MAX_SETTINGS_BYTES, *, own: bool = True) -> bytes | None:
    """The whole file (None when it does not exist), bounded and link-safe."""
    try:
        fd = open_file(path, own=own)
    except FileNotFoundError:
        return None
    try:
        return read_fd(fd, path, limit)
    except OSError as err:
        raise MoocError(_("{path}: cannot read: {strerror}").format(path=path, strerror=err.strerror)) from None
    finally:
        os.close(fd)


def load_json(path: Path | str, limit: int = MAX_SETTINGS_BYTES, *, own: bool = True) -> Any:
    """A JSON file (None when it does not exist); any damage is one MoocError naming it."""
    raw = read_bytes(path, limit, own=own)
    if raw is None:
        return None
    try:
        return loads_json(decode_utf8(raw))
    except DataError as err:
        raise MoocError(_("{path}: {err}").format(path=path, err=err)) from None


def load_toml(path: Path | str, limit: int = MAX_SETTINGS_BYTES, *, own: bool = True) -> dict[str, Any]:
    """A TOML file ({} when it does not exist); any damage is one MoocError naming it."""
    raw = read_bytes(path, limit, own=own)
    if raw is None:
        return {}
    try:
        return loads_toml(decode_utf8(raw))
    except DataError as err:
        raise MoocError(_("{path}: {err}").format(path=path, err=err)) from None


def no_links_below(base: Path, path: Path) -> None:
    """Refuse when a folder between `base` (trusted as given) and `path` is a symbolic
    link: what mooc writes under its data folder must stay in it."""
    try:
        rel = Path(path).relative_to(base)
    except ValueError:
        return
    current = Path(base)
    for part in rel.parts[:-1]:
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return
        except OSError:
            return
        if stat.S_ISLNK(st.st_mode):
            raise link_error(current)
