"""The sync agent for real: `mooc sync --watch` as a process, the Ralph LRS behind the fault proxy.

The agent runs with a short pace (MOOC_AGENT_PACE, documented in docs/sync.md for
tests): the LRS down, it sends nothing and backs off (the proxy counts every
connection: one per probe, nothing else); the LRS up, every pending statement
arrives within one probe period, once; the agent and the player's worker together
send each statement once (the proxy keeps what was sent: each id appears in one
upload); killed with SIGKILL mid-upload and started again, nothing is lost and
nothing stored twice; SIGTERM ends it with exit status 0, mid-upload too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from player.events import Event
from player.progress import EventLog
from sync.worker import SyncWorker
from tests.conftest import MOOC_BIN, Homes
from tests.support.fault_proxy import FaultProxy
from tests.support.ralph import RalphServer, free_port
from tests.test_sync_faults import _check_exactly_once, _event_ids, _machine

pytestmark = pytest.mark.lrs

PACE = "0.3,2.4,600,0.2"  # probe after 0.3 s, 0.6 s, 1.2 s, ... at most every 2.4 s; network polled every 0.2 s


class AgentProcess:
    def __init__(self, homes: Homes, tmp_path: Path, pace: str = PACE, cwd: Path | None = None) -> None:
        self.layout = Layout.default(homes.home)
        self.log = open(tmp_path / f"agent-{time.monotonic_ns()}.log", "w+")
        self.proc = subprocess.Popen(
            [str(MOOC_BIN), "sync", "--watch"],
            env=homes.env(MOOC_AGENT_PACE=pace, MOOC_METERED="0"),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the agent and its round's child
            cwd=cwd,
        )

    def state(self) -> dict[str, Any]:
        try:
            return json.loads(self.layout.agent_state_file.read_text())
        except (OSError, ValueError):
            return {}

    def wait_for(self, predicate: Any, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if state.get("pid") == self.proc.pid and predicate(state):
                return state
            assert self.proc.poll() is None, self.output()
            time.sleep(0.05)
        raise AssertionError(f"timed out; state {self.state()}; output {self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def terminate(self, timeout: float = 15.0) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        return code, time.monotonic() - started

    def kill_all(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # a power cut: the agent and its round's child
        self.proc.wait(10)


def _pending(layout: Layout) -> int:
    from sync.endpoint_status import endpoint_status

    rows, _notes = endpoint_status(layout)
    return sum(r["pending"] for r in rows)


def test_offline_then_online_sends_everything_once_within_one_probe_period(
    mooc_home: Homes, ralph_lrs: RalphServer, tmp_path: Path
) -> None:
    with FaultProxy(("127.0.0.1", free_port())) as proxy:  # the LRS is down: nobody behind the proxy
        endpoint, origin = f"{proxy.url}xAPI/", proxy.url.rstrip("/")
        layout, account = _machine(mooc_home.home, endpoint, ralph_lrs, 300)
        agent = AgentProcess(mooc_home, tmp_path)
        try:
            state = agent.wait_for(lambda s: s.get("probes", 0) >= 5 and s.get("state") == "offline")
            connections = proxy.connections
            # offline, waits of 0.3, 0.6, 1.2, 2.4 s: five probes; each one small request and nothing else
            assert state["rounds"] == 0 and state["delay"] == 2.4
            assert connections in (state["probes"], state["probes"] + 1)  # one more may be under way
            assert ralph_lrs.agent_statements({"account": {"homePage": origin, "name": account}}) == []

            proxy.upstream = ("127.0.0.1", ralph_lrs.port)  # the LRS comes up
            up = time.monotonic()
            agent.wait_for(lambda s: s.get("rounds", 0) >= 1 and s.get("pending") == 0, timeout=60)
            took = time.monotonic() - up
            print(f"\nLRS up -> last of 300 statements stored: {took:.2f} s (probe period at most 2.4 s)")
            assert took < 2.4 + 20  # the next planned probe, then one round of two batches
            code, stop = agent.terminate()
            assert code == 0 and stop < 5, agent.output()
            assert agent.state()["state"] == "stopped" and "stopped" in agent.output()
        finally:
            if agent.proc.poll() is None:
                agent.kill_all()
    _check_exactly_once(ralph_lrs, origin, account, _event_ids(layout))
    assert _pending(layout) == 0


def test_agent_and_players_worker_send_each_statement_once(
    mooc_home: Homes, ralph_lrs: RalphServer, tmp_path: Path
) -> None:
    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        proxy.capture = True
        proxy.rate = 50_000  # slow answers: the two senders' rounds overlap
        endpoint, origin = f"{proxy.url}xAPI/", proxy.url.rstrip("/")
        layout, account = _machine(mooc_home.home, endpoint, ralph_lrs, 400)
        worker = SyncWorker(layout, learner_id="amina", first_delay=0.0, interval=0.2, max_interval=0.4).start()
        agent = AgentProcess(mooc_home, tmp_path)
        try:
            log = EventLog.for_course(layout, "amina", "fault-course")
            for n in range(6):  # the learner keeps studying while both run
                log.append(
                    *[Event("time_spent", "fault-course", "1.0.0", f"l{n}", {"seconds": i + 1.0}) for i in range(40)]
                )
                time.sleep(0.4)
            deadline = time.monotonic() + 90
            while _pending(layout) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _pending(layout) == 0
            state = agent.state()
            assert state["rounds"] >= 1, agent.output()
        finally:
            worker.stop()
            code, _took = agent.terminate()
        assert code == 0
        assert proxy.wait_idle()
    ids = _event_ids(layout)
    sent = b"".join(bytes(s) for s in proxy.captured)
    twice = [i for i in ids if sent.count(f'"id":"{i}"'.encode()) != 1]
    assert not twice, f"{len(twice)} statements uploaded more than once (or never)"
    _check_exactly_once(ralph_lrs, origin, account, ids)


@pytest.mark.slow
def test_kill_9_mid_upload_then_restart_loses_and_duplicates_nothing(
    mooc_home: Homes, ralph_lrs: RalphServer, tmp_path: Path
) -> None:
    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        proxy.rate = 5_000  # ~1.6 s per batch of 200: the agent is killed mid-upload
        endpoint, origin = f"{proxy.url}xAPI/", proxy.url.rstrip("/")
        layout, account = _machine(mooc_home.home, endpoint, ralph_lrs, 2000)
        kills = 0
        for delay in (1.0, 2.5, 1.7, 3.1, 0.8):
            agent = AgentProcess(mooc_home, tmp_path)
            agent.wait_for(lambda s: s.get("state") == "sending")
            time.sleep(delay)
            if agent.proc.poll() is None:
                agent.kill_all()
                kills += 1
            assert proxy.wait_idle(), "the LRS never finished the killed upload's request"
        assert kills >= 4
        left = _pending(layout)
        assert 0 < left < 2000, left  # some went up, some were cut off
        proxy.rate = None
        agent = AgentProcess(mooc_home, tmp_path)
        agent.wait_for(lambda s: s.get("rounds", 0) >= 1 and s.get("pending") == 0)
        code, _took = agent.terminate()
        assert code == 0
    _check_exactly_once(ralph_lrs, origin, account, _event_ids(layout))


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_stopped_mid_upload_it_exits_cleanly_and_keeps_the_rest_pending(
    how: str, mooc_home: Homes, ralph_lrs: RalphServer, tmp_path: Path
) -> None:
    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        proxy.rate = 5_000
        endpoint, origin = f"{proxy.url}xAPI/", proxy.url.rstrip("/")
        layout, account = _machine(mooc_home.home, endpoint, ralph_lrs, 1200)
        agent = AgentProcess(mooc_home, tmp_path)
        agent.wait_for(lambda s: s.get("state") == "sending")
        deadline = time.monotonic() + 30
        while proxy.bytes_up < 50_000 and time.monotonic() < deadline:  # an upload is under way
            time.sleep(0.05)
        if how == "SIGTERM":  # what systemd, launchd and --remove-agent send
            code, took = agent.terminate()
        else:  # Ctrl-C in a terminal: SIGINT to the whole foreground group, the round's child too
            started = time.monotonic()
            os.killpg(agent.proc.pid, signal.SIGINT)
            code, took = agent.proc.wait(15), time.monotonic() - started
        print(f"\n{how} mid-upload -> exit {code} after {took:.2f} s")
        assert code == 0 and took < 10, agent.output()
        assert "Traceback" not in agent.output() and "interrupted" not in agent.output(), agent.output()
        assert agent.state()["state"] == "stopped"
        assert _pending(layout) > 0  # the round stopped early; the rest waits
        assert proxy.wait_idle()
        proxy.rate = None
        done = subprocess.run([str(MOOC_BIN), "sync"], env=mooc_home.env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    _check_exactly_once(ralph_lrs, origin, account, _event_ids(layout))


def test_a_second_agent_for_the_same_data_folder_stops_at_once(mooc_home: Homes, tmp_path: Path) -> None:
    first = AgentProcess(mooc_home, tmp_path)
    try:
        first.wait_for(lambda s: s.get("state") == "waiting")
        second = subprocess.run(
            [str(MOOC_BIN), "sync", "--watch"], env=mooc_home.env(), capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0 and "already watches" in second.stdout
        status = subprocess.run(
            [str(MOOC_BIN), "sync", "--agent-status", "--json"],
            env=mooc_home.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        st = json.loads(status.stdout)
        assert st["running"] is True and st["pid"] == first.proc.pid and st["state"] == "waiting"
    finally:
        code, took = first.terminate()
    assert code == 0 and took < 5


def test_a_player_package_in_the_working_folder_is_not_run(
    mooc_home: Homes, ralph_lrs: RalphServer, tmp_path: Path
) -> None:
    """The agent's rounds run `python -m player`, which looks in the working folder first:
    started from a folder holding someone else's `player` package, it still runs mooc's."""
    hostile = tmp_path / "downloads"
    (hostile / "player").mkdir(parents=True)
    (hostile / "player" / "__init__.py").write_text("raise SystemExit('not mooc')\n")
    (hostile / "player" / "__main__.py").write_text("raise SystemExit('not mooc')\n")
    layout, account = _machine(mooc_home.home, ralph_lrs.endpoint, ralph_lrs, 20)
    agent = AgentProcess(mooc_home, tmp_path, cwd=hostile)
    try:
        agent.wait_for(lambda s: s.get("rounds", 0) >= 1 and s.get("pending") == 0)
    finally:
        code, _took = agent.terminate()
    assert code == 0 and "not mooc" not in agent.output()
    _check_exactly_once(ralph_lrs, ralph_lrs.origin, account, _event_ids(layout))
