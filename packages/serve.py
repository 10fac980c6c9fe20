"""`mooc serve`: share this machine's installed courses with a lab over the LAN.

Built on the standard library's `http.server.ThreadingHTTPServer`: it parses HTTP
for us (we write no request parsing), is thread-per-connection — right for a lab of
a few dozen PCs — and adds no dependency. What we add is small and tested: single
byte ranges (206/416), ETag + Last-Modified validators and If-Range, so lab PCs
resume like they do from any web server.

Security rules (docs/catalogs-and-downloads.md):
- Read-only: GET and HEAD only. Binds 127.0.0.1 unless told otherwise.
- The URL never becomes a file path: the server holds a fixed table
  ``/packs/<id>-<version>.mooc -> file`` built at start, plus ``/`` and
  ``/catalog.json`` (the generated catalog). Anything else is 404; no listings.
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
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from packages.errors import MoocError
from packages.layout import Layout

CONNECTION_TIMEOUT = 60.0  # an idle or stalled client frees its thread after this


@dataclass(frozen=True, kw_only=True)
class ServedPack:
    id: str
    version: str
    title: str
    language: str
    summary: str
    path: Path
    size: int
    sha256: str
    mtime: float

    @property
    def name(self) -> str:
        return f"{self.id}-{self.version}.mooc"

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:32]}"'


def cached_pack(layout: Layout, course: Any) -> Path:
    """The .mooc of an installed course: rebuilt once from its tree, then reused.

    Keyed by the version folder (which changes on every install), so a reinstall of
    the same version never serves a stale archive.
    """
    from packages.building import build_pack

    key = hashlib.sha256(str(Path(course.path).resolve()).encode()).hexdigest()[:16]
    target = layout.packs_cache_dir / key / f"{course.id}-{course.version}.mooc"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            build_pack(course.path, out=target)
        except MoocError as err:
            raise MoocError(f"{course.id} {course.version}: cannot rebuild its .mooc to share it: {err}") from None
    return target


def collect_packs(layout: Layout, *, include_bundled: bool = False,
                  say: Callable[[str], None] = lambda _m: None) -> list[ServedPack]:
    """Every installed course (user and system stores; the copy that plays) as a .mooc."""
    from packages.download import sha256_file
    from packages.store import Store

    packs: list[ServedPack] = []
    for course in Store(layout).list():
        if course.origin == "bundled" and not include_bundled:
            continue
        say(f"preparing {course.id} {course.version}")
        path = cached_pack(layout, course)
        stat = path.stat()
        packs.append(ServedPack(id=course.id, version=course.version, title=course.title,
                                language=course.language, summary=course.summary, path=path,
                                size=stat.st_size, sha256=sha256_file(path), mtime=stat.st_mtime))
    return packs


def catalog_bytes(packs: list[ServedPack]) -> bytes:
    from packages.catalog import catalog_document

    return catalog_document([
        {"id": p.id, "version": p.version, "title": p.title, "language": p.language, "summary": p.summary,
         "url": "packs/" + quote(p.name), "size": p.size, "sha256": p.sha256}
        for p in packs
    ])


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """A single 'bytes=' range -> (start, end inclusive); None = send it all; 'bad' = 416.

    Multi-range requests get the whole file (allowed by RFC 9110 §14.2).
    """
    if not header:
        return None
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not m or not (m.group(1) or m.group(2)):
        return None
    if m.group(1):
        start = int(m.group(1))
        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
        if m.group(2) and int(m.group(2)) < start:
            return None  # syntactically invalid: ignore the header
        if start >= size:
            return "bad"
        return start, end
    suffix = int(m.group(2))
    if suffix == 0 or size == 0:
        return "bad"
    return max(0, size - suffix), size - 1


class PackServer:
    """The HTTP server for a fixed list of packs. `start()` runs it in a thread."""

    def __init__(self, packs: list[ServedPack], host: str = "127.0.0.1", port: int = 8765) -> None:
        self.packs = {p.name: p for p in packs}
        self.catalog = catalog_bytes(packs)
        self.catalog_mtime = max((p.mtime for p in packs), default=0.0)
        self.bytes_sent = 0
        self._lock = threading.Lock()
        try:
            self.httpd = ThreadingHTTPServer((host, port), self._handler())
        except OSError as err:
            raise MoocError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def host(self) -> str:
        return str(self.httpd.server_address[0])

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> "PackServer":
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "PackServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "mooc-serve"
            sys_version = ""
            timeout = CONNECTION_TIMEOUT

            def log_message(self, format: str, *args: object) -> None:
                pass  # one line per request would drown the URLs the teacher needs

            def do_GET(self) -> None:
                self._answer(head=False)

            def do_HEAD(self) -> None:
                self._answer(head=True)

            def _answer(self, head: bool) -> None:
                path = unquote(urlsplit(self.path).path)
                if path in ("/", "/catalog.json"):
                    self._send_bytes(server.catalog, "application/json", server.catalog_mtime, head)
                    return
                if path.startswith("/packs/") and path[len("/packs/"):] in server.packs:
                    self._send_pack(server.packs[path[len("/packs/"):]], head)
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
                if not head:
                    self.wfile.write(body)

            def _send_bytes(self, body: bytes, ctype: str, mtime: float, head: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                self.send_header("ETag", '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
                self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _send_pack(self, pack: ServedPack, head: bool) -> None:
                last_modified = email.utils.formatdate(pack.mtime, usegmt=True)
                wanted = parse_range(self.headers.get("Range"), pack.size)
                if_range = self.headers.get("If-Range")
                if wanted is not None and if_range is not None and if_range.strip() not in (pack.etag, last_modified):
                    wanted = None  # the client's copy is of another file: send it all
                common = {"ETag": pack.etag, "Last-Modified": last_modified, "Accept-Ranges": "bytes"}
                if wanted == "bad":
                    self._plain(416, "range not satisfiable\n", head,
                                {"Content-Range": f"bytes */{pack.size}", **common})
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
                if head or length <= 0:
                    return
                try:
                    with open(pack.path, "rb") as fh:
                        sent = self.connection.sendfile(fh, offset=start, count=length)
                except (BrokenPipeError, ConnectionResetError, TimeoutError):
                    self.close_connection = True
                    return
                with server._lock:
                    server.bytes_sent += sent

        return Handler


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

