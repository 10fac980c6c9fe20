"""Where a class report's learners come from: this account, every account of the
machine, export files carried from the lab (learner exports and `mooc sync --export`
files), the LRS (sync/class_query.py); and its courses (`course_loader`).

Each source adds people and events to a `ClassData` (player/class_data.py) and never
writes anything: another account's data folder is only read, a file from a stick
is read bounded and checked. A source that cannot be read is one line in
`data.problems`; the others still count.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.layout import Layout
from packages.safe_text import one_line
from player.class_data import ClassData
from player.event_schema import event_problem
from player.events import Event

MAX_FILES = 10_000  # files read from the folders given to --from
_HEAD = 4096


# --------------------------------------------------------------------------- this machine


def from_account(data: ClassData, layout: Layout, label: str, *, own: bool = True) -> int:
    """Every learner of one data folder with their progress; returns how many.

    `own=False` reads another account's folder (an administrator's --all-accounts):
    the same bounded, link-refusing reads, without requiring the files to be ours."""
    from player.learners import Learners
    from player.progress import EventLog
    from player.progress_files import iter_logs

    learners = Learners(layout, own=own).list()
    known = {lr.id for lr in learners}
    logs: dict[str, list[Event]] = {}
    orphans: set[str] = set()
    for lid, cid, path in iter_logs(layout):
        if lid not in known:
            orphans.add(lid)
            continue
        log = EventLog(path, lid, cid, root=layout.home, own=own)
        logs.setdefault(lid, []).extend(log.events())
    for learner in learners:
        data.add(
            name=learner.name,
            email=learner.email,
            account_id=learner.account_id,
            source=label,
            local_id=learner.id,
            events=logs.get(learner.id, []),
        )
    for lid in sorted(orphans):
        data.notes.append(
            _("{label}: progress of {learner!r}, who is not in the learners list, is not reported").format(
                label=label, learner=lid
            )
        )
    data.sources.append(label)
    return len(learners)


def account_homes() -> list[tuple[str, Path]]:
    """(account, home folder) of every account of this machine: the homes in
    MOOC_ACCOUNT_HOMES (a folder holding one home per account, for images whose homes
    live elsewhere), else the system's user database."""
    root = os.environ.get("MOOC_ACCOUNT_HOMES")
    if root:
        base = Path(root)
        try:
            return [(d.name, d) for d in sorted(base.iterdir()) if d.is_dir() and not d.name.startswith(".")]
        except OSError as err:
            raise MoocError(
                _("{base}: cannot list the accounts' homes: {strerror}").format(base=base, strerror=err.strerror)
            ) from None
    try:
        import pwd
    except ImportError:  # Windows
        users = Path(os.environ.get("SystemDrive", "C:") + "\\Users")
        try:
            return [(d.name, d) for d in sorted(users.iterdir()) if d.is_dir()]
        except OSError:
            return []
    seen: set[str] = set()
    out = []
    for entry in sorted(pwd.getpwall(), key=lambda e: e.pw_name):
        if entry.pw_dir and entry.pw_dir not in seen and entry.pw_dir != "/":
            seen.add(entry.pw_dir)
            out.append((entry.pw_name, Path(entry.pw_dir)))
    return out


def data_folder(home: Path) -> Path:
    """Where mooc keeps an account's data by default, inside its home folder."""
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "mooc"
    if sys.platform.startswith("win"):
        return home / "AppData" / "Local" / "mooc"
    return home / ".local" / "share" / "mooc"


def from_all_accounts(data: ClassData, layout: Layout) -> None:
    """This account, then every other account's data folder this user can read."""
    from_account(data, layout, "this account")
    mine = _same_place(layout.home)
    for account, home in account_homes():
        folder = data_folder(home)
        try:
            if not folder.is_dir() or _same_place(folder) == mine:
                continue
        except OSError:
            continue
        label = f"account {one_line(account)}"
        other = Layout(folder, layout.system_home)
        try:
            from_account(data, other, label, own=False)
        except PermissionError:
            data.problems.append(
                _("{folder}: not readable by this user; {label} skipped (run as an administrator)").format(
                    folder=folder, label=label
                )
            )
        except MoocError as err:
            data.problems.append(_("{err}; {label} skipped").format(err=err, label=label))
        except OSError as err:
            data.problems.append(
                _("{folder}: cannot read: {strerror}; {label} skipped").format(
                    folder=folder, strerror=err.strerror, label=label
                )
            )


def _same_place(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def course_loader(layout: Layout) -> Any:
    """The report's courses: `load(course_id)`, the course installed in this account's
    store, or None when it is not installed or cannot be loaded."""
    from packages.store import Store

    store = Store(layout)

    def load(course_id: str) -> Any:
        try:
            return store.load(course_id)[0] if store.find(course_id) is not None else None
        except MoocError:
            return None

    return load


# --------------------------------------------------------------------------- files


def from_paths(data: ClassData, paths: Iterable[Path]) -> None:
    """Export files, and the export files in folders (not below them)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            try:
                found = sorted(p for p in path.iterdir() if not p.name.startswith(".") and p.is_file())
            except OSError as err:
                data.problems.append(_("{path}: cannot list: {strerror}").format(path=path, strerror=err.strerror))
                continue
            exports = [p for p in found if _kind(p) is not None]
            for p in found:
                if p not in exports:
                    data.notes.append(_("{path}: not a mooc export; skipped").format(path=p))
            files += exports
        else:
            files.append(path)
        if len(files) > MAX_FILES:
            raise MoocError(
                _("too many export files (over {max_files}): report on fewer folders at once").format(
                    max_files=MAX_FILES
                )
            )
    for path in files:
        try:
            from_file(data, path)
        except MoocError as err:
            data.problems.append(_("{err}; the file is not counted").format(err=one_line(str(err))))


def from_file(data: ClassData, path: Path) -> None:
    kind = _kind(path)
    if kind == "sync":
        _from_sync_export(data, path)
        return
    from player import learner_export

    export = learner_export.read(path)
    label = path.name
    for learner in export.learners:
        data.add(
            name=learner.name,
            email=learner.email,
            account_id=learner.account_id,
            source=label,
            local_id=learner.id,
            events=learner.events,
        )
    if export.problems:
        n = len(export.problems)
        data.problems.append(
            ngettext(
                "{path}: {n} event skipped ({problem}); the rest counts",
                "{path}: {n} events skipped ({problem}, ...); the rest counts",
                n,
            ).format(path=path, n=n, problem=export.problems[0])
        )
    data.sources.append(str(path))


def _kind(path: Path) -> str | None:
    """ "learners" for a learner export, "sync" for a `mooc sync --export` file, else None."""
    from player.learner_export import is_export

    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD)
    except OSError:
        return "learners"  # reading it properly says what is wrong
    if is_export(head):
        return "learners"
    if b'"mooc-sync-export"' in head:
        return "sync"
    return None


def _from_sync_export(data: ClassData, path: Path) -> None:
    """A `mooc sync --export` file: the events its statements carry, and who they are
    about (no names there: the account's learners or the report fill them in)."""
    skipped: list[str] = []
    for rec, event, who in sync_export_events(path):
        if event is None or who is None:
            skipped.append(str(rec["event"]))
            continue
        local = str(rec.get("learner") or "").removeprefix("imported:")
        data.add(name=None, email=who[0], account_id=who[1], source=path.name, local_id=local or None, events=[event])
    if skipped:
        data.problems.append(
            ngettext(
                "{path}: {n} record skipped (record {record}: not a mooc event of a known agent)",
                "{path}: {n} records skipped (record {record}: not a mooc event of a known agent)",
                len(skipped),
            ).format(path=path, n=len(skipped), record=one_line(skipped[0])[:40])
        )
    data.sources.append(str(path))


def sync_export_events(
    path: Path,
) -> Iterator[tuple[dict[str, Any], Event | None, tuple[str | None, str | None] | None]]:
    """(record, its event, its agent) for each record of a `mooc sync --export` file
    (sync/transfer.py checks the file); Nones where the record carries no mooc event."""
    from packages.datafile import DataError, loads_json
    from sync.transfer import read_export

    for _url, records in read_export(path):
        for rec in records:
            main = next((s for s in rec["statements"] if s["id"] == rec["event"]), None)
            try:
                yield (rec, *event_and_agent(loads_json(main["body"]))) if main else (rec, None, None)
            except DataError:
                yield rec, None, None


def event_and_agent(statement: Any) -> tuple[Event | None, tuple[str | None, str | None] | None]:
    """The mooc event a statement carries (checked like a progress line) and its agent
    as (email, account id); Nones for anything else."""
    from sync.statements import event_dict

    if not isinstance(statement, dict):
        return None, None
    raw = event_dict(statement)  # the event, with what the statement says filled back in
    if not isinstance(raw, dict) or event_problem(raw) is not None or raw.get("id") != statement.get("id"):
        return None, None
    return Event.from_dict(raw), agent_of(statement.get("actor"))


def agent_of(actor: Any) -> tuple[str | None, str | None] | None:
    """(email, account id) of an xAPI agent, or None when it is neither."""
    from player.learner_identity import check_email

    if not isinstance(actor, dict):
        return None
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and mbox.startswith("mailto:"):
        try:
            return check_email(mbox[len("mailto:") :]), None
        except MoocError:
            return None
    account = actor.get("account")
    if isinstance(account, dict) and isinstance(account.get("name"), str) and 0 < len(account["name"]) <= 128:
        return None, one_line(account["name"])
    return None


def fill_names(data: ClassData, layout: Layout) -> None:
    """People known only by email or account id (the LRS, sync exports): named from
    this account's learners list (a roster), else from a certificate request."""
    from player.learners import Learners

    try:
        learners = Learners(layout).list()
    except MoocError as err:
        data.notes.append(_("{err}: names not looked up").format(err=err))
        learners = []
    by_email = {lr.email.casefold(): lr for lr in learners if lr.email}
    by_account = {lr.account_id: lr for lr in learners}
    for person in data.people:
        if person.name:
            continue
        match = by_email.get((person.email or "").casefold()) or next(
            (by_account[a] for a in sorted(person.account_ids) if a in by_account), None
        )
        if match is not None:
            person.name = match.name
            continue
        for events in person.courses.values():
            for event in events.values():
                said = event.data.get("learner_name") if event.type == "certificate_requested" else None
                if isinstance(said, str) and one_line(said):
                    person.name = one_line(said)[:80]
        if not person.name:
            person.name = min(person.local_ids, default="") or person.label()
