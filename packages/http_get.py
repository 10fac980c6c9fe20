"""GETs over http(s) that an untrusted server cannot abuse: sessions whose sockets a
`netguard.Guard` can cut, redirects followed by hand and each one checked (no
https->http, no other scheme), header values read strictly, and bodies read as they
arrive (`iter_body`) or whole in memory under a cap (`read_body`). The building
blocks of downloads, delta updates, catalog fetches and the LRS client; a failure
the user should hear about is a DownloadError naming the URL.

`requests` is imported inside the functions: the CLI must start fast.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from packages.errors import MoocError
from packages.i18n import N_, _
from packages.netguard import CONNECT_TIMEOUT, READ_TIMEOUT, Guard, guarded_adapter

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "mooc-downloader/1"
_NUMBER = "[0-9]{1,19}"  # a byte count or offset; more digits is not a file size


class DownloadError(MoocError):
    """A download failed in a way the user should hear about (names the URL)."""


class _Retry(Exception):
    """An answer that did not finish the file: try again after a backoff (REASON says what the server did)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


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
        raise DownloadError(
            _("{from_url}: redirect to a {new}: URL refused ({to_url})").format(
                from_url=from_url, new=new or "relative", to_url=to_url
            )
        )
    if old == "https" and new == "http":
        raise DownloadError(
            _("{from_url}: redirect from https to plain http refused ({to_url})").format(
                from_url=from_url, to_url=to_url
            )
        )


def open_url(
    session: Any,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    method: str = "GET",
) -> Any:
    """GET (streamed), following at most MAX_REDIRECTS redirects, each one checked."""
    import requests

    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            response = session.request(
                method, current, headers=headers or {}, stream=True, allow_redirects=False, timeout=timeout
            )
        except requests.exceptions.InvalidSchema as err:
            raise DownloadError(_("{url}: not an http(s) URL ({err})").format(url=url, err=err)) from None
        if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
            target = urljoin(current, response.headers["location"])
            response.close()
            check_redirect(current, target)
            current = target
            continue
        return response
    raise DownloadError(_("{url}: too many redirects").format(url=url))


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
        if isinstance(err, urllib3.exceptions.ProtocolError):
            raise _Retry(_("connection lost")) from None
        reason = _short(err)
        # a reason that already says what happened to the connection is not prefixed
        connection = reason.startswith("connection") or any(
            n.startswith("Connection") and n in str(err) for n, _r in _REASONS
        )
        raise _Retry(reason if connection else _("connection lost: {reason}").format(reason=reason)) from None


def read_body(response: Any, cap: int, guard: Guard, *, what: str, limit_name: str) -> bytes:
    """The whole body in memory, never more than CAP bytes after decoding (gzip and deflate
    are decoded here, bounded, not by urllib3); over CAP is one error naming WHAT."""
    import zlib

    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise DownloadError(
            _("{what}: unsupported Content-Encoding {encoding!r}").format(what=what, encoding=encoding[:40])
        )
    length = _int_header(response.headers.get("content-length"))
    too_big = _("{what}: larger than {cap} bytes (the limit, {limit_name})").format(
        what=what, cap=cap, limit_name=limit_name
    )
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
        raise DownloadError(
            _("{what}: the server sent a broken {encoding} body ({err})").format(what=what, encoding=encoding, err=err)
        ) from None
    except _Retry as err:
        guard.check()
        raise DownloadError(_("{what}: {err}").format(what=what, err=err)) from None
    guard.check()
    if length is not None and decoder is None and len(body) < length:
        raise DownloadError(
            _("{what}: connection closed after {n_body} of {length} bytes").format(
                what=what, n_body=len(body), length=length
            )
        )
    return bytes(body)


_REASONS = (
    ("Connection refused", N_("connection refused (is the server running?)")),
    ("Name or service not known", N_("host name not found (offline, or a typo in the address?)")),
    ("Temporary failure in name resolution", N_("host name not found (offline?)")),
    ("No route to host", N_("no route to host (offline?)")),
    ("Network is unreachable", N_("network unreachable (offline?)")),
    ("timed out", N_("timed out")),
    ("Connection reset", N_("connection reset")),
    ("Remote end closed connection without response", N_("the server closed the connection without answering")),
    ("Connection aborted", N_("connection dropped")),
)


def _short(err: BaseException) -> str:
    """The reason a person can act on, not urllib3's nested repr."""
    text = str(err)
    for needle, reason in _REASONS:
        if needle in text:
            return _(reason)
    return text if len(text) < 160 else text[:157] + "…"
