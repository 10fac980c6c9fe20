"""Write the ZIP archive of a built pack: the reproducible layout of docs/format.md §6.

`PackZipWriter` writes, byte for byte, what `zipfile.ZipFile(fh, "w", allowZip64=True)`
writes for the entries `packages.building` gives it (timestamp 1980-01-01 00:00,
unix mode 0644, deflate level 6 or stored, no extra fields but zip64's, no comment,
a seekable output), zip64 records included where zipfile would write them. It does
the same work without zipfile's per-entry Python overhead (a header written, then
sought back to and written again, for each of 2,500 small files), which was a third
of `mooc pack build`. tests/test_pack_zip.py checks the bytes against zipfile's,
zip64 cases included (with the limits lowered).

An entry is given whole (`add`: lessons, quizzes, the manifest) or streamed
(`add_stream`: media of any size, its header written again once sizes are known).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from typing import BinaryIO

from packages.errors import MoocError
from packages.i18n import _

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
DEFLATE_LEVEL = 6
STORED, DEFLATED = 0, 8  # zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED

# zipfile's constants (module globals, so a test can lower them as it lowers zipfile's)
ZIP64_LIMIT = (1 << 31) - 1
ZIP_FILECOUNT_LIMIT = (1 << 16) - 1
_DEFAULT_VERSION = 20
_ZIP64_VERSION = 45
_UNIX = 3  # create_system: the mode bits in external_attr mean what they say
_UTF8_NAME = 0x800  # flag bit: the name is UTF-8 (set only when it is not ASCII)
_DOS_DATE = (FIXED_DATE[0] - 1980) << 9 | FIXED_DATE[1] << 5 | FIXED_DATE[2]
_DOS_TIME = FIXED_DATE[3] << 11 | FIXED_DATE[4] << 5 | FIXED_DATE[5] // 2

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_LOCATOR = struct.Struct("<4sLQL")


class _Entry:
    __slots__ = ("name", "flags", "method", "crc", "compressed", "size", "offset", "version")

    def __init__(self, name: bytes, flags: int, method: int, offset: int) -> None:
        self.name, self.flags, self.method, self.offset = name, flags, method, offset
        self.crc = self.compressed = self.size = 0
        self.version = _DEFAULT_VERSION  # 45 once its local header carried zip64 sizes


def _encode_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


class PackZipWriter:
    """Entries in the order given, then `close()` writes the central directory."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._offset = fh.tell()
        self._entries: list[_Entry] = []

    def add(self, name: str, data: bytes, deflate: bool) -> None:
        """One entry from its whole content."""
        raw, flags = _encode_name(name)
        entry = _Entry(raw, flags, DEFLATED if deflate else STORED, self._offset)
        if deflate:
            compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
            body = compressor.compress(data) + compressor.flush()
        else:
            body = data
        entry.crc, entry.compressed, entry.size = zlib.crc32(data), len(body), len(data)
        header = self._local_header(entry, zip64=len(data) * 1.05 > ZIP64_LIMIT)
        self._fh.write(header)
        self._fh.write(body)
        self._offset += len(header) + len(body)
        self._entries.append(entry)

    def add_stream(self, name: str, size: int, chunks: Iterable[bytes], deflate: bool) -> int:
        """One entry streamed from CHUNKS, SIZE its expected size (what decides zip64, as
        in zipfile); its header is written again once the sizes are known. Returns the
        number of bytes the chunks held."""
        raw, flags = _encode_name(name)
        entry = _Entry(raw, flags, DEFLATED if deflate else STORED, self._offset)
        zip64 = size * 1.05 > ZIP64_LIMIT
        entry.size = size  # the placeholder header carries it, as zipfile's does
        fh = self._fh
        fh.write(self._local_header(entry, zip64))
        compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15) if deflate else None
        crc = written = compressed = 0
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            written += len(chunk)
            if compressor is not None:
                chunk = compressor.compress(chunk)
            compressed += len(chunk)
            fh.write(chunk)
        if compressor is not None:
            tail = compressor.flush()
            compressed += len(tail)
            fh.write(tail)
        if not zip64 and (written > ZIP64_LIMIT or compressed > ZIP64_LIMIT):  # zipfile refuses it too
            raise MoocError(
                _("{name}: grew past {zip64_limit} bytes while the pack was written").format(
                    name=name, zip64_limit=ZIP64_LIMIT
                )
            )
        entry.crc, entry.compressed, entry.size = crc, compressed, written
        end = fh.tell()
        fh.seek(entry.offset)
        fh.write(self._local_header(entry, zip64))
        fh.seek(end)
        self._offset = end
        self._entries.append(entry)
        return written

    def _local_header(self, entry: _Entry, zip64: bool) -> bytes:
        compressed, size, extra = entry.compressed, entry.size, b""
        if zip64:
            extra = struct.pack("<HHQQ", 1, 16, size, compressed)
            compressed = size = 0xFFFFFFFF
            entry.version = _ZIP64_VERSION
        v = entry.version
        return (
            _LOCAL.pack(
                b"PK\x03\x04",
                v,
                0,
                entry.flags,
                entry.method,
                _DOS_TIME,
                _DOS_DATE,
                entry.crc,
                compressed,
                size,
                len(entry.name),
                len(extra),
            )  # fmt: skip
            + entry.name
            + extra
        )

    def close(self) -> None:
        """The central directory and the end records, as zipfile's `_write_end_record`."""
        start = self._offset
        parts = []
        for e in self._entries:
            fields = []
            size, compressed, offset = e.size, e.compressed, e.offset
            if size > ZIP64_LIMIT or compressed > ZIP64_LIMIT:
                fields += [size, compressed]
                size = compressed = 0xFFFFFFFF
            if offset > ZIP64_LIMIT:
                fields.append(offset)
                offset = 0xFFFFFFFF
            extra = struct.pack(f"<HH{'Q' * len(fields)}", 1, 8 * len(fields), *fields) if fields else b""
            v = max(_ZIP64_VERSION if fields else 0, e.version)
            parts.append(
                _CENTRAL.pack(
                    b"PK\x01\x02",
                    v,
                    _UNIX,
                    v,
                    0,
                    e.flags,
                    e.method,
                    _DOS_TIME,
                    _DOS_DATE,
                    e.crc,
                    compressed,
                    size,
                    len(e.name),
                    len(extra),
                    0,
                    0,
                    0,
                    FILE_MODE << 16,
                    offset,
                )  # fmt: skip
            )
            parts.append(e.name)
            parts.append(extra)
        directory = b"".join(parts)
        fh = self._fh
        fh.write(directory)
        count, dir_size, dir_offset = len(self._entries), len(directory), start
        if count > ZIP_FILECOUNT_LIMIT or dir_offset > ZIP64_LIMIT or dir_size > ZIP64_LIMIT:
            end64_at = start + dir_size
            fh.write(_END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, dir_size, dir_offset))
            fh.write(_END64_LOCATOR.pack(b"PK\x06\x07", 0, end64_at, 1))
            count, dir_size, dir_offset = min(count, 0xFFFF), min(dir_size, 0xFFFFFFFF), min(dir_offset, 0xFFFFFFFF)
        fh.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, dir_size, dir_offset, 0))
        fh.flush()
