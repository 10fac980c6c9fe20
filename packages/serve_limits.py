"""What one client may cost `mooc serve` (`ServeLimits`): request heads read straight
from the socket, bounded in bytes and in time (`_HeadReader`); connections capped per
client address and in all, a refused one closed at once (`_Server`); a surprise said
in one line on stderr, never a traceback.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CONNECTION_TIMEOUT = 60.0  # a client that stops reading the answer frees its thread after this


@dataclass(frozen=True)
class ServeLimits:
    """What one client may cost the server."""

    head_bytes: int = 16 * 1024  # request line + headers
    head_seconds: float = 20.0  # for a whole request head (also the keep-alive idle time)
    send_timeout: float = CONNECTION_TIMEOUT  # a client that reads nothing for this long is dropped
    send_floor: float = 300.0  # an answer may take this long, plus its size at min_rate
    min_rate: int = 1024  # bytes/s (the downloader's own rule, netguard.MIN_RATE)
    per_client: int = 16  # connections at once from one address
    connections: int = 128  # connections at once in all


class _HeadTooLarge(Exception):
    """The request line and headers are over ServeLimits.head_bytes."""


class _HeadReader:
    """The handler's rfile: reads request heads straight from the socket, each one
    bounded in bytes and in time (a client dripping a byte every few seconds cannot
    hold a thread past head_seconds). Bodies are never read (GET and HEAD only)."""

    def __init__(self, sock: socket.socket, limits: ServeLimits) -> None:
        self.sock = sock
        self.limits = limits
        self.buf = bytearray()
        self.left = limits.head_bytes
        self.deadline = time.monotonic() + limits.head_seconds

    def new_request(self) -> None:
        self.left = self.limits.head_bytes
        self.deadline = time.monotonic() + self.limits.head_seconds

    def readline(self, size: int = -1) -> bytes:
        limit = self.left if size is None or size < 0 else min(size, self.left)
        while True:
            newline = self.buf.find(b"\n", 0, limit)
            if newline >= 0:
                return self._take(newline + 1)
            if len(self.buf) >= limit:
                if limit == self.left:
                    raise _HeadTooLarge()
                return self._take(limit)
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("request head too slow")
            self.sock.settimeout(remaining)
            data = self.sock.recv(65536)
            if not data:
                return self._take(len(self.buf))
            self.buf += data

    def read(self, size: int = -1) -> bytes:
        return self._take(min(len(self.buf), size if size >= 0 else len(self.buf)))

    def _take(self, n: int) -> bytes:
        out = bytes(self.buf[:n])
        del self.buf[:n]
        self.left -= n
        return out

    def close(self) -> None:
        pass  # the socket belongs to the server


class _Server(ThreadingHTTPServer):
    """A thread per connection, at most `per_client` from one address and `connections` in all."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], limits: ServeLimits) -> None:
        self.limits = limits
        self._active: Counter[str] = Counter()
        self._active_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        client = str(client_address[0])
        with self._active_lock:
            busy = (
                self._active[client] >= self.limits.per_client or sum(self._active.values()) >= self.limits.connections
            )
            if not busy:
                self._active[client] += 1
        if busy:
            self.shutdown_request(request)  # closed at once: no thread, no answer
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            client = str(client_address[0])
            with self._active_lock:
                self._active[client] -= 1
                if self._active[client] <= 0:
                    del self._active[client]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line on stderr for a surprise, never a traceback; a client hanging up is no news."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return
        from packages.safe_text import one_line

        print(one_line(f"mooc serve: {client_address[0]}: {type(error).__name__}: {error}"), file=sys.stderr)
