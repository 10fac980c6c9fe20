"""A plain static file server on 127.0.0.1 for tests: what a publisher's nginx would be.

Built on stdlib `http.server` (threaded). Unlike `python -m http.server`, it answers
single byte ranges (206 / 416), sends ETag + Last-Modified and honours If-Range, so
resume can be tested against a "foreign" server too. Knobs for misbehaving servers:

    with StaticServer(root) as srv:          # srv.url == "http://127.0.0.1:PORT/"
        srv.ranges = False                   # ignore Range (always 200), like http.server
        srv.content_type = "text/html"      # lie about the type
        srv.extra_bytes = 100                # send more body than Content-Length announces
        srv.redirects["/a.mooc"] = "file:///etc/passwd"
        srv.requests                         # list of (method, path, headers dict) seen
        srv.bytes_sent                       # body bytes written
        srv.sndbuf = 16384                   # SO_SNDBUF of each connection: at most this much
                                             # (twice, as Linux counts) written but unsent when
                                             # the link drops (loopback buffers grow to MBs)

Hostile servers (each answer still counted in ``srv.requests``)::

        srv.close_at_once = True             # read the request, hang up without a word
        srv.always_416 = True                # 416 to everything, Range or not
        srv.lie_range = (0, 99, None)        # answer a Range with 206 "bytes 0-99/SIZE" (None: the
                                             # real size) and those bytes (zeros past the end of the file)
        srv.lie_range_when = "bytes=-"       # ... only when the Range starts so ("" = any Range)
        srv.lie_range_always = True          # ... and answer 206 so even without a Range
        srv.corrupt_when = "bytes=100-"      # answer a Range starting so rightly, but with every
        srv.corrupt_count = 1                # body byte flipped, this many times (None: always)
        srv.short_body = 10                  # send only 10 body bytes of each answer, then hang up
        srv.claim_length = 0                 # announce this Content-Length whatever is sent
        srv.send_length = False              # no Content-Length: the body ends when we hang up
        srv.endless = True                   # after the file, zeros forever (until the client hangs up)
        srv.drip = 0.3                       # the body one byte every 0.3 s
        srv.drip_head = 0.3                  # the status line and a never-ending header, a byte every 0.3 s
        srv.extra_headers = {"Content-Encoding": "gzip"}  # added to every file answer

Requests in absolute form (``GET http://host/path``, as sent to an HTTP proxy) are
accepted, so a test proxy can forward to it.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class StaticServer:
    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.ranges = True
        self.content_type = "application/octet-stream"
        self.extra_bytes = 0
        self.redirects: dict[str, str] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.bytes_sent = 0
        self.close_at_once = False
        self.always_416 = False
        self.lie_range: tuple[int, int, int | None] | None = None
        self.lie_range_when = ""
        self.lie_range_always = False
        self.corrupt_when: str | None = None
        self.corrupt_count: int | None = 1
        self.sndbuf: int | None = None
        self.short_body: int | None = None
        self.claim_length: int | None = None
        self.send_length = True
        self.endless = False
        self.drip = 0.0
        self.drip_head = 0.0
        self.extra_headers: dict[str, str] = {}
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self.httpd.daemon_threads = True
        self.httpd.handle_error = self._handle_error  # type: ignore[method-assign]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> StaticServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # ends drips and endless bodies
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    def _handle_error(request: object, client_address: object) -> None:
        """A client hanging up is what hostile-server tests do all day: no traceback for it."""
        import sys
        import traceback

        if not isinstance(sys.exc_info()[1], OSError):
            traceback.print_exc()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet tests
                pass

            def setup(self) -> None:
                if server.sndbuf:
                    import socket

                    self.request.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, server.sndbuf)
                super().setup()

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _serve(self, head: bool) -> None:
                path = unquote(urlsplit(self.path).path)  # absolute-form (proxy) too
                with server._lock:
                    server.requests.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}))
                if server.close_at_once:
                    self.close_connection = True
                    return
                if server.drip_head:
                    self._drip_head()
                    return
                if path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                file = (server.root / path.lstrip("/")).resolve()
                if server.root not in file.parents or not file.is_file():
                    body = b"not found"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not head:
                        self.wfile.write(body)
                    return
                stat = file.stat()
                size = stat.st_size
                etag = '"' + hashlib.sha1(f"{size}-{stat.st_mtime_ns}".encode()).hexdigest()[:16] + '"'
                last_modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
                start, end = 0, size - 1
                status = 200
                rng = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                if server.always_416:
                    self._empty(416, {"Content-Range": f"bytes */{size}"})
                    return
                lie = (
                    server.lie_range
                    if (server.lie_range_always or (rng and rng.strip().startswith(server.lie_range_when)))
                    else None
                )
                if lie is not None:
                    start, end = lie[0], lie[1]
                    status = 206
                    total = lie[2] if lie[2] is not None else size
                elif rng and server.ranges and (if_range is None or if_range in (etag, last_modified)):
                    m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip())
                    if m and (m.group(1) or m.group(2)):
                        if m.group(1):
                            start = int(m.group(1))
                            end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                        else:
                            start = max(0, size - int(m.group(2)))
                        if start >= size or start > end:
                            self._empty(416, {"Content-Range": f"bytes */{size}"})
                            return
                        status = 206
                    total = size
                else:
                    total = size
                length = end - start + 1
                self.send_response(status)
                self.send_header("Content-Type", server.content_type)
                if server.claim_length is not None:
                    self.send_header("Content-Length", str(server.claim_length))
                elif server.send_length and not server.endless:
                    self.send_header("Content-Length", str(length))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                if server.ranges:
                    self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{total}")
                for key, value in server.extra_headers.items():
                    self.send_header(key, value)
                if not server.send_length or server.endless or server.short_body is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if head:
                    return
                if server.short_body is not None:
                    length = min(length, server.short_body)
                corrupt = False
                if server.corrupt_when is not None and rng and rng.strip().startswith(server.corrupt_when):
                    with server._lock:
                        corrupt = server.corrupt_count is None or server.corrupt_count > 0
                        if corrupt and server.corrupt_count is not None:
                            server.corrupt_count -= 1
                self._send_body(file, start, length, corrupt)
                if server.endless:
                    while not server._closing.is_set() and self._write(bytes(65536)):
                        pass
                if server.extra_bytes:
                    try:
                        self.wfile.write(b"X" * server.extra_bytes)
                    except OSError:
                        pass
                    self.close_connection = True

            def _send_body(self, file: Path, start: int, length: int, corrupt: bool = False) -> None:
                with open(file, "rb") as fh:
                    fh.seek(start)
                    left = length
                    while left > 0 and not server._closing.is_set():
                        chunk = fh.read(1 if server.drip else min(65536, left)) or bytes(min(65536, left))
                        if server.drip:
                            time.sleep(server.drip)
                        if corrupt:
                            chunk = bytes(c ^ 0xFF for c in chunk)
                        if not self._write(chunk[:left]):
                            return
                        left -= len(chunk[:left])

            def _write(self, data: bytes) -> bool:
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True
                    return False
                with server._lock:
                    server.bytes_sent += len(data)
                return True

            def _empty(self, status: int, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _drip_head(self) -> None:
                """A status line, then a header that never ends, one byte at a time."""
                self.close_connection = True
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1_000_000:
                    if server._closing.is_set() or not self._write(bytes([byte])):
                        return
                    time.sleep(server.drip_head)

        return Handler
