"""`mooc serve` facing hostile clients: absurd Range headers, huge or dripping request heads,
connection floods, clients that never read. Never an exception; one bad client never holds
the server."""

from __future__ import annotations

import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from packages.serve import PackServer
from packages.serve_limits import ServeLimits
from packages.served_packs import ServedPack
from tests.support.served import served_pack

REPO = Path(__file__).resolve().parents[1]
DATA = bytes(range(256)) * 4000  # 1_024_000 bytes


@pytest.fixture
def pack(tmp_path) -> ServedPack:
    path = tmp_path / "x.mooc"
    path.write_bytes(DATA)
    return served_pack(path)


def raw_request(port: int, data: bytes, *, source: str = "127.0.0.1", timeout: float = 10) -> bytes:
    """Send DATA on a fresh connection and no more; return everything the server sends until it closes."""
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                out += chunk
                if len(out) > 4 * len(DATA):
                    break
        except TimeoutError:
            raise
        except OSError:  # the server hung up first (refused, or mid-way): what came is the answer
            pass
    return out


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except OSError:
        return True


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0


def get(port: int, range_header: str) -> bytes:
    return raw_request(
        port,
        (f"GET /packs/x-1.0.0.mooc HTTP/1.1\r\nHost: x\r\nRange: {range_header}\r\nConnection: close\r\n\r\n").encode(
            "latin-1"
        ),
    )


@pytest.mark.parametrize(
    "header, expected",
    [
        ("bytes=99999999999999999999-", 416),  # starts past any end
        ("bytes=" + "9" * 5000 + "-", 416),  # more digits than int() takes by default
        ("bytes=0-" + "9" * 5000, 206),  # the end is clipped to the file
        ("bytes=-" + "9" * 5000, 206),  # a suffix longer than the file: all of it
        ("bytes=5-2", 200),  # first > last: invalid, ignored
        ("bytes=-0", 416),  # an empty suffix
        ("bytes=0-1," * 500 + "2-3", 200),  # many ranges: the whole file
        ("bytes=--5", 200),
        ("bytes=\u00b2-", 200),  # a superscript two is not a digit
        ("octets=0-5", 200),
        ("garbage \x7f\x01", 200),
    ],
)
def test_absurd_range_headers_get_416_or_200_never_an_exception(pack, header, expected, capsys):
    with PackServer([pack], port=0) as srv:
        answer = get(srv.port, header)
        assert status(answer) == expected, answer[:200]
        if expected == 200:
            assert answer.endswith(DATA)
        # and the server still answers the next client
        assert requests.get(f"http://127.0.0.1:{srv.port}/packs/x-1.0.0.mooc", timeout=10).content == DATA
    assert "Traceback" not in capsys.readouterr().err


def test_oversized_request_heads_are_refused_with_431(pack):
    with PackServer([pack], port=0) as srv:
        long_line = b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\n\r\n"
        assert status(raw_request(srv.port, long_line)) == 431
        many = b"GET /catalog.json HTTP/1.1\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 200) for i in range(200))
        assert status(raw_request(srv.port, many + b"\r\n")) == 431
        assert requests.get(f"http://127.0.0.1:{srv.port}/catalog.json", timeout=10).status_code == 200


def test_a_client_dripping_its_request_is_dropped_and_others_are_served(pack):
    """One header byte every 0.2 s: the connection is closed at head_seconds (1.5 s here);
    meanwhile other clients are served at once."""
    with PackServer([pack], port=0, limits=ServeLimits(head_seconds=1.5)) as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=20) as slow:
            start = time.monotonic()
            slow.sendall(b"GET /catalog.json HTTP/1.1\r\n")
            closed = False
            for _ in range(100):
                t0 = time.monotonic()
                assert requests.get(f"http://127.0.0.1:{srv.port}/catalog.json", timeout=5).status_code == 200
                assert time.monotonic() - t0 < 2
                try:
                    slow.sendall(b"X")
                    slow.settimeout(0.2)
                    if slow.recv(1) == b"":
                        closed = True
                        break
                except TimeoutError:
                    continue
                except OSError:
                    closed = True
                    break
            assert closed and time.monotonic() - start < 10


def test_a_flood_from_one_client_does_not_lock_out_the_others(pack):
    """20 idle connections from 127.0.0.2: past 16 (per_client) they are closed at once; a client
    at 127.0.0.1 is served all along; when the flood ends its address may connect again."""
    with PackServer([pack], port=0) as srv:
        flood = []
        try:
            for _ in range(20):
                flood.append(
                    socket.create_connection(("127.0.0.1", srv.port), timeout=5, source_address=("127.0.0.2", 0))
                )
            time.sleep(1)  # the server has seen them all by now
            readable, _w, _x = select.select(flood, [], [], 0)
            refused = sum(1 for sock in readable if _closed(sock))
            assert refused == 4
            assert requests.get(f"http://127.0.0.1:{srv.port}/catalog.json", timeout=5).status_code == 200
        finally:
            for sock in flood:
                sock.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            answer = raw_request(
                srv.port, b"GET /catalog.json HTTP/1.1\r\nConnection: close\r\n\r\n", source="127.0.0.2"
            )
            if status(answer) == 200:
                break
            time.sleep(0.1)
        assert status(answer) == 200


def test_a_client_that_never_reads_is_dropped(tmp_path):
    """A 32 MB pack, a client that asks and reads nothing: dropped after send_timeout (1 s here);
    with per_client=1 the next request from that address proves the thread was freed."""
    data = bytes(32 * 1024 * 1024)
    path = tmp_path / "big.mooc"
    path.write_bytes(data)
    big = served_pack(path, "big", "B")
    with PackServer([big], port=0, limits=ServeLimits(send_timeout=1.0, per_client=1)) as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as sloth:
            sloth.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sloth.sendall(b"GET /packs/big-1.0.0.mooc HTTP/1.1\r\nHost: x\r\n\r\n")
            start = time.monotonic()
            while time.monotonic() - start < 20:
                time.sleep(0.25)
                answer = raw_request(srv.port, b"GET /catalog.json HTTP/1.1\r\nConnection: close\r\n\r\n")
                if status(answer) == 200:
                    break
            assert status(answer) == 200 and time.monotonic() - start < 20
        assert srv.bytes_sent < len(data)


def test_mooc_serve_answers_garbage_with_no_traceback(tmp_path, mooc_home, run_mooc):
    """The real `mooc serve` process: a volley of broken requests, then a normal install still works;
    its stderr holds no traceback."""
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    pack_file = build_pack(
        generate_pack(tmp_path / "src", lessons=2, questions=2, course_id="lab"), out=tmp_path / "lab-1.0.0.mooc"
    )
    assert run_mooc("install", str(pack_file)).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "serve", "--port", "0"],
        env=mooc_home.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        url = proc.stdout.readline().split(" on ")[1].strip()
        port = int(url.rsplit(":", 1)[1].strip("/"))
        volley = [
            b"GET /packs/lab-1.0.0.mooc HTTP/1.1\r\nRange: bytes=" + b"9" * 5000 + b"-\r\n\r\n",
            b"GET /packs/lab-1.0.0.mooc HTTP/1.1\r\nRange: bytes=99999999999999999999-\r\n\r\n",
            b"GET http://[::1/ HTTP/1.1\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(300) + b"\r\n\r\n",  # a TLS hello
            b"GET / HTTP/9.9\r\n\r\n",
            b"GET /" + b"%" * 10_000 + b" HTTP/1.1\r\n\r\n",
            b"DELETE /catalog.json HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: " + b"\xff" * 100 + b"\r\n\r\n",
            b"GET /catalog.json HTTP/1.1\r\n" + b"A" * 20_000 + b"\r\n\r\n",
            b"\r\n\r\n",
        ]
        for data in volley:
            answer = raw_request(port, data)
            assert answer == b"" or status(answer) in (200, 206, 400, 404, 416, 431, 501, 505), answer[:100]
        env = {"MOOC_HOME": str(tmp_path / "lab" / "home"), "MOOC_SYSTEM_HOME": str(tmp_path / "lab" / "sys")}
        assert run_mooc("catalog", "add", url, env=env).returncode == 0
        r = run_mooc("install", "lab", env=env)
        assert r.returncode == 0 and "installed lab 1.0.0" in r.stdout, r.stderr
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=10)
    assert "Traceback" not in err, err
