"""`mooc sync --watch`: send learning records whenever a connection appears, mooc closed or not.

A small long-running loop (no Textual, no `requests` while it waits):

1. when the data changed (sync/agent_work.py `data_stamp`), a child process surveys
   it: which endpoints have records to send, or certificate requests awaiting an
   answer (those only every `Pace.answers`);
2. when there is something for an LRS, ONE small probe asks whether it is reachable
   (sync/reachability.py). Not reachable: wait 30 s, then 60 s, 120 s, ... up to
   15 min (`Pace.base`, `Pace.cap`). Reachable: a child runs one round of the
   player's worker for every learner (upload, then the provider's answers);
3. every `Pace.poll` seconds it reads the network's fingerprint
   (sync/network_watch.py): when links or routes change, the back-off starts over
   and it probes at once; whether the link is metered is asked again
   (sync/metered.py).

Nothing is sent to a host no learner approved (the survey leaves those endpoints out:
they are not even probed). Uploads share the one send lock per endpoint with the
player's worker and `mooc sync` (sync/uploader.py): there is never more than one
sender. `MOOC_NO_SYNC` or a lab policy that forbids the agent (player/lab_policy.py)
stops it. SIGTERM / Ctrl-C (`request_stop`) end the wait, the probe or the round in
flight (what was not confirmed stays pending) and `run` returns 0.

`MOOC_AGENT_PACE="BASE,CAP[,ANSWERS[,POLL]]"` (seconds) shortens the pace, for tests.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.layout import Layout
from sync import agent_state, reachability
from sync.agent_work import data_stamp

ANSWERS_SECONDS = 600.0  # how often to ask the LRS for certificate answers still awaited
POLL_SECONDS = 5.0  # how often to read the network's fingerprint (a few small file reads)


@dataclass(frozen=True)
class Pace:
    base: float = reachability.BASE_SECONDS
    cap: float = reachability.CAP_SECONDS
    answers: float = ANSWERS_SECONDS
    poll: float = POLL_SECONDS

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Pace:
        raw = (os.environ if environ is None else environ).get("MOOC_AGENT_PACE", "").strip()
        if not raw:
            return cls()
        try:
            numbers = [float(x) for x in raw.split(",")]
        except ValueError:
            numbers = []
        if not 2 <= len(numbers) <= 4 or not all(0.01 <= n <= 86400 for n in numbers) or numbers[0] > numbers[1]:
            raise MoocError(
                _(
                    "MOOC_AGENT_PACE={raw!r}: give BASE,CAP[,ANSWERS[,POLL]] in seconds, BASE <= CAP (e.g. 30,900)"
                ).format(raw=raw)
            )
        defaults = [cls.base, cls.cap, cls.answers, cls.poll]
        base, cap, answers, poll = numbers + defaults[len(numbers) :]
        return cls(base, cap, answers, poll)


def refusal(layout: Layout) -> str | None:
    """Why the agent must not run here, or None."""
    if os.environ.get("MOOC_NO_SYNC", "") not in ("", "0"):
        return _("MOOC_NO_SYNC is set: the sync agent sends nothing and stops")
    from player.lab_policy import load

    policy = load(layout)
    if policy.agent == "forbidden":
        return _("{who} turned the sync agent off for this computer ({path})").format(who=policy.who, path=policy.path)
    return None


class Agent:
    def __init__(
        self,
        layout: Layout,
        pace: Pace | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[float], Any] | None = None,
        probe: Callable[[str], bool] = reachability.probe,
        network: Callable[[], str] | None = None,
        metered: Callable[[], bool | None] | None = None,
        child: Callable[[str, bool | None], dict[str, Any] | None] | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        from sync.agent_child import Child
        from sync.metered import is_metered
        from sync.network_watch import fingerprint

        self.layout = layout
        self.pace = pace or Pace()
        self.clock = clock
        self.stop_event = threading.Event()
        self.wait = wait or self.stop_event.wait
        self.probe = probe
        self.network = network or fingerprint
        self.metered_now = metered or is_metered
        self._child = Child(layout, self.stop_event)
        self.child = child or self._child.run
        self.say = say
        self.state: dict[str, Any] = {"pid": os.getpid(), "state": "starting", "probes": 0, "rounds": 0}
        self.work: list[dict[str, Any]] | None = None
        self.stamp: object = None
        self.delays: Any = None  # the back-off of the current offline spell (None: not offline)
        self.answers_due = 0.0

    def request_stop(self) -> None:
        """End the loop soon (safe in a signal handler): the wait, the probe or the round in flight."""
        self.stop_event.set()
        self._child.stop()

    # ------------------------------------------------------------------ the loop

    def run(self) -> int:
        why = refusal(self.layout)
        if why:
            self.say(why)
            return 0
        lock = agent_state.hold_lock(self.layout)
        if lock is None:
            self.say(_("another sync agent already watches {home}; this one stops").format(home=self.layout.home))
            return 0
        try:
            return self._loop()
        finally:
            os.close(lock)

    def _loop(self) -> int:
        net, metered = self.network(), self.metered_now()
        self._note(state="waiting", started=_wall(), metered=metered, network_changes=0)
        self.say(
            _("watching {home}: probes every {base} s, backing off to {cap} s while offline").format(
                home=self.layout.home, base=f"{self.pace.base:g}", cap=f"{self.pace.cap:g}"
            )
        )
        now = self.clock()
        due, next_poll = now, now + self.pace.poll
        self.answers_due = now
        while not self.stop_event.is_set():
            now = self.clock()
            if now >= next_poll:
                next_poll = now + self.pace.poll
                why = refusal(self.layout)
                if why:
                    self.say(why)
                    break
                fresh = self.network()
                if fresh != net:
                    net, metered = fresh, self.metered_now()
                    self._note(metered=metered, network_changes=self.state["network_changes"] + 1)
                    if self.delays is not None:
                        self.say(_("the network changed: trying again now"))
                    self.delays, due = None, now
            if now >= due:
                due = self._step(now, metered)
            self.wait(max(0.0, min(due, next_poll) - self.clock()))
        self._note(state="stopped", stopped=_wall())
        self.say(_("stopped"))
        return 0

    def _step(self, now: float, metered: bool | None) -> float:
        """One look at the work: survey if the data changed, probe, send. When to look next."""
        stamp = data_stamp(self.layout)
        if stamp != self.stamp or self.work is None:
            survey = self.child("survey", metered)
            # A survey that failed said why on stderr; it is tried again when the data changes.
            # What the survey wrote itself (statements added to outboxes) is no change.
            self.work, self.stamp = (survey or {}).get("endpoints", []), (stamp[0], data_stamp(self.layout)[1])
        answers = now >= self.answers_due
        targets = [w for w in self.work or [] if w["pending"] or (answers and w["awaiting"])]
        if not targets:
            self._note(state="waiting", pending=0, next_probe=None)
            return now + self.pace.base
        reachable = [t["url"] for t in targets if self._probe(t["url"])]
        if self.stop_event.is_set():
            return now
        if not reachable:
            return self._offline(now, targets)
        self._note(state="sending")
        result = self.child("send+answers" if answers else "send", metered)
        self.state["rounds"] += 1
        if answers:
            self.answers_due = now + self.pace.answers
        if result is None or result.get("online") is False:
            self.stamp = None  # survey again before the next probe
            return self._offline(now, targets, result)
        if self.delays is not None or result.get("stored"):
            stored = result.get("stored", 0)
            self.say(
                ngettext(
                    "online: {n} record stored, {pending} pending",
                    "online: {n} records stored, {pending} pending",
                    stored,
                ).format(n=stored, pending=result.get("pending", 0))
            )
        self.delays = None
        if result.get("pending") == 0:  # all sent: the acks it wrote are no change (new events are)
            self.work = [{**w, "pending": 0} for w in self.work or []]
            self.stamp = (stamp[0], data_stamp(self.layout)[1])
        else:
            self.stamp = None
        self._note(
            state="online",
            last_round=_wall(),
            last_stored=result.get("stored", 0),
            pending=result.get("pending", 0),
            last_error=result.get("last_error"),
            next_probe=None,
        )
        if result.get("last_success"):
            self._note(last_success=result["last_success"])
        return now + self.pace.base

    def _offline(self, now: float, targets: list[dict[str, Any]], result: dict[str, Any] | None = None) -> float:
        if self.delays is None:
            self.delays = reachability.offline_delays(self.pace.base, self.pace.cap)
            hosts = ", ".join(sorted({t["url"] for t in targets}))
            self.say(_("offline: cannot reach {hosts}; trying again later, less and less often").format(hosts=hosts))
        delay = next(self.delays)
        self._note(
            state="offline",
            pending=sum(t["pending"] for t in targets),
            next_probe=_wall(time.time() + delay),
            delay=delay,
            last_error=(result or {}).get("last_error"),
        )
        return now + delay

    def _probe(self, url: str) -> bool:
        """One probe, in a thread so that a stop request does not wait for its timeout."""
        self._note(probes=self.state["probes"] + 1, last_probe=_wall())
        answer: list[bool] = []
        thread = threading.Thread(target=lambda: answer.append(self.probe(url)), name="mooc-probe", daemon=True)
        thread.start()
        while thread.is_alive() and not self.stop_event.is_set():
            thread.join(0.1)
        return bool(answer and answer[0])

    def _note(self, **changes: Any) -> None:
        self.state.update(changes)
        agent_state.write(self.layout, self.state)


def _wall(when: float | None = None) -> str:
    from datetime import datetime, timezone

    moment = datetime.now(timezone.utc) if when is None else datetime.fromtimestamp(when, timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
