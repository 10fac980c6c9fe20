"""`mooc serve`: share this machine's installed courses with a lab over the LAN.

Built on the standard library's `http.server.ThreadingHTTPServer`: it parses HTTP
for us (we write no request parsing), is thread-per-connection — right for a lab of
a few dozen PCs — and adds no dependency. What we add is small and tested: single
byte ranges (206/416), ETag + Last-Modified validators and If-Range, so lab PCs
resume like they do from any web server.

Security rules (docs/catalogs-and-downloads.md):
- Read-only: GET and HEAD only. Binds 127.0.0.1 unless told otherwise.
- Every client is untrusted (`ServeLimits`): a request head is at most 16 KiB and
  must arrive within 20 s (else 431, or the connection is closed); a body is sent
  under a socket timeout and an overall deadline; at most 16 connections per client
  address and 128 in all; an absurd Range header is answered 416 or 200, as
  RFC 9110 says; an unexpected error is one line, never a traceback.
- The URL never becomes a file path: the server holds a table
  ``/packs/<id>-<version>.mooc -> file``, plus ``/`` and ``/catalog.json`` (the
  generated catalog). Anything else is 404; no listings. The table follows the
  store: before answering, the server compares the store's fingerprint
  (`Store.generation`, at most once a second) and rebuilds the table when a course
  was installed, upgraded or removed, so lab PCs see next week's version without a
  restart. Each answer is one log line (who, what, status, bytes, time).
- The store keeps unpacked trees, so each course is rebuilt once into
  ``layout.packs_cache_dir`` with the deterministic `building.build_pack`
  (byte-identical to the publisher's pack when built from the same source).
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packages.errors import MoocError
from packages.i18n import _
from packages.serve_limits import ServeLimits, _HeadReader, _HeadTooLarge, _Server
from packages.served_packs import ServedPack, catalog_bytes

_HUGE = 1 << 63  # any offset with more digits than a file size can have


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """A single 'bytes=' range -> (start, end inclusive); None = send it all; 'bad' = 416.

    Anything that is not one well-formed range (several ranges, garbage, first > last)
    gets the whole file, as RFC 9110 §14.2 allows; a satisfiable-looking range that
    starts at or past the end, or a zero-length suffix, is 416. Any number of digits
    is fine: an offset longer than a file size can be is just "past the end".
    """
    if not header:  # its length is bounded by ServeLimits.head_bytes
        return None
    m = re.fullmatch(r"\s*bytes\s*=\s*([0-9]*)\s*-\s*([0-9]*)\s*", header)
    if not m or not (m.group(1) or m.group(2)):
        return None
    first = _number(m.group(1)) if m.group(1) else None
    last = _number(m.group(2)) if m.group(2) else None
    if first is not None:
        if last is not None and last < first:
            return None  # syntactically invalid: ignore the header
        if first >= size:
            return "bad"
        return first, min(last, size - 1) if last is not None else size - 1
    suffix = last or 0
    if suffix == 0 or size == 0:
        return "bad"
    return max(0, size - suffix), size - 1


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else _HUGE


@dataclass(frozen=True)
class _Table:
    """What is served at one moment: swapped whole when the store changes."""

    packs: dict[str, ServedPack]
    catalog: bytes
    catalog_mtime: float

    @classmethod
    def of(cls, packs: list[ServedPack]) -> _Table:
        return cls({p.name: p for p in packs}, catalog_bytes(packs), max((p.mtime for p in packs), default=0.0))


class Follower:
    """Keeps a server's table in step with the store: `collect()` gives the packs,
    `generation()` a cheap fingerprint asked at most every `every` seconds."""

    def __init__(
        self, collect: Callable[[], list[ServedPack]], generation: Callable[[], object], every: float = 1.0
    ) -> None:
        self.collect = collect
        self.generation = generation
        self.every = every
        self.seen = generation()
        self.checked = time.monotonic()


class PackServer:
    """The HTTP server for the packs of a store (or a fixed list). `start()` runs it in a thread."""

    def __init__(
        self,
        packs: list[ServedPack],
        host: str = "127.0.0.1",
        port: int = 8765,
        limits: ServeLimits | None = None,
        *,
        follow: Follower | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.limits = limits or ServeLimits()
        self.table = _Table.of(packs)
        self.follow = follow
        self.log = log
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        try:
            self.httpd = _Server((host, port), self._handler(), self.limits)
        except OSError as err:
            raise MoocError(
                _("cannot listen on {host}:{port}: {strerror}").format(
                    host=host, port=port, strerror=err.strerror or err
                )
            ) from None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def host(self) -> str:
        return str(self.httpd.server_address[0])

    @property
    def packs(self) -> dict[str, ServedPack]:
        return self.table.packs

    def current(self) -> _Table:
        """The table to answer from: rebuilt first when the store changed (one thread
        rebuilds; the others keep answering from the table they have)."""
        follow = self.follow
        if follow is None or time.monotonic() - follow.checked < follow.every:
            return self.table
        if not self._refresh_lock.acquire(blocking=False):
            return self.table
        try:
            follow.checked = time.monotonic()
            now = follow.generation()
            if now != follow.seen:
                old = self.table
                try:
                    self.table = _Table.of(follow.collect())
                except (MoocError, OSError) as err:
                    self._say(_("the store changed but cannot be shared yet: {err}").format(err=err))
                else:
                    follow.seen = now
                    self._say(_("the store changed: {change}").format(change=_table_change(old, self.table)))
        finally:
            self._refresh_lock.release()
        return self.table

    def _say(self, line: str) -> None:
        if self.log is not None:
            from packages.safe_text import one_line

            self.log(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {one_line(line)}")

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> PackServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> PackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self
        limits = self.limits

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            default_request_version = "HTTP/1.1"  # errors to garbage get a status line, not bare HTML
            server_version = "mooc-serve"
            sys_version = ""
            timeout = limits.send_timeout

            def setup(self) -> None:
                super().setup()
                self.head_reader = _HeadReader(self.connection, limits)
                self.rfile = self.head_reader  # type: ignore[assignment]

            def handle_one_request(self) -> None:
                self.head_reader.new_request()
                # What send_error needs if the head is refused before it was parsed.
                self.command = None  # type: ignore[assignment]  # as http.server's parse_request does
                self.request_version, self.requestline = self.default_request_version, ""
                try:
                    super().handle_one_request()
                except _HeadTooLarge:
                    self.close_connection = True
                    self.connection.settimeout(limits.send_timeout)
                    self.send_error(431, "Request Header Fields Too Large")

            def log_message(self, format: str, *args: object) -> None:
                pass  # one line per request would drown the URLs the teacher needs

            def do_GET(self) -> None:
                self._answer(head=False)

            def do_HEAD(self) -> None:
                self._answer(head=True)

            def _answer(self, head: bool) -> None:
                self.connection.settimeout(limits.send_timeout)  # the head reader shortened it
                started = time.monotonic()
                self.answered = (0, 0)  # (status, body bytes sent)
                try:
                    self._route(head)
                finally:
                    if server.log is not None:
                        status, sent = self.answered
                        server.log(
                            _log_line(
                                self.client_address[0],
                                self.command or "",
                                self.path,
                                status,
                                sent,
                                time.monotonic() - started,
                            )
                        )

            def _route(self, head: bool) -> None:
                try:
                    path = unquote(urlsplit(self.path).path)
                except ValueError:
                    self._plain(400, "bad request\n", head)
                    return
                table = server.current()
                if path in ("/", "/catalog.json"):
                    self._send_bytes(table.catalog, "application/json", table.catalog_mtime, head)
                    return
                if path.startswith("/packs/") and path[len("/packs/") :] in table.packs:
                    self._send_pack(table.packs[path[len("/packs/") :]], head)
                    return
                self._plain(404, "not found\n", head)

            def _plain(self, status: int, text: str, head: bool, headers: dict[str, str] | None = None) -> None:
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.answered = (status, 0)
                if not head:
                    self.wfile.write(body)
                    self.answered = (status, len(body))

            def _send_bytes(self, body: bytes, ctype: str, mtime: float, head: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                self.send_header("ETag", '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
                self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
                self.end_headers()
                self.answered = (200, 0)
                if not head:
                    self.wfile.write(body)
                    self.answered = (200, len(body))

            def _send_pack(self, pack: ServedPack, head: bool) -> None:
                last_modified = email.utils.formatdate(pack.mtime, usegmt=True)
                wanted = parse_range(self.headers.get("Range"), pack.size)
                if_range = self.headers.get("If-Range")
                if wanted is not None and if_range is not None and if_range.strip() not in (pack.etag, last_modified):
                    wanted = None  # the client's copy is of another file: send it all
                common = {"ETag": pack.etag, "Last-Modified": last_modified, "Accept-Ranges": "bytes"}
                if wanted == "bad":
                    self._plain(
                        416, "range not satisfiable\n", head, {"Content-Range": f"bytes */{pack.size}", **common}
                    )
                    return
                if wanted is None:
                    start, end, status = 0, pack.size - 1, 200
                else:
                    assert isinstance(wanted, tuple)
                    (start, end), status = wanted, 206
                length = end - start + 1
                self.send_response(status)
                self.send_header("Content-Type", "application/vnd.mooc+zip")
                self.send_header("Content-Length", str(length))
                for key, value in common.items():
                    self.send_header(key, value)
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{pack.size}")
                self.end_headers()
                self.answered = (status, 0)
                if head or length <= 0:
                    return
                sent = self._send_file(pack.path, start, length)
                self.answered = (status, sent)
                with server._lock:
                    server.bytes_sent += sent

            def _send_file(self, path: Path, start: int, length: int) -> int:
                """Send LENGTH bytes from START; a client too slow for the deadline is dropped."""
                deadline = time.monotonic() + limits.send_floor + length / limits.min_rate
                sent = 0
                try:
                    with open(path, "rb") as fh:
                        while sent < length:
                            if time.monotonic() > deadline:
                                break
                            n = self.connection.sendfile(fh, offset=start + sent, count=min(1 << 20, length - sent))
                            if not n:
                                break
                            sent += n
                except OSError:  # a client that hung up or read nothing for send_timeout
                    pass
                if sent < length:
                    self.close_connection = True
                return sent

        return Handler


def _log_line(client: str, method: str, path: str, status: int, sent: int, seconds: float) -> str:
    """One request, as a teacher reads it: when, which PC, what, the answer, how much."""
    from packages.safe_text import one_line

    what = one_line(path)[:200]  # the path is the client's: cleaned and bounded
    note = "" if status not in (200, 206) or method == "HEAD" else f"  {_size(sent)}"
    return (
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {client}  {one_line(method)[:10]} {what}  {status}{note}"
        f"  {seconds:.1f} s"
    )


def _size(n: int) -> str:
    return f"{n} B" if n < 10_000 else f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _table_change(old: _Table, new: _Table) -> str:
    gone = sorted(set(old.packs) - set(new.packs))
    came = sorted(set(new.packs) - set(old.packs))
    parts = [_("now sharing {name}").format(name=name.removesuffix(".mooc")) for name in came]
    parts += [_("no longer sharing {name}").format(name=name.removesuffix(".mooc")) for name in gone]
    return "; ".join(parts) or _("nothing to share changed")


def lan_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses, best guess first (no packet is sent)."""
    found: list[str] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET: connect() on UDP only picks a route
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        for addr in socket.gethostbyname_ex(socket.gethostname())[2]:
            if addr not in found:
                found.append(addr)
    except OSError:
        pass
    return [a for a in found if not a.startswith("127.")]


def share_urls(host: str, port: int) -> list[str]:
    if host in ("0.0.0.0", "", "::"):
        hosts = lan_addresses() or ["127.0.0.1"]
    else:
        hosts = [host]
    return [f"http://{h}:{port}/" for h in hosts]
