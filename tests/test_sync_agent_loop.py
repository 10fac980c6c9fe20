"""The sync agent's decisions on a fake clock: when it probes, when it sends, when it stops.

No sleeping: the loop's `wait` advances a fake clock. The probes it makes while offline
are exactly those of the back-off schedule (`sync.reachability.probe_times`), whose
numbers docs/sync.md quotes. Also the cap its round puts on downloads on a metered link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from packages.errors import MoocError
from packages.layout import Layout
from sync import metered, reachability
from sync.agent_loop import Agent, Pace

URL = "https://lrs.example.org/xapi/"


class Run:
    """An agent on a fake clock: probes answer `online(t)`, rounds and surveys are recorded."""

    def __init__(self, tmp_path: Path, *, until: float, pending: int = 3, awaiting: int = 0, pace: Pace | None = None):
        self.now = 0.0
        self.until = until
        self.online = lambda t: False
        self.net = lambda t: "net-a"
        self.probes: list[float] = []
        self.rounds: list[tuple[float, str]] = []
        self.surveys: list[float] = []
        self.lines: list[str] = []
        self.work = {"url": URL, "pending": pending, "awaiting": awaiting}
        layout = Layout(home=tmp_path / "home", system_home=tmp_path / "system")
        self.agent = Agent(
            layout,
            pace or Pace(),
            clock=lambda: self.now,
            wait=self.wait,
            probe=self.probe,
            network=lambda: self.net(self.now),
            metered=lambda: None,
            child=self.child,
            say=self.lines.append,
        )

    def wait(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds
        if self.now >= self.until:
            self.agent.stop_event.set()

    def probe(self, url: str) -> bool:
        assert url == URL
        self.probes.append(self.now)
        return self.online(self.now)

    def _writes(self, name: str) -> None:
        """What a real child writes: statements to an outbox (survey), acks (round)."""
        box = self.agent.layout.sync_dir / "lrs.example.org-1"
        box.mkdir(parents=True, exist_ok=True)
        with open(box / name, "a") as fh:
            fh.write(f"{self.now}\n")

    def child(self, kind: str, is_metered: bool | None) -> dict[str, Any]:
        if kind == "survey":
            self.surveys.append(self.now)
            self._writes("outbox.jsonl")
            return {"endpoints": [self.work] if self.work["pending"] or self.work["awaiting"] else []}
        self._writes("acks.jsonl")
        self.rounds.append((self.now, kind))
        self.work = {**self.work, "pending": 0}
        return {"online": True, "stored": 3, "pending": 0, "last_success": "2026-01-01T00:00:00Z"}

    def go(self) -> Run:
        assert self.agent.run() == 0
        return self


def test_ten_minutes_offline_probe_as_the_schedule_says(tmp_path: Path) -> None:
    run = Run(tmp_path, until=600).go()
    assert run.probes == reachability.probe_times(600) == [0, 30, 90, 210, 450]
    assert run.rounds == []  # nothing is sent while the LRS is not reachable
    assert len(run.surveys) == 1  # the data did not change (the survey's own writes are no change)
    assert sum(1 for line in run.lines if line.startswith("offline")) == 1  # said once, not per probe


def test_the_schedule_backs_off_to_fifteen_minutes() -> None:
    delays = reachability.offline_delays()
    assert [next(delays) for _ in range(8)] == [30, 60, 120, 240, 480, 900, 900, 900]
    day = reachability.probe_times(24 * 3600)
    assert len(reachability.probe_times(600)) == 5 and len(reachability.probe_times(3600)) == 8
    assert len(day) == 100 and all(b - a <= 900 for a, b in zip(day, day[1:]))


def test_a_network_change_resets_the_back_off(tmp_path: Path) -> None:
    run = Run(tmp_path, until=400)
    run.net = lambda t: "net-a" if t < 100 else "net-b"
    run.go()
    # 0, 30, 90 offline; the change is seen at the next poll (every 5 s): probe at once, then 30 s, 60 s...
    assert run.probes == [0, 30, 90, 100, 130, 190, 310]
    assert any("network changed" in line for line in run.lines)


def test_once_reachable_it_sends_within_the_probe_period(tmp_path: Path) -> None:
    run = Run(tmp_path, until=2000)
    run.online = lambda t: t >= 1000  # the LRS comes up at t = 1000
    run.go()
    offline = [t for t in run.probes if t < 1000]
    assert offline == reachability.probe_times(1000)
    # the first probe after it came up is the next one the schedule had planned
    assert run.rounds == [(1830, "send+answers")] and run.probes[-1] == 1830 == 930 + 900
    assert run.agent.state["rounds"] == 1 and run.agent.state["last_success"] and run.agent.state["last_round"]


def test_certificate_answers_are_asked_every_ten_minutes_not_every_round(tmp_path: Path) -> None:
    run = Run(tmp_path, until=1800, pending=0, awaiting=1)
    run.online = lambda t: True
    run.go()
    assert [t for t, _kind in run.rounds] == [0, 600, 1200]
    assert {kind for _t, kind in run.rounds} == {"send+answers"}


def test_pending_records_go_at_once_when_online(tmp_path: Path) -> None:
    run = Run(tmp_path, until=100)
    run.online = lambda t: True
    run.go()
    assert run.rounds == [(0, "send+answers")] and run.probes == [0]
    assert run.surveys == [0]  # the round's acks are no change: nothing to survey again


def test_new_events_are_surveyed_at_the_next_look(tmp_path: Path) -> None:
    run = Run(tmp_path, until=100, pending=0)
    original = run.wait

    def wait(seconds: float) -> None:
        original(seconds)
        if run.now >= 40 and len(run.surveys) == 1:  # the learner studied: a progress log changed
            log = run.agent.layout.progress_file("amina", "c1")
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text("{}\n")

    run.agent.wait = wait
    run.go()
    assert run.surveys == [0, 60]


def test_nothing_to_send_means_no_probe(tmp_path: Path) -> None:
    run = Run(tmp_path, until=3600, pending=0)
    run.go()
    assert run.probes == [] and run.rounds == []


def test_a_stop_request_ends_the_loop(tmp_path: Path) -> None:
    run = Run(tmp_path, until=10**9)
    run.online = lambda t: False
    original = run.wait

    def wait(seconds: float) -> None:
        original(seconds)
        if run.now > 200:
            run.agent.request_stop()

    run.agent.wait = wait
    run.go()
    assert run.agent.state["state"] == "stopped" and run.probes == [0, 30, 90]
    assert run.now < 210 and run.lines[-1] == "stopped"


def test_pace_from_the_environment() -> None:
    assert Pace.from_env({}) == Pace(30, 900, 600, 5)
    assert Pace.from_env({"MOOC_AGENT_PACE": "0.5,4"}) == Pace(0.5, 4, 600, 5)
    assert Pace.from_env({"MOOC_AGENT_PACE": "1,8,2,0.5"}) == Pace(1, 8, 2, 0.5)
    for bad in ("x", "5", "10,5", "1,2,3,4,5", "0,10"):
        with pytest.raises(MoocError, match="MOOC_AGENT_PACE"):
            Pace.from_env({"MOOC_AGENT_PACE": bad})


def test_the_agents_round_uses_the_metered_cap_unless_allowed(mooc_home: Any) -> None:
    from player.config import update_config
    from sync.agent_work import send
    from sync.lrs_client import MAX_ANSWER_BYTES

    layout = Layout.default(mooc_home.home)
    assert send(layout, answers=True, metered=True)["answer_cap"] == metered.METERED_ANSWER_BYTES
    assert send(layout, answers=True, metered=False)["answer_cap"] == MAX_ANSWER_BYTES
    update_config(layout, lambda c: c.setdefault("sync", {}).update(metered_downloads=True))
    assert send(layout, answers=True, metered=True)["answer_cap"] == MAX_ANSWER_BYTES


def test_the_lab_policy_or_no_sync_stop_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from player import lab_policy

    run = Run(tmp_path, until=100)
    lab_policy.write(run.agent.layout, {"agent": {"mode": "forbidden"}})
    run.go()
    assert run.probes == [] and run.surveys == [] and "turned the sync agent off" in run.lines[0]

    run = Run(tmp_path / "b", until=100)
    monkeypatch.setenv("MOOC_NO_SYNC", "1")
    run.go()
    assert run.surveys == [] and "MOOC_NO_SYNC" in run.lines[0]


def test_a_policy_that_forbids_it_later_stops_it(tmp_path: Path) -> None:
    from player import lab_policy

    run = Run(tmp_path, until=10**9)
    original = run.wait

    def wait(seconds: float) -> None:
        original(seconds)
        if run.now >= 100 and not run.agent.layout.system_home.joinpath("policy.toml").exists():
            lab_policy.write(run.agent.layout, {"agent": {"mode": "forbidden"}})

    run.agent.wait = wait
    run.go()
    assert 100 <= run.now <= 105 + 1 and run.probes == [0, 30, 90]
    assert "turned the sync agent off" in run.lines[-2] and run.lines[-1] == "stopped"


def test_a_bad_agent_mode_in_the_policy_is_one_warning(tmp_path: Path) -> None:
    from player import lab_policy

    with pytest.raises(MoocError, match=r"\[agent\] mode must be one of everyone, forbidden"):
        lab_policy.parse(tmp_path / "policy.toml", {"format": lab_policy.FORMAT, "version": 1, "agent": {"mode": "x"}})
