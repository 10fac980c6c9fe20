"""Delta updates: fetch only the ZIP entries of a new pack version that changed.

The algorithm (docs/catalogs-and-downloads.md):

1. One suffix Range request (`bytes=-4096`; `-65558` if an archive comment hides
   it) gets the new archive's tail: the end-of-central-directory record and part of
   the central directory; the rest of the directory costs one more ranged GET.
2. The new pack's manifest entry (`mooc-manifest.json`, every file's sha256) is
   read with one ranged GET, unless the tail already holds it.
3. The old archive is the installed version's .mooc, rebuilt deterministically
   from the installed tree (the build is reproducible) into the packs cache.
4. An entry is reused when its sha256 is the same in both manifests AND its
   central-directory record (crc, sizes, method, flags, time) and its span in the
   file (local header + data) are identical: its bytes are then copied from the
   old archive. Every other span is fetched by Range; adjacent spans are coalesced
   into one request.
5. The reconstructed file must match the catalog's size and sha256, like any
   download; otherwise — or when the server ignores Range (answers 200), or
   anything is odd — it falls back to a full, resumable download.

Bounds: every range answer must be exactly the range asked (start, end, the
catalog's total size, its length) or delta is abandoned; what is held in memory
(the tail, the central directory, the manifest) is at most MAX_IN_MEMORY each; at
most MAX_RANGE_REQUESTS ranged GETs, else a full download is cheaper; the delta
and its fallback share one `netguard.Guard` (deadline, minimum throughput).
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packages.download import (DownloadError, DownloadStats, _content_range, _Retry, _int_header, download, iter_body,
                               make_session, open_url, sha256_file)
from packages.errors import MoocError
from packages.netguard import Guard, NetLimits

TAIL_BYTES = 22 + 65535 + 1  # EOCD + the longest comment
FIRST_TAIL_BYTES = 4096  # packs have no comment: EOCD plus some central directory
EOCD_SIG = b"PK\x05\x06"
CDH_SIG = b"PK\x01\x02"
LFH_SIG = b"PK\x03\x04"
MANIFEST_NAME = "mooc-manifest.json"  # = packages.source.MANIFEST_NAME (kept import-light)
MAX_IN_MEMORY = 32 * 1024 * 1024  # the central directory, the manifest: each read into memory
MAX_RANGE_REQUESTS = 256  # more changed pieces than this: a full download is cheaper


class DeltaUnavailable(Exception):
    """Delta is impossible or unsafe here; the caller falls back to a full download."""


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

    def same_content(self, other: "ZipEntry") -> bool:
        return (self.name, self.flags, self.method, self.mtime, self.crc, self.csize, self.usize) == (
            other.name, other.flags, other.method, other.mtime, other.crc, other.csize, other.usize)


@dataclass
class DeltaResult:
    method: str  # "delta" or "full"
    bytes_fetched: int = 0
    requests: int = 0
    entries_total: int = 0
    entries_reused: int = 0
    bytes_reused: int = 0
    reason: str = ""  # why it fell back, if it did
    download: DownloadStats = field(default_factory=DownloadStats)


def parse_eocd(tail: bytes, tail_start: int) -> tuple[int, int, int]:
    """(entry count, central directory offset, size) from the archive's tail."""
    pos = tail.rfind(EOCD_SIG)
    if pos < 0 or len(tail) - pos < 22:
        raise DeltaUnavailable("no end-of-central-directory record")
    (_sig, disk, cd_disk, _n_disk, count, cd_size, cd_offset, _clen) = struct.unpack("<4sHHHHIIH", tail[pos:pos + 22])
    if disk or cd_disk:
        raise DeltaUnavailable("multi-disk archive")
    if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        count, cd_size, cd_offset = _zip64_eocd(tail, pos)
    if cd_offset + cd_size > tail_start + pos:
        raise DeltaUnavailable("central directory overlaps its end record")
    return count, cd_offset, cd_size


def _zip64_eocd(tail: bytes, eocd_pos: int) -> tuple[int, int, int]:
    loc = eocd_pos - 20
    if loc < 0 or tail[loc:loc + 4] != b"PK\x06\x07":
        raise DeltaUnavailable("zip64 archive without a locator")
    # The zip64 end record sits right before the locator in archives zipfile writes.
    rec = tail.rfind(b"PK\x06\x06", 0, loc)
    if rec < 0 or loc - rec < 56:
        raise DeltaUnavailable("zip64 end record not in the tail")
    count, cd_size, cd_offset = struct.unpack("<QQQ", tail[rec + 32:rec + 56])
    return count, cd_offset, cd_size


def parse_central_directory(cd: bytes, count: int) -> list[ZipEntry]:
    entries: list[ZipEntry] = []
    pos = 0
    for _ in range(count):
        if cd[pos:pos + 4] != CDH_SIG or len(cd) < pos + 46:
            raise DeltaUnavailable("corrupt central directory")
        (flags, method, mtime, mdate, crc, csize, usize, nlen, elen, clen) = struct.unpack(
            "<HHHHIIIHHH", cd[pos + 8:pos + 34])
        offset = struct.unpack("<I", cd[pos + 42:pos + 46])[0]
        name = cd[pos + 46:pos + 46 + nlen].decode("utf-8" if flags & 0x800 else "cp437")
        extra = cd[pos + 46 + nlen:pos + 46 + nlen + elen]
        if 0xFFFFFFFF in (usize, csize, offset):
            usize, csize, offset = _zip64_extra(extra, usize, csize, offset)
        entries.append(ZipEntry(name, flags, method, (mdate << 16) | mtime, crc, csize, usize, offset))
        pos += 46 + nlen + elen + clen
    return entries


def _zip64_extra(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[pos:pos + 4])
        if tag == 1:
            data = extra[pos + 4:pos + 4 + size]
            values = list(struct.unpack(f"<{len(data) // 8}Q", data[:len(data) // 8 * 8]))
            if usize == 0xFFFFFFFF:
                usize = values.pop(0)
            if csize == 0xFFFFFFFF:
                csize = values.pop(0)
            if offset == 0xFFFFFFFF:
                offset = values.pop(0)
            return usize, csize, offset
        pos += 4 + size
    raise DeltaUnavailable("zip64 sizes missing")


def spans(entries: list[ZipEntry], cd_offset: int) -> dict[str, tuple[int, int]]:
    """name -> (start, end) of its local header + data (+ descriptor) in the file."""
    ordered = sorted(entries, key=lambda e: e.offset)
    out: dict[str, tuple[int, int]] = {}
    for i, entry in enumerate(ordered):
        end = ordered[i + 1].offset if i + 1 < len(ordered) else cd_offset
        if end <= entry.offset:
            raise DeltaUnavailable("overlapping entries")
        out[entry.name] = (entry.offset, end)
    if ordered and ordered[0].offset != 0:
        raise DeltaUnavailable("data before the first entry")
    return out


def entry_data(span_bytes: bytes, entry: ZipEntry) -> bytes:
    """The uncompressed content of an entry from its span bytes (at most its declared size)."""
    if span_bytes[:4] != LFH_SIG:
        raise DeltaUnavailable(f"{entry.name}: bad local header")
    if entry.usize > MAX_IN_MEMORY:
        raise DeltaUnavailable(f"{entry.name}: {entry.usize} bytes is too large to read")
    nlen, elen = struct.unpack("<HH", span_bytes[26:30])
    raw = span_bytes[30 + nlen + elen:30 + nlen + elen + entry.csize]
    if entry.method == 0:
        data = raw
    elif entry.method == 8:
        data = zlib.decompressobj(-15).decompress(raw, entry.usize + 1)  # never past the declared size
    else:
        raise DeltaUnavailable(f"{entry.name}: compression method {entry.method}")
    if len(data) != entry.usize:
        raise DeltaUnavailable(f"{entry.name}: not its declared size")
    return data


def _manifest_digests(raw: bytes) -> dict[str, str]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise DeltaUnavailable("manifest nested too deeply") from None
    files = data.get("files") if isinstance(data, dict) else None
    out: dict[str, str] = {}
    if isinstance(files, dict):
        for name, meta in files.items():
            if isinstance(meta, dict) and isinstance(meta.get("sha256"), str):
                out[name] = meta["sha256"]
    elif isinstance(files, list):
        for meta in files:
            if isinstance(meta, dict) and isinstance(meta.get("path"), str):
                out[meta["path"]] = str(meta.get("sha256"))
    if not out:
        raise DeltaUnavailable("manifest lists no files")
    return out


class _Fetcher:
    """Ranged GETs of one file of a known size, pinned to one version (If-Range with its validator).

    Each answer must be exactly the range asked, or delta is abandoned.
    """

    def __init__(self, url: str, size: int, result: DeltaResult, guard: Guard, limits: NetLimits) -> None:
        self.url = url
        self.size = size  # the catalog's
        self.result = result
        self.guard = guard
        self.timeouts = (limits.connect_timeout, limits.read_timeout)
        self.session = make_session(guard)
        self.validator: str | None = None

    def close(self) -> None:
        self.session.close()

    def tail(self, length: int, sink: Callable[[bytes], None]) -> int:
        """The last LENGTH bytes (a suffix range); returns where they start."""
        start = max(0, self.size - length)
        self.get(start, self.size - 1, sink, header=f"bytes=-{length}")
        return start

    def get(self, start: int, end: int, sink: Callable[[bytes], None], *, header: str | None = None) -> None:
        """Bytes START..END (inclusive) into SINK, exactly."""
        headers = {"Range": header or f"bytes={start}-{end}"}
        if self.validator:
            headers["If-Range"] = self.validator
        if self.result.requests >= MAX_RANGE_REQUESTS:
            raise DeltaUnavailable(f"over the range-request limit ({MAX_RANGE_REQUESTS})")
        self.result.requests += 1
        response = open_url(self.session, self.url, headers=headers, timeout=self.guard.timeout(*self.timeouts))
        with response:
            if response.status_code == 200:
                raise DeltaUnavailable("the server ignores Range requests" if not self.validator
                                       else "the file changed on the server")
            if response.status_code != 206:
                raise DeltaUnavailable(f"HTTP {response.status_code} to a range request")
            crange = _content_range(response.headers.get("content-range", ""))
            if crange is not None and crange[2] is not None and crange[2] != self.size:
                raise DeltaUnavailable(f"the server has {crange[2]} bytes, the catalog says {self.size}")
            want = end - start + 1
            length = _int_header(response.headers.get("content-length"))
            if crange != (start, end, self.size) or (length is not None and length != want):
                raise DeltaUnavailable(f"answer to {headers['Range']} is not that range")
            if self.validator is None:
                etag = response.headers.get("etag")
                self.validator = etag if etag and not etag.startswith("W/") else response.headers.get("last-modified")
            got = 0
            try:
                for chunk in iter_body(response):
                    got += len(chunk)
                    if got > want:
                        raise DeltaUnavailable("more bytes than the range")
                    self.result.bytes_fetched += len(chunk)
                    self.guard.feed(len(chunk))
                    sink(chunk)
            except _Retry as err:  # the connection broke: the full download resumes better
                self.guard.check()
                raise DeltaUnavailable(str(err)) from None
            self.guard.check()
            if got != want:
                raise DeltaUnavailable("range cut short")


def delta_download(url: str, dest: Path, old_archive: Path, *, expected_size: int, expected_sha256: str,
                   quiet: bool = False, limit_rate: int | None = None, limits: NetLimits | None = None,
                   full_fallback: bool = True) -> DeltaResult:
    """Make DEST the new archive at URL, reusing OLD_ARCHIVE's unchanged entries.

    Always ends with a DEST verified against EXPECTED_SIZE/SHA256, by delta or by a
    full download (`result.method` says which), or raises a MoocError. One guard
    (deadline, minimum throughput) covers the delta and its fallback.
    """
    dest = Path(dest)
    limits = limits or NetLimits.from_env()
    result = DeltaResult(method="delta")
    if dest.is_file() and dest.stat().st_size == expected_size and sha256_file(dest) == expected_sha256:
        result.method = "reused"
        return result
    guard = Guard(url, limits, deadline=limits.pack_deadline(expected_size),
                  why=f"MOOC_DEADLINE plus {expected_size} bytes at MOOC_MIN_RATE",
                  min_rate=min(limits.min_rate, limit_rate / 2) if limit_rate else None)
    with guard:
        try:
            _delta(url, dest, old_archive, expected_size, expected_sha256.lower(), result, guard, limits)
            return result
        except (DeltaUnavailable, OSError, ValueError, RecursionError, zlib.error, struct.error,
                DownloadError) as err:
            result.reason = str(err) or type(err).__name__
        except Exception as err:  # requests' transport errors: the full download retries them
            if type(err).__module__.split(".")[0] not in ("requests", "urllib3"):
                raise  # TooSlow too: a server past the time rules gets no second chance
            result.reason = f"network: {type(err).__name__}"
        guard.check()  # a connection cut by the watchdog is not a reason to fall back
        if not full_fallback:
            raise MoocError(f"{url}: delta update impossible: {result.reason}")
        result.method = "full"
        download(url, dest, expected_size=expected_size, expected_sha256=expected_sha256, quiet=quiet,
                 limit_rate=limit_rate, stats=result.download, limits=limits, guard=guard)
    result.bytes_fetched += result.download.bytes_received
    result.requests += result.download.requests
    return result


def _delta(url: str, dest: Path, old_archive: Path, size: int, sha: str, result: DeltaResult, guard: Guard,
           limits: NetLimits) -> None:
    fetcher = _Fetcher(url, size, result, guard, limits)
    part = dest.with_name(dest.name + ".delta.part")  # never the full download's resumable .part
    try:
        tail_start, known, cd_offset, cd_size, count = _fetch_directory(fetcher)

        def read_known(start: int, end: int) -> bytes | None:
            return known[start - tail_start:end - tail_start] if start >= tail_start else None

        new_entries = parse_central_directory(known[cd_offset - tail_start:cd_offset - tail_start + cd_size], count)
        new_spans = spans(new_entries, cd_offset)
        by_name = {e.name: e for e in new_entries}
        if MANIFEST_NAME not in by_name:
            raise DeltaUnavailable("the new archive has no manifest")
        m_start, m_end = new_spans[MANIFEST_NAME]
        if m_end - m_start > MAX_IN_MEMORY:
            raise DeltaUnavailable("the manifest entry is too large")
        m_bytes = read_known(m_start, m_end)
        fetched_manifest: tuple[int, bytes] | None = None
        if m_bytes is None:
            buf = bytearray()
            fetcher.get(m_start, m_end - 1, buf.extend)
            m_bytes = bytes(buf)
            fetched_manifest = (m_start, m_bytes)
        manifest_entry = by_name[MANIFEST_NAME]
        manifest = entry_data(m_bytes, manifest_entry)
        if zlib.crc32(manifest) != manifest_entry.crc:
            raise DeltaUnavailable("manifest entry fails its CRC")
        plan = _plan(new_entries, new_spans, _manifest_digests(manifest), old_archive, result)
        if sum(1 for kind, _s, _n in plan if kind == "net") > MAX_RANGE_REQUESTS:
            raise DeltaUnavailable(f"more than {MAX_RANGE_REQUESTS} changed pieces")

        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "wb") as out, open(old_archive, "rb") as old_fh:
            position = 0
            for kind, start, length in plan:
                if kind == "old":
                    old_fh.seek(start)
                    _copy(old_fh, out, length)
                    position += length
                    continue
                if start != position:
                    raise DeltaUnavailable("reconstruction lost its place")
                cached = read_known(start, start + length)
                if cached is None and fetched_manifest and start <= fetched_manifest[0] < start + length:
                    # fetch around the manifest we already have
                    m_at, m_data = fetched_manifest
                    if m_at > start:
                        fetcher.get(start, m_at - 1, out.write)
                    out.write(m_data)
                    begin = m_at + len(m_data)
                    if start + length > begin:
                        fetcher.get(begin, start + length - 1, out.write)
                elif cached is not None:
                    out.write(cached)
                elif start + length > tail_start:  # partly in the tail
                    fetcher.get(start, tail_start - 1, out.write)
                    out.write(known[:start + length - tail_start])
                else:
                    fetcher.get(start, start + length - 1, out.write)
                position = start + length
                if out.tell() != position:
                    raise DeltaUnavailable("reconstruction lost its place")
            out.write(known[cd_offset - tail_start:])
            out.flush()
            os.fsync(out.fileno())
        if part.stat().st_size != size or sha256_file(part) != sha:
            raise DeltaUnavailable("the rebuilt archive does not match the catalog's SHA-256")
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)  # gone after the rename; a failed try frees its space
        fetcher.close()


def _fetch_directory(fetcher: _Fetcher) -> tuple[int, bytes, int, int, int]:
    """The new archive from its central directory to its end: (start, bytes, cd offset, cd size, count)."""
    tail = bytearray()
    tail_start = fetcher.tail(FIRST_TAIL_BYTES, tail.extend)
    if EOCD_SIG not in tail and tail_start > 0:  # a long archive comment: the longest tail
        tail = bytearray()
        tail_start = fetcher.tail(TAIL_BYTES, tail.extend)
    count, cd_offset, cd_size = parse_eocd(bytes(tail), tail_start)
    if cd_size > MAX_IN_MEMORY:
        raise DeltaUnavailable("central directory too large")
    if cd_offset < tail_start:  # the tail missed the start of the central directory
        head = bytearray()
        fetcher.get(cd_offset, tail_start - 1, head.extend)
        tail = head + tail
        tail_start = cd_offset
    return tail_start, bytes(tail), cd_offset, cd_size, count


def _plan(new_entries: list[ZipEntry], new_spans: dict[str, tuple[int, int]], new_digests: dict[str, str],
          old_archive: Path, result: DeltaResult) -> list[tuple[str, int, int]]:
    """In file order: ("old", old_start, length) to copy, or ("net", new_start, length) to fetch."""
    import zipfile

    with zipfile.ZipFile(old_archive) as old_zip:
        old_digests = _manifest_digests(old_zip.read(MANIFEST_NAME))
    with open(old_archive, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        old_size = fh.tell()
        fh.seek(max(0, old_size - TAIL_BYTES))
        old_tail_start = fh.tell()
        old_tail = fh.read()
        o_count, o_cd_offset, o_cd_size = parse_eocd(old_tail, old_tail_start)
        fh.seek(o_cd_offset)
        old_entries = parse_central_directory(fh.read(o_cd_size), o_count)
    old_by_name = {e.name: e for e in old_entries}
    old_spans = spans(old_entries, o_cd_offset)
    plan: list[tuple[str, int, int]] = []
    for entry in sorted(new_entries, key=lambda e: e.offset):
        start, end = new_spans[entry.name]
        old = old_by_name.get(entry.name)
        result.entries_total += 1
        if (old is not None and entry.name != MANIFEST_NAME
                and new_digests.get(entry.name) is not None
                and new_digests.get(entry.name) == old_digests.get(entry.name)
                and entry.same_content(old)
                and old_spans[entry.name][1] - old_spans[entry.name][0] == end - start):
            result.entries_reused += 1
            result.bytes_reused += end - start
            plan.append(("old", old_spans[entry.name][0], end - start))
        elif plan and plan[-1][0] == "net" and plan[-1][1] + plan[-1][2] == start:
            plan[-1] = ("net", plan[-1][1], plan[-1][2] + end - start)  # coalesce
        else:
            plan.append(("net", start, end - start))
    return plan


def _copy(src: Any, dst: Any, length: int) -> None:
    left = length
    while left > 0:
        chunk = src.read(min(1 << 20, left))
        if not chunk:
            raise DeltaUnavailable("the old archive is shorter than its directory says")
        dst.write(chunk)
        left -= len(chunk)


def old_archive_for(layout: Any, course: Any) -> Path | None:
    """The installed version's .mooc (rebuilt from its tree once), or None if impossible."""
    from packages.serve import cached_pack

    try:
        return cached_pack(layout, course)
    except (MoocError, OSError):
        return None


__all__ = ["DeltaResult", "delta_download", "old_archive_for", "parse_central_directory", "parse_eocd"]
