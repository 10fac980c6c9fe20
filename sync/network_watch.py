"""Has the network changed? A cheap fingerprint of the links and routes, polled by the sync agent.

When the fingerprint changes (a cable plugged in, a Wi-Fi joined, a phone's hotspot
switched on), the agent stops backing off and probes at once. Reading it costs a few
small file reads, so polling it every few seconds costs nothing measurable:

- Linux: the state of each interface (``/sys/class/net/*/operstate``, loopback left
  out) and the IPv4 routing table (``/proc/net/route``: interface, destination,
  gateway), the same facts NetworkManager and `ip monitor` report;
- elsewhere (macOS, Windows): the interface names (`socket.if_nameindex`) and the
  local address the OS would use to reach the internet (a UDP socket "connected" to a
  documentation address: no packet is sent; it fails when there is no route).

`fingerprint(root)` reads the files under ROOT (``/`` normally; tests give a folder).
"""

from __future__ import annotations

import hashlib
import socket
import sys
from pathlib import Path

ROUTE_PROBE = ("192.0.2.1", 9)  # TEST-NET-1 (RFC 5737): only the route to it is looked up


def fingerprint(root: Path = Path("/")) -> str:
    """A short digest of the network's state; it changes when links or routes do."""
    net = root / "sys" / "class" / "net"
    if net.is_dir() or (root / "proc" / "net" / "route").exists():
        facts = _linux(root, net)
    elif sys.platform.startswith("linux") and root == Path("/"):
        facts = []  # a Linux without /sys and /proc (a container): nothing to watch
    else:
        facts = _portable()
    return hashlib.sha256("\n".join(facts).encode("utf-8", "replace")).hexdigest()[:16]


def _linux(root: Path, net: Path) -> list[str]:
    facts = []
    try:
        links = sorted(p for p in net.iterdir() if p.name != "lo")
    except OSError:
        links = []
    for link in links:
        facts.append(f"{link.name} {_read(link / 'operstate')}")
    for line in _read(root / "proc" / "net" / "route").splitlines()[1:]:
        words = line.split()
        if len(words) >= 3:
            facts.append(" ".join(words[:3]))  # interface, destination, gateway (not the counters)
    return facts


def _portable() -> list[str]:
    facts = []
    try:
        facts += [name for _index, name in socket.if_nameindex()]
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(ROUTE_PROBE)
            facts.append(f"via {sock.getsockname()[0]}")
    except OSError:
        facts.append("no route")
    return facts


def _read(path: Path) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            return fh.read(64 * 1024).strip()
    except OSError:
        return ""
