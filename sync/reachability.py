"""Is a learning record store reachable? One small request, and how long to wait between tries.

`probe(url)` sends ONE request, `GET <endpoint>about` (xAPI's About resource: public,
no credentials are sent, a few hundred bytes back), with the standard library's HTTP
client (the sync agent stays small while it waits: no `requests`). Proxies come from
the environment as for every request of mooc. The LRS counts as reachable when it
answers anything but a 5xx (a 404 from an LRS without `/about` still says it is
there), or when a TLS handshake fails on its certificate (the host is there; the
upload, with mooc's own certificate checks, will say what is wrong). A refused or
dropped connection, a timeout, a DNS failure or a 5xx is "not reachable". The whole
probe is bounded: `PROBE_SECONDS`, after which its socket is shut down.

`offline_delays(base, cap)` is the back-off while offline: 30 s, 60 s, 120 s, ... up to
15 min; `probe_times(window, base, cap)` lists when the probes of a long offline
spell happen (the numbers docs/sync.md quotes).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator
from urllib.parse import quote, urljoin, urlsplit

BASE_SECONDS = 30.0  # the first wait after a failed probe; also the pace while online
CAP_SECONDS = 900.0  # the longest wait while offline (15 min)
PROBE_SECONDS = 15.0  # one probe, all included
CONNECT_SECONDS = 10.0
USER_AGENT = "mooc-sync-agent/1"


def offline_delays(base: float = BASE_SECONDS, cap: float = CAP_SECONDS) -> Iterator[float]:
    """The waits after each failed probe of an offline spell: base, 2 base, 4 base, ... cap, cap, ..."""
    delay = base
    while True:
        yield min(delay, cap)
        delay = min(delay * 2, cap)


def probe_times(window: float, base: float = BASE_SECONDS, cap: float = CAP_SECONDS) -> list[float]:
    """When the probes of an offline spell of WINDOW seconds happen (seconds from its start)."""
    times: list[float] = []
    now = 0.0
    delays = offline_delays(base, cap)
    while now < window:
        times.append(now)
        now += next(delays)
    return times


def probe(url: str, *, timeout: float = PROBE_SECONDS) -> bool:
    """Whether the LRS at endpoint URL answers (see the module doc)."""
    target = urljoin(url if url.endswith("/") else url + "/", "about")
    parts = urlsplit(target)
    secure = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    proxy = _proxy_for(parts.scheme, host)
    path = target if proxy and not secure else (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        name = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    authority = (f"[{name}]" if ":" in name else name) + ("" if parts.port is None else f":{port}")
    path = quote(path, safe="/?&=%:@!$'()*+,;~-._[]")  # the request line is ASCII
    box: list[socket.socket] = []
    cutter = threading.Timer(timeout, _cut, args=(box,))
    cutter.daemon = True
    cutter.start()
    try:
        sock = socket.create_connection(proxy or (host, port), timeout=min(CONNECT_SECONDS, timeout))
        box.append(sock)
        if proxy and secure:  # a tunnel through the proxy first
            sock.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode("ascii"))
            if _status(sock) != 200:
                return False
        if secure:
            import ssl

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            box.append(sock)
        head = (
            f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: {USER_AGENT}\r\n"
            "X-Experience-API-Version: 1.0.3\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode("ascii"))
        status = _status(sock)
    except Exception as err:  # every failure of the link is an answer: not reachable
        return _certificate_problem(err)
    finally:
        cutter.cancel()
        for s in box:
            s.close()
    return status is not None and status < 500


def _status(sock: socket.socket) -> int | None:
    """The status code of the answer's first line (at most 1 kB is read), None if it is no HTTP."""
    line = b""
    while b"\n" not in line and len(line) < 1024:
        chunk = sock.recv(1024 - len(line))
        if not chunk:
            break
        line += chunk
    words = line.split(b"\r\n", 1)[0].split()
    if len(words) >= 2 and words[0].startswith(b"HTTP/") and words[1].isdigit() and len(words[1]) == 3:
        return int(words[1])
    return None


def _cut(box: list[socket.socket]) -> None:
    for sock in list(box):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _certificate_problem(err: BaseException) -> bool:
    """A TLS certificate mooc's probe does not trust: the host answered (see the module doc)."""
    ssl = sys.modules.get("ssl")  # only an https probe loads it
    return ssl is not None and isinstance(err, ssl.SSLCertVerificationError)


def _proxy_for(scheme: str, host: str) -> tuple[str, int] | None:
    """(host, port) of the proxy the environment names for this URL (HTTPS_PROXY,
    HTTP_PROXY, ALL_PROXY and NO_PROXY, as requests reads them), or None."""
    env = {k.lower(): v for k, v in os.environ.items() if k.lower().endswith("_proxy")}
    proxy = env.get(f"{scheme}_proxy") or env.get("all_proxy")
    if not proxy or _bypassed(host, env.get("no_proxy", "")):
        return None
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or 80


def _bypassed(host: str, no_proxy: str) -> bool:
    host = host.lower().rstrip(".")
    for entry in no_proxy.replace(" ", ",").split(","):
        entry = entry.strip().lower().lstrip(".").split(":")[0]
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return True
    return False
