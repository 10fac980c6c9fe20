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

import errno
import hashlib
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from packages.errors import MoocError
from packages.fsutil import fsync_dir as _fsync_dir, write_atomic
from packages.netguard import BACKOFF_BASE, CONNECT_TIMEOUT, READ_TIMEOUT, Guard, NetLimits, TooSlow, guarded_adapter

CHUNK = 64 * 1024
MAX_TRIES = 8
MAX_REDIRECTS = 5
BACKOFF_CAP = 30.0
# A try that adds fewer new bytes than this (and does not finish) spends one try.
MIN_PROGRESS = CHUNK
# No course pack is bigger than this, whatever a catalog says (catalog.MAX_PACK_SIZE).
DEFAULT_MAX_SIZE = 8 * 1024**3
FSYNC_EVERY = 8 * 1024 * 1024
USER_AGENT = "mooc-downloader/1"
_NUMBER = "[0-9]{1,19}"  # a byte count or offset; more digits is not a file size


class DownloadError(MoocError):
    """A download failed in a way the user should hear about (names the URL)."""


class _Retry(Exception):
    """An answer that did not finish the file: try again after a backoff (REASON says what the server did)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


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


def parse_rate(text: str) -> int:
    """'200k' -> 204800 bytes/s; '1M', '1.5m', '500' (bytes/s) also accepted."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?(?:/s)?\s*", text)
    if not match:
        raise MoocError(f"--limit-rate: {text!r} is not a rate (examples: 200k, 1M, 50000)")
    value = float(match.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    if value < 1:
        raise MoocError(f"--limit-rate: {text!r} is too small")
    return int(value)


def part_paths(dest: Path) -> tuple[Path, Path]:
    """The partial file and its sidecar for DEST."""
    return dest.with_name(dest.name + ".part"), dest.with_name(dest.name + ".part.json")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()




class TokenBucket:
    """Caps the average rate at RATE bytes/s with a burst of about one chunk."""

    def __init__(self, rate: int, *, burst: int | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = float(rate)
        self.capacity = float(burst if burst is not None else max(CHUNK, rate // 10))
        self.tokens = self.capacity
        self.clock = clock
        self.sleep = sleep
        self.last = clock()

    def take(self, amount: int) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        self.tokens -= amount
        if self.tokens < 0:
            self.sleep(-self.tokens / self.rate)
            self.last = self.clock()
            self.tokens = 0.0


def backoff_delay(attempt: int, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**attempt))."""
    return random.uniform(0, min(cap, base * (2**attempt)))


def make_session(guard: Guard | None = None) -> Any:
    """A requests Session that honours HTTP(S)_PROXY / NO_PROXY from the environment.

    With GUARD, every connection's socket is registered with it, so its watchdog
    can cut a transfer that breaks a time rule even in the middle of a read.
    """
    import requests

    session = requests.Session()
    if guard is not None:
        adapter = guarded_adapter(guard)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    session.trust_env = True  # the default, stated: proxies come from the environment
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept-Encoding"] = "identity"  # byte offsets must be file offsets
    return session


def check_redirect(from_url: str, to_url: str) -> None:
    """Refuse a redirect that changes scheme downwards or leaves http(s)."""
    old, new = urlsplit(from_url).scheme.lower(), urlsplit(to_url).scheme.lower()
    if new not in ("http", "https"):
        raise DownloadError(f"{from_url}: redirect to a {new or 'relative'}: URL refused ({to_url})")
    if old == "https" and new == "http":
        raise DownloadError(f"{from_url}: redirect from https to plain http refused ({to_url})")


def open_url(session: Any, url: str, *, headers: dict[str, str] | None = None,
             timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT), method: str = "GET") -> Any:
    """GET (streamed), following at most MAX_REDIRECTS redirects, each one checked."""
    import requests

    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = session.request(method, current, headers=headers or {}, stream=True,
                                       allow_redirects=False, timeout=timeout)
        except requests.exceptions.InvalidSchema as err:
            raise DownloadError(f"{url}: not an http(s) URL ({err})") from None
        if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
            target = urljoin(current, response.headers["location"])
            response.close()
            check_redirect(current, target)
            current = target
            continue
        return response
    raise DownloadError(f"{url}: too many redirects")


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return min(BACKOFF_CAP, max(0.0, float(value)))
    except ValueError:
        return None


def _content_range(value: str) -> tuple[int, int, int | None] | None:
    """'bytes 10-19/100' -> (10, 19, 100); '/*' -> total None; anything odd -> None."""
    match = re.fullmatch(rf"\s*bytes\s+({_NUMBER})-({_NUMBER})/({_NUMBER}|\*)\s*", value or "")
    if not match or int(match.group(1)) > int(match.group(2)):
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    if total is not None and int(match.group(2)) >= total:
        return None
    return int(match.group(1)), int(match.group(2)), total


def _unsatisfied_range(value: str) -> int | None:
    """The size in a 416's 'bytes */SIZE', or None."""
    match = re.fullmatch(rf"\s*bytes\s+\*/({_NUMBER})\s*", value or "")
    return int(match.group(1)) if match else None


def _int_header(value: str | None) -> int | None:
    """A Content-Length as an int; None when absent or not a plain number."""
    match = re.fullmatch(rf"\s*({_NUMBER})\s*", value or "")
    return int(match.group(1)) if match else None


class _Progress:
    """A Rich progress bar on a TTY (stderr); nothing at all otherwise."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int | None, done: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn,
                                       TransferSpeedColumn)

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                TransferSpeedColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True, highlight=False), transient=True)
            self.bar.start()
            from rich.text import Text

            self.task = self.bar.add_task(Text(self.label).plain, total=total, completed=done)
        else:
            self.bar.update(self.task, total=total, completed=done)

    def advance(self, amount: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, amount)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


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
    timeouts = (connect_timeout if connect_timeout is not None else limits.connect_timeout,
                read_timeout if read_timeout is not None else limits.read_timeout)
    backoff_base = backoff_base if backoff_base is not None else limits.backoff_base
    expected_sha256 = expected_sha256.lower() if expected_sha256 else None
    if expected_size is not None and expected_size > DEFAULT_MAX_SIZE:
        raise DownloadError(f"{url}: announced size {expected_size} bytes is over the limit of {DEFAULT_MAX_SIZE}")
    cap = expected_size if expected_size is not None else (max_size or limits.max_download_size)

    # Never download a byte twice: a verified DEST is reused as is.
    if dest.is_file() and expected_sha256 and _verified(dest, expected_size, expected_sha256):
        stats.reused = True
        return dest

    part, meta_path = part_paths(dest)
    own_guard = guard is None
    if guard is None:
        why = (f"MOOC_DEADLINE plus {cap} bytes at MOOC_MIN_RATE" if expected_size is not None
               else f"MOOC_DEADLINE plus the {cap}-byte MOOC_MAX_DOWNLOAD_SIZE at MOOC_MIN_RATE")
        guard = Guard(url, limits, deadline=limits.pack_deadline(cap), why=why,
                      min_rate=min(limits.min_rate, limit_rate / 2) if limit_rate else None)
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
        job = _Transfer(url=url, part=part, meta_path=meta_path, meta=meta, expected_size=expected_size, cap=cap,
                        limits=limits, timeouts=timeouts, guard=guard, session=session,
                        bucket=TokenBucket(limit_rate) if limit_rate else None, progress=progress, stats=stats,
                        refuse_html=refuse_html)
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
        return download(url, dest, expected_size=expected_size, expected_sha256=expected_sha256,
                        quiet=quiet, limit_rate=limit_rate, connect_timeout=connect_timeout,
                        read_timeout=read_timeout, max_tries=max_tries, max_size=max_size,
                        backoff_base=backoff_base, label=label, stats=stats, session=None,
                        refuse_html=refuse_html, limits=limits, guard=None if own_guard else guard)
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

    budget = RetryBudget(job.url, job.guard, max_tries=max_tries, backoff_base=backoff_base, quiet=quiet,
                         progress=job.stats.resumed_from, kept=lambda: _kept(job.part))
    while True:
        job.guard.check()
        have = _size(job.part)
        if job.expected_size is not None and have == job.expected_size:
            return  # everything is on disk already
        if job.expected_size is not None and have > job.expected_size:
            _discard(job.part, job.meta_path)
            job.meta.clear()
            job.meta.update(url=job.url, expected_size=job.expected_size,
                            expected_sha256=job.meta.get("expected_sha256"))
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


def failed_try(err: Exception, url: str, guard: Guard) -> tuple[str, float | None]:
    """(reason, Retry-After) of a try that broke off in a way worth another try: an answer
    that did not finish (`_Retry`), a dropped connection, a timeout. Any other transport
    failure (a bad URL, too many redirects) is a DownloadError naming URL."""
    import requests

    if isinstance(err, _Retry):
        return str(err), err.retry_after
    if isinstance(err, (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                        requests.exceptions.ChunkedEncodingError)):
        return _short(err), None
    guard.check()
    raise DownloadError(f"{url}: {_short(err)}") from None


class RetryBudget:
    """When to try again after an answer that did not finish, and when to give up.

    Each failed try spends one of MAX_TRIES unless it made at least MIN_PROGRESS new
    bytes (or finished what was LEFT) since the last refill: then the budget is full
    again. Between tries: exponential backoff with full jitter (or the server's
    Retry-After), slept under the guard, said on stderr unless QUIET.
    """

    def __init__(self, url: str, guard: Guard, *, max_tries: int = MAX_TRIES, backoff_base: float = BACKOFF_BASE,
                 quiet: bool = False, progress: int = 0, kept: Callable[[], str] = lambda: "") -> None:
        self.url = url
        self.guard = guard
        self.max_tries = max_tries
        self.backoff_base = backoff_base
        self.quiet = quiet
        self.best = progress  # the progress counter at the last refill
        self.kept = kept  # what was kept to resume, for the end of the giving-up line
        self.tries_left = max_tries
        self.attempt = 0

    def spend(self, reason: str, retry_after: float | None, *, progress: int, left: int | None = None) -> None:
        """Account for one failed try whose transfer stands at PROGRESS bytes; sleep, or raise DownloadError."""
        self.guard.check()  # a connection cut by the watchdog looks like a dropped one
        needed = MIN_PROGRESS if left is None else min(MIN_PROGRESS, left)
        if progress - self.best >= max(1, needed):
            self.best = progress
            self.tries_left = self.max_tries  # progress refills the budget
            self.attempt = 0
        self.tries_left -= 1
        if self.tries_left <= 0:
            raise DownloadError(f"{self.url}: giving up after {self.max_tries} "
                                f"tr{'ies' if self.max_tries != 1 else 'y'}: {reason}{self.kept()}")
        delay = retry_after if retry_after is not None else backoff_delay(self.attempt, base=self.backoff_base)
        if not self.quiet:  # a silent wait of half a minute looks like a hang
            from packages.safe_text import one_line

            print(one_line(f"mooc: {self.url}: {reason}; trying again in {delay:.0f} s "
                           f"({self.tries_left} tr{'ies' if self.tries_left != 1 else 'y'} left)"), file=sys.stderr)
        self.guard.sleep(delay)
        self.attempt += 1


def _publish(job: _Transfer, dest: Path, expected_sha256: str | None) -> Path:
    """Verify the part file, then rename it to DEST (atomic, durable)."""
    part, meta_path = job.part, job.meta_path
    size = _size(part)
    if job.expected_size is not None and size != job.expected_size:
        _discard(part, meta_path)
        raise DownloadError(f"{job.url}: got {size} bytes, the catalog says {job.expected_size}")
    if expected_sha256:
        actual = sha256_file(part)
        if actual != expected_sha256:
            _discard(part, meta_path)
            if job.stats.resumed_from > 0 and job.stats.restarts == 0:
                # The old partial may have come from another version of the file:
                # one clean retry from zero before blaming the server.
                raise _StartOver()
            raise DownloadError(f"{job.url}: SHA-256 mismatch (got {actual[:12]}…, the catalog says {expected_sha256[:12]}…)")
    with open(part, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, dest)
    _fsync_dir(dest.parent)
    meta_path.unlink(missing_ok=True)
    return dest


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
    response = open_url(job.session, job.url, headers=headers,
                        timeout=job.guard.timeout(*job.timeouts))
    with response:
        status = response.status_code
        if status in (429, 500, 502, 503, 504):
            raise _Retry(f"HTTP {status}", _retry_after(response))
        if status == 404:
            raise DownloadError(f"{job.url}: not found (HTTP 404)")
        if status == 416:
            if "Range" not in headers:
                raise _Retry("the server answered HTTP 416 (range not satisfiable) to a request without a range")
            crange = _unsatisfied_range(response.headers.get("content-range", ""))
            if crange == have:
                return  # the file on the server is exactly what we hold
            raise _BadRange(f"the server answered HTTP 416 (range not satisfiable) to {headers['Range']}")
        if status not in (200, 206):
            raise DownloadError(f"{job.url}: the server answered HTTP {status} {response.reason or ''}".rstrip())
        ctype = response.headers.get("content-type", "").lower()
        if job.refuse_html and ctype.startswith(("text/html", "application/xhtml")):
            raise DownloadError(f"{job.url}: the server sent a web page (Content-Type {ctype.split(';')[0]}), not a course pack")
        length = _int_header(response.headers.get("content-length"))
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
        raise _BadRange("the server answered 206 (part of the file) to a request for the whole file")
    crange = _content_range(value)
    if crange is None or crange[2] is None or crange[0] != have or crange[1] != crange[2] - 1 or (
            length is not None and length != crange[2] - have):
        shown = value if len(value) <= 60 else value[:57] + "…"
        raise _BadRange(f"the server answered Content-Range {shown!r} "
                        f"(Content-Length {length}) to Range: {asked}")
    return crange[2], have


def _check_total(job: _Transfer, total: int | None) -> None:
    if total is None:
        return
    if job.expected_size is not None and total != job.expected_size:
        raise DownloadError(f"{job.url}: the server announces {total} bytes, the catalog says {job.expected_size}")
    if total > job.cap:
        raise DownloadError(f"{job.url}: the server announces {total} bytes, over the {job.cap}-byte limit "
                            "for a download no catalog describes (MOOC_MAX_DOWNLOAD_SIZE)")


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
        raise _Retry(f"the server sent an empty answer (HTTP {status}, no bytes of the file)")
    if total is not None and written < total:
        raise _Retry(f"connection closed after {written} of {total} bytes")
    if job.expected_size is not None and written != job.expected_size:
        raise _Retry(f"connection closed after {written} of {job.expected_size} bytes")
    if lost:  # a body of unknown length that broke off
        raise _Retry(f"{lost} after {written} bytes")


def _over_limit(job: _Transfer, status: int, limit: int) -> None:
    if status == 206:  # the bytes up to the end of the range are good: keep them
        raise DownloadError(f"{job.url}: the server sent more than the {limit} bytes its range announced")
    _discard(job.part, job.meta_path)
    if job.expected_size is not None:
        raise DownloadError(f"{job.url}: the server sent more than the catalog's {job.expected_size} bytes")
    if limit < job.cap:
        raise DownloadError(f"{job.url}: the server sent more than the {limit} bytes it announced")
    raise DownloadError(f"{job.url}: the server sent more than {job.cap} bytes, the limit for a download "
                        "no catalog describes (MOOC_MAX_DOWNLOAD_SIZE)")


def iter_body(response: Any) -> Any:
    """Yield body bytes as they arrive (read1), so a dropped link loses nothing read.

    `iter_content` reads fixed-size blocks and throws a partly filled block away when
    the connection dies; `read1` hands over whatever the socket had. Transport
    failures become `_Retry`.
    """
    import urllib3

    raw = response.raw
    try:
        while True:
            chunk = raw.read1(CHUNK, decode_content=False)
            if not chunk:
                return
            yield chunk
    except (urllib3.exceptions.HTTPError, OSError) as err:
        reason = "connection lost" if isinstance(err, urllib3.exceptions.ProtocolError) else _short(err)
        raise _Retry(reason if reason.startswith("connection") else f"connection lost: {reason}") from None


def read_body(response: Any, cap: int, guard: Guard, *, what: str, limit_name: str) -> bytes:
    """The whole body in memory, never more than CAP bytes after decoding (gzip and deflate
    are decoded here, bounded, not by urllib3); over CAP is one error naming WHAT."""
    import zlib

    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise DownloadError(f"{what}: unsupported Content-Encoding {encoding[:40]!r}")
    length = _int_header(response.headers.get("content-length"))
    too_big = f"{what}: larger than {cap} bytes (the limit, {limit_name})"
    if encoding in ("", "identity") and length is not None and length > cap:
        raise DownloadError(too_big)
    decoder = None if encoding in ("", "identity") else zlib.decompressobj(31 if "gzip" in encoding else 15)
    body = bytearray()
    try:
        for chunk in iter_body(response):
            guard.feed(len(chunk))
            if guard.tripped:
                guard.check()
            while chunk:
                if decoder is None:
                    data, chunk = chunk, b""
                else:
                    data = decoder.decompress(chunk, cap + 1 - len(body))
                    chunk = decoder.unconsumed_tail
                body += data
                if len(body) > cap:
                    raise DownloadError(too_big)
                if not data and chunk:
                    break  # defensive: zlib left input without output, do not spin
    except zlib.error as err:
        raise DownloadError(f"{what}: the server sent a broken {encoding} body ({err})") from None
    except _Retry as err:
        guard.check()
        raise DownloadError(f"{what}: {err}") from None
    guard.check()
    if length is not None and decoder is None and len(body) < length:
        raise DownloadError(f"{what}: connection closed after {len(body)} of {length} bytes")
    return bytes(body)


def _weak(etag: str | None) -> bool:
    # Weak validators are not allowed in If-Range (RFC 9110 §13.1.5).
    return bool(etag) and etag.startswith("W/")


def _verified(path: Path, size: int | None, sha: str) -> bool:
    if size is not None and path.stat().st_size != size:
        return False
    return sha256_file(path) == sha


def _load_meta(path: Path) -> dict[str, Any]:
    from packages.datafile import load_json

    try:
        data = load_json(path)  # bounded, no links, nested JSON included: damage means "start over"
    except MoocError:
        return {}
    return data if isinstance(data, dict) else {}


def _discard(part: Path, meta_path: Path) -> None:
    part.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def _truncate(part: Path) -> None:
    with open(part, "wb"):
        pass


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _kept(part: Path) -> str:
    """How to go on from a partial download that was kept, for the end of an error line."""
    size = _size(part)
    if not size:
        return ""
    return f"; {size} bytes kept in {part}: run the same command again to resume"


def _local_error(err: OSError, part: Path) -> DownloadError:
    """A failure of this machine's disk, as one line; a full disk keeps the partial file to resume."""
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        kept = _size(part)
        if kept:
            return DownloadError(f"{part.parent}: the disk is full; {kept} bytes kept in {part}: "
                                 "free some space and run the same command again to resume")
        return DownloadError(f"{part.parent}: the disk is full: free some space and try again")
    where = err.filename or part
    return DownloadError(f"{where}: cannot write the download: {err.strerror or err}")


_REASONS = (
    ("Connection refused", "connection refused (is the server running?)"),
    ("Name or service not known", "host name not found (offline, or a typo in the address?)"),
    ("Temporary failure in name resolution", "host name not found (offline?)"),
    ("No route to host", "no route to host (offline?)"),
    ("Network is unreachable", "network unreachable (offline?)"),
    ("timed out", "timed out"),
    ("Connection reset", "connection reset"),
    ("Remote end closed connection without response", "the server closed the connection without answering"),
    ("Connection aborted", "connection dropped"),
)


def _short(err: BaseException) -> str:
    """The reason a person can act on, not urllib3's nested repr."""
    text = str(err)
    for needle, reason in _REASONS:
        if needle in text:
            return reason
    return text if len(text) < 160 else text[:157] + "…"
