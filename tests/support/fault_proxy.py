"""A fault-injecting TCP proxy for tests: a bad link between mooc and a real server.

It forwards raw TCP between 127.0.0.1:<port> and an upstream (host, port) and can
misbehave on the way back to the client (the download direction)::

    from tests.support.fault_proxy import FaultProxy

    with FaultProxy(("127.0.0.1", server_port)) as proxy:
        url = proxy.url + "pack.mooc"       # http://127.0.0.1:<proxy port>/pack.mooc
        proxy.drop_after = 1_000_000        # cut each connection after 1 MB downstream
        proxy.drop_count = 2                # ... but only the next 2 connections (None: all)
        proxy.drop_rst = True               # drop with RST (unread bytes lost) instead of FIN
        proxy.rate = 200_000                # throttle downstream to 200 kB/s (shared by all)
        proxy.stall = 5.0                   # hold the first response byte 5 s ...
        proxy.stall_count = 1               # ... on the next connection only (None: all)
        proxy.fail_next(2, status=503, headers={"Retry-After": "0"})  # canned answers
        proxy.drop_rate = 0.2               # reset the connection instead of forwarding a chunk
                                            # of the answer, with this probability per chunk
                                            # (keep-alive connections too: ~20 % of answers lost)
        proxy.rng.seed(7)                   # ... drawn from this generator: seed it to replay a run
        proxy.down_after_drop = (503, 100)  # after the next drop, answer 100 connections with a 503
        ...
        proxy.bytes_down, proxy.bytes_up, proxy.connections   # counters
        proxy.upstream_rcvbuf = 16384       # SO_RCVBUF towards the server: with the server's
                                            # sndbuf, what a drop loses beyond the link is small
        proxy.capture = True                # keep what each connection sent upstream, one
                                            # bytearray per connection in proxy.captured (e.g. to
                                            # count how often a statement id was sent)
        proxy.drain_on_drop = True          # after a clean drop, read the rest of the cut answer
        proxy.bytes_lost                    # from the server and count it here: server's count minus
                                            # this is exactly what crossed the link (the server then
                                            # writes all of the cut answer: for small answers)
        proxy.reset_counters()

Settings take effect for connections accepted after the change (rate: at once).
Canned answers read the request head, answer without touching upstream, and close.
Because it is a plain TCP forwarder, it also works as an HTTP proxy in front of a
server that accepts absolute-form request lines (tests/support/static_server.py
does): point HTTP_PROXY at ``proxy.url`` and request any http:// URL.

Run as a process (e.g. to outlive a test's own threads)::

    python -m tests.support.fault_proxy --upstream 127.0.0.1:8000 [--rate N] [--drop-after N]

prints its port on the first line of stdout and serves until killed.
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
import threading
import time
from http.client import responses


class _SharedBucket:
    """One token bucket for all connections: the proxy models one slow link."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens = 0.0
        self.last = time.monotonic()

    def take(self, rate: int, amount: int) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(float(rate) / 4, self.tokens + (now - self.last) * rate)
                self.last = now
                if self.tokens >= amount or self.tokens >= rate / 4:
                    self.tokens -= amount
                    return
                wait = (amount - self.tokens) / rate
            time.sleep(min(wait, 0.05))


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream
        self.drop_after: int | None = None
        self.drop_count: int | None = None
        self.drop_rst = False  # True: drop with a TCP reset (the client loses bytes in flight)
        self.rate: int | None = None
        self.stall: float = 0.0
        self.stall_count: int | None = None
        self.drop_rate: float = 0.0
        self.rng = random.Random()
        self.down_after_drop: tuple[int, int] | None = None
        self.bytes_down = 0
        self.bytes_up = 0
        self.connections = 0
        self.drops = 0
        self.drain_on_drop = False
        self.bytes_lost = 0
        self.upstream_rcvbuf: int | None = None
        self.capture = False
        self.captured: list[bytearray] = []
        self._upstreams = 0  # requests forwarded to the server whose exchange is not over
        self._canned: list[tuple[int, dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        self._bucket = _SharedBucket()
        self._closing = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server((host, port), reuse_port=False)
        self._listener.settimeout(0.2)
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ public API
    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def fail_next(
        self, count: int, status: int = 503, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> None:
        """Answer the next COUNT connections with STATUS instead of forwarding them."""
        with self._lock:
            self._canned.extend([(status, dict(headers or {}), body)] * count)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every forwarded exchange is over: the server has answered (or
        dropped) each request that reached it, even those whose client was killed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._upstreams == 0:
                    return True
            time.sleep(0.02)
        return False

    def _dropped(self) -> None:
        """Count a drop (the lock held); the link may then go down for good (`down_after_drop`)."""
        self.drops += 1
        if self.down_after_drop:
            status, count = self.down_after_drop
            self._canned.extend([(status, {"Retry-After": "0"}, b"")] * count)
            self.down_after_drop = None

    def reset_counters(self) -> None:
        with self._lock:
            self.bytes_down = self.bytes_up = self.connections = self.drops = self.bytes_lost = 0

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._thread:
            self._thread.join(timeout=2)
        self._listener.close()
        with self._lock:
            for sock in list(self._sockets):
                _close(sock)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals
    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            canned = self._canned.pop(0) if self._canned else None
            drop_after = None
            if self.drop_after is not None and (self.drop_count is None or self.drop_count > 0):
                drop_after = self.drop_after
                if self.drop_count is not None:
                    self.drop_count -= 1
            stall = 0.0
            if self.stall and (self.stall_count is None or self.stall_count > 0):
                stall = self.stall
                if self.stall_count is not None:
                    self.stall_count -= 1
            self._sockets.add(client)
        try:
            if canned is not None:
                self._answer_canned(client, *canned)
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                return
            upstream.settimeout(None)
            if self.upstream_rcvbuf:
                upstream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.upstream_rcvbuf)
            with self._lock:
                self._sockets.add(upstream)
                self._upstreams += 1
            try:
                up = threading.Thread(target=self._pump_up, args=(client, upstream), daemon=True)
                up.start()
                self._pump_down(upstream, client, drop_after, stall)
                _close(upstream)
                _close(client)
                up.join(timeout=1)
            finally:
                with self._lock:
                    self._sockets.discard(upstream)
                    self._upstreams -= 1
        finally:
            _close(client)
            with self._lock:
                self._sockets.discard(client)

    def _answer_canned(self, client: socket.socket, status: int, headers: dict[str, str], body: bytes) -> None:
        client.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = client.recv(4096)
                if not chunk:
                    break
                data += chunk
            head = f"HTTP/1.1 {status} {responses.get(status, 'Error')}\r\n"
            hdrs = {"Content-Length": str(len(body)), "Connection": "close", "Content-Type": "text/plain"}
            hdrs.update(headers)
            head += "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
            client.sendall(head.encode() + body)
            with self._lock:
                self.bytes_down += len(head) + len(body)
        except OSError:
            pass

    def _pump_up(self, client: socket.socket, upstream: socket.socket) -> None:
        stream = bytearray()
        with self._lock:
            if self.capture:
                self.captured.append(stream)
        try:
            while chunk := client.recv(65536):
                upstream.sendall(chunk)
                with self._lock:
                    self.bytes_up += len(chunk)
                    if self.capture:
                        stream += chunk
        except OSError:
            pass
        finally:
            try:
                upstream.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def _drain(self, upstream: socket.socket) -> None:
        """Read the rest of the cut answer (until the server pauses 0.2 s or closes) into bytes_lost."""
        upstream.settimeout(0.2)
        try:
            while chunk := upstream.recv(65536):
                with self._lock:
                    self.bytes_lost += len(chunk)
        except OSError:
            pass

    def _pump_down(self, upstream: socket.socket, client: socket.socket, drop_after: int | None, stall: float) -> None:
        sent = 0
        first = True
        try:
            while not self._closing.is_set():
                rate = self.rate
                size = 65536 if not rate else max(512, min(65536, rate // 20))
                if drop_after is not None:
                    size = max(1, min(size, drop_after - sent))
                chunk = upstream.recv(size)
                if not chunk:
                    return
                if first and stall:
                    time.sleep(stall)
                first = False
                if self.drop_rate and self.rng.random() < self.drop_rate:
                    with self._lock:
                        self._dropped()
                    _reset(client)
                    return
                if rate:
                    self._bucket.take(rate, len(chunk))
                client.sendall(chunk)
                sent += len(chunk)
                with self._lock:
                    self.bytes_down += len(chunk)
                if drop_after is not None and sent >= drop_after:
                    with self._lock:
                        self._dropped()
                    if self.drop_rst:
                        _reset(client)
                    else:
                        _close(client)
                        if self.drain_on_drop:
                            self._drain(upstream)
                    return
        except OSError:
            return


def _reset(sock: socket.socket) -> None:
    """Close abruptly (RST), as a dropped mobile link looks to the client."""
    try:
        import struct

        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    _close(sock)


def _close(sock: socket.socket) -> None:
    # shutdown() first: it wakes a thread blocked in recv() on the same socket,
    # which a bare close() does not (the peer would never see the drop).
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="fault-injecting TCP proxy for tests")
    parser.add_argument("--upstream", required=True, help="HOST:PORT")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=int, help="downstream bytes per second")
    parser.add_argument("--drop-after", type=int, help="drop each connection after N downstream bytes")
    parser.add_argument("--stall", type=float, default=0.0, help="hold the first response byte S seconds")
    args = parser.parse_args(argv)
    host, _, port = args.upstream.rpartition(":")
    proxy = FaultProxy((host, int(port)), port=args.port)
    proxy.rate = args.rate
    proxy.drop_after = args.drop_after
    proxy.stall = args.stall
    proxy.start()
    print(proxy.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
