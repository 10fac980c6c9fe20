"""What the sync agent has to do, and doing it: the two jobs it runs in a child process.

The agent (sync/agent_loop.py) stays small while it waits: it only stats files and
probes. The heavy work runs in a short-lived child (`mooc sync --agent-round KIND`),
whose memory goes back to the OS when it exits:

- `survey(layout)`: turn new events into statements (sync/collect.py, no network),
  then list the endpoints with records to send (of learners who approved the host,
  or whose school did) and with certificate requests waiting for the provider's
  answer. Only those endpoints are ever probed: a host nobody approved is never
  contacted.
- `send(layout, answers, metered)`: one round of the player's worker
  (sync/worker.py `SyncWorker.run_once`) for every learner: upload, then (when
  `answers`) the provider's answers to certificate requests, capped on a metered
  link (sync/metered.py).

`data_stamp(layout)` is what the agent compares to know whether a new survey is
needed: the size and time of every file a survey reads, in two parts: what people
change (progress logs, consents, settings, credentials, the lab policy, the installed
courses' folders) and what the sync writes itself (outboxes, acks), so the agent can
take its own survey's and round's writes for no change.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from packages.layout import Layout

Stamp = tuple[tuple[str, int, int], ...]


def data_stamp(layout: Layout) -> tuple[Stamp, Stamp]:
    """(inputs, sync files): (path, size, mtime) of each file a survey depends on; a cheap directory walk."""
    inputs = [
        layout.config_file,
        layout.learners_file,
        layout.credentials_file,
        layout.courses_dir,
        layout.system_courses_dir,
        layout.system_home / "policy.toml",
    ]
    for learner in _entries(layout.learners_dir):
        inputs.append(learner / "sync-consent.toml")
        inputs.extend(_entries(learner / "progress"))
    written = []
    for endpoint in _entries(layout.sync_dir):
        written += [endpoint / "outbox.jsonl", endpoint / "acks.jsonl", endpoint / "endpoint.json"]
    return _stat(inputs), _stat(written)


def _stat(paths: list[Path]) -> Stamp:
    stamp = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        stamp.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(stamp)


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def survey(layout: Layout) -> dict[str, Any]:
    """{"endpoints": [{"url", "pending", "awaiting"}], "notes": [...]} (see the module doc)."""
    from packages.errors import MoocError
    from player.learners import Learners
    from sync.certificate_answers import awaiting
    from sync.collect import collect, endpoint_for
    from sync.consent import may_send
    from sync.outbox import all_outboxes

    notes = list(collect(layout).notes)
    rows: dict[str, dict[str, Any]] = {}
    for outbox in all_outboxes(layout):
        approved: dict[str, bool] = {}
        count = 0
        for entry in outbox.pending():
            if entry.learner not in approved:
                approved[entry.learner] = may_send(layout, entry.learner, outbox.endpoint.host)
            count += approved[entry.learner]
        rows[outbox.endpoint.url] = {"url": outbox.endpoint.url, "pending": count, "awaiting": 0}
    for learner in Learners(layout).list():
        try:
            courses = awaiting(layout, learner)
        except MoocError as err:
            notes.append(str(err))
            continue
        for course_id in courses:
            try:
                endpoint = endpoint_for(layout, course_id)
            except MoocError:
                continue
            if endpoint is not None and may_send(layout, learner.id, endpoint.host):
                row = rows.setdefault(endpoint.url, {"url": endpoint.url, "pending": 0, "awaiting": 0})
                row["awaiting"] += 1
    return {"endpoints": [r for r in rows.values() if r["pending"] or r["awaiting"]], "notes": notes}


def send(layout: Layout, *, answers: bool, metered: bool | None, stop: Any = None) -> dict[str, Any]:
    """One round of the player's worker for every learner; what it did, as JSON-ready data.
    `stop`: called with the worker's `cancel` so a signal can end the round early."""
    from sync.endpoints import sync_config
    from sync.lrs_client import MAX_ANSWER_BYTES
    from sync.metered import answer_cap
    from sync.worker import SyncWorker

    cap = answer_cap(sync_config(layout), metered, MAX_ANSWER_BYTES)
    worker = SyncWorker(layout, every_learner=True, answer_bytes=cap if cap < MAX_ANSWER_BYTES else None)
    if stop is not None:
        stop(worker.cancel)
    status = worker.run_once(answers=answers)
    return {
        "online": status.online,
        "pending": status.pending,
        "stored": status.stored,
        "waiting_consent": status.waiting_consent,
        "last_error": status.last_error,
        "last_success": status.last_success,
        "needs_login": status.needs_login,
        "answer_cap": cap,
    }
