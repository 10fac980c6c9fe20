"""A ZIP archive's directory read from raw bytes, so a delta update can compare two
versions of a pack without unpacking either: the end record (zip64 included), the
central directory's entries, each entry's span in the file (local header + data),
and one entry's content from its span bytes, never past its declared size. Anything
odd is DeltaUnavailable.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from packages.delta_result import DeltaUnavailable
from packages.i18n import _

TAIL_BYTES = 22 + 65535 + 1  # EOCD + the longest comment
EOCD_SIG = b"PK\x05\x06"
CDH_SIG = b"PK\x01\x02"
LFH_SIG = b"PK\x03\x04"
MAX_IN_MEMORY = 32 * 1024 * 1024  # the central directory, the manifest: each read into memory


@dataclass(frozen=True)
class ZipEntry:
    name: str
    flags: int
    method: int
    mtime: int  # dos time and date, packed
    crc: int
    csize: int
    usize: int
    offset: int  # of the local header

    def same_content(self, other: ZipEntry) -> bool:
        return (self.name, self.flags, self.method, self.mtime, self.crc, self.csize, self.usize) == (
            other.name,
            other.flags,
            other.method,
            other.mtime,
            other.crc,
            other.csize,
            other.usize,
        )


def parse_eocd(tail: bytes, tail_start: int) -> tuple[int, int, int]:
    """(entry count, central directory offset, size) from the archive's tail."""
    pos = tail.rfind(EOCD_SIG)
    if pos < 0 or len(tail) - pos < 22:
        raise DeltaUnavailable(_("no end-of-central-directory record"))
    (_sig, disk, cd_disk, _n_disk, count, cd_size, cd_offset, _clen) = struct.unpack("<4sHHHHIIH", tail[pos : pos + 22])
    if disk or cd_disk:
        raise DeltaUnavailable(_("multi-disk archive"))
    if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        count, cd_size, cd_offset = _zip64_eocd(tail, pos)
    if cd_offset + cd_size > tail_start + pos:
        raise DeltaUnavailable(_("central directory overlaps its end record"))
    return count, cd_offset, cd_size


def _zip64_eocd(tail: bytes, eocd_pos: int) -> tuple[int, int, int]:
    loc = eocd_pos - 20
    if loc < 0 or tail[loc : loc + 4] != b"PK\x06\x07":
        raise DeltaUnavailable(_("zip64 archive without a locator"))
    # The zip64 end record sits right before the locator in archives zipfile writes.
    rec = tail.rfind(b"PK\x06\x06", 0, loc)
    if rec < 0 or loc - rec < 56:
        raise DeltaUnavailable(_("zip64 end record not in the tail"))
    count, cd_size, cd_offset = struct.unpack("<QQQ", tail[rec + 32 : rec + 56])
    return count, cd_offset, cd_size


def parse_central_directory(cd: bytes, count: int) -> list[ZipEntry]:
    entries: list[ZipEntry] = []
    pos = 0
    for _round in range(count):
        if cd[pos : pos + 4] != CDH_SIG or len(cd) < pos + 46:
            raise DeltaUnavailable(_("corrupt central directory"))
        (flags, method, mtime, mdate, crc, csize, usize, nlen, elen, clen) = struct.unpack(
            "<HHHHIIIHHH", cd[pos + 8 : pos + 34]
        )
        offset = struct.unpack("<I", cd[pos + 42 : pos + 46])[0]
        name = cd[pos + 46 : pos + 46 + nlen].decode("utf-8" if flags & 0x800 else "cp437")
        extra = cd[pos + 46 + nlen : pos + 46 + nlen + elen]
        if 0xFFFFFFFF in (usize, csize, offset):
            usize, csize, offset = _zip64_extra(extra, usize, csize, offset)
        entries.append(ZipEntry(name, flags, method, (mdate << 16) | mtime, crc, csize, usize, offset))
        pos += 46 + nlen + elen + clen
    return entries


def _zip64_extra(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[pos : pos + 4])
        if tag == 1:
            data = extra[pos + 4 : pos + 4 + size]
            values = list(struct.unpack(f"<{len(data) // 8}Q", data[: len(data) // 8 * 8]))
            if usize == 0xFFFFFFFF:
                usize = values.pop(0)
            if csize == 0xFFFFFFFF:
                csize = values.pop(0)
            if offset == 0xFFFFFFFF:
                offset = values.pop(0)
            return usize, csize, offset
        pos += 4 + size
    raise DeltaUnavailable(_("zip64 sizes missing"))


def spans(entries: list[ZipEntry], cd_offset: int) -> dict[str, tuple[int, int]]:
    """name -> (start, end) of its local header + data (+ descriptor) in the file."""
    ordered = sorted(entries, key=lambda e: e.offset)
    out: dict[str, tuple[int, int]] = {}
    for i, entry in enumerate(ordered):
        end = ordered[i + 1].offset if i + 1 < len(ordered) else cd_offset
        if end <= entry.offset:
            raise DeltaUnavailable(_("overlapping entries"))
        out[entry.name] = (entry.offset, end)
    if ordered and ordered[0].offset != 0:
        raise DeltaUnavailable(_("data before the first entry"))
    return out


def entry_data(span_bytes: bytes, entry: ZipEntry) -> bytes:
    """The uncompressed content of an entry from its span bytes (at most its declared size)."""
    if span_bytes[:4] != LFH_SIG:
        raise DeltaUnavailable(_("{name}: bad local header").format(name=entry.name))
    if entry.usize > MAX_IN_MEMORY:
        raise DeltaUnavailable(
            _("{name}: {usize} bytes is too large to read").format(name=entry.name, usize=entry.usize)
        )
    nlen, elen = struct.unpack("<HH", span_bytes[26:30])
    raw = span_bytes[30 + nlen + elen : 30 + nlen + elen + entry.csize]
    if entry.method == 0:
        data = raw
    elif entry.method == 8:
        data = zlib.decompressobj(-15).decompress(raw, entry.usize + 1)  # never past the declared size
    else:
        raise DeltaUnavailable(_("{name}: compression method {method}").format(name=entry.name, method=entry.method))
    if len(data) != entry.usize:
        raise DeltaUnavailable(_("{name}: not its declared size").format(name=entry.name))
    return data
