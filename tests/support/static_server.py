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

Requests in absolute form (``GET http://host/path``, as sent to an HTTP proxy) are
accepted, so a test proxy can forward to it.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import threading
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
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "StaticServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "StaticServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet tests
                pass

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _serve(self, head: bool) -> None:
                path = unquote(urlsplit(self.path).path)  # absolute-form (proxy) too
                with server._lock:
                    server.requests.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}))
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
                if rng and server.ranges and (if_range is None or if_range in (etag, last_modified)):
                    m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip())
                    if m and (m.group(1) or m.group(2)):
                        if m.group(1):
                            start = int(m.group(1))
                            end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                        else:
                            start = max(0, size - int(m.group(2)))
                        if start >= size or start > end:
                            self.send_response(416)
                            self.send_header("Content-Range", f"bytes */{size}")
                            self.send_header("Content-Length", "0")
                            self.end_headers()
                            return
                        status = 206
                length = end - start + 1
                self.send_response(status)
                self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(length))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                if server.ranges:
                    self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.end_headers()
                if head:
                    return
                with open(file, "rb") as fh:
                    fh.seek(start)
                    left = length
                    while left > 0:
                        chunk = fh.read(min(65536, left))
                        if not chunk:
                            break
                        try:
                            self.wfile.write(chunk)
                        except (BrokenPipeError, ConnectionResetError):
                            return
                        left -= len(chunk)
                        with server._lock:
                            server.bytes_sent += len(chunk)
                if server.extra_bytes:
                    try:
                        self.wfile.write(b"X" * server.extra_bytes)
                    except OSError:
                        pass
                    self.close_connection = True

        return Handler
