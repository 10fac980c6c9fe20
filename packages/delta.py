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

from packages.download import DownloadStats, download
from packages.http_get import DownloadError, _content_range, _int_header, _Retry, iter_body, make_session, open_url
from packages.part_file import _local_error, sha256_file
from packages.retry_budget import MAX_TRIES, RetryBudget, _retry_after, failed_try
from packages.errors import MoocError
from packages.fsutil import write_atomic
from packages.netguard import Guard, NetLimits, TooSlow

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


class _HeadersCut(_Retry):
    """A 206 without its Content-Range: the link broke inside the headers (or the server is odd)."""


DELTA_MAX_TRIES = 2 * MAX_TRIES
MAX_HEADERS_CUT = 3  # in a row: then the server, not the link, is taken to be at fault


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
    retries: int = 0  # answers that broke off and were asked again
    resumed_from: int = 0  # bytes of the rebuilt archive an earlier run had written
    plan_bytes: int = 0  # what the delta fetches in all: directory, manifest, changed entries
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

    A dropped connection, a timeout, a 5xx or a 429 is retried like a full download
    (`retry_budget.RetryBudget`: backoff, the budget refilled by progress) and resumes the
    range where it broke: bytes already handed to the sink are never asked again.
    An answer that is not exactly the range asked abandons delta.
    """

    def __init__(self, url: str, size: int, result: DeltaResult, guard: Guard, limits: NetLimits, *,
                 quiet: bool, kept: Callable[[], str]) -> None:
        self.url = url
        self.size = size  # the catalog's
        self.result = result
        self.guard = guard
        self.timeouts = (limits.connect_timeout, limits.read_timeout)
        self.session = make_session(guard)
        self.validator: str | None = None
        # Twice a download's tries: a delta's ranges are small, so one answer rarely
        # refills the budget by progress; the guard's deadline still bounds the whole.
        self.budget = RetryBudget(url, guard, max_tries=DELTA_MAX_TRIES, backoff_base=limits.backoff_base,
                                  quiet=quiet, kept=kept)

    def close(self) -> None:
        self.session.close()

    def tail(self, length: int, sink: Callable[[bytes], None]) -> int:
        """The last LENGTH bytes (a suffix range; resumed by offsets); returns where they start."""
        start = max(0, self.size - length)
        self.get(start, self.size - 1, sink, suffix=length)
        return start

    def get(self, start: int, end: int, sink: Callable[[bytes], None], *, suffix: int | None = None) -> None:
        """Bytes START..END (inclusive) into SINK, exactly, retrying a broken link from where it broke."""
        import requests

        position = start

        def take(chunk: bytes) -> None:
            nonlocal position
            position += len(chunk)
            sink(chunk)

        headers_cut = 0
        while position <= end:
            self.guard.check()
            try:
                self._one(position, end, take, f"bytes=-{suffix}" if suffix and position == start else None)
                return
            except _HeadersCut as err:
                headers_cut += 1
                if headers_cut >= MAX_HEADERS_CUT:
                    raise DeltaUnavailable(f"{MAX_HEADERS_CUT} answers in a row to a range request had no "
                                           "Content-Range") from None
                reason, retry_after = str(err), None
            except (_Retry, requests.exceptions.RequestException) as err:
                reason, retry_after = failed_try(err, self.url, self.guard)
            self.result.retries += 1
            self.budget.spend(reason, retry_after, progress=self.result.bytes_fetched,
                              left=end + 1 - position)

    def _one(self, start: int, end: int, sink: Callable[[bytes], None], header: str | None) -> None:
        """One GET of START..END into SINK, or _Retry after handing over what arrived."""
        headers = {"Range": header or f"bytes={start}-{end}"}
        if self.validator:
            headers["If-Range"] = self.validator
        self.result.requests += 1
        response = open_url(self.session, self.url, headers=headers, timeout=self.guard.timeout(*self.timeouts))
        with response:
            status = response.status_code
            if status in (429, 500, 502, 503, 504):
                raise _Retry(f"HTTP {status}", _retry_after(response))
            if status == 200:
                raise DeltaUnavailable("the server ignores Range requests" if not self.validator
                                       else "the file changed on the server")
            if status != 206:
                raise DeltaUnavailable(f"HTTP {status} to a range request")
            if "content-range" not in response.headers:
                raise _HeadersCut("an answer without Content-Range (cut off in its headers?)")
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
                    if got + len(chunk) > want:
                        raise DeltaUnavailable("more bytes than the range")
                    got += len(chunk)
                    self.result.bytes_fetched += len(chunk)
                    self.guard.feed(len(chunk))
                    sink(chunk)
            except _Retry as err:
                self.guard.check()  # the watchdog's cut is not a broken link
                raise _Retry(f"{err} after {got} of {want} bytes") from None
            self.guard.check()
            if got != want:
                raise _Retry(f"connection closed after {got} of {want} bytes")


def delta_download(url: str, dest: Path, old_archive: Path, *, expected_size: int, expected_sha256: str,
                   quiet: bool = False, limit_rate: int | None = None, limits: NetLimits | None = None,
                   full_fallback: bool = True) -> DeltaResult:
    """Make DEST the new archive at URL, reusing OLD_ARCHIVE's unchanged entries.

    Always ends with a DEST verified against EXPECTED_SIZE/SHA256, by delta or by a
    full download (`result.method` says which), or raises a MoocError. A broken link
    is retried inside the delta; it falls back to a full download only when the
    server cannot answer ranges or the rebuilt file does not verify (`result.reason`
    says why). When the retries run out, the bytes rebuilt so far are kept and the
    same command resumes the delta. One guard (deadline, minimum throughput) covers
    the delta and its fallback.
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
            _delta(url, dest, old_archive, expected_size, expected_sha256.lower(), result, guard, limits, quiet)
            return result
        except (DeltaUnavailable, ValueError, RecursionError, zlib.error, struct.error) as err:
            result.reason = str(err) or type(err).__name__
        except OSError as err:  # this machine's disk: a full download would hit it too
            raise _local_error(err, delta_part_paths(dest)[0]) from None
        except TooSlow as err:
            part = delta_part_paths(dest)[0]
            kept = part.stat().st_size if part.is_file() else 0
            raise DownloadError(str(err) + (f"; {kept} bytes of the update kept in {part}: run the same command "
                                            "again to resume" if kept else "")) from None
        guard.check()  # a connection cut by the watchdog is not a reason to fall back
        if not full_fallback:
            raise MoocError(f"{url}: delta update impossible: {result.reason}")
        result.method = "full"
        download(url, dest, expected_size=expected_size, expected_sha256=expected_sha256, quiet=quiet,
                 limit_rate=limit_rate, stats=result.download, limits=limits, guard=guard)
    result.bytes_fetched += result.download.bytes_received
    result.requests += result.download.requests
    return result


def delta_plan(url: str, old_archive: Path, *, expected_size: int, quiet: bool = True,
               limits: NetLimits | None = None) -> DeltaResult:
    """What a delta update from OLD_ARCHIVE would fetch (`plan_bytes`), reading only the
    new archive's directory and manifest. Raises DeltaUnavailable when delta is impossible
    (the caller then expects a full download), a MoocError when the server cannot be read."""
    limits = limits or NetLimits.from_env()
    result = DeltaResult(method="delta")
    guard = Guard(url, limits, deadline=limits.deadline, why="MOOC_DEADLINE")
    with guard:
        fetcher = _Fetcher(url, expected_size, result, guard, limits, quiet=quiet, kept=lambda: "")
        try:
            _prepare(fetcher, old_archive, result)
        except (ValueError, RecursionError, zlib.error, struct.error) as err:
            raise DeltaUnavailable(str(err) or type(err).__name__) from None
        finally:
            fetcher.close()
    return result


def delta_part_paths(dest: Path) -> tuple[Path, Path]:
    """The delta's rebuilt-so-far file and its sidecar (never the full download's .part)."""
    return dest.with_name(dest.name + ".delta.part"), dest.with_name(dest.name + ".delta.part.json")


class _Rebuild:
    """The new archive written in file order into the .delta.part; resumable across runs.

    The sidecar names what the part is (URL, size, SHA-256, the server's validator,
    the digest of the plan): a later run with the same plan continues after the bytes
    already written; anything else starts over.
    """

    def __init__(self, dest: Path, identity: dict[str, Any]) -> None:
        self.part, self.meta = delta_part_paths(dest)
        self.identity = identity
        self.have = 0
        if self.part.is_file() and _load_sidecar(self.meta) == identity:
            self.have = self.part.stat().st_size
        else:
            self.discard()
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.meta, json.dumps(identity).encode())

    def discard(self) -> None:
        self.part.unlink(missing_ok=True)
        self.meta.unlink(missing_ok=True)

    def kept(self) -> str:
        size = self.part.stat().st_size if self.part.is_file() else 0
        return f"; {size} bytes of the update kept in {self.part}: run the same command again to resume" if size else ""


def _load_sidecar(path: Path) -> Any:
    from packages.datafile import load_json

    try:
        return load_json(path)
    except MoocError:
        return None


def _delta(url: str, dest: Path, old_archive: Path, size: int, sha: str, result: DeltaResult, guard: Guard,
           limits: NetLimits, quiet: bool) -> None:
    rebuild: _Rebuild | None = None
    fetcher = _Fetcher(url, size, result, guard, limits, quiet=quiet,
                       kept=lambda: rebuild.kept() if rebuild is not None else "")
    try:
        cached, cd_offset, plan = _prepare(fetcher, old_archive, result)
        identity = {"url": url, "size": size, "sha256": sha, "validator": fetcher.validator,
                    "plan": _digest(repr(plan).encode())}
        rebuild = _Rebuild(dest, identity)
        result.resumed_from = rebuild.have
        try:
            old_fh = open(old_archive, "rb")
        except OSError as err:
            raise DeltaUnavailable(f"the installed version's archive cannot be read ({err.strerror})") from None
        with open(rebuild.part, "r+b" if rebuild.have else "wb") as out, old_fh:
            out.truncate(rebuild.have)
            out.seek(rebuild.have)
            position = 0
            for kind, source, length in [*plan, ("net", cd_offset, size - cd_offset)]:
                begin = max(position, rebuild.have)
                if begin < position + length:
                    if kind == "old":
                        old_fh.seek(source + begin - position)
                        _copy(old_fh, out, position + length - begin)
                    else:
                        _write_new(fetcher, cached, begin, position + length, out.write)
                    if out.tell() != position + length:
                        raise DeltaUnavailable("reconstruction lost its place")
                position += length
            out.flush()
            os.fsync(out.fileno())
        if rebuild.part.stat().st_size != size or sha256_file(rebuild.part) != sha:
            rebuild.discard()
            raise DeltaUnavailable("the rebuilt archive does not match the catalog's SHA-256")
        os.replace(rebuild.part, dest)
        rebuild.meta.unlink(missing_ok=True)
    except DeltaUnavailable:
        if rebuild is not None:
            rebuild.discard()
        raise
    finally:
        fetcher.close()


def _prepare(fetcher: _Fetcher, old_archive: Path,
             result: DeltaResult) -> tuple[list[tuple[int, bytes]], int, list[tuple[str, int, int]]]:
    """The new archive's directory and manifest, and the plan: (what is in memory, cd offset, plan)."""
    tail_start, known, cd_offset, cd_size, count = _fetch_directory(fetcher)
    cached = [(tail_start, known)]
    new_entries = parse_central_directory(known[cd_offset - tail_start:cd_offset - tail_start + cd_size], count)
    new_spans = spans(new_entries, cd_offset)
    by_name = {e.name: e for e in new_entries}
    if MANIFEST_NAME not in by_name:
        raise DeltaUnavailable("the new archive has no manifest")
    m_start, m_end = new_spans[MANIFEST_NAME]
    if m_end - m_start > MAX_IN_MEMORY:
        raise DeltaUnavailable("the manifest entry is too large")
    buf = bytearray()
    _write_new(fetcher, cached, m_start, m_end, buf.extend)
    m_bytes = bytes(buf)
    if m_start < tail_start:
        cached.append((m_start, m_bytes))
    manifest_entry = by_name[MANIFEST_NAME]
    manifest = entry_data(m_bytes, manifest_entry)
    if zlib.crc32(manifest) != manifest_entry.crc:
        raise DeltaUnavailable("manifest entry fails its CRC")
    plan = _plan(new_entries, new_spans, _manifest_digests(manifest), old_archive, result)
    if sum(1 for kind, _s, _n in plan if kind == "net") > MAX_RANGE_REQUESTS:
        raise DeltaUnavailable(f"more than {MAX_RANGE_REQUESTS} changed pieces")
    result.plan_bytes = result.bytes_fetched + sum(_missing(cached, at, at + n) for kind, at, n in plan if kind == "net")
    return cached, cd_offset, plan


def _write_new(fetcher: _Fetcher, cached: list[tuple[int, bytes]], start: int, end: int,
               sink: Callable[[bytes], None]) -> None:
    """Bytes [START, END) of the new archive into SINK: from memory where held, else by Range."""
    while start < end:
        held = next(((at, data) for at, data in cached if at <= start < at + len(data)), None)
        if held is not None:
            at, data = held
            stop = min(end, at + len(data))
            sink(data[start - at:stop - at])
            start = stop
            continue
        stop = min([at for at, _data in cached if start < at < end] + [end])
        fetcher.get(start, stop - 1, sink)
        start = stop


def _missing(cached: list[tuple[int, bytes]], start: int, end: int) -> int:
    """How many bytes of [START, END) are not held in memory."""
    held = sum(max(0, min(end, at + len(data)) - max(start, at)) for at, data in cached)
    return end - start - held


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


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

    try:
        with zipfile.ZipFile(old_archive) as old_zip:
            old_digests = _manifest_digests(old_zip.read(MANIFEST_NAME))
    except (OSError, zipfile.BadZipFile, KeyError) as err:
        raise DeltaUnavailable(f"the installed version's archive cannot be read ({err})") from None
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
    from packages.pack_cache import cached_pack

    try:
        return cached_pack(layout, course)
    except (MoocError, OSError):
        return None


__all__ = ["DeltaResult", "DeltaUnavailable", "delta_download", "delta_part_paths", "delta_plan", "old_archive_for", "parse_central_directory", "parse_eocd"]
