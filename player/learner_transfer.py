"""Moving learners between PCs with no network: export here, import there.

`export_learners` writes the learners' identity (account id, name, email, PIN hash)
and every event of every course to a learner export file (player/learner_export.py).
`import_learners` (below) merges such a file into this data folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packages.layout import Layout
from player.learner_export import ExportedLearner, write


def learner_events(layout: Layout, learner_id: str) -> list[Any]:
    """Every event of a learner on this account, all courses."""
    from player.progress import EventLog, iter_logs

    events = []
    for lid, cid, _path in iter_logs(layout):
        if lid == learner_id:
            events += EventLog.for_course(layout, lid, cid).events()
    return events


def export_learners(layout: Layout, learners: list[Any], path: Path) -> dict[str, int]:
    """Write a new export file with these learners; events written per learner id."""
    chosen = [ExportedLearner(lr.id, lr.name, lr.email, lr.account_id, getattr(lr, "pin", None),
                              learner_events(layout, lr.id)) for lr in learners]
    write(path, chosen)
    return {lr.id: len(lr.events) for lr in chosen}
