"""A misbehaving "LRS" on 127.0.0.1: raw HTTP answers a test writes byte by byte.

A real LRS (tests/support/ralph.py) answers correctly; this one answers whatever the
test tells it to, on a plain TCP socket, so it can do what no HTTP framework would:
drip bytes, never end a body, send junk after an answer on a kept-alive connection,
send a thousand headers::

    from tests.support.hostile_lrs import HostileLRS, drip, endless

    def behave(req):                      # called for each request, in a thread
        if req.method == "POST":
            return drip(req, b"HTTP/1.1 200 OK\\r\\n", every=0.5)
        req.answer(200, {"statements": [], "more": None})

    with HostileLRS(behave) as lrs:
        lrs.endpoint                      # http://127.0.0.1:<port>/xAPI/
        lrs.requests                      # [(method, target), ...] seen so far
        lrs.bytes_sent                    # everything written to clients

`behave` returns True to keep the connection open for the next request (keep-alive);
anything else closes it. Helpers below answer JSON, drip, and stream without end;
each stops when the client goes away or the server stops.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import responses
from typing import Any

from tests.support.fault_proxy import _close

MAX_HEAD = 64 * 1024


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    sock: socket.socket
    server: HostileLRS

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)
        with self.server.lock:
            self.server.bytes_sent += len(data)

    def answer(
        self,
        status: int,
        body: Any = b"",
        headers: dict[str, str] | None = None,
        *,
        extra: bytes = b"",
        keep_alive: bool = False,
    ) -> None:
        """A complete answer (JSON-encoded unless `body` is bytes), then `extra` bytes.
        Unless `keep_alive` (then `behave` returns True), it says the connection closes."""
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        head = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        if not keep_alive:
            head["Connection"] = "close"
        head.update(headers or {})
        self.send(
            status_line(status)
            + b"".join(f"{k}: {v}\r\n".encode("latin-1") for k, v in head.items())
            + b"\r\n"
            + body
            + extra
        )

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")


def status_line(status: int) -> bytes:
    return f"HTTP/1.1 {status} {responses.get(status, 'Whatever')}\r\n".encode()


def drip(req: Request, head: bytes, *, every: float, byte: bytes = b"x") -> None:
    """Send `head`, then one byte every `every` seconds until the client leaves."""
    req.send(head)
    while not req.server.stopping.wait(every):
        req.send(byte)


def endless(req: Request, head: bytes = b"", chunk: bytes = b" " * 65536) -> None:
    """Send `head` (default: a 200 with no length, so the body ends when we close), then
    `chunk` again and again until the client leaves."""
    req.send(head or status_line(200) + b"Content-Type: application/json\r\nConnection: close\r\n\r\n")
    while not req.server.stopping.is_set():
        req.send(chunk)


@dataclass
class HostileLRS:
    behave: Callable[[Request], Any]
    requests: list[tuple[str, str]] = field(default_factory=list)
    bytes_sent: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._clients: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.origin}/xAPI/"

    def count(self, method: str) -> int:
        with self.lock:
            return sum(1 for m, _ in self.requests if m == method)

    def __enter__(self) -> HostileLRS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._thread.join(timeout=2)
        self._listener.close()
        with self.lock:
            for sock in list(self._clients):
                _close(sock)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self._clients.add(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(30)
        buffer = b""
        try:
            while not self.stopping.is_set():
                while b"\r\n\r\n" not in buffer:
                    data = sock.recv(65536)
                    if not data or len(buffer) > MAX_HEAD:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                while len(buffer) < length:
                    data = sock.recv(65536)
                    if not data:
                        return
                    buffer += data
                body, buffer = buffer[:length], buffer[length:]
                with self.lock:
                    self.requests.append((method, target))
                if self.behave(Request(method, target, headers, body, sock, self)) is not True:
                    return
        except OSError:  # the client went away: that is what most tests want
            return
        finally:
            with self.lock:
                self._clients.discard(sock)
            _close(sock)


def peak_rss_run(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[Any, int, float]:
    """Run CMD, sampling its resident memory every 20 ms: (CompletedProcess, peak RSS in
    bytes, seconds). Killed (and the test fails on its exit code) after `timeout`."""
    import subprocess

    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    out: list[str] = []

    def wait() -> None:
        try:
            out.extend(proc.communicate(timeout=timeout))
        except subprocess.TimeoutExpired:
            proc.kill()
            out.extend(proc.communicate())

    reader = threading.Thread(target=wait, daemon=True)
    reader.start()
    while reader.is_alive():
        try:
            with open(f"/proc/{proc.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
        except (OSError, ValueError):
            pass
        reader.join(0.02)
    return subprocess.CompletedProcess(cmd, proc.returncode, *out), peak, time.monotonic() - start
