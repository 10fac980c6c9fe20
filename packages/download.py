"""Downloads that survive bad links: resume, retry, verify, never fetch a byte twice.

Design (see docs/catalogs-and-downloads.md):

- Bytes go to ``DEST.part``; next to it ``DEST.part.json`` records what those bytes
  are (url, the server's validator ETag/Last-Modified, expected size and sha256).
  A later run — after a dropped connection or a killed process — resumes with
  ``Range: bytes=N-`` and ``If-Range: <validator>``. A server answering 200 instead
  of 206 means the file changed (or Range is unsupported): start over cleanly.
- Transient failures (connection reset, timeouts, 5xx, 429) are retried with
  exponential backoff and full jitter; the retry budget is refilled whenever a
  try made progress, so a link that drops every few MB still finishes, while a
  dead server fails after a bounded number of tries.
- Only when size and SHA-256 match is the part file renamed to DEST (atomic).
- Redirects are followed by hand so that https->http or a jump to another scheme
  is refused; HTML answers, oversize bodies and bodies longer than announced are
  errors that name the URL.

`requests` is imported inside the functions: the CLI must start fast.
"""

from __future__ import annotations

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

from packages.fsutil import fsync_dir as _fsync_dir, write_atomic
from packages.errors import MoocError

CHUNK = 64 * 1024
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
MAX_TRIES = 8
MAX_REDIRECTS = 5
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
# No course pack is bigger than this unless the caller says otherwise.
DEFAULT_MAX_SIZE = 8 * 1024**3
FSYNC_EVERY = 8 * 1024 * 1024
USER_AGENT = "mooc-downloader/1"


class DownloadError(MoocError):
    """A download failed in a way the user should hear about (names the URL)."""


class _Retry(Exception):
    """A transient failure: try again after a backoff."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


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


def make_session() -> Any:
    """A requests Session that honours HTTP(S)_PROXY / NO_PROXY from the environment."""
    import requests

    session = requests.Session()
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
    match = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", value or "")
    if not match:
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), int(match.group(2)), total


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
    max_size: int = DEFAULT_MAX_SIZE,
    backoff_base: float | None = None,
    label: str | None = None,
    stats: DownloadStats | None = None,
    session: Any = None,
    refuse_html: bool = True,
) -> Path:
    """Fetch URL into DEST, resuming any partial download; return DEST once verified.

    Raises DownloadError (a MoocError naming the URL) when the server is wrong or
    the link stays dead after the retries. The partial file is kept on transient
    failures (so the next run resumes) and removed when its content is known bad.
    Timeouts and backoff default to env MOOC_CONNECT_TIMEOUT / MOOC_READ_TIMEOUT /
    MOOC_BACKOFF_BASE, else 10 s / 30 s / 0.5 s.
    """
    import requests

    dest = Path(dest)
    stats = stats if stats is not None else DownloadStats()
    connect_timeout = connect_timeout if connect_timeout is not None else _env_float("MOOC_CONNECT_TIMEOUT", CONNECT_TIMEOUT)
    read_timeout = read_timeout if read_timeout is not None else _env_float("MOOC_READ_TIMEOUT", READ_TIMEOUT)
    backoff_base = backoff_base if backoff_base is not None else _env_float("MOOC_BACKOFF_BASE", BACKOFF_BASE)
    expected_sha256 = expected_sha256.lower() if expected_sha256 else None
    if expected_size is not None and expected_size > max_size:
        raise DownloadError(f"{url}: announced size {expected_size} bytes is over the limit of {max_size}")

    # Never download a byte twice: a verified DEST is reused as is.
    if dest.is_file() and expected_sha256 and _verified(dest, expected_size, expected_sha256):
        stats.reused = True
        return dest

    dest.parent.mkdir(parents=True, exist_ok=True)
    part, meta_path = part_paths(dest)
    meta = _load_meta(meta_path)
    wanted = {"url": url, "expected_size": expected_size, "expected_sha256": expected_sha256}
    if not part.exists() or any(meta.get(k) != v for k, v in wanted.items()):
        _discard(part, meta_path)
        meta = dict(wanted)
    stats.resumed_from = part.stat().st_size if part.exists() else 0

    own_session = session is None
    session = session or make_session()
    bucket = TokenBucket(limit_rate) if limit_rate else None
    progress = _Progress(label or dest.name, enabled=not quiet and sys.stderr.isatty())
    tries_left = max_tries
    attempt = 0
    resumed_any = stats.resumed_from > 0
    try:
        while True:
            have = part.stat().st_size if part.exists() else 0
            if expected_size is not None and have == expected_size:
                break  # everything is on disk already
            if expected_size is not None and have > expected_size:
                _discard(part, meta_path)
                meta = dict(wanted)
                have = 0
                stats.restarts += 1
            before = stats.bytes_received
            try:
                done = _one_request(session, url, part, meta_path, meta, have, expected_size, max_size,
                                    (connect_timeout, read_timeout), bucket, progress, stats, refuse_html)
                if done:
                    break
                continue  # the server restarted us from 0 or the range was odd: go again
            except _Retry as err:
                stats.retries += 1
                stats.events.append(str(err))
                if stats.bytes_received > before:
                    tries_left = max_tries  # progress refills the budget
                    attempt = 0
                tries_left -= 1
                if tries_left <= 0:
                    raise DownloadError(f"{url}: giving up after {max_tries} tr{'ies' if max_tries != 1 else 'y'}: {err}") from None
                delay = err.retry_after if err.retry_after is not None else backoff_delay(attempt, base=backoff_base)
                attempt += 1
                time.sleep(delay)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as err:
                stats.retries += 1
                stats.events.append(type(err).__name__)
                if stats.bytes_received > before:
                    tries_left = max_tries
                    attempt = 0
                tries_left -= 1
                if tries_left <= 0:
                    raise DownloadError(f"{url}: giving up after {max_tries} tr{'ies' if max_tries != 1 else 'y'}: {_short(err)}") from None
                delay = backoff_delay(attempt, base=backoff_base)
                if not quiet:  # a silent wait of half a minute looks like a hang
                    print(f"mooc: {url}: {_short(err)}; trying again in {delay:.0f} s "
                          f"({tries_left} tr{'ies' if tries_left != 1 else 'y'} left)", file=sys.stderr)
                time.sleep(delay)
                attempt += 1
    finally:
        progress.stop()
        if own_session:
            session.close()

    # Verify, then publish atomically.
    size = part.stat().st_size
    if expected_size is not None and size != expected_size:
        _discard(part, meta_path)
        raise DownloadError(f"{url}: got {size} bytes, the catalog says {expected_size}")
    if expected_sha256:
        actual = sha256_file(part)
        if actual != expected_sha256:
            _discard(part, meta_path)
            if resumed_any and stats.restarts == 0:
                # The old partial may have come from another version of the file:
                # one clean retry from zero before blaming the server.
                stats.restarts += 1
                return download(url, dest, expected_size=expected_size, expected_sha256=expected_sha256,
                                quiet=quiet, limit_rate=limit_rate, connect_timeout=connect_timeout,
                                read_timeout=read_timeout, max_tries=max_tries, max_size=max_size,
                                backoff_base=backoff_base, label=label, stats=stats, session=None,
                                refuse_html=refuse_html)
            raise DownloadError(f"{url}: SHA-256 mismatch (got {actual[:12]}…, the catalog says {expected_sha256[:12]}…)")
    with open(part, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, dest)
    _fsync_dir(dest.parent)
    meta_path.unlink(missing_ok=True)
    return dest


def _one_request(session: Any, url: str, part: Path, meta_path: Path, meta: dict[str, Any], have: int,
                 expected_size: int | None, max_size: int, timeout: tuple[float, float],
                 bucket: TokenBucket | None, progress: _Progress, stats: DownloadStats,
                 refuse_html: bool) -> bool:
    """One GET. True when the body is complete; False to go round again; raises otherwise."""
    headers: dict[str, str] = {}
    validator = meta.get("etag") or meta.get("last_modified")
    if have > 0:
        headers["Range"] = f"bytes={have}-"
        if validator:
            headers["If-Range"] = validator
        elif not meta.get("expected_sha256"):
            # Nothing can prove the bytes on disk belong to the same file: restart.
            _truncate(part)
            have = 0
            del headers["Range"]
    stats.requests += 1
    response = open_url(session, url, headers=headers, timeout=timeout)
    with response:
        status = response.status_code
        if status in (429, 500, 502, 503, 504):
            raise _Retry(f"HTTP {status}", _retry_after(response))
        if status == 404:
            raise DownloadError(f"{url}: not found (HTTP 404)")
        if status == 416:
            if have and expected_size is not None and have == expected_size:
                return True
            _truncate(part)
            stats.restarts += 1
            return False
        if status not in (200, 206):
            raise DownloadError(f"{url}: the server answered HTTP {status} {response.reason or ''}".rstrip())
        ctype = response.headers.get("content-type", "").lower()
        if refuse_html and ctype.startswith(("text/html", "application/xhtml")):
            raise DownloadError(f"{url}: the server sent a web page (Content-Type {ctype.split(';')[0]}), not a course pack")

        if status == 206:
            crange = _content_range(response.headers.get("content-range", ""))
            if crange is None or crange[0] != have:
                # A range we did not ask for: do not trust it, start over.
                _truncate(part)
                stats.restarts += 1
                return False
            total = crange[2]
            mode = "ab"
        else:
            if have:
                stats.restarts += 1  # If-Range failed (file changed) or Range unsupported
            have = 0
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            mode = "wb"
        if total is not None and expected_size is not None and total != expected_size:
            raise DownloadError(f"{url}: the server announces {total} bytes, the catalog says {expected_size}")
        if total is not None and total > max_size:
            raise DownloadError(f"{url}: {total} bytes is over the size limit of {max_size}")
        limit = expected_size if expected_size is not None else (total if total is not None else max_size)

        # Record the validator before the first byte lands, so a kill can resume.
        new_meta = dict(meta)
        new_meta["etag"] = response.headers.get("etag") if not _weak(response.headers.get("etag")) else None
        new_meta["last_modified"] = response.headers.get("last-modified")
        new_meta["total"] = total
        if mode == "wb" or new_meta != meta:
            meta.clear()
            meta.update(new_meta)
            write_atomic(meta_path, json.dumps(meta).encode())

        progress.start(total, have)
        written = have
        since_sync = 0
        with open(part, mode) as fh:
            for chunk in iter_body(response):
                if not chunk:
                    continue
                if written + len(chunk) > limit:
                    raise DownloadError(f"{url}: the server sent more than the {limit} bytes announced")
                if bucket is not None:
                    bucket.take(len(chunk))
                fh.write(chunk)
                written += len(chunk)
                stats.bytes_received += len(chunk)
                since_sync += len(chunk)
                progress.advance(len(chunk))
                if since_sync >= FSYNC_EVERY:
                    fh.flush()
                    os.fsync(fh.fileno())
                    since_sync = 0
            fh.flush()
        if total is not None and written < total:
            raise _Retry(f"connection closed after {written} of {total} bytes")
        return True


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
        raise _Retry(f"connection lost: {_short(err)}") from None


def _weak(etag: str | None) -> bool:
    # Weak validators are not allowed in If-Range (RFC 9110 §13.1.5).
    return bool(etag) and etag.startswith("W/")


def _verified(path: Path, size: int | None, sha: str) -> bool:
    if size is not None and path.stat().st_size != size:
        return False
    return sha256_file(path) == sha


def _load_meta(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _discard(part: Path, meta_path: Path) -> None:
    part.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def _truncate(part: Path) -> None:
    with open(part, "wb"):
        pass


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


_REASONS = (
    ("Connection refused", "connection refused (is the server running?)"),
    ("Name or service not known", "host name not found (offline, or a typo in the address?)"),
    ("Temporary failure in name resolution", "host name not found (offline?)"),
    ("No route to host", "no route to host (offline?)"),
    ("Network is unreachable", "network unreachable (offline?)"),
    ("timed out", "timed out"),
    ("Connection reset", "connection reset"),
    ("Connection aborted", "connection dropped"),
)


def _short(err: BaseException) -> str:
    """The reason a person can act on, not urllib3's nested repr."""
    text = str(err)
    for needle, reason in _REASONS:
        if needle in text:
            return reason
    return text if len(text) < 160 else text[:157] + "…"
