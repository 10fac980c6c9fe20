"""The durable per-endpoint outbox: each statement is generated ONCE, then resent as is.

Layout under ``layout.sync_endpoint_dir(endpoint.key)``:

- ``endpoint.json``: the endpoint URL (so `mooc sync --status` can list outboxes);
- ``outbox.jsonl``: append-only, one line per event, written with the event's
  statements in one fsync'd write::

      {"event": "<event id>", "learner": "amina", "course": "stats-101", "type": "attempt",
       "statements": [{"id": "<uuid>", "body": "<the statement's exact JSON text>"}, ...]}

  A line with ``"known": true`` and statement bodies left out records events that
  came FROM the LRS (`mooc sync --pull`): they are never generated or sent again.
- ``acks.jsonl``: append-only outcomes, one line per statement::

      {"id": "<uuid>", "state": "stored" | "rejected" | "conflict", "reason": "...", "time": "..."}

  ``stored`` means the LRS has it (200, 204, or 409 with identical content);
  ``rejected`` (400/422 for that one statement) and ``conflict`` (the LRS holds a
  DIFFERENT statement with that id) are set aside, shown by `mooc sync --status`,
  and never block the rest of the queue.
- ``status.json``: last attempt, success and error (replaced atomically).

Pending = statements in the outbox without an ack. A crash at any moment loses
nothing (lines are fsync'd before the upload that depends on them) and duplicates
nothing (a statement is resent with the same id and bytes; the LRS answers 204).
A damaged line (not JSON, or not shaped as above) is skipped with one warning naming
the file (packages/notices.py); every other line counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from packages.datafile import load_json
from packages.errors import MoocError
from packages.identifiers import ID_PATTERN
from packages.layout import Layout
from player.events import now_iso
from sync import jsonl
from sync.endpoints import Endpoint, normalise

# A learner id (player/learners.py), or "imported:<id>" for records of another machine.
_LEARNER = re.compile(rf"^(imported:)?{ID_PATTERN}$")


@dataclass(frozen=True)
class Entry:
    """One statement waiting in (or done from) the outbox."""

    id: str
    learner: str
    course: str
    event: str
    type: str
    body: str | None  # None: a pulled statement, already on the LRS


@dataclass(frozen=True)
class Ack:
    id: str
    state: str
    reason: str = ""
    time: str = ""


class Outbox:
    def __init__(self, layout: Layout, endpoint: Endpoint) -> None:
        self.layout = layout
        self.endpoint = endpoint
        self.dir = layout.sync_endpoint_dir(endpoint.key)

    @property
    def outbox_file(self) -> Path:
        return self.dir / "outbox.jsonl"

    @property
    def acks_file(self) -> Path:
        return self.dir / "acks.jsonl"

    @property
    def status_file(self) -> Path:
        return self.dir / "status.json"

    @property
    def send_lock(self) -> Path:
        return self.dir / "send.lock"

    # ------------------------------------------------------------------ writing

    def _ensure_dir(self) -> None:
        marker = self.dir / "endpoint.json"
        if marker.exists():
            return
        from player.config import write_atomic

        write_atomic(marker, jsonl.encode({"endpoint": self.endpoint.url}), mode=0o600)

    @contextmanager
    def adding(self) -> Iterator[_Adder]:
        """Exclusive: which events are already in, and a way to add more (one write each)."""
        self._ensure_dir()
        with jsonl.locked_append(self.outbox_file) as out:
            records, _ = out.read()
            known = {str(r.get("event")) for r in records}
            yield _Adder(out, known)

    def ack(self, acks: list[Ack]) -> None:
        if acks:
            jsonl.append(
                self.acks_file,
                [
                    {
                        "id": a.id,
                        "state": a.state,
                        **({"reason": a.reason} if a.reason else {}),
                        "time": a.time or now_iso(),
                    }
                    for a in acks
                ],
            )

    # ------------------------------------------------------------------ reading

    def entries(self) -> list[Entry]:
        out: list[Entry] = []
        seen: set[str] = set()
        bad = 0
        for r in jsonl.read(self.outbox_file)[0]:
            if not is_record(r):
                bad += 1
                continue
            known = bool(r.get("known"))
            for st in r["statements"]:
                sid = st["id"]
                if sid in seen:
                    continue
                seen.add(sid)
                out.append(Entry(sid, r["learner"], r["course"], r["event"], r["type"], None if known else st["body"]))
        if bad:
            from packages.i18n import ngettext
            from packages.notices import warn

            warn(
                ngettext(
                    "{path}: {n} line not shaped as outbox records skipped; the file is left as it is",
                    "{path}: {n} lines not shaped as outbox records skipped; the file is left as it is",
                    bad,
                ).format(path=self.outbox_file, n=bad)
            )
        return out

    def acks(self) -> dict[str, Ack]:
        out: dict[str, Ack] = {}
        for r in jsonl.read(self.acks_file)[0]:
            sid, state, reason, time = (r.get(k) for k in ("id", "state", "reason", "time"))
            if not (_text(sid) and _text(state)):
                continue
            ack = Ack(sid, state, reason if isinstance(reason, str) else "", time if isinstance(time, str) else "")
            # "stored" is final; a later retry of a set-aside statement may store it
            if sid not in out or ack.state == "stored":
                out[sid] = ack
        return out

    def pending(self) -> list[Entry]:
        acks = self.acks()
        return [e for e in self.entries() if e.body is not None and e.id not in acks]

    def set_aside(self) -> list[tuple[Entry, Ack]]:
        acks = self.acks()
        return [(e, acks[e.id]) for e in self.entries() if e.id in acks and acks[e.id].state != "stored"]

    def status(self) -> dict[str, Any]:
        """What status.json says (informative only: anything damaged reads as nothing)."""
        try:
            status = load_json(self.status_file)  # bounded, no links; informative only
        except MoocError:
            return {}
        return {k: v for k, v in status.items() if isinstance(v, str) or v is None} if isinstance(status, dict) else {}

    def save_status(self, **changes: Any) -> None:
        from player.config import write_atomic

        status = self.status()
        status.update(changes, endpoint=self.endpoint.url)
        try:
            write_atomic(self.status_file, jsonl.encode(status), mode=0o600)
        except MoocError:
            pass  # status is informative only; never fail a sync over it


def is_record(r: dict[str, Any]) -> bool:
    """An outbox line as the module doc shows it (statement bodies are left out when known)."""
    statements, learner, known = r.get("statements"), r.get("learner"), bool(r.get("known"))
    return (
        isinstance(statements, list)
        and isinstance(learner, str)
        and _LEARNER.match(learner) is not None
        and all(_text(r.get(k)) for k in ("course", "event", "type"))
        and all(
            isinstance(st, dict) and _text(st.get("id")) and (known or isinstance(st.get("body"), str))
            for st in statements
        )
    )


def _text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= 200


class _Adder:
    def __init__(self, out: jsonl.Appender, known: set[str]) -> None:
        self._out = out
        self.known = known
        self.added = 0

    def add(self, records: list[dict[str, Any]]) -> None:
        """Append event records (see module doc) in one fsync'd write."""
        fresh = [r for r in records if r["event"] not in self.known]
        if not fresh:
            return
        self._out.write(fresh)
        for r in fresh:
            self.known.add(r["event"])
            if not r.get("known"):
                self.added += len(r["statements"])


def all_outboxes(layout: Layout) -> list[Outbox]:
    """Every endpoint this machine has an outbox for."""
    base = layout.sync_dir
    out: list[Outbox] = []
    if not base.is_dir():
        return out
    for folder in sorted(base.iterdir()):
        marker = folder / "endpoint.json"
        try:
            url = load_json(marker)["endpoint"]
            endpoint = normalise(url, where=str(marker))
        except (OSError, ValueError, KeyError, TypeError, MoocError):
            continue
        if endpoint.key == folder.name:
            out.append(Outbox(layout, endpoint))
    return out
