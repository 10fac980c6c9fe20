"""Moving learners between PCs with no network: export here, import there.

`export_learners` writes the learners' identity (account id, name, email, PIN hash)
and every event of every course to a learner export file (player/learner_export.py).
`import_learners` merges such a file into this data folder: identity reconciled,
progress merged event by event (a second import changes nothing; two PCs' histories
interleave by time, as the session folds them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packages.i18n import _
from packages.layout import Layout
from player.learner_export import ExportedLearner, write


def learner_events(layout: Layout, learner_id: str) -> list[Any]:
    """Every event of a learner on this account, all courses."""
    from player.progress import EventLog
    from player.progress_files import iter_logs

    events = []
    for lid, cid, _path in iter_logs(layout):
        if lid == learner_id:
            events += EventLog.for_course(layout, lid, cid).events()
    return events


def export_learners(layout: Layout, learners: list[Any], path: Path) -> dict[str, int]:
    """Write a new export file with these learners; events written per learner id."""
    chosen = [
        ExportedLearner(
            lr.id,
            lr.name,
            lr.email,
            lr.account_id,
            getattr(lr, "pin", None),
            learner_events(layout, lr.id),
            language=getattr(lr, "language", None),
        )
        for lr in learners
    ]
    write(path, chosen)
    return {lr.id: len(lr.events) for lr in chosen}


@dataclass
class ImportedLearner:
    name: str
    learner_id: str
    added: bool  # a new learner on this PC
    changes: list[str] = field(default_factory=list)  # what of their identity changed here
    events: dict[str, int] = field(default_factory=dict)  # course -> events new here


def import_learners(layout: Layout, path: Path) -> tuple[list[ImportedLearner], list[str]]:
    """Merge an export file into this data folder: each learner matched by account id,
    then email, then name, else added with the identity they carry (their account id
    included, so `mooc sync --pull` finds their records); their events merged course by
    course, by id (player/progress.py `EventLog.merge`): importing twice adds nothing.
    Returns what happened per learner, and the file's skipped events."""
    from player.learner_export import read
    from player.learners import Learners
    from player.progress import EventLog

    export = read(path)
    learners = Learners(layout)
    out: list[ImportedLearner] = []
    for carried in export.learners:
        local, added, changes = _reconcile(learners, carried)
        result = ImportedLearner(local.name, local.id, added, changes)
        by_course: dict[str, list[Any]] = {}
        for event in carried.events:
            by_course.setdefault(event.course_id, []).append(event)
        for course_id, events in sorted(by_course.items()):
            result.events[course_id] = len(EventLog.for_course(layout, local.id, course_id).merge(events))
        out.append(result)
    return out, export.problems


def _reconcile(learners: Any, carried: ExportedLearner) -> tuple[Any, bool, list[str]]:
    """(this PC's learner for `carried`, added now?, identity changes)."""
    from dataclasses import replace

    from player.learners import new_learner

    changes: list[str] = []
    result: list[Any] = []

    def change(current: list[Any]) -> list[Any]:
        index = _match(current, carried)
        if index is None:
            new = new_learner(current, carried.name, carried.email, carried.pin, carried.account_id)
            if carried.id not in {lr.id for lr in current}:
                new = replace(new, id=carried.id)  # the same progress folder name as on the other PC
            new = replace(new, language=carried.language)
            result.append((new, True))
            return [*current, new]
        learner = current[index]
        if learner.origin == "school":  # the administrator's: identity as the roster says
            result.append((learner, False))
            return current
        if not learner.email and carried.email:
            changes.append(f"email {carried.email}")
            learner = replace(learner, email=carried.email)
        if learner.account_id != carried.account_id and not learner.email:
            # no email: the account id IS their xAPI identity; keep the one they carry,
            # so their records on the LRS stay theirs wherever they study
            changes.append("account id of the other PC")
            learner = replace(learner, account_id=carried.account_id)
        if carried.language and not learner.language:
            changes.append(_("language {code}").format(code=carried.language))
            learner = replace(learner, language=carried.language)
        if carried.pin and not learner.pin:
            changes.append("PIN")
            learner = replace(learner, pin=carried.pin)
        result.append((learner, False))
        return [learner if i == index else lr for i, lr in enumerate(current)]

    learners.update_all(change)
    learner, added = result[0]
    return learner, added, changes


def _match(current: list[Any], carried: ExportedLearner) -> int | None:
    for test in (
        lambda lr: lr.account_id == carried.account_id,
        lambda lr: bool(carried.email and lr.email and lr.email.casefold() == carried.email.casefold()),
        lambda lr: lr.name.casefold() == carried.name.casefold(),
    ):
        for i, lr in enumerate(current):
            if test(lr):
                return i
    return None
