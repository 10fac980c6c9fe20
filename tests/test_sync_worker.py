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


def test_worker_syncs_in_the_background_and_reports_status(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path,
                                                           ralph_lrs: RalphServer) -> None:
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


async def test_tui_asks_consent_then_uploads_and_shows_status(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path,
                                                              ralph_lrs: RalphServer) -> None:
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
