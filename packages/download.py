"""Downloads that survive bad links and bad servers: resume, retry, verify, bounded.

Design (see docs/catalogs-and-downloads.md):

- Bytes go to ``DEST.part``; next to it ``DEST.part.json`` records what those bytes
  are (url, the server's validator ETag/Last-Modified, expected size and sha256).
  A later run — after a dropped connection or a killed process — resumes with
  ``Range: bytes=N-`` and ``If-Range: <validator>``. A server answering 200 instead
  of 206 means the file changed (or Range is unsupported): start over cleanly (the
  part file is emptied only when the first byte of the new body arrives).
- A 206 must be exactly the range asked (start, end, total, length); a wrong one or
  a 416 makes the next requests ask for the whole file.
- Every answer that does not finish the file (5xx, 429, a reset, a 416, a wrong
  range, an empty body) spends one try of the budget, with exponential backoff and
  full jitter, unless it added at least MIN_PROGRESS new bytes: then the budget is
  refilled. A link that drops every few MB finishes; a server that never makes
  progress stops after MAX_TRIES requests, saying what it did, the part kept.
- Never more bytes than the catalog's size (or, for a bare URL, the
  MOOC_MAX_DOWNLOAD_SIZE limit); time is bounded by `netguard.Guard` (overall
  deadline, minimum throughput); a full disk is one line, the part kept to resume.
- Only when size and SHA-256 match is the part file renamed to DEST (atomic).
- Redirects are followed by hand so that https->http or a jump to another scheme
  is refused; HTML answers are refused.

`requests` is imported inside the functions: the CLI must start fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from packages.download_meter import TokenBucket, _Progress
from packages.download_request import DownloadStats, _BadRange, _one_request, _Transfer
from packages.fsutil import fsync_dir as _fsync_dir
from packages.http_get import (
    DownloadError,
    _Retry,
    make_session,
)
from packages.i18n import _
from packages.netguard import Guard, NetLimits, TooSlow
from packages.part_file import (
    _discard,
    _kept,
    _load_meta,
    _local_error,
    _size,
    _verified,
    part_paths,
    sha256_file,
)
from packages.retry_budget import MAX_TRIES, RetryBudget, failed_try

# No course pack is bigger than this, whatever a catalog says (catalog.MAX_PACK_SIZE).
DEFAULT_MAX_SIZE = 8 * 1024**3


def download(
    url: str,
    dest: Path,
    *,
    expected_size: int | None = None,
    expected_sha256: str | None = None,
    quiet: bool = False,
    limit_rate: int | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    max_tries: int = MAX_TRIES,
    max_size: int | None = None,
    backoff_base: float | None = None,
    label: str | None = None,
    stats: DownloadStats | None = None,
    session: Any = None,
    refuse_html: bool = True,
    limits: NetLimits | None = None,
    guard: Guard | None = None,
) -> Path:
    """Fetch URL into DEST, resuming any partial download; return DEST once verified.

    Raises DownloadError (a MoocError naming the URL) when the server is wrong, too
    slow (netguard), or makes no progress for MAX_TRIES answers in a row. The partial
    file is kept on such failures (so the next run resumes) and removed when its
    content is known bad. At most EXPECTED_SIZE bytes (the catalog's), else MAX_SIZE
    (default MOOC_MAX_DOWNLOAD_SIZE) are ever written. Timeouts, backoff and the time
    rules come from `NetLimits.from_env()` unless given.
    """
    limits = limits or NetLimits.from_env()
    dest = Path(dest)
    stats = stats if stats is not None else DownloadStats()
    timeouts = (
        connect_timeout if connect_timeout is not None else limits.connect_timeout,
        read_timeout if read_timeout is not None else limits.read_timeout,
    )
    backoff_base = backoff_base if backoff_base is not None else limits.backoff_base
    expected_sha256 = expected_sha256.lower() if expected_sha256 else None
    if expected_size is not None and expected_size > DEFAULT_MAX_SIZE:
        raise DownloadError(
            _("{url}: announced size {expected_size} bytes is over the limit of {default_max_size}").format(
                url=url, expected_size=expected_size, default_max_size=DEFAULT_MAX_SIZE
            )
        )
    cap = expected_size if expected_size is not None else (max_size or limits.max_download_size)

    # Never download a byte twice: a verified DEST is reused as is.
    if dest.is_file() and expected_sha256 and _verified(dest, expected_size, expected_sha256):
        stats.reused = True
        return dest

    part, meta_path = part_paths(dest)
    own_guard = guard is None
    if guard is None:
        why = (
            _("MOOC_DEADLINE plus {cap} bytes at MOOC_MIN_RATE").format(cap=cap)
            if expected_size is not None
            else _("MOOC_DEADLINE plus the {cap}-byte MOOC_MAX_DOWNLOAD_SIZE at MOOC_MIN_RATE").format(cap=cap)
        )
        guard = Guard(
            url,
            limits,
            deadline=limits.pack_deadline(cap),
            why=why,
            min_rate=min(limits.min_rate, limit_rate / 2) if limit_rate else None,
        )
    own_session = session is None
    progress = _Progress(label or dest.name, enabled=not quiet and sys.stderr.isatty())
    try:
        if own_guard:
            guard.__enter__()
        if own_session:
            session = make_session(guard)
        dest.parent.mkdir(parents=True, exist_ok=True)
        meta = _load_meta(meta_path)
        wanted = {"url": url, "expected_size": expected_size, "expected_sha256": expected_sha256}
        if not part.exists() or any(meta.get(k) != v for k, v in wanted.items()):
            _discard(part, meta_path)
            meta = dict(wanted)
        stats.resumed_from = _size(part)
        job = _Transfer(
            url=url,
            part=part,
            meta_path=meta_path,
            meta=meta,
            expected_size=expected_size,
            cap=cap,
            limits=limits,
            timeouts=timeouts,
            guard=guard,
            session=session,
            bucket=TokenBucket(limit_rate) if limit_rate else None,
            progress=progress,
            stats=stats,
            refuse_html=refuse_html,
        )
        _fetch_all(job, max_tries, backoff_base, quiet)
    except TooSlow as err:
        raise DownloadError(str(err) + _kept(part)) from None
    except OSError as err:  # the disk, not the network (those are handled in _fetch_all)
        raise _local_error(err, part) from None
    finally:
        progress.stop()
        if own_session and session is not None:
            session.close()
        if own_guard:
            guard.__exit__(None, None, None)

    try:
        return _publish(job, dest, expected_sha256)
    except _StartOver:
        stats.restarts += 1
        return download(
            url,
            dest,
            expected_size=expected_size,
            expected_sha256=expected_sha256,
            quiet=quiet,
            limit_rate=limit_rate,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_tries=max_tries,
            max_size=max_size,
            backoff_base=backoff_base,
            label=label,
            stats=stats,
            session=None,
            refuse_html=refuse_html,
            limits=limits,
            guard=None if own_guard else guard,
        )
    except OSError as err:
        raise _local_error(err, part) from None


class _StartOver(Exception):
    """The partial from an earlier run did not verify: one clean retry from zero."""


def _fetch_all(job: _Transfer, max_tries: int, backoff_base: float, quiet: bool) -> None:
    """Request until the part file holds the whole body; bounded by the retry budget and the guard.

    Every answer that does not finish the file and adds less than MIN_PROGRESS new
    bytes (beyond the most the part file ever held) spends one try, with backoff;
    one that does refills the budget. So a link dropping every few MB still
    finishes, while 416 loops, lying ranges, empty answers and servers that hang up
    at once stop after MAX_TRIES requests.
    """
    import requests

    budget = RetryBudget(
        job.url,
        job.guard,
        max_tries=max_tries,
        backoff_base=backoff_base,
        quiet=quiet,
        progress=job.stats.resumed_from,
        kept=lambda: _kept(job.part),
    )
    while True:
        job.guard.check()
        have = _size(job.part)
        if job.expected_size is not None and have == job.expected_size:
            return  # everything is on disk already
        if job.expected_size is not None and have > job.expected_size:
            _discard(job.part, job.meta_path)
            job.meta.clear()
            job.meta.update(
                url=job.url, expected_size=job.expected_size, expected_sha256=job.meta.get("expected_sha256")
            )
            have = budget.best = 0
            job.stats.restarts += 1
        try:
            _one_request(job, have)
            return
        except (_Retry, requests.exceptions.RequestException) as err:
            reason, retry_after = failed_try(err, job.url, job.guard)
            if isinstance(err, _BadRange):
                job.use_range = False
        job.stats.retries += 1
        job.stats.events.append(reason)
        left = None if job.expected_size is None else job.expected_size - budget.best
        budget.spend(reason, retry_after, progress=_size(job.part), left=left)


def _publish(job: _Transfer, dest: Path, expected_sha256: str | None) -> Path:
    """Verify the part file, then rename it to DEST (atomic, durable)."""
    part, meta_path = job.part, job.meta_path
    size = _size(part)
    if job.expected_size is not None and size != job.expected_size:
        _discard(part, meta_path)
        raise DownloadError(
            _("{url}: got {size} bytes, the catalog says {expected_size}").format(
                url=job.url, size=size, expected_size=job.expected_size
            )
        )
    if expected_sha256:
        actual = sha256_file(part)
        if actual != expected_sha256:
            _discard(part, meta_path)
            if job.stats.resumed_from > 0 and job.stats.restarts == 0:
                # The old partial may have come from another version of the file:
                # one clean retry from zero before blaming the server.
                raise _StartOver()
            raise DownloadError(
                _("{url}: SHA-256 mismatch (got {actual}…, the catalog says {expected_sha256}…)").format(
                    url=job.url, actual=actual[:12], expected_sha256=expected_sha256[:12]
                )
            )
    with open(part, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, dest)
    _fsync_dir(dest.parent)
    meta_path.unlink(missing_ok=True)
    return dest
