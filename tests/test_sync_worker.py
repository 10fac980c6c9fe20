"""Background sync for `mooc play`: the plain-thread worker, and the TUI wiring (status
bar, `y` to sync now, the consent prompt) against the real LRS."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from packages.layout import Layout
from player.learners import Learners
from sync import credentials
from sync.consent import Consent
from sync.endpoints import normalise
from sync.worker import SyncStatus, SyncWorker
from tests.conftest import Homes, RunMooc
from tests.support.ralph import RalphServer, study, write_pack

pytestmark = pytest.mark.lrs


def _prepare(run_mooc: RunMooc, home: Path, tmp_path: Path, ralph: RalphServer, email: str) -> Layout:
    assert run_mooc("install", str(write_pack(tmp_path / "pack", ralph.endpoint))).returncode == 0
    assert run_mooc("learner", "add", "Amina", "--email", email).returncode == 0
    layout = Layout.default(home)
    credentials.store(layout, normalise(ralph.endpoint), user=ralph.user, password=ralph.password)
    study(home, "amina")
    return layout


def _wait(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_worker_syncs_in_the_background_and_reports_status(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    layout = _prepare(run_mooc, mooc_home.home, tmp_path, ralph_lrs, "amina.worker@example.org")
    seen: list[SyncStatus] = []
    worker = SyncWorker(layout, learner_id="amina", first_delay=0.0, interval=60).start(on_status=seen.append)
    try:
        _wait(lambda: any(not s.syncing for s in seen))
        first = [s for s in seen if not s.syncing][-1]
        assert first.hosts_needing_consent == [f"127.0.0.1:{ralph_lrs.port}"] and first.pending == 0
        assert first.waiting_consent > 0
        Consent(layout, "amina").allow(ralph_lrs.endpoint)
        seen.clear()
        started = time.monotonic()
        worker.sync_now()
        assert time.monotonic() - started < 0.1  # never blocks the caller
        _wait(lambda: any(not s.syncing and s.stored for s in seen))
        done = [s for s in seen if not s.syncing][-1]
        assert done.online is True and done.pending == 0 and done.last_error is None and done.label == "online"
    finally:
        worker.stop()
    agent = {"objectType": "Agent", "mbox": "mailto:amina.worker@example.org"}
    assert len(ralph_lrs.agent_statements(agent)) == done.stored


def test_worker_reports_offline_when_the_lrs_is_down(mooc_home: Homes, tmp_path: Path) -> None:
    from player.config import update_config
    from player.events import Event
    from player.progress import EventLog
    from tests.support.ralph import free_port

    layout = Layout.default(mooc_home.home)
    learner = Learners(layout).add("Amina")
    endpoint = f"http://127.0.0.1:{free_port()}/xAPI/"  # nobody listens there
    update_config(layout, lambda c: c.setdefault("sync", {}).update(endpoint=endpoint))
    Consent(layout, learner.id).allow(endpoint)
    EventLog.for_course(layout, learner.id, "c1").append(Event("lesson_opened", "c1", "1", "l1"))
    status = SyncWorker(layout, learner_id=learner.id).run_once()
    assert status.online is False and status.pending == 1 and status.label == "offline"
    assert status.last_error


async def test_tui_asks_consent_then_uploads_and_shows_status(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    """`y` syncs and then says how it went; the worker never asks by itself (a question
    popping up while the learner types catches stray keys): it reports the unapproved
    host, the next `y` asks, and only a button chosen on purpose approves it."""
    from tui.app import MoocApp
    from tui.screens.dialog import ChoiceDialog

    layout = _prepare(run_mooc, mooc_home.home, tmp_path, ralph_lrs, "amina.tui@example.org")
    app = MoocApp(layout=layout)
    host = f"127.0.0.1:{ralph_lrs.port}"
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert app.sync_hook is not None
        await pilot.press("y")  # sync now: the round finds an unapproved host and says so
        for _ in range(300):
            await pilot.pause(0.05)
            if any("Nothing was sent" in str(n.message) for n in app._notifications):
                break
        assert any(f"not allowed sending to {host}" in str(n.message) for n in app._notifications)
        assert app.sync_state == "not approved" and not isinstance(app.screen, ChoiceDialog)
        await pilot.press("y")  # now it asks
        await pilot.pause(0.1)
        assert isinstance(app.screen, ChoiceDialog) and host in str(app.screen.query_one("#dialog-body").content)
        await pilot.press("y", "enter")  # keys alone do not answer
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("tab", "tab", "enter")  # "Allow sending"
        for _ in range(300):
            await pilot.pause(0.05)
            if app.sync_state == "online" and app.pending == 0:
                break
        assert app.sync_state == "online" and app.pending == 0
        for _ in range(100):
            await pilot.pause(0.05)
            if any(str(n.message).startswith("Sent ") for n in app._notifications):
                break
        assert any(str(n.message).startswith("Sent ") for n in app._notifications)  # the result, not "Syncing…"
    assert Consent(layout, "amina").allowed(ralph_lrs.endpoint)
    agent = {"objectType": "Agent", "mbox": "mailto:amina.tui@example.org"}
    assert len(ralph_lrs.agent_statements(agent)) > 5
    await asyncio.sleep(0)


def test_refused_credentials_stop_automatic_uploads_until_they_change(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    """A 401 costs one request: later rounds send nothing until `mooc login` changes the
    credentials (their fingerprint, never the secret, is kept in status.json)."""
    from tests.support.fault_proxy import FaultProxy

    with FaultProxy(("127.0.0.1", ralph_lrs.port)) as proxy:
        endpoint = f"{proxy.url}xAPI/"
        assert run_mooc("install", str(write_pack(tmp_path / "pack", endpoint))).returncode == 0
        assert run_mooc("learner", "add", "Amina", "--email", "amina.401@example.org").returncode == 0
        layout = Layout.default(mooc_home.home)
        wrong = "not-the-password-91f3"
        assert (
            run_mooc("login", endpoint, "--user", ralph_lrs.user, "--password-stdin", input=wrong + "\n").returncode
            == 0
        )
        study(mooc_home.home, "amina")
        Consent(layout, "amina").allow(endpoint)
        worker = SyncWorker(layout, learner_id="amina")
        first = worker.run_once()
        assert first.needs_login == [endpoint] and first.label == "login needed" and first.pending > 0
        assert proxy.connections == 1  # one POST, refused
        status_files = list((mooc_home.home / "sync").glob("*/status.json"))
        assert wrong not in status_files[0].read_text() and '"auth_refused"' in status_files[0].read_text()
        for _ in range(3):  # later rounds (every 30 s in the TUI) send nothing at all
            again = worker.run_once()
            assert again.needs_login == [endpoint] and "mooc login" in (again.last_error or "")
        assert proxy.connections == 1
        # By hand, `mooc sync` still tries (and says what to do).
        out = run_mooc("sync")
        assert out.returncode == 1 and f"mooc login {endpoint} --user NAME" in out.stderr
        assert proxy.connections == 2
        # New credentials: the next automatic round uploads everything.
        assert ralph_lrs.login(run_mooc, endpoint=endpoint).returncode == 0
        done = worker.run_once()
        assert done.needs_login == [] and done.pending == 0 and done.stored == first.pending
    agent = {"objectType": "Agent", "mbox": "mailto:amina.401@example.org"}
    assert len(ralph_lrs.agent_statements(agent)) == first.pending


async def test_tui_says_to_log_in_and_queues_the_last_events_at_exit(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    from sync.outbox import all_outboxes
    from tui.app import MoocApp

    layout = _prepare(run_mooc, mooc_home.home, tmp_path, ralph_lrs, "amina.tuilogin@example.org")
    credentials.store(layout, normalise(ralph_lrs.endpoint), user=ralph_lrs.user, password="wrong-pw-5d2a")
    Consent(layout, "amina").allow(ralph_lrs.endpoint)
    app = MoocApp(layout=layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        await pilot.press("y")
        for _ in range(200):
            await pilot.pause(0.05)
            if app.sync_state == "login needed":
                break
        assert app.sync_state == "login needed"
        said = [n.message for n in app._notifications]
        assert any(f"mooc login {ralph_lrs.endpoint} --user NAME" in m for m in said), said
        queued = {e.event for e in all_outboxes(layout)[0].entries()}
        # The learner studies on; the worker's next round is 30 s away when they quit.
        study(mooc_home.home, "amina", right=False)
    after = {e.event for e in all_outboxes(layout)[0].entries()}
    from player.progress import EventLog

    logged = {e.id for e in EventLog.for_course(layout, "amina", "sync-101").events()}
    assert logged - queued and after == logged  # every event of the session is in the outbox at exit
