"""Fetching one media file a flavoured pack left out (the TUI's `o` on a placeholder),
and finding it again (docs/catalogs-and-downloads.md, "One file on demand").

The file comes from the smallest pack of the catalog that holds it (novideo for an
image, full for a video): its ZIP directory is read with ranged GETs (a few kB), then
one ranged GET brings that entry's local header and data; a `file:` catalog (a USB
stick) is read in place. The bytes are checked against the SHA-256 and size the
installed manifest's `omitted` list records: a catalog or server cannot slip in other
content.

Where it goes: ``HOME/fetched/<course-id>/<version>/<path in the pack>``, never into
the installed tree. The installed pack stays exactly its flavour (its manifest, `mooc
pack check` and the rebuilt archive a delta and `mooc serve` use are unchanged), and the
extra files are this learner's cache: `find_fetched` checks size and SHA-256 against the
omitted entry every time before the player opens one, `prune_fetched` drops them when
another version or flavour is installed, or the course is removed.

The span is written to ``<file>.part`` with a sidecar naming the pack (url, size,
sha256, the server's validator, the span): a cut fetch resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.i18n import _

if TYPE_CHECKING:
    from packages.catalog import FlavourPack
    from packages.layout import Layout
    from packages.manifest import ManifestEntry

_LFH = b"PK\x03\x04"


@dataclass(frozen=True)
class FetchedItem:
    path: Path  # where the file is now
    size: int
    bytes_fetched: int  # over the network, directory reads included
    pack_url: str
    resumed_from: int = 0


def omitted_entry(tree: Path, path: str) -> ManifestEntry | None:
    """The installed manifest's `omitted` entry for PATH (None: the pack holds it, or it is not a file of the course)."""
    from packages.flavour_choice import installed_manifest

    manifest = installed_manifest(Path(tree))
    return None if manifest is None else manifest.omitted.get(path)


def fetched_file(layout: Layout, course_id: str, version: str, path: str) -> Path:
    """Where the fetched copy of PATH lives (whether or not it is there)."""
    from packages.pack_paths import path_problem

    problem = path_problem(path)
    if problem:
        raise MoocError(_("{path}: {problem}").format(path=path, problem=problem))
    return layout.fetched_dir / course_id / _safe(version) / Path(*path.split("/"))


def find_fetched(layout: Layout, course_id: str, version: str, entry: ManifestEntry) -> Path | None:
    """The fetched copy of ENTRY, if it is there and still its size and SHA-256."""
    from packages.part_file import sha256_file

    target = fetched_file(layout, course_id, version, entry.path)
    try:
        if target.is_symlink() or not target.is_file() or target.stat().st_size != entry.size:
            return None
        return target if sha256_file(target) == entry.sha256 else None
    except OSError:
        return None


def fetch_item(
    layout: Layout, course_id: str, version: str, tree: Path, path: str, *, limits: Any = None
) -> FetchedItem:
    """Fetch the one file PATH the installed flavour (in TREE) left out; verified, stored
    where `find_fetched` finds it. One MoocError line for anything that goes wrong."""
    entry = omitted_entry(tree, path)
    if entry is None:
        raise MoocError(
            _("{course_id}: {path} is not a file this flavour left out; nothing to fetch").format(
                course_id=course_id, path=path
            )
        )
    done = find_fetched(layout, course_id, version, entry)
    if done is not None:
        return FetchedItem(path=done, size=entry.size, bytes_fetched=0, pack_url="")
    _catalog, pack = pack_holding(layout, course_id, version, path)
    target = fetched_file(layout, course_id, version, path)
    from packages.layout import make_dirs

    make_dirs(target.parent)
    if pack.url.startswith("file:"):
        return _from_local(pack, entry, target)
    return _from_server(pack, entry, target, limits)


def prune_fetched(layout: Layout, course_id: str, copies: list[Any]) -> None:
    """Drop COURSE_ID's fetched files nothing plays any more: those of versions none of
    its installed COPIES is, and those the flavour of that copy now holds itself. Never
    fails (a file that cannot go is left for the next time)."""
    from packages.flavours import keeps

    base = layout.fetched_dir / course_id
    if not base.is_dir() or base.is_symlink():
        return
    flavours = {_safe(c.version): c.flavour for c in copies if c.origin != "bundled"}
    for folder in list(base.iterdir()):
        flavour = flavours.get(folder.name)
        if flavour is None:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        for root, _dirs, files in os.walk(folder):
            for name in files:
                rel = Path(root, name).relative_to(folder).as_posix()
                if keeps(flavour, rel.removesuffix(".part.json").removesuffix(".part")):
                    Path(root, name).unlink(missing_ok=True)
    for root, dirs, _files in os.walk(base, topdown=False):
        for name in dirs:
            try:
                Path(root, name).rmdir()
            except OSError:
                pass
    try:
        base.rmdir()
    except OSError:
        pass


# --------------------------------------------------------------------------- where from


def pack_holding(layout: Layout, course_id: str, version: str, path: str) -> tuple[str, FlavourPack]:
    """(the catalog's name, the smallest pack of this version that holds PATH), from the
    added catalogs; a MoocError saying why there is none."""
    from packages.catalog_registry import Catalogs
    from packages.flavours import keeps

    entry = Catalogs(layout).resolve(course_id, version)
    if entry is None:
        raise MoocError(
            _(
                "{course_id} {version}: no catalog lists this version; add the one it comes from (`mooc catalog add URL`) to fetch its media"
            ).format(course_id=course_id, version=version)
        )
    for flavour in entry.offered:
        if keeps(flavour, path):
            return entry.catalog, entry.flavours[flavour]
    raise MoocError(
        _("{course_id} {version} (catalog {catalog}): no pack it offers holds {path} (it offers {offered})").format(
            course_id=course_id, version=version, catalog=entry.catalog, path=path, offered=", ".join(entry.offered)
        )
    )


def _from_local(pack: FlavourPack, entry: ManifestEntry, target: Path) -> FetchedItem:
    import zipfile
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    archive = Path(url2pathname(unquote(urlsplit(pack.url).path)))
    try:
        with zipfile.ZipFile(archive) as zf, zf.open(entry.path) as src:
            _store(src.read, entry, target, where=str(archive))
    except KeyError:
        raise MoocError(_("{archive}: {path} is not in it").format(archive=archive, path=entry.path)) from None
    except (OSError, zipfile.BadZipFile) as err:
        raise MoocError(
            _("{archive}: cannot read {path} ({err})").format(archive=archive, path=entry.path, err=err)
        ) from None
    return FetchedItem(path=target, size=entry.size, bytes_fetched=0, pack_url=pack.url)


def _from_server(pack: FlavourPack, entry: ManifestEntry, target: Path, limits: Any) -> FetchedItem:
    from packages.delta import _fetch_directory
    from packages.delta_result import DeltaResult, DeltaUnavailable
    from packages.netguard import Guard, NetLimits, TooSlow
    from packages.range_fetch import _Fetcher
    from packages.zip_directory import parse_central_directory, spans

    limits = limits or NetLimits.from_env()
    result = DeltaResult(method="item")
    part, sidecar = target.with_name(target.name + ".part"), target.with_name(target.name + ".part.json")
    guard = Guard(pack.url, limits, deadline=limits.pack_deadline(entry.size), why="MOOC_DEADLINE")
    try:
        with guard:
            fetcher = _Fetcher(pack.url, pack.size, result, guard, limits, quiet=True, kept=lambda: _kept(part))
            try:
                tail_start, known, cd_offset, cd_size, count = _fetch_directory(fetcher)
                directory = parse_central_directory(
                    known[cd_offset - tail_start : cd_offset - tail_start + cd_size], count
                )
                found = next((e for e in directory if e.name == entry.path), None)
                if found is None:
                    raise MoocError(_("{url}: {path} is not in this pack").format(url=pack.url, path=entry.path))
                if found.usize != entry.size or found.csize > entry.size + entry.size // 100 + 1024:
                    raise MoocError(
                        _("{url}: {path}: the pack's directory disagrees with the manifest").format(
                            url=pack.url, path=entry.path
                        )
                    )
                start, end = spans(directory, cd_offset)[entry.path]
                if end - start > found.csize + 30 + 2 * 65535 + 16:
                    raise MoocError(
                        _("{url}: {path}: its span in the pack is too long").format(url=pack.url, path=entry.path)
                    )
                identity = {
                    "url": pack.url,
                    "sha256": pack.sha256,
                    "validator": fetcher.validator,
                    "span": [start, end],
                }
                have = _resume(part, sidecar, identity)
                resumed = have
                with open(part, "ab") as out:
                    if start + have < end:
                        fetcher.get(start + have, end - 1, out.write)
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                fetcher.close()
    except (DeltaUnavailable, ValueError, struct.error, zlib.error) as err:
        raise MoocError(
            _("{url}: cannot fetch {path} by range ({err})").format(url=pack.url, path=entry.path, err=err)
        ) from None
    except TooSlow as err:
        raise MoocError(str(err) + _kept(part)) from None
    with open(part, "rb") as fh:
        _store(_entry_reader(fh, found.method, entry.path), entry, target, where=pack.url)
    part.unlink(missing_ok=True)
    sidecar.unlink(missing_ok=True)
    return FetchedItem(
        path=target, size=entry.size, bytes_fetched=result.bytes_fetched, pack_url=pack.url, resumed_from=resumed
    )


def _resume(part: Path, sidecar: Path, identity: dict[str, Any]) -> int:
    """Bytes of the span already in PART from an earlier run of the same fetch; else start over."""
    from packages.datafile import load_json
    from packages.fsutil import write_atomic

    try:
        same = load_json(sidecar) == identity
    except MoocError:
        same = False
    if not same or not part.is_file():
        part.unlink(missing_ok=True)
        write_atomic(sidecar, json.dumps(identity).encode())
        return 0
    return part.stat().st_size


def _kept(part: Path) -> str:
    size = part.stat().st_size if part.is_file() else 0
    return _("; {size} bytes kept in {part}: try again to resume").format(size=size, part=part) if size else ""


# --------------------------------------------------------------------------- the bytes


def _entry_reader(fh: Any, method: int, name: str) -> Any:
    """A read(n) over the entry's data in a span file (local header skipped, inflated)."""
    head = fh.read(30)
    if len(head) < 30 or head[:4] != _LFH:
        raise MoocError(_("{name}: not a zip entry where the directory says").format(name=name))
    nlen, elen = struct.unpack("<HH", head[26:30])
    fh.seek(30 + nlen + elen)
    if method == 0:
        return fh.read
    if method != 8:
        raise MoocError(
            _("{name}: compression method {method} is not one a pack uses").format(name=name, method=method)
        )
    inflate = zlib.decompressobj(-15)

    def read(n: int) -> bytes:
        while True:
            if inflate.unconsumed_tail:
                return inflate.decompress(inflate.unconsumed_tail, n)
            raw = fh.read(1 << 20)
            if not raw:
                return inflate.flush()
            out = inflate.decompress(raw, n)
            if out:
                return out

    return read


def _store(read: Any, entry: ManifestEntry, target: Path, *, where: str) -> None:
    """Write what READ gives into TARGET atomically, if it is exactly ENTRY's size and SHA-256."""
    import hashlib
    import tempfile

    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := read(1 << 20):
                size += len(chunk)
                if size > entry.size:
                    raise MoocError(
                        _("{where}: {path}: more than the {size} bytes the manifest records").format(
                            where=where, path=entry.path, size=entry.size
                        )
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != entry.size or digest.hexdigest() != entry.sha256:
            raise MoocError(
                _("{where}: {path}: not the file the manifest records (size or SHA-256 differ)").format(
                    where=where, path=entry.path
                )
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _safe(version: str) -> str:
    import re

    return re.sub(r"[^0-9A-Za-z.+-]", "_", version)[:64] or "v"
