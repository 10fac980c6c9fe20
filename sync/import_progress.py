"""`mooc sync --import FILE` also merges the progress of the learners this PC knows.

An export made on a lab PC (sync/transfer.py) carries statements, and each main
statement carries its mooc event (sync/statements.py). A learner of this data folder
who is that statement's agent (the same email, or the same account id) gets the event
merged into their progress, by id (player/progress.py `EventLog.merge`), as
docs/progress-format.md promises: importing twice adds nothing, and the statements
themselves are uploaded once (their ids are already in the outbox).
"""

from __future__ import annotations

from pathlib import Path

from packages.layout import Layout


def merge_known(layout: Layout, path: Path) -> dict[str, dict[str, int]]:
    """learner id -> course -> events new in their progress."""
    from player.learners import Learners
    from player.progress import EventLog
    from sync.class_sources import sync_export_events

    learners = Learners(layout).list()
    by_email = {lr.email.casefold(): lr.id for lr in learners if lr.email}
    by_account = {lr.account_id: lr.id for lr in learners}
    found: dict[tuple[str, str], list] = {}
    for _rec, event, who in sync_export_events(path):
        if event is None or who is None:
            continue
        lid = by_email.get((who[0] or "").casefold()) or by_account.get(who[1] or "")
        if lid is not None:
            found.setdefault((lid, event.course_id), []).append(event)
    merged: dict[str, dict[str, int]] = {}
    for (lid, course_id), events in sorted(found.items()):
        added = EventLog.for_course(layout, lid, course_id).merge(events)
        merged.setdefault(lid, {})[course_id] = len(added)
    return merged
