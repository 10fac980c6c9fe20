"""Write ZIP archives byte by byte, for archives `zipfile` would not write (or not fast).

`write_zip(path, entries)` stores each entry's data already deflated, so an archive that
unpacks to a gigabyte of zeros is written in milliseconds; with `shared=True`, entries
that carry the very same bytes object as an earlier one point at that entry's bytes
instead of storing their own (overlapping entries, as in David Fifield's "better zip
bomb").
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

DEFLATED = 8


@dataclass(frozen=True)
class RawEntry:
    name: str
    packed: bytes  # raw deflate stream (or the data itself with method 0)
    size: int  # unpacked size
    crc: int
    method: int = DEFLATED


def deflated(data: bytes, name: str) -> RawEntry:
    """An entry holding `data`, deflated once (reuse it under other names with `renamed`)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return RawEntry(name, compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data))


def renamed(entry: RawEntry, name: str) -> RawEntry:
    return RawEntry(name, entry.packed, entry.size, entry.crc, entry.method)


def write_zip(path: Path, entries: list[RawEntry], *, shared: bool = False) -> Path:
    """A ZIP of `entries`; with `shared`, bytes objects met before are not stored again."""
    local = bytearray()
    central = bytearray()
    offsets = []
    stored: dict[int, int] = {}  # id(packed) -> offset of the local record holding it
    for e in entries:
        name = e.name.encode("utf-8")
        if shared and id(e.packed) in stored:
            offsets.append(stored[id(e.packed)])
        else:
            stored[id(e.packed)] = len(local)
            offsets.append(len(local))
            local += (
                struct.pack(
                    "<IHHHHHIIIHH", 0x04034B50, 20, 0x800, e.method, 0, 0x21, e.crc, len(e.packed), e.size, len(name), 0
                )
                + name
                + e.packed
            )
    for e, offset in zip(entries, offsets):
        name = e.name.encode("utf-8")
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                0x031E,
                20,
                0x800,
                e.method,
                0,
                0x21,
                e.crc,
                len(e.packed),
                e.size,
                len(name),
                0,
                0,
                0,
                0,
                0o100644 << 16,
                offset,
            )
            + name
        )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path
