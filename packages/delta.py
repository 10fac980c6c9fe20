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
from pathlib import Path
from typing import Any

from packages.delta_result import DeltaResult, DeltaUnavailable, bytes_left
from packages.download import download
from packages.download_meter import TokenBucket
from packages.errors import MoocError
from packages.fsutil import write_atomic
from packages.http_get import DownloadError
from packages.i18n import _
from packages.netguard import Guard, NetLimits, TooSlow
from packages.part_file import _local_error, sha256_file, update_kept
from packages.range_fetch import _Fetcher
from packages.zip_directory import (
    EOCD_SIG,
    MAX_IN_MEMORY,
    TAIL_BYTES,
    ZipEntry,
    entry_data,
    parse_central_directory,
    parse_eocd,
    spans,
)

FIRST_TAIL_BYTES = 4096  # packs have no comment: EOCD plus some central directory
MANIFEST_NAME = "mooc-manifest.json"  # = packages.manifest.MANIFEST_NAME (kept import-light)
MAX_RANGE_REQUESTS = 256  # more changed pieces than this: a full download is cheaper

Piece = tuple[str, int, int]  # ("old", old_start, length) copied, or ("net", new_start, length) fetched
# From the server's directory (`_prepare`) or predicted (packages/flavour_delta.py): (what of the
# new archive is held in memory as (offset, bytes), the directory's offset, the pieces before it)
Prepare = Callable[[_Fetcher, DeltaResult], tuple[list[tuple[int, bytes]], int, list[Piece]]]


def _manifest_digests(raw: bytes) -> dict[str, str]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise DeltaUnavailable(_("manifest nested too deeply")) from None
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
        raise DeltaUnavailable(_("manifest lists no files"))
    return out


def delta_download(
    url: str,
    dest: Path,
    old_archive: Path,
    *,
    expected_size: int,
    expected_sha256: str,
    quiet: bool = False,
    limit_rate: int | None = None,
    limits: NetLimits | None = None,
    full_fallback: bool = True,
    predicted: Prepare | None = None,
) -> DeltaResult:
    """Make DEST the new archive at URL, reusing OLD_ARCHIVE's unchanged entries.

    Always ends with a DEST verified against EXPECTED_SIZE/SHA256, by delta or by a
    full download (`result.method` says which), or raises a MoocError. A broken link
    is retried inside the delta; it falls back to a full download only when the
    server cannot answer ranges or the rebuilt file does not verify (`result.reason`
    says why). When the retries run out, the bytes rebuilt so far are kept and the
    same command resumes the delta. One guard (deadline, minimum throughput) covers
    the delta and its fallback. PREDICTED (packages/flavour_delta.py): a layout of the
    new archive worked out here, tried first; when it does not hold, the generic delta.
    """
    dest = Path(dest)
    limits = limits or NetLimits.from_env()
    result = DeltaResult(method="delta")
    if dest.is_file() and dest.stat().st_size == expected_size and sha256_file(dest) == expected_sha256:
        result.method = "reused"
        return result
    guard = Guard(
        url,
        limits,
        deadline=limits.pack_deadline(expected_size),
        why=_("MOOC_DEADLINE plus {expected_size} bytes at MOOC_MIN_RATE").format(expected_size=expected_size),
        min_rate=min(limits.min_rate, limit_rate / 2) if limit_rate else None,
    )

    def generic(fetcher: _Fetcher, result: DeltaResult) -> tuple[list[tuple[int, bytes]], int, list[Piece]]:
        return _prepare(fetcher, old_archive, result)

    with guard:
        bucket = TokenBucket(limit_rate) if limit_rate else None
        args = (url, dest, old_archive, expected_size, expected_sha256.lower(), result, guard, limits, quiet, bucket)
        for prepare in [p for p in (predicted, generic) if p is not None]:
            result.entries_total = result.entries_reused = result.bytes_reused = 0  # this attempt's
            try:
                _delta(*args, prepare)
                result.predicted = prepare is predicted
                return result
            except (DeltaUnavailable, ValueError, RecursionError, zlib.error, struct.error) as err:
                why = str(err) or type(err).__name__
                if prepare is predicted:
                    result.predicted_reason = why
                else:
                    result.reason = why
            except OSError as err:  # this machine's disk: a full download would hit it too
                raise _local_error(err, delta_part_paths(dest)[0]) from None
            except TooSlow as err:
                raise DownloadError(str(err) + update_kept(delta_part_paths(dest)[0])) from None
            guard.check()  # a connection cut by the watchdog is not a reason to fall back
        if not full_fallback:
            raise MoocError(_("{url}: delta update impossible: {reason}").format(url=url, reason=result.reason))
        result.method = "full"
        download(
            url,
            dest,
            expected_size=expected_size,
            expected_sha256=expected_sha256,
            quiet=quiet,
            limit_rate=limit_rate,
            stats=result.download,
            limits=limits,
            guard=guard,
        )
    result.bytes_fetched += result.download.bytes_received
    result.requests += result.download.requests
    return result


def delta_plan(
    url: str, old_archive: Path, *, expected_size: int, quiet: bool = True, limits: NetLimits | None = None
) -> DeltaResult:
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
        return update_kept(self.part)


def _load_sidecar(path: Path) -> Any:
    from packages.datafile import load_json

    try:
        return load_json(path)
    except MoocError:
        return None


def _delta(
    url: str,
    dest: Path,
    old_archive: Path,
    size: int,
    sha: str,
    result: DeltaResult,
    guard: Guard,
    limits: NetLimits,
    quiet: bool,
    bucket: TokenBucket | None,
    prepare: Prepare,
) -> None:
    rebuild: _Rebuild | None = None

    def kept() -> str:
        return rebuild.kept() if rebuild is not None else ""

    fetcher = _Fetcher(url, size, result, guard, limits, quiet=quiet, kept=kept, bucket=bucket)
    try:
        cached, cd_offset, plan = prepare(fetcher, result)
        identity = {
            "url": url,
            "size": size,
            "sha256": sha,
            "validator": fetcher.validator,
            "plan": _digest(repr(plan).encode()),
        }
        rebuild = _Rebuild(dest, identity)
        result.resumed_from = rebuild.have
        try:
            old_fh = open(old_archive, "rb")
        except OSError as err:
            raise DeltaUnavailable(
                _("the installed version's archive cannot be read ({strerror})").format(strerror=err.strerror)
            ) from None
        pieces = [*plan, ("net", cd_offset, size - cd_offset)]
        fetcher.show_progress(dest.name, bytes_left(pieces, rebuild.have), enabled=not quiet)
        with open(rebuild.part, "r+b" if rebuild.have else "wb") as out, old_fh:
            out.truncate(rebuild.have)
            out.seek(rebuild.have)
            position = 0
            for kind, source, length in pieces:
                begin = max(position, rebuild.have)
                if begin < position + length:
                    if kind == "old":
                        old_fh.seek(source + begin - position)
                        _copy(old_fh, out, position + length - begin)
                    else:
                        _write_new(fetcher, cached, begin, position + length, out.write)
                    if out.tell() != position + length:
                        raise DeltaUnavailable(_("reconstruction lost its place"))
                position += length
            out.flush()
            os.fsync(out.fileno())
        if rebuild.part.stat().st_size != size or sha256_file(rebuild.part) != sha:
            rebuild.discard()
            raise DeltaUnavailable(_("the rebuilt archive does not match the catalog's SHA-256"))
        os.replace(rebuild.part, dest)
        rebuild.meta.unlink(missing_ok=True)
    except DeltaUnavailable:
        if rebuild is not None:
            rebuild.discard()
        raise
    finally:
        fetcher.close()


def _prepare(
    fetcher: _Fetcher, old_archive: Path, result: DeltaResult
) -> tuple[list[tuple[int, bytes]], int, list[tuple[str, int, int]]]:
    """The new archive's directory and manifest, and the plan: (what is in memory, cd offset, plan)."""
    tail_start, known, cd_offset, cd_size, count = _fetch_directory(fetcher)
    cached = [(tail_start, known)]
    new_entries = parse_central_directory(known[cd_offset - tail_start : cd_offset - tail_start + cd_size], count)
    new_spans = spans(new_entries, cd_offset)
    by_name = {e.name: e for e in new_entries}
    if MANIFEST_NAME not in by_name:
        raise DeltaUnavailable(_("the new archive has no manifest"))
    m_start, m_end = new_spans[MANIFEST_NAME]
    if m_end - m_start > MAX_IN_MEMORY:
        raise DeltaUnavailable(_("the manifest entry is too large"))
    buf = bytearray()
    _write_new(fetcher, cached, m_start, m_end, buf.extend)
    m_bytes = bytes(buf)
    if m_start < tail_start:
        cached.append((m_start, m_bytes))
    manifest_entry = by_name[MANIFEST_NAME]
    manifest = entry_data(m_bytes, manifest_entry)
    if zlib.crc32(manifest) != manifest_entry.crc:
        raise DeltaUnavailable(_("manifest entry fails its CRC"))
    plan = _plan(new_entries, new_spans, _manifest_digests(manifest), old_archive, result)
    if sum(1 for kind, _s, _n in plan if kind == "net") > MAX_RANGE_REQUESTS:
        raise DeltaUnavailable(
            _("more than {max_range_requests} changed pieces").format(max_range_requests=MAX_RANGE_REQUESTS)
        )
    result.plan_bytes = result.bytes_fetched + sum(
        _missing(cached, at, at + n) for kind, at, n in plan if kind == "net"
    )
    return cached, cd_offset, plan


def _write_new(
    fetcher: _Fetcher, cached: list[tuple[int, bytes]], start: int, end: int, sink: Callable[[bytes], object]
) -> None:
    """Bytes [START, END) of the new archive into SINK: from memory where held, else by Range."""
    while start < end:
        held = next(((at, data) for at, data in cached if at <= start < at + len(data)), None)
        if held is not None:
            at, data = held
            stop = min(end, at + len(data))
            sink(data[start - at : stop - at])
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
        raise DeltaUnavailable(_("central directory too large"))
    if cd_offset < tail_start:  # the tail missed the start of the central directory
        head = bytearray()
        fetcher.get(cd_offset, tail_start - 1, head.extend)
        tail = head + tail
        tail_start = cd_offset
    return tail_start, bytes(tail), cd_offset, cd_size, count


def _plan(
    new_entries: list[ZipEntry],
    new_spans: dict[str, tuple[int, int]],
    new_digests: dict[str, str],
    old_archive: Path,
    result: DeltaResult,
) -> list[tuple[str, int, int]]:
    """In file order: ("old", old_start, length) to copy, or ("net", new_start, length) to fetch."""
    import zipfile

    try:
        with zipfile.ZipFile(old_archive) as old_zip:
            old_digests = _manifest_digests(old_zip.read(MANIFEST_NAME))
    except (OSError, zipfile.BadZipFile, KeyError) as err:
        raise DeltaUnavailable(_("the installed version's archive cannot be read ({err})").format(err=err)) from None
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
        if (
            old is not None
            and entry.name != MANIFEST_NAME
            and new_digests.get(entry.name) is not None
            and new_digests.get(entry.name) == old_digests.get(entry.name)
            and entry.same_content(old)
            and old_spans[entry.name][1] - old_spans[entry.name][0] == end - start
        ):
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
            raise DeltaUnavailable(_("the old archive is shorter than its directory says"))
        dst.write(chunk)
        left -= len(chunk)


def old_archive_for(layout: Any, course: Any) -> Path | None:
    """The installed version's .mooc (rebuilt from its tree once), or None if impossible."""
    from packages.pack_cache import cached_pack

    try:
        return cached_pack(layout, course)
    except (MoocError, OSError):
        return None


__all__ = ["delta_download", "delta_part_paths", "delta_plan", "old_archive_for"]
