"""Carry pending records on a USB stick: `mooc sync --export FILE` / `--import FILE`.

For a lab with no internet: export writes every statement still pending on this
machine (for learners who approved the endpoint's host) to one versioned JSON file
with a SHA-256 checksum; import on a connected machine validates it, adds the
statements to that machine's outboxes (the same bytes, so the LRS sees one
statement however many times it arrives) and uploads them. Both are idempotent:
exporting twice writes the same records; importing twice adds nothing new; and
the exporting machine uploading the same records later stores nothing twice.

File format (docs/sync.md)::

    {"format": "mooc-sync-export", "version": 1, "created": "...",
     "checksum": "sha256:<hex of the canonical JSON of `endpoints`>",
     "endpoints": [{"endpoint": "https://lrs.example.org/xapi/",
                    "records": [<outbox lines, see sync/outbox.py>]}]}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from packages.safe_text import one_line
from player.events import now_iso
from sync.consent import may_send
from sync.endpoints import normalise
from sync.outbox import Outbox, all_outboxes, is_record

FORMAT = "mooc-sync-export"
VERSION = 1
MAX_BYTES = 512 * 1024 * 1024


def _checksum(endpoints: list[dict[str, Any]]) -> str:
    canon = json.dumps(endpoints, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return "sha256:" + hashlib.sha256(canon).hexdigest()


@dataclass
class ExportReport:
    """What `export` did: statements added per endpoint, what the file now holds, and what
    could not be exported (records waiting for a learner's approval, courses skipped)."""

    added: dict[str, int] = field(default_factory=dict)  # endpoint url -> statements new in the file
    total: int = 0  # statements in the file after the write (merged with what was there)
    merged: bool = False  # the file existed: its records were kept
    held_back: list[tuple[str, str, int]] = field(default_factory=list)  # (learner, host, statements)
    notes: list[str] = field(default_factory=list)  # courses left out (collect notes)

    @property
    def complete(self) -> bool:
        """Nothing pending on this machine was left out."""
        return not self.held_back and not self.notes


def export(layout: Layout, path: Path) -> ExportReport:
    """Add every pending statement learners approved to the export at PATH.

    An existing export is never overwritten: its records are kept and ours merged in,
    deduplicated by statement id (so one file on a USB stick collects a whole lab, one
    PC after the other). An existing file that is not a mooc export is refused and left
    untouched. The file is replaced atomically (packages/fsutil.py): a pulled stick or a
    full disk leaves the previous file whole.
    """
    from player.config import write_atomic
    from sync.collect import collect

    report = ExportReport()
    blocks: dict[str, list[dict[str, Any]]] = {}
    if path.exists() or path.is_symlink():
        try:
            existing = read_export(path)
        except MoocError as err:
            raise MoocError(_("{err}; it was left as it is: export to another file").format(err=err)) from None
        for url, records in existing:
            blocks.setdefault(url, []).extend(records)
        report.merged = True
    report.notes = list(collect(layout).notes)
    for outbox in all_outboxes(layout):
        allowed: dict[str, bool] = {}
        by_event: dict[str, dict[str, Any]] = {}
        held: dict[str, int] = {}
        for e in outbox.pending():
            if e.learner not in allowed:
                allowed[e.learner] = may_send(layout, e.learner, outbox.endpoint.host)
            if not allowed[e.learner]:
                held[e.learner] = held.get(e.learner, 0) + 1
                continue
            rec = by_event.setdefault(
                e.event, {"event": e.event, "learner": e.learner, "course": e.course, "type": e.type, "statements": []}
            )
            rec["statements"].append({"id": e.id, "body": e.body})
        report.held_back += [(learner, outbox.endpoint.host, n) for learner, n in sorted(held.items())]
        records = blocks.setdefault(outbox.endpoint.url, [])
        there = {s["id"] for r in records for s in r["statements"]}
        events = {r["event"]: r for r in records}
        added = 0
        for rec in by_event.values():
            fresh = [s for s in rec["statements"] if s["id"] not in there]
            if not fresh:
                continue
            if rec["event"] in events:  # more statements of an event the file holds: one record per event
                events[rec["event"]]["statements"].extend(fresh)
            else:
                rec["statements"] = fresh
                records.append(rec)
                events[rec["event"]] = rec
            there.update(s["id"] for s in fresh)
            added += len(fresh)
        if added:
            report.added[outbox.endpoint.url] = added
    endpoints: list[dict[str, Any]] = [
        {"endpoint": url, "records": records} for url, records in blocks.items() if records
    ]
    report.total = sum(len(r["statements"]) for b in endpoints for r in b["records"])
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "created": now_iso(),
        "checksum": _checksum(endpoints),
        "endpoints": endpoints,
    }
    write_atomic(path, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), mode=0o600)
    return report


def read_export(path: Path) -> list[tuple[str, list[dict[str, Any]]]]:
    """Validate an export file; [(endpoint url, records)]. Clear one-line errors."""
    where = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise MoocError(
                _("{where}: too large to be a mooc export ({size} bytes)").format(where=where, size=path.stat().st_size)
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MoocError(_("{where}: no such file").format(where=where)) from None
    except IsADirectoryError:
        raise MoocError(_("{where}: is a folder, not an export file").format(where=where)) from None
    except OSError as err:
        raise MoocError(_("{where}: cannot read: {strerror}").format(where=where, strerror=err.strerror)) from None
    from packages.datafile import DataError, loads_json

    try:
        doc = loads_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, DataError) as err:
        raise MoocError(
            _("{where}: not a mooc sync export ({value}); the file may be damaged or cut short").format(
                where=where, value=one_line(str(err))[:100]
            )
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MoocError(
            _("{where}: not a mooc sync export (format is not {format!r})").format(where=where, format=FORMAT)
        )
    version = doc.get("version")
    if not isinstance(version, int) or version > VERSION or version < 1:
        raise MoocError(
            _(
                "{where}: export version {version!r} is not supported (this mooc reads {supported}); upgrade mooc"
            ).format(where=where, version=version, supported=VERSION)
        )
    endpoints = doc.get("endpoints")
    if not isinstance(endpoints, list):
        raise MoocError(_("{where}: 'endpoints' must be a list").format(where=where))
    if doc.get("checksum") != _checksum(endpoints):
        raise MoocError(
            _("{where}: checksum mismatch: the file was changed or damaged; export it again").format(where=where)
        )
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for n, block in enumerate(endpoints, start=1):
        if not isinstance(block, dict) or not isinstance(block.get("records"), list):
            raise MoocError(
                _("{where}: endpoint {n}: expected an object with 'endpoint' and 'records'").format(where=where, n=n)
            )
        endpoint = normalise(str(block.get("endpoint")), where=f"{where}: endpoint {n}")
        for m, rec in enumerate(block["records"], start=1):
            if not (isinstance(rec, dict) and is_record(dict(rec, known=False))):
                raise MoocError(_("{where}: endpoint {n}, record {m}: malformed").format(where=where, n=n, m=m))
            for s in rec["statements"]:
                try:
                    body = loads_json(s["body"])
                except DataError:
                    raise MoocError(
                        _("{where}: endpoint {n}, record {m}: a statement is not JSON").format(where=where, n=n, m=m)
                    ) from None
                if not isinstance(body, dict) or body.get("id") != s["id"]:
                    raise MoocError(
                        _("{where}: endpoint {n}, record {m}: statement id does not match its body").format(
                            where=where, n=n, m=m
                        )
                    )
        out.append((endpoint.url, block["records"]))
    return out


def import_file(layout: Layout, path: Path) -> dict[str, int]:
    """Add an export's statements to this machine's outboxes; returns new statements per endpoint.

    Imported records keep their statements' bytes; their learner is recorded as
    ``imported:<id>`` so they are sent on the exporting learner's approval (given on
    the lab machine) and never mixed up with a local learner of the same id.
    """
    counts: dict[str, int] = {}
    for url, records in read_export(path):
        outbox = Outbox(layout, normalise(url))
        with outbox.adding() as adder:
            fresh = []
            for rec in records:
                learner = rec["learner"]
                fresh.append(
                    {
                        "event": rec["event"],
                        "course": rec["course"],
                        "type": rec["type"],
                        "learner": learner if learner.startswith("imported:") else f"imported:{learner}",
                        "statements": [{"id": s["id"], "body": s["body"]} for s in rec["statements"]],
                    }
                )
            adder.add(fresh)
            counts[url] = adder.added
    return counts
