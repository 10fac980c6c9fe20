"""What the sync agent reads of the world, with real parts: the reachability probe against
a real HTTP server on 127.0.0.1 (directly and through a proxy), the network fingerprint
from files laid out as /sys and /proc are, NetworkManager's and Windows' metered flags,
and the cap on a download on a metered link against a hostile LRS."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from sync import metered, network_watch, reachability


class _Answer(BaseHTTPRequestHandler):
    status = 404
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.seen.append((self.path, self.headers.get("X-Experience-API-Version", "")))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Any:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    _Answer.seen = []
    yield srv
    srv.shutdown()
    srv.server_close()


def test_probe_one_small_request_to_about(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = f"http://127.0.0.1:{server.server_port}/xAPI/"
    _Answer.status = 404  # an LRS without /about is still there
    assert reachability.probe(url) is True
    assert _Answer.seen == [("/xAPI/about", "1.0.3")]
    _Answer.status = 503  # there, but failing: not worth sending to
    assert reachability.probe(url) is False
    from tests.support.ralph import free_port

    assert reachability.probe(f"http://127.0.0.1:{free_port()}/xAPI/") is False  # nobody listens


def test_probe_goes_through_the_proxy_the_environment_names(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("NO_PROXY", "")
    _Answer.status = 200
    assert reachability.probe("http://lrs.invalid/xapi/") is True  # resolved by the proxy, not by us
    assert _Answer.seen[0][0] == "http://lrs.invalid/xapi/about"
    monkeypatch.setenv("NO_PROXY", "lrs.invalid")
    assert reachability.probe("http://lrs.invalid/xapi/", timeout=3) is False


def test_network_fingerprint_follows_links_and_routes(tmp_path: Path) -> None:
    net = tmp_path / "sys" / "class" / "net"
    for name, state in (("lo", "unknown"), ("eth0", "down"), ("wlan0", "down")):
        (net / name).mkdir(parents=True)
        (net / name / "operstate").write_text(state + "\n")
    route = tmp_path / "proc" / "net" / "route"
    route.parent.mkdir(parents=True)
    header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n"
    route.write_text(header)
    offline = network_watch.fingerprint(tmp_path)
    assert network_watch.fingerprint(tmp_path) == offline
    (net / "wlan0" / "operstate").write_text("up\n")
    joined = network_watch.fingerprint(tmp_path)
    assert joined != offline
    route.write_text(header + "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\n")
    routed = network_watch.fingerprint(tmp_path)
    assert routed != joined
    route.write_text(header + "wlan0\t00000000\t0101A8C0\t0003\t0\t97\t600\t00000000\n")  # only a counter moved
    assert network_watch.fingerprint(tmp_path) == routed
    (net / "lo" / "operstate").write_text("up\n")  # loopback is no network
    assert network_watch.fingerprint(tmp_path) == routed


def test_metered_readings() -> None:
    assert metered.parse_nm_metered("u 1") is True and metered.parse_nm_metered("u 3") is True
    assert metered.parse_nm_metered("u 2") is False and metered.parse_nm_metered("u 4") is False
    assert metered.parse_nm_metered("   variant       uint32 1") is True
    assert metered.parse_nm_metered("u 0") is None and metered.parse_nm_metered(None) is None
    assert metered.parse_windows_cost("Fixed False False") is True
    assert metered.parse_windows_cost("Variable False False") is True
    assert metered.parse_windows_cost("Unrestricted True False") is True  # roaming
    assert metered.parse_windows_cost("Unrestricted False False") is False
    assert metered.parse_windows_cost("junk") is None and metered.parse_windows_cost("") is None
    assert metered.is_metered({"MOOC_METERED": "1"}, run=lambda argv: None) is True
    assert metered.is_metered({"MOOC_METERED": "0"}, run=lambda argv: "u 1") is False


def test_metered_link_caps_downloads_unless_allowed() -> None:
    big = 16 * 1024 * 1024
    assert metered.answer_cap({}, True, big) == metered.METERED_ANSWER_BYTES
    assert metered.answer_cap({"metered_downloads": True}, True, big) == big
    assert metered.answer_cap({}, False, big) == big and metered.answer_cap({}, None, big) == big


def test_on_a_metered_link_a_large_answer_is_not_downloaded(mooc_home: Any) -> None:
    """The cap the agent uses on a metered link stops a pull at its answer's size (a
    hostile LRS on 127.0.0.1 answers a 400 kB page); without the cap it is read."""
    from player.config import update_config
    from player.learners import Learners
    from sync.consent import Consent
    from sync.pull import pull
    from tests.support.hostile_lrs import HostileLRS

    def behave(req: Any) -> None:
        req.answer(200, {"statements": [], "more": "", "padding": "x" * 400_000})

    layout = Layout.default(mooc_home.home)
    learner = Learners(layout).add("Amina")
    with HostileLRS(behave) as lrs:
        update_config(layout, lambda c: c.setdefault("sync", {}).update(endpoint=lrs.endpoint))
        Consent(layout, learner.id).allow(lrs.endpoint)
        capped = pull(layout, learner, "c1", max_bytes=metered.METERED_ANSWER_BYTES)
        assert capped[0].error and "larger than 256 kB: more than this link allows" in capped[0].error
        asked = len(lrs.requests)
        assert asked >= 1  # the page was asked for: the cap is on the answer, not the request
        assert pull(layout, learner, "c1")[0].error is None  # no cap: the same 400 kB page is read
        assert len(lrs.requests) > asked
