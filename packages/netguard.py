"""Bounds on every network transfer: time, throughput and size (docs/catalogs-and-downloads.md).

A server is untrusted: it may drip one byte every few seconds (each under the read
timeout), send headers forever, or stream an endless body. Each transfer (a pack
download, a delta update, a catalog fetch) runs under a `Guard`:

- an overall deadline: ``MOOC_DEADLINE`` seconds (default 300) for a catalog; for a
  pack that floor plus its size at the minimum rate, so a 40 MB pack on a
  64 kbit/s link (8 kB/s, about 90 minutes) is never cut;
- a minimum throughput: once ``MOOC_RATE_WINDOW`` seconds (default 120) have
  passed, fewer than ``MOOC_MIN_RATE`` bytes/s (default 1k) over the last window
  stops the transfer (curl's --speed-limit/--speed-time rule);
- size caps: ``MOOC_MAX_DOWNLOAD_SIZE`` (default 2G) for a bare URL, whose size no
  catalog vouches for, and ``MOOC_MAX_CATALOG_SIZE`` (default 16M) for a catalog.

A watchdog thread enforces the time rules even while a read is blocked (headers or a
TLS handshake arriving a byte at a time): it shuts down the transfer's sockets, and
the code that was reading then calls `Guard.check()`, which raises `TooSlow` naming
the URL and the rule. The sockets are tracked through the requests session built by
`guarded_adapter` (each new connection registers its socket).
"""

from __future__ import annotations

import socket
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packages.errors import MoocError
from packages.i18n import _

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
BACKOFF_BASE = 0.5
MIN_RATE = 1024  # bytes/s
RATE_WINDOW = 120.0  # seconds
DEADLINE = 300.0  # seconds
MAX_DOWNLOAD_SIZE = 2 * 1024**3  # a bare URL: the unpacked-size limit of a pack (pack_limits.Limits)
MAX_CATALOG_SIZE = 16 * 1024**2


class TooSlow(MoocError):
    """A transfer broke a time rule; the message names the URL and the rule."""


@dataclass(frozen=True)
class NetLimits:
    """The network knobs, from the environment (a bad value is one error line)."""

    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    backoff_base: float = BACKOFF_BASE
    min_rate: int = MIN_RATE
    rate_window: float = RATE_WINDOW
    deadline: float = DEADLINE
    max_download_size: int = MAX_DOWNLOAD_SIZE
    max_catalog_size: int = MAX_CATALOG_SIZE

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> NetLimits:
        import os

        from packages.pack_limits import _parse_float, parse_size

        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var, key, parse in (
            ("MOOC_CONNECT_TIMEOUT", "connect_timeout", _parse_float),
            ("MOOC_READ_TIMEOUT", "read_timeout", _parse_float),
            ("MOOC_BACKOFF_BASE", "backoff_base", _parse_float),
            ("MOOC_MIN_RATE", "min_rate", parse_size),
            ("MOOC_RATE_WINDOW", "rate_window", _parse_float),
            ("MOOC_DEADLINE", "deadline", _parse_float),
            ("MOOC_MAX_DOWNLOAD_SIZE", "max_download_size", parse_size),
            ("MOOC_MAX_CATALOG_SIZE", "max_catalog_size", parse_size),
        ):
            if env.get(var):
                values[key] = parse(env[var], var)
        if values.get("min_rate") == 0:
            raise MoocError(_("MOOC_MIN_RATE: must be at least 1 (bytes per second)"))
        return cls(**values)

    def pack_deadline(self, size: int) -> float:
        """The overall time allowed for a pack of SIZE bytes: the floor plus SIZE at the minimum rate."""
        return self.deadline + size / self.min_rate


class Guard:
    """Watches one transfer; use as a context manager around it (starts and stops the watchdog)."""

    def __init__(
        self,
        label: str,
        limits: NetLimits,
        *,
        deadline: float,
        why: str = "MOOC_DEADLINE",
        min_rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label  # what the messages name: the URL, or e.g. "catalog NAME (URL)"
        self.limits = limits
        self.deadline = deadline
        self.why = why  # how the deadline was computed, for the message
        self.min_rate = float(min_rate if min_rate is not None else limits.min_rate)
        self.clock = clock
        self.received = 0  # body bytes, fed by the reader
        self.tripped: str | None = None
        self._start = clock()
        self._samples: deque[tuple[float, int]] = deque([(self._start, 0)])
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ the reader's side
    def feed(self, amount: int) -> None:
        self.received += amount

    def check(self) -> None:
        """Raise TooSlow if a rule was broken (seen by the watchdog, or the deadline right now)."""
        if self.tripped is None:
            self._past_deadline(self.clock())
        if self.tripped is not None:
            raise TooSlow(self.tripped)

    def sleep(self, seconds: float) -> None:
        """A backoff wait that a broken rule ends at once."""
        self._stop.wait(max(0.0, min(seconds, self.remaining())))
        self.check()

    def remaining(self) -> float:
        return max(0.0, self._start + self.deadline - self.clock())

    def timeout(self, connect: float, read: float) -> tuple[float, float]:
        """Socket timeouts for the next request, never past the deadline."""
        left = max(0.05, self.remaining())
        return min(connect, left), min(read, left)

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
        if self.tripped is not None:
            _shutdown(sock)

    # ------------------------------------------------------------------ the watchdog
    def __enter__(self) -> Guard:
        tick = max(0.05, min(1.0, self.limits.rate_window / 4, self.deadline / 4))
        self._thread = threading.Thread(target=self._watch, args=(tick,), name="mooc-netguard", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _watch(self, tick: float) -> None:
        while not self._stop.wait(tick):
            if self._evaluate() is not None:
                with self._lock:
                    sockets = list(self._sockets)
                for sock in sockets:
                    _shutdown(sock)
                self._stop.set()  # also ends a backoff sleep
                return

    def _past_deadline(self, now: float) -> bool:
        elapsed = now - self._start
        if elapsed <= self.deadline:
            return False
        self.tripped = self.tripped or (
            _("{label}: stopped after {elapsed:.0f} s, over the {deadline:.0f} s allowed ({why})").format(
                label=self.label, elapsed=elapsed, deadline=self.deadline, why=self.why
            )
        )
        return True

    def _evaluate(self) -> str | None:
        """The watchdog's test: the deadline, then the throughput over the last window."""
        now = self.clock()
        if self.tripped is not None or self._past_deadline(now):
            return self.tripped
        window = self.limits.rate_window
        received = self.received
        samples = self._samples  # the watchdog's alone: no lock
        samples.append((now, received))
        while len(samples) > 2 and samples[1][0] <= now - window:
            samples.popleft()
        base_time, base_bytes = samples[0]
        span = now - base_time
        if span >= window and received - base_bytes < self.min_rate * span:
            self.tripped = _(
                "{label}: too slow: {received} bytes in the last {span:.0f} s, under {min_rate:.0f} bytes/s (MOOC_MIN_RATE, MOOC_RATE_WINDOW)"
            ).format(label=self.label, received=received - base_bytes, span=span, min_rate=self.min_rate)
        return self.tripped


def _shutdown(sock: socket.socket) -> None:
    # shutdown() wakes a thread blocked in recv() on this socket; close() would not.
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def guarded_adapter(guard: Guard) -> Any:
    """A requests HTTPAdapter whose every new connection (direct or through a proxy) registers its socket."""
    from requests.adapters import HTTPAdapter

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            _track_pools(self.poolmanager, guard)

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            fresh = proxy not in self.proxy_manager
            manager = super().proxy_manager_for(proxy, **kwargs)
            if fresh:
                _track_pools(manager, guard)
            return manager

    return GuardedAdapter()


def _track_pools(manager: Any, guard: Guard) -> None:
    classes = {}
    for scheme, pool_cls in manager.pool_classes_by_scheme.items():
        conn_cls = pool_cls.ConnectionCls

        def _new_conn(self: Any, _base: Any = conn_cls) -> Any:
            sock = _base._new_conn(self)
            guard.track(sock)
            return sock

        tracked = type(conn_cls.__name__, (conn_cls,), {"_new_conn": _new_conn})
        classes[scheme] = type(pool_cls.__name__, (pool_cls,), {"ConnectionCls": tracked})
    manager.pool_classes_by_scheme = classes
