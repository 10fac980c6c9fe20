"""Exactly once under a bad link: a real TCP proxy between mooc and Ralph drops
connections mid-request, stalls and answers 500/503/429/413; `mooc sync` is killed
with SIGKILL mid-upload again and again. Afterwards the LRS holds every statement,
none twice. Also: a bad statement is set aside without jamming the queue, and a
differing statement already on the LRS is reported as a conflict."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from packages.layout import Layout
from player.config import update_config
from player.events import Event
from player.learners import Learners
from player.progress import EventLog
from sync.consent import Consent
from sync.uploader import Options, sync_all
from tests.conftest import MOOC_BIN, Homes
from tests.support.fault_proxy import FaultProxy
from tests.support.ralph import RalphServer, account_agent

pytestmark = pytest.mark.lrs


def _machine(home: Path, endpoint: str, ralph: RalphServer, events: int) -> tuple[Layout, str]:
    """A data folder whose learner has EVENTS events pending for ENDPOINT (approved, logged in)."""
    from sync import credentials
    from sync.endpoints import normalise

    layout = Layout.default(home)
    learner = Learners(layout).add("Amina")
    update_config(layout, lambda c: c.setdefault("sync", {}).update(endpoint=endpoint))
    credentials.store(layout, normalise(endpoint), user=ralph.user, password=ralph.password)
    Consent(layout, learner.id).allow(endpoint)
    log = EventLog.for_course(layout, learner.id, "fault-course")
    batch = []
    for n in range(events):
        batch.append(
            Event("time_spent", "fault-course", "1.0.0", "lesson-1", {"seconds": 1.0 + n % 7, "pad": "x" * (n % 300)})
        )
        if len(batch) == 500:
            log.append(*batch)
            batch = []
    log.append(*batch)
    return layout, learner.account_id


def _check_exactly_once(ralph: RalphServer, origin: str, account: str, expected: set[str]) -> None:
    stored = ralph.agent_statements(account_agent(origin, account))
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids)), "a statement is stored twice"
    assert set(ids) == expected, f"missing {len(expected - set(ids))}, unexpected {len(set(ids) - expected)}"
    raw = [s["id"] for s in ralph.all_statements() if s["id"] in expected]
    assert len(raw) == len(expected), "the store file holds duplicates"


def _event_ids(layout: Layout) -> set[str]:
    return {e.id for e in EventLog.for_course(layout, "amina", "fault-course").events()}


def test_many_rounds_under_drops_stalls_and_errors_lose_and_duplicate_nothing(
    mooc_home: Homes, ralph_lrs: RalphServer
) -> None:
    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        endpoint = f"{proxy.url}xAPI/"
        origin = f"http://127.0.0.1:{proxy.port}"
        layout, account = _machine(mooc_home.home, endpoint, ralph_lrs, 1200)
        sleeps: list[float] = []
        # One quick retry per batch: consecutive faults end a round early, so it takes
        # several rounds (as a learner's syncs on a flaky link would).
        options = Options(max_retries=1, sleep=sleeps.append, timeout=(2.0, 2.0), batch_statements=40)
        rng = random.Random(7)
        proxy.fail_next(1, status=429, headers={"Retry-After": "7"})
        rounds = 0
        while rounds < 60:
            rounds += 1
            fault = rng.choice(["cut", "stall", "503", "500", "none"])
            # Every round also loses ~25 % of answers: the request reached Ralph (stored), the
            # answer never arrives (not acknowledged), the connection is reset.
            proxy.drop_rate = 0.25
            if fault == "cut":  # new connections cut after a few bytes of the answer
                proxy.drop_after, proxy.drop_count = rng.choice([1, 12, 40]), rng.randint(1, 4)
            elif fault == "stall":  # longer than the client's read timeout
                proxy.stall, proxy.stall_count = 3.0, rng.randint(1, 2)
            elif fault in ("503", "500"):
                proxy.fail_next(rng.randint(1, 4), status=int(fault))
            results = sync_all(layout, options)
            proxy.drop_after = proxy.drop_count = None
            proxy.stall, proxy.drop_rate = 0.0, 0.0
            if results[0].pending == 0:
                break
        assert 3 <= rounds < 60, f"{rounds} rounds"
        assert 7.0 in sleeps  # Retry-After was honoured
        assert results[0].rejected == [] and results[0].conflicts == []
        assert proxy.drops > 0
    _check_exactly_once(ralph_lrs, origin, account, _event_ids(layout))


def test_413_splits_the_batch(mooc_home: Homes, ralph_lrs: RalphServer) -> None:
    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        endpoint = f"{proxy.url}xAPI/"
        origin = f"http://127.0.0.1:{proxy.port}"
        layout, account = _machine(mooc_home.home, endpoint, ralph_lrs, 40)
        proxy.fail_next(2, status=413)
        result = sync_all(layout, Options(sleep=lambda s: None))[0]
        assert result.pending == 0 and result.error is None
        assert result.requests == 5  # 40 -> 20+20 (413 again) -> 10+10, 20
    _check_exactly_once(ralph_lrs, origin, account, _event_ids(layout))


def test_bad_statement_is_set_aside_and_the_queue_moves_on(mooc_home: Homes, ralph_lrs: RalphServer, run_mooc) -> None:
    layout, account = _machine(mooc_home.home, ralph_lrs.endpoint, ralph_lrs, 30)
    sync_all(layout, Options(sleep=lambda s: None, learners=set()))  # generate the outbox only
    outbox = next(layout.sync_dir.glob("*/outbox.jsonl"))
    bad_id = str(uuid.uuid4())
    bad = {
        "id": bad_id,
        "actor": {"objectType": "Agent", "mbox": "mailto:bad@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    }  # no object: 422
    lines = outbox.read_text().splitlines()
    record = {
        "event": bad_id,
        "learner": "amina",
        "course": "fault-course",
        "type": "broken",
        "statements": [{"id": bad_id, "body": json.dumps(bad)}],
    }
    lines.insert(10, json.dumps(record))
    outbox.write_text("\n".join(lines) + "\n")
    result = sync_all(layout, Options(sleep=lambda s: None))[0]
    assert result.pending == 0 and result.stored == 30
    assert [r["id"] for r in result.rejected] == [bad_id] and "HTTP 4" in result.rejected[0]["reason"]
    status = json.loads(run_mooc("sync", "--status", "--json").stdout)["endpoints"][0]
    assert [a["id"] for a in status["set_aside"]] == [bad_id]
    assert "set aside (rejected)" in run_mooc("sync", "--status").stdout
    _check_exactly_once(ralph_lrs, ralph_lrs.origin, account, _event_ids(layout))


def test_differing_statement_on_the_lrs_is_a_conflict(mooc_home: Homes, ralph_lrs: RalphServer) -> None:
    import requests

    layout, account = _machine(mooc_home.home, ralph_lrs.endpoint, ralph_lrs, 20)
    sync_all(layout, Options(sleep=lambda s: None, learners=set()))
    entries = [json.loads(line) for line in next(layout.sync_dir.glob("*/outbox.jsonl")).read_text().splitlines()]
    victim = json.loads(entries[5]["statements"][0]["body"])
    victim["timestamp"] = "2001-01-01T00:00:00.000Z"  # same id, different content
    resp = requests.post(
        ralph_lrs.endpoint + "statements",
        json=[victim],
        auth=(ralph_lrs.user, ralph_lrs.password),
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=30,
    )
    assert resp.status_code == 200
    result = sync_all(layout, Options(sleep=lambda s: None))[0]
    assert [c["id"] for c in result.conflicts] == [victim["id"]]
    assert result.pending == 0 and result.stored == 19 and result.rejected == []
    stored = ralph_lrs.agent_statements(account_agent(ralph_lrs.origin, account))
    assert len(stored) == 20 and len({s["id"] for s in stored}) == 20


@pytest.mark.slow
def test_kill_9_during_upload_many_times_then_final_sync(mooc_home: Homes, ralph_lrs: RalphServer) -> None:
    # A slow link (the proxy throttles answers to 5 kB/s: ~1.6 s per batch of 200) so
    # each `mooc sync` is killed mid-upload, before, during or after a POST the LRS may
    # have stored, and the upload cannot finish before enough kills have happened.
    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        proxy.rate = 5_000
        endpoint = f"{proxy.url}xAPI/"
        origin = f"http://127.0.0.1:{proxy.port}"
        layout, account = _machine(mooc_home.home, endpoint, ralph_lrs, 3000)
        rng = random.Random(11)
        kills = 0
        deadline = time.monotonic() + 20
        env = mooc_home.env()
        while time.monotonic() < deadline:
            proc = subprocess.Popen(
                [str(MOOC_BIN), "sync"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.3, 1.5))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait()
            # A learner's next sync comes after the killed one's last request is over at
            # the LRS. Ralph's fs backend checks ids and then writes without a lock, so two
            # POSTs of the same statements IN FLIGHT AT ONCE can both be stored (a real
            # backend's unique id would refuse one): that would be Ralph's race, not ours.
            assert proxy.wait_idle(), "the LRS never finished the killed sync's request"
            if kills >= 15:
                break
        proxy.rate = None
        final = subprocess.run([str(MOOC_BIN), "sync", "--json"], env=env, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stderr
        assert json.loads(final.stdout)["endpoints"][0]["pending"] == 0
    assert kills >= 5
    _check_exactly_once(ralph_lrs, origin, account, _event_ids(layout))
