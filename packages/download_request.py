"""One request of a resumable download (packages/download.py): the range asked and
the answer checked against it (a wrong 206 or a 416 means: ask for the whole file
next time), the total checked against what the catalog promised, and the body
received into the part file, bounded and fsync'd every FSYNC_EVERY bytes, with the
validator noted so that a later run can resume.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packages.download_meter import TokenBucket, _Progress
from packages.fsutil import write_atomic
from packages.http_get import (
    DownloadError,
    _content_range,
    _int_header,
    _Retry,
    _unsatisfied_range,
    iter_body,
    open_url,
)
from packages.i18n import _
from packages.netguard import Guard, NetLimits
from packages.part_file import (
    _discard,
    _size,
    _truncate,
)
from packages.retry_budget import retry_if_busy

FSYNC_EVERY = 8 * 1024 * 1024


class _BadRange(_Retry):
    """The server answered a range request wrongly: from now on ask for the whole file."""


@dataclass
class DownloadStats:
    """What one `download()` call did, for tests, benchmarks and messages."""

    bytes_received: int = 0  # body bytes read from the network in this call
    requests: int = 0
    resumed_from: int = 0  # bytes already on disk when the first request went out
    restarts: int = 0  # times a partial file had to be thrown away
    retries: int = 0
    reused: bool = False  # DEST was already there and verified: nothing fetched
    events: list[str] = field(default_factory=list)


@dataclass
class _Transfer:
    """Everything one `download()` call shares between its requests."""

    url: str
    part: Path
    meta_path: Path
    meta: dict[str, Any]
    expected_size: int | None
    cap: int  # never more bytes than this: the catalog's size, else the bare-URL limit
    limits: NetLimits
    timeouts: tuple[float, float]
    guard: Guard
    session: Any
    bucket: TokenBucket | None
    progress: _Progress
    stats: DownloadStats
    refuse_html: bool
    use_range: bool = True  # False once the server answered a range wrongly: ask for the whole file


def _one_request(job: _Transfer, have: int) -> None:
    """One GET that ends with the whole body on disk; anything less raises (_Retry: try again)."""
    headers: dict[str, str] = {}
    validator = job.meta.get("etag") or job.meta.get("last_modified")
    # Without a validator or a digest nothing proves the bytes on disk belong to this file.
    if have > 0 and job.use_range and (validator or job.meta.get("expected_sha256")):
        headers["Range"] = f"bytes={have}-"
        if validator:
            headers["If-Range"] = validator
    job.stats.requests += 1
    response = open_url(job.session, job.url, headers=headers, timeout=job.guard.timeout(*job.timeouts))
    with response:
        status = response.status_code
        retry_if_busy(response)
        if status == 404:
            raise DownloadError(_("{url}: not found (HTTP 404)").format(url=job.url))
        if status == 416:
            if "Range" not in headers:
                raise _Retry(_("the server answered HTTP 416 (range not satisfiable) to a request without a range"))
            crange = _unsatisfied_range(response.headers.get("content-range", ""))
            if crange == have:
                return  # the file on the server is exactly what we hold
            raise _BadRange(
                _("the server answered HTTP 416 (range not satisfiable) to {headers}").format(headers=headers["Range"])
            )
        if status not in (200, 206):
            raise DownloadError(
                _("{url}: the server answered HTTP {status} {reason}")
                .format(url=job.url, status=status, reason=response.reason or "")
                .rstrip()
            )
        ctype = response.headers.get("content-type", "").lower()
        if job.refuse_html and ctype.startswith(("text/html", "application/xhtml")):
            raise DownloadError(
                _("{url}: the server sent a web page (Content-Type {value}), not a course pack").format(
                    url=job.url, value=ctype.split(";")[0]
                )
            )
        length = _int_header(response.headers.get("content-length"))
        total: int | None
        if status == 206:
            total, start = _check_part_answer(response, headers.get("Range"), have, length)
        else:
            total, start = length, 0
        _check_total(job, total)
        _receive(job, response, status, start, total)


def _check_part_answer(response: Any, asked: str | None, have: int, length: int | None) -> tuple[int, int]:
    """A 206 must be exactly the range asked: from HAVE to the end, of a known total."""
    value = response.headers.get("content-range", "")
    if asked is None:
        raise _BadRange(_("the server answered 206 (part of the file) to a request for the whole file"))
    crange = _content_range(value)
    if (
        crange is None
        or crange[2] is None
        or crange[0] != have
        or crange[1] != crange[2] - 1
        or (length is not None and length != crange[2] - have)
    ):
        shown = value if len(value) <= 60 else value[:57] + "…"
        raise _BadRange(
            _("the server answered Content-Range {shown!r} (Content-Length {length}) to Range: {asked}").format(
                shown=shown, length=length, asked=asked
            )
        )
    return crange[2], have


def _check_total(job: _Transfer, total: int | None) -> None:
    if total is None:
        return
    if job.expected_size is not None and total != job.expected_size:
        raise DownloadError(
            _("{url}: the server announces {total} bytes, the catalog says {expected_size}").format(
                url=job.url, total=total, expected_size=job.expected_size
            )
        )
    if total > job.cap:
        raise DownloadError(
            _(
                "{url}: the server announces {total} bytes, over the {cap}-byte limit for a download no catalog describes (MOOC_MAX_DOWNLOAD_SIZE)"
            ).format(url=job.url, total=total, cap=job.cap)
        )


def _receive(job: _Transfer, response: Any, status: int, start: int, total: int | None) -> None:
    """Write the body at START; the part file is opened (and, for a 200, emptied) at the first byte."""
    limit = total if total is not None else job.cap
    new_meta = dict(job.meta)
    new_meta["etag"] = response.headers.get("etag") if not _weak(response.headers.get("etag")) else None
    new_meta["last_modified"] = response.headers.get("last-modified")
    new_meta["total"] = total
    job.progress.start(total, start)
    written = start
    since_sync = 0
    fh = None
    lost = ""  # why the body ended early, when the transport said so
    try:
        for chunk in iter_body(response):
            if job.guard.tripped:
                job.guard.check()
            if written + len(chunk) > limit:
                _over_limit(job, status, limit)
            if fh is None:
                # Record the validator before the first byte lands, so a kill can resume.
                if status == 200 or new_meta != job.meta:
                    if status == 200 and _size(job.part):
                        _truncate(job.part)  # If-Range failed (file changed) or Range unsupported
                        job.stats.restarts += 1
                    job.meta.clear()
                    job.meta.update(new_meta)
                    write_atomic(job.meta_path, json.dumps(job.meta).encode())
                fh = open(job.part, "ab")
            if job.bucket is not None:
                job.bucket.take(len(chunk))
            fh.write(chunk)
            written += len(chunk)
            job.stats.bytes_received += len(chunk)
            job.guard.feed(len(chunk))
            since_sync += len(chunk)
            job.progress.advance(len(chunk))
            if since_sync >= FSYNC_EVERY:
                fh.flush()
                os.fsync(fh.fileno())
                since_sync = 0
        if fh is not None:
            fh.flush()
    except _Retry as err:  # from iter_body: the connection broke
        lost = str(err)
    finally:
        if fh is not None:
            fh.close()
    job.guard.check()  # a connection the watchdog cut: say why
    if written == start:
        raise _Retry(_("the server sent an empty answer (HTTP {status}, no bytes of the file)").format(status=status))
    if total is not None and written < total:
        raise _Retry(_("connection closed after {written} of {total} bytes").format(written=written, total=total))
    if job.expected_size is not None and written != job.expected_size:
        raise _Retry(
            _("connection closed after {written} of {expected_size} bytes").format(
                written=written, expected_size=job.expected_size
            )
        )
    if lost:  # a body of unknown length that broke off
        raise _Retry(_("{lost} after {written} bytes").format(lost=lost, written=written))


def _over_limit(job: _Transfer, status: int, limit: int) -> None:
    if status == 206:  # the bytes up to the end of the range are good: keep them
        raise DownloadError(
            _("{url}: the server sent more than the {limit} bytes its range announced").format(url=job.url, limit=limit)
        )
    _discard(job.part, job.meta_path)
    if job.expected_size is not None:
        raise DownloadError(
            _("{url}: the server sent more than the catalog's {expected_size} bytes").format(
                url=job.url, expected_size=job.expected_size
            )
        )
    if limit < job.cap:
        raise DownloadError(
            _("{url}: the server sent more than the {limit} bytes it announced").format(url=job.url, limit=limit)
        )
    raise DownloadError(
        _(
            "{url}: the server sent more than {cap} bytes, the limit for a download no catalog describes (MOOC_MAX_DOWNLOAD_SIZE)"
        ).format(url=job.url, cap=job.cap)
    )


def _weak(etag: str | None) -> bool:
    # Weak validators are not allowed in If-Range (RFC 9110 §13.1.5).
    return etag is not None and etag.startswith("W/")
