"""A flavour move up with next to nothing on the wire but the missing files: the bigger
flavour's archive is predicted from the installed one (docs/catalogs-and-downloads.md,
"Flavours").

The publisher's build is reproducible (docs/format.md section 6) and the two flavours of
one version differ only by the media the smaller leaves out, so almost all of the bigger
pack is known here before a byte is fetched:

- its files are the installed manifest's plus the omitted ones the target keeps, sorted by
  path, the manifest last; every kept entry (local header + data) is the installed
  archive's, rebuilt byte for byte (packages/pack_cache.py);
- its manifest is computed from the installed one and compressed as the builder does;
- its central directory is a record per entry of fixed fields plus the name: the size of
  the directory and so where it starts (the catalog's size minus it and the end record)
  are known, and so is where each missing entry's record sits.

What is not known is how each missing file was written (stored or deflated: its CRC and
compressed size). One ranged GET of the missing entries' directory records says it; then
every offset is known, and each run of missing entries (local headers + data) is one
ranged GET. The archive is assembled by the delta's writer (packages/delta.py: resumable
`.delta.part`, bounded and exact range answers) and must match the catalog's size and
SHA-256. The installed archive is checked against this model first (every directory
record rebuilt from its local header, the manifest's compression redone); anything that
does not hold — a layout this model does not know (zip64, a comment, data descriptors), a
directory record of the server that is not the one predicted, sizes that do not add up —
is DeltaUnavailable, and the generic delta follows (which falls back to a full download).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from packages.delta_result import DeltaResult, DeltaUnavailable
from packages.i18n import _
from packages.zip_directory import CDH_SIG, EOCD_SIG, LFH_SIG, MAX_IN_MEMORY

if TYPE_CHECKING:
    from packages.delta import Piece, Prepare
    from packages.range_fetch import _Fetcher

MANIFEST_NAME = "mooc-manifest.json"  # = packages.manifest.MANIFEST_NAME
LFH_LEN, CDH_LEN, EOCD_LEN = 30, 46, 22
_LIMIT32 = 0xFFFFFFFF  # past this, zip64 fields: not predicted
DEFLATE_LEVEL = 6  # = packages.building.DEFLATE_LEVEL; checked on the installed manifest


@dataclass(frozen=True)
class _Entry:
    """One entry of the installed (rebuilt) archive."""

    name: bytes
    offset: int
    header: bytes  # the local header, name included
    csize: int


@dataclass(frozen=True)
class _OldArchive:
    entries: list[_Entry]  # file order, the manifest last
    made_by: bytes  # the directory records' "version made by"
    attrs: bytes  # comment length, disk, internal and external attributes: the same for every record
    manifest_data: bytes  # the manifest entry's compressed bytes


def predictor(old_archive: Path, installed_manifest: bytes, target: str) -> Prepare:
    """The delta's plan for moving the installed flavour (its rebuilt OLD_ARCHIVE and its
    manifest's bytes) up to TARGET of the same version: for packages.delta.delta_download."""

    def prepare(fetcher: _Fetcher, result: DeltaResult) -> tuple[list[tuple[int, bytes]], int, list[Piece]]:
        return _predict(fetcher, result, old_archive, installed_manifest, target)

    return prepare


def cd_record(made_by: bytes, header: bytes, attrs: bytes, offset: int) -> bytes:
    """The directory record the builder writes for an entry: its local header's fields and name."""
    return CDH_SIG + made_by + header[4:30] + attrs + struct.pack("<I", offset) + header[30:]


def end_record(count: int, cd_size: int, cd_offset: int) -> bytes:
    return struct.pack("<4sHHHHIIH", EOCD_SIG, 0, 0, count, count, cd_size, cd_offset, 0)


def deflate(data: bytes) -> bytes:
    """Raw deflate at the builder's level (checked against the installed manifest's entry)."""
    packer = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def read_old_archive(path: Path) -> _OldArchive:
    """The installed archive, checked to be what this model predicts: no comment, no zip64,
    no data descriptors or extra fields, entries back to back in name order and the
    manifest last, every directory record its local header's fields plus constants."""
    try:
        with open(path, "rb") as fh:
            return _read_old(fh)
    except OSError as err:
        raise DeltaUnavailable(
            _("the installed version's archive cannot be read ({strerror})").format(strerror=err.strerror)
        ) from None


def _read_old(fh: BinaryIO) -> _OldArchive:
    size = fh.seek(0, 2)
    fh.seek(max(0, size - EOCD_LEN))
    tail = fh.read(EOCD_LEN)
    count, cd_size, cd_offset = struct.unpack("<HII", tail[-12:-2]) if len(tail) == EOCD_LEN else (0, 0, -1)
    if tail != end_record(count, cd_size, cd_offset) or cd_offset + cd_size != size - EOCD_LEN:
        raise DeltaUnavailable(_("the installed archive's end record is not the builder's"))
    if cd_size > MAX_IN_MEMORY:
        raise DeltaUnavailable(_("the installed archive's directory is too large"))
    fh.seek(cd_offset)
    cd = fh.read(cd_size)
    made_by, attrs = cd[4:6], cd[32:42]
    entries: list[_Entry] = []
    pos = at = 0
    fh.seek(0)
    for _round in range(count):
        header = fh.read(LFH_LEN)
        if header[:4] != LFH_SIG or len(header) < LFH_LEN:
            raise DeltaUnavailable(_("the installed archive's entries are not back to back"))
        flags, csize, nlen, elen = struct.unpack("<2xH10xI4xHH", header[4:30])
        header += fh.read(nlen)
        if elen or flags & 0x8 or csize >= _LIMIT32:
            raise DeltaUnavailable(_("the installed archive has fields this prediction does not know"))
        record = cd_record(made_by, header, attrs, at)
        if cd[pos : pos + len(record)] != record:
            raise DeltaUnavailable(_("the installed archive's directory is not its local headers"))
        entries.append(_Entry(header[30:], at, header, csize))
        pos += len(record)
        at += LFH_LEN + nlen + csize
        fh.seek(at)
    names = [e.name for e in entries]
    if at != cd_offset or pos != cd_size or names[-1:] != [MANIFEST_NAME.encode()] or names[:-1] != sorted(names[:-1]):
        raise DeltaUnavailable(_("the installed archive's entries are not in the builder's order"))
    if entries[-1].csize > MAX_IN_MEMORY:
        raise DeltaUnavailable(_("the installed manifest is too large"))
    fh.seek(entries[-1].offset + len(entries[-1].header))
    return _OldArchive(entries, made_by, attrs, fh.read(entries[-1].csize))


def target_manifest(installed: bytes, target: str) -> tuple[bytes, dict[str, tuple[int, str]]]:
    """TARGET's manifest (its JSON) and the files it adds to the installed flavour: {path: (size, sha256)}."""
    from packages.errors import MoocError
    from packages.flavours import FULL, keeps
    from packages.manifest import Manifest

    try:
        old = Manifest.from_json(installed, "installed")
    except MoocError as err:
        raise DeltaUnavailable(str(err)) from None
    adds = {p: e for p, e in old.omitted.items() if keeps(target, p)}
    rest = {} if target == FULL else {p: e for p, e in old.omitted.items() if p not in adds}
    new = Manifest(
        old.course_id,
        old.version,
        old.title,
        files={**old.files, **adds},
        format=old.format,
        flavour=target,
        omitted=rest,
    )
    return new.to_json(), {p: (e.size, e.sha256) for p, e in adds.items()}


def _predict(
    fetcher: _Fetcher, result: DeltaResult, old_archive: Path, installed: bytes, target: str
) -> tuple[list[tuple[int, bytes]], int, list[Piece]]:
    from packages.delta import MAX_RANGE_REQUESTS

    old = read_old_archive(old_archive)
    if deflate(installed) != old.manifest_data:
        raise DeltaUnavailable(_("the installed manifest is not the rebuilt archive's, compressed as predicted"))
    new_json, adds = target_manifest(installed, target)
    kept = {e.name.decode("utf-8"): e for e in old.entries[:-1]}
    names = sorted([*kept, *adds])
    if len(names) != len(kept) + len(adds):
        raise DeltaUnavailable(_("a missing file is in the installed archive"))
    size = fetcher.size
    cd_size = sum(CDH_LEN + len(n.encode("utf-8")) for n in [*names, MANIFEST_NAME])
    cd_offset = size - EOCD_LEN - cd_size
    if len(names) + 1 >= 0xFFFF or size >= _LIMIT32 or cd_offset <= 0 or cd_size > MAX_IN_MEMORY:
        raise DeltaUnavailable(_("the target archive is not one this prediction knows (zip64, or too small)"))
    first, snippet, records = _missing_records(fetcher, names, adds, cd_offset, old)
    plan: list[Piece] = []
    cd = bytearray()
    at = 0  # every offset, now that each missing entry's compressed size is known
    for name in names:
        if name in kept:
            header, csize = kept[name].header, kept[name].csize
            plan.append(("old", kept[name].offset, len(header) + csize))
            result.entries_reused += 1
            result.bytes_reused += len(header) + csize
        else:
            record = records[name]
            header, csize = LFH_SIG + record[6:32] + record[46:], struct.unpack("<I", record[20:24])[0]
            if plan and plan[-1][0] == "net" and plan[-1][1] + plan[-1][2] == at:
                plan[-1] = ("net", plan[-1][1], plan[-1][2] + len(header) + csize)  # a run: one request
            else:
                plan.append(("net", at, len(header) + csize))
        cd += cd_record(old.made_by, header, old.attrs, at)
        at += len(header) + csize
    manifest = _manifest_entry(old, new_json)
    cd += cd_record(old.made_by, manifest[: LFH_LEN + len(MANIFEST_NAME)], old.attrs, at)
    if at + len(manifest) != cd_offset or len(cd) != cd_size:
        predicted = at + len(manifest) + len(cd) + EOCD_LEN
        raise DeltaUnavailable(
            _("the catalog's size ({size}) is not the predicted archive's ({predicted})").format(
                size=size, predicted=predicted
            )
        )
    if snippet and cd[first - cd_offset : first - cd_offset + len(snippet)] != snippet:
        raise DeltaUnavailable(_("the server's directory is not the one predicted"))
    result.entries_total = len(names) + 1
    plan.append(("net", at, len(manifest)))  # held in memory, with the directory and end record
    cached = [(at, manifest + bytes(cd) + end_record(len(names) + 1, cd_size, cd_offset))]
    if sum(1 for kind, _s, _n in plan if kind == "net") > MAX_RANGE_REQUESTS:
        raise DeltaUnavailable(
            _("more than {max_range_requests} runs of missing files").format(max_range_requests=MAX_RANGE_REQUESTS)
        )
    result.plan_bytes = result.bytes_fetched + sum(n for kind, s, n in plan[:-1] if kind == "net")
    return cached, cd_offset, plan


def _missing_records(
    fetcher: _Fetcher, names: list[str], adds: dict[str, tuple[int, str]], cd_offset: int, old: _OldArchive
) -> tuple[int, bytes, dict[str, bytes]]:
    """The server's directory records of the missing entries, by one ranged GET from the first
    to the last (where the predicted directory puts them), each checked to be a record the
    builder writes for that file: (where the bytes start, the bytes, {name: its record})."""
    where: dict[str, tuple[int, int]] = {}
    pos = cd_offset
    for name in names:
        length = CDH_LEN + len(name.encode("utf-8"))
        if name in adds:
            where[name] = (pos, length)
        pos += length
    if not where:
        return cd_offset, b"", {}
    first = min(at for at, _n in where.values())
    end = max(at + n for at, n in where.values())
    buf = bytearray()
    fetcher.get(first, end - 1, buf.extend)
    records: dict[str, bytes] = {}
    for name, (at, length) in where.items():
        record = bytes(buf[at - first : at - first + length])
        flags, method, _t, _d, _crc, csize, usize, nlen, elen = struct.unpack("<HHHHIIIHH", record[8:32])
        if (
            record[:4] != CDH_SIG
            or record[4:6] != old.made_by
            or record[32:42] != old.attrs
            or record[46:] != name.encode("utf-8")
            or (nlen, elen) != (length - CDH_LEN, 0)
            or flags & 0x8
            or method not in (0, 8)
            or usize != adds[name][0]
            or csize >= _LIMIT32
        ):
            raise DeltaUnavailable(
                _("the server's directory record of {name} is not the one predicted").format(name=name)
            )
        records[name] = record
    return first, bytes(buf), records


def _manifest_entry(old: _OldArchive, new_json: bytes) -> bytes:
    """The target's manifest entry: the installed one's local header with the new CRC and sizes, then its data."""
    data = deflate(new_json)
    if len(new_json) >= _LIMIT32:
        raise DeltaUnavailable(_("the manifest is too large to predict"))
    header = old.entries[-1].header
    return header[:14] + struct.pack("<III", zlib.crc32(new_json), len(data), len(new_json)) + header[26:] + data
