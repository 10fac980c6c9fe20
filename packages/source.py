"""Read-only access to a pack's files, from a source folder or a built `.mooc` ZIP.

A built pack is untrusted input: before any byte is read, `ZipSource` checks every
entry (path rules, no symlinks or other special entries, no duplicates, zip-bomb
limits) and refuses the whole archive on the first bad one, naming archive and entry.
Reads stream and stop as soon as an entry yields more bytes than it declared, and
every file listed in the built manifest is checked against its size and SHA-256.
"""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from packages.errors import MoocError
from packages.i18n import _
from packages.pack_paths import MANIFEST_NAME, path_problem

if TYPE_CHECKING:
    import zipfile

    from packages.manifest import Manifest  # loaded where a manifest is read: not to play an installed course
    from packages.pack_limits import Limits  # archives only: not imported to play an installed course

PACK_SUFFIX = ".mooc"
_CHUNK = 1 << 20

# zipfile and hashlib are imported where they are used: `mooc play` reads an unpacked,
# verified tree and needs neither at start.


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


class PackSource:
    """A pack's files by relative POSIX path. `origin` names the pack in messages."""

    origin: str
    manifest: Manifest | None = None
    # The installed tree whose derived files (packages/tree_cache.py: the parsed course, the
    # search index) may be kept and read; None for a pack being authored or a bundled course.
    cache_tree: Path | None = None
    # (path, message) for entries the listing refused (e.g. a symlink leaving the pack)
    listing_problems: list[tuple[str, str]]

    def files(self) -> list[str]:
        raise NotImplementedError

    def exists(self, rel: str) -> bool:
        raise NotImplementedError

    def size(self, rel: str) -> int:
        raise NotImplementedError

    def read_bytes(self, rel: str) -> bytes:
        raise NotImplementedError

    def iter_chunks(self, rel: str) -> Iterator[bytes]:
        yield self.read_bytes(rel)

    # Files `validation.manifest_problems` read and found as the manifest says, until
    # read_bytes asks for them: checking a built pack reads and hashes each file once.
    _checked: dict[str, bytes] | None = None

    def keep_checked(self, rel: str, data: bytes) -> None:
        """DATA is REL's content, just verified against the manifest: read_bytes gives it."""
        if self._checked is None:
            self._checked = {}
        self._checked[rel] = data

    def _take_checked(self, rel: str) -> bytes | None:
        return self._checked.pop(rel, None) if self._checked else None

    def read_text(self, rel: str) -> str:
        """UTF-8 text; invalid UTF-8 is an error naming the file and byte offset."""
        raw = self.read_bytes(rel)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise MoocError(
                _("{origin}: {rel}: invalid UTF-8 at byte {start}").format(origin=self.origin, rel=rel, start=err.start)
            ) from None
        return text[1:] if text.startswith("\ufeff") else text

    def close(self) -> None:
        pass

    def __enter__(self) -> PackSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self, rel: str) -> None:
        problem = path_problem(rel)
        if problem:
            raise MoocError(_("{origin}: {rel!r}: {problem}").format(origin=self.origin, rel=rel, problem=problem))

    def _verify(self, rel: str, size: int, digest: str) -> None:
        entry = self.manifest.files.get(rel) if self.manifest else None
        if entry is None:
            return
        if entry.size != size:
            raise MoocError(
                _("{origin}: {rel}: size {size} does not match the manifest ({size2})").format(
                    origin=self.origin, rel=rel, size=size, size2=entry.size
                )
            )
        if entry.sha256 != digest:
            raise MoocError(
                _("{origin}: {rel}: SHA-256 does not match the manifest (file corrupt or altered)").format(
                    origin=self.origin, rel=rel
                )
            )


class DirSource(PackSource):
    """A pack source folder (or an installed pack). Dot-files and `.mooc` files are not pack files."""

    def __init__(self, root: Path, *, keep_reads: bool = False) -> None:
        self.root = root
        self.origin = self._root_str = str(root)
        self._real_root = os.path.realpath(root)
        self._files: list[str] | None = None
        self._set: frozenset[str] | None = None
        self._listing_problems: list[tuple[str, str]] = []
        self._manifest: Manifest | None | bool = False  # False: not read yet
        # keep_reads: what read_bytes gave, until take_read (a build packs the bytes it validated)
        self._kept: dict[str, bytes] | None = {} if keep_reads else None

    @property
    def manifest(self) -> Manifest | None:
        """Read on first use: playing an installed pack never needs its 2,500-entry manifest."""
        if self._manifest is False:
            from packages.manifest import Manifest

            manifest_path = self.root / MANIFEST_NAME
            self._manifest = (
                Manifest.from_json(manifest_path.read_bytes(), self.origin) if manifest_path.is_file() else None
            )
        return self._manifest  # type: ignore[return-value]

    @manifest.setter
    def manifest(self, value: Manifest | None) -> None:
        self._manifest = value

    def files(self) -> list[str]:
        if self._files is None:
            self._files = self._walk()
        return self._files

    # Read-only here (the walk fills it), where PackSource declares a plain attribute.
    @property
    def listing_problems(self) -> list[tuple[str, str]]:  # type: ignore[override]
        self.files()
        return self._listing_problems

    def _walk(self) -> list[str]:
        """Folders top-down, each in name order, as os.walk would (a stack, not recursion:
        a folder nested a thousand deep is listed too), skipping a folder it cannot list."""
        found: list[str] = []
        stack = [(self._root_str, "")]
        while stack:
            dirpath, rel_dir = stack.pop()
            stack += reversed(self._scan(dirpath, rel_dir, found))
        found.sort()
        return found

    def _scan(self, dirpath: str, rel_dir: str, found: list[str]) -> list[tuple[str, str]]:
        """The files of one folder into FOUND; its subfolders to walk. The kind of each entry
        comes from the listing itself: no lstat and stat per file of a 2,500-file pack."""
        try:
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError:
            return []
        dirs: list[os.DirEntry[str]] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows symlinks: a link to a folder is a folder here
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry)
        subfolders = []
        for entry in sorted(dirs, key=_entry_name):
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                # Directory symlinks are not followed: it keeps the walk finite and inside the pack.
                self._listing_problems.append(
                    (rel_dir + entry.name, "symlinked folder (copy the files into the pack instead)")
                )
                continue
            subfolders.append((entry.path, rel_dir + entry.name + "/"))
        for entry in sorted(files, key=_entry_name):
            name = entry.name
            rel = rel_dir + name
            if name.startswith(".") or name.endswith(PACK_SUFFIX) or rel == MANIFEST_NAME:
                continue
            try:
                if entry.is_symlink():
                    if not self._inside(entry.path):
                        self._listing_problems.append((rel, "symlink leaving the pack"))
                        continue
                    regular = stat.S_ISREG(os.stat(entry.path).st_mode)
                else:
                    regular = entry.is_file(follow_symlinks=False)
            except OSError:
                self._listing_problems.append((rel, "broken symlink"))
                continue
            if not regular:
                self._listing_problems.append((rel, "not a regular file"))
                continue
            problem = path_problem(rel)
            if problem:
                self._listing_problems.append((rel, problem))
                continue
            found.append(rel)
        return subfolders

    def _inside(self, full: str) -> bool:
        real = os.path.realpath(full)
        return real == self._real_root or real.startswith(self._real_root.rstrip(os.sep) + os.sep)

    def _path(self, rel: str) -> str:
        if self._set is not None and rel in self._set:  # the walk already checked it (path rules, symlinks, type)
            return os.path.join(self._root_str, *rel.split("/"))
        self._check(rel)
        full = os.path.join(self._root_str, *rel.split("/"))
        if not self._inside(full):  # one realpath instead of walking a 2,500-file tree
            raise MoocError(_("{origin}: {rel}: symlink leaving the pack").format(origin=self.origin, rel=rel))
        return full

    def _file_set(self) -> frozenset[str]:
        if self._set is None:
            self._set = frozenset(self.files())
        return self._set

    def exists(self, rel: str) -> bool:
        return rel in self._file_set()

    def size(self, rel: str) -> int:
        return os.path.getsize(self._path(rel))

    def read_bytes(self, rel: str) -> bytes:
        data = self._take_checked(rel)
        if data is None:
            data = self._read_file(rel)
        if self._kept is not None:
            self._kept[rel] = data
        return data

    def _read_file(self, rel: str) -> bytes:
        full = self._path(rel)
        try:
            with open(full, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise MoocError(
                _("{origin}: {rel}: no such file in the pack").format(origin=self.origin, rel=rel)
            ) from None
        except OSError as err:
            raise MoocError(
                _("{origin}: {rel}: cannot read ({strerror})").format(
                    origin=self.origin, rel=rel, strerror=err.strerror
                )
            ) from None
        if self.manifest is not None:
            self._verify(rel, len(data), _sha256(data))
        return data

    def take_read(self, rel: str) -> bytes | None:
        """The bytes read_bytes last gave for REL (kept with keep_reads), once; else None."""
        return self._kept.pop(rel, None) if self._kept is not None else None

    def iter_chunks(self, rel: str) -> Iterator[bytes]:
        full = self._path(rel)
        with open(full, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk


class ZipSource(PackSource):
    """A built `.mooc` archive, checked entry by entry before anything is read."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = path
        self.origin = str(path)
        from packages.pack_limits import Limits

        self.limits = limits or Limits.from_env()
        self.listing_problems = []
        import zipfile

        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise MoocError(
                _("{origin}: not a readable .mooc archive ({err})").format(origin=self.origin, err=err)
            ) from None
        from packages.zip_entries import check_entries

        try:
            self._infos = check_entries(self._zip, self.origin, self.path, self.limits)
            self.manifest = None
            if MANIFEST_NAME in self._infos:
                from packages.manifest import Manifest

                self.manifest = Manifest.from_json(self._read_entry(MANIFEST_NAME), self.origin)
        except BaseException:
            self._zip.close()
            raise
        self._files = sorted(n for n in self._infos if n != MANIFEST_NAME)

    def files(self) -> list[str]:
        return self._files

    def exists(self, rel: str) -> bool:
        return rel in self._infos and rel != MANIFEST_NAME

    def size(self, rel: str) -> int:
        return self._info(rel).file_size

    def _info(self, rel: str) -> zipfile.ZipInfo:
        if rel != MANIFEST_NAME:  # read by __init__ itself; every entry was checked there
            self._check(rel)
        info = self._infos.get(rel)
        if info is None:
            raise MoocError(_("{origin}: {rel}: no such file in the pack").format(origin=self.origin, rel=rel))
        return info

    def iter_chunks(self, rel: str) -> Iterator[bytes]:
        """Stream an entry; stop at the first byte beyond its declared size."""
        import zipfile

        info = self._info(rel)
        where = f"{self.origin}: {rel}"
        got = 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > info.file_size:
                        raise MoocError(
                            _("{where}: unpacks to more than its declared {file_size} bytes").format(
                                where=where, file_size=info.file_size
                            )
                        )
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
            raise MoocError(_("{where}: damaged entry ({err})").format(where=where, err=err)) from None
        if got != info.file_size:
            raise MoocError(
                _("{where}: unpacks to {got} bytes, not its declared {file_size}").format(
                    where=where, got=got, file_size=info.file_size
                )
            )

    def _read_entry(self, rel: str) -> bytes:
        return b"".join(self.iter_chunks(rel))

    def read_bytes(self, rel: str) -> bytes:
        data = self._take_checked(rel)
        if data is not None:
            return data
        data = self._read_entry(rel)
        if self.manifest is not None:
            self._verify(rel, len(data), _sha256(data))
        return data

    def close(self) -> None:
        self._zip.close()


def open_source(path: str | os.PathLike[str], limits: Limits | None = None) -> PackSource:
    """A folder or a `.mooc` file; anything else is a one-line error."""
    p = Path(path)
    if p.is_dir():
        return DirSource(p)
    if p.is_file():
        return ZipSource(p, limits)
    if not p.exists():
        raise MoocError(_("{p}: no such file or folder").format(p=p))
    raise MoocError(_("{p}: not a pack folder or .mooc file").format(p=p))


def _sha256(data: bytes) -> str:
    from packages.manifest import sha256_hasher

    return sha256_hasher(data).hexdigest()
