"""Write an imported course as a pack source folder, all at once or not at all.

The importers build a `PackDraft` in memory (manifest tables, lesson Markdown,
quiz tables, media bytes); `write_pack` writes it into a fresh temporary folder
next to the target and renames it into place, so an interrupted import never
leaves a half-written pack. Also: ids that satisfy the pack format's id rule.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.fsutil import fsync_dir as _fsync_dir
from packages.fsutil import write_atomic
from packages.i18n import _


def slugify(text: str, fallback: str = "item", max_len: int = 48) -> str:
    """A pack id from any text: lower-case ASCII letters, digits and dashes."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:max_len].strip("-")
    return slug or fallback


class IdAllocator:
    """Hands out ids unique within one pack (or quiz): `intro`, `intro-2`, ..."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self._next: dict[str, int] = {}  # base -> the next suffix to try: n equal names cost O(n), not O(n²)

    def new(self, text: str, fallback: str = "item", max_len: int = 56) -> str:
        return self.unique(slugify(text, fallback, max_len))

    def unique(self, base: str) -> str:
        """`base`, or `base-N` with the smallest N not used yet (counting on from the last one)."""
        candidate, n = base, self._next.get(base, 1)
        if n > 1:
            candidate = f"{base}-{n}"
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self._next[base] = n
        self.used.add(candidate)
        return candidate


def media_name(name: str) -> str:
    """A safe file name for media/: no spaces, no odd characters, keeps the extension."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "file"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:10]
    return f"{stem[:80]}.{ext}" if ext else stem[:80]


@dataclass
class PackDraft:
    """Everything an import produces, before it touches the disk."""

    manifest: dict[str, Any]  # course.toml tables, `modules` included
    files: dict[str, bytes] = field(default_factory=dict)  # pack-relative path -> content
    media_sources: dict[str, Path] = field(default_factory=dict)  # media path -> file to copy

    def add_text(self, path: str, text: str) -> None:
        self.files[path] = text.encode("utf-8")

    def add_toml(self, path: str, data: dict[str, Any]) -> None:
        self.add_text(path, dumps_toml(data))


def dumps_toml(data: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(_drop_none(data), multiline_strings=True)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) for v in value if v is not None]
    return value


def write_pack(draft: PackDraft, target: Path, *, force: bool = False) -> None:
    """Write the draft as folder `target`: built aside, then renamed into place.

    On any failure (a full disk, an interrupt) the half-built folder is removed and an
    existing `target` is left as it was; an OSError becomes one MoocError.
    """
    target = target.absolute()
    if target.exists() and not target.is_dir():
        raise MoocError(_("{target}: exists and is not a folder").format(target=target))
    if target.is_dir() and any(target.iterdir()) and not force:
        raise MoocError(
            _("{target}: folder exists and is not empty (choose another -o, or --force to replace it)").format(
                target=target
            )
        )
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.import-", dir=target.parent))
        _write_new(tmp / "course.toml", dumps_toml(draft.manifest).encode("utf-8"))
        for rel, data in sorted(draft.files.items()):
            _write_new(tmp / rel, data)
        for rel, src in sorted(draft.media_sources.items()):
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(src, "rb") as fin, open(dest, "wb") as fout:
                shutil.copyfileobj(fin, fout)
                fout.flush()
                os.fsync(fout.fileno())
        _fsync_dir(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            try:
                os.replace(tmp, target)
            except BaseException:
                os.replace(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
        tmp = None
        _fsync_dir(target.parent)
    except OSError as err:
        raise MoocError(
            _("{target}: cannot write the pack ({strerror}); nothing was changed").format(
                target=target, strerror=err.strerror or err
            )
        ) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _write_new(path: Path, data: bytes) -> None:
    """A new file inside the folder being built (atomicity comes from renaming the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_file(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once (packages.fsutil); an OSError becomes one MoocError."""
    try:
        write_atomic(path, data)
    except OSError as err:
        raise MoocError(
            _("{path}: cannot write ({strerror}); it was left as it was").format(
                path=path, strerror=err.strerror or err
            )
        ) from None


def replace_together(files: list[tuple[Path, bytes]]) -> None:
    """Replace several files so that a failure while writing leaves every one of them as it was.

    Each new content is first written whole beside its file (fsutil.write_atomic, under a
    hidden `.staged` name): a full disk fails there and the staged copies are removed.
    Only then are they renamed over the originals, which needs no space.
    """
    staged: list[tuple[Path, Path]] = []
    current = files[0][0]
    try:
        for current, data in files:
            tmp = current.with_name(f".{current.name}.staged-{os.getpid()}")
            staged.append((tmp, current))
            write_atomic(tmp, data)
    except OSError as err:
        _remove(tmp for tmp, _path in staged)
        raise MoocError(
            _("{current}: cannot write ({strerror}); nothing was changed").format(
                current=current, strerror=err.strerror or err
            )
        ) from None
    except BaseException:
        _remove(tmp for tmp, _path in staged)
        raise
    try:
        for tmp, current in staged:
            os.replace(tmp, current)
    except OSError as err:  # a rename failed after all the writes succeeded: rare, and said plainly
        _remove(tmp for tmp, _path in staged)
        raise MoocError(
            _("{current}: cannot replace ({strerror}); files before it in {items} were replaced").format(
                current=current, strerror=err.strerror or err, items=", ".join(p.name for _tmp, p in staged)
            )
        ) from None
    for parent in {path.parent for _tmp, path in staged}:
        _fsync_dir(parent)


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()
