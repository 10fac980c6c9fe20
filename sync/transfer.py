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
from pathlib import Path
from typing import Any

from packages.errors import MoocError
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


def export(layout: Layout, path: Path) -> dict[str, int]:
    """Write pending statements to PATH atomically; returns statements per endpoint."""
    from player.config import write_atomic
    from sync.collect import collect

    collect(layout)
    endpoints: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for outbox in all_outboxes(layout):
        pending = outbox.pending()
        allowed: dict[str, bool] = {}
        by_event: dict[str, dict[str, Any]] = {}
        for e in pending:
            if e.learner not in allowed:
                allowed[e.learner] = may_send(layout, e.learner, outbox.endpoint.host)
            if not allowed[e.learner]:
                continue
            rec = by_event.setdefault(e.event, {"event": e.event, "learner": e.learner, "course": e.course,
                                                "type": e.type, "statements": []})
            rec["statements"].append({"id": e.id, "body": e.body})
        if by_event:
            endpoints.append({"endpoint": outbox.endpoint.url, "records": list(by_event.values())})
            counts[outbox.endpoint.url] = sum(len(r["statements"]) for r in by_event.values())
    doc = {"format": FORMAT, "version": VERSION, "created": now_iso(), "checksum": _checksum(endpoints),
           "endpoints": endpoints}
    write_atomic(path, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), mode=0o600)
    return counts


def read_export(path: Path) -> list[tuple[str, list[dict[str, Any]]]]:
    """Validate an export file; [(endpoint url, records)]. Clear one-line errors."""
    where = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise MoocError(f"{where}: too large to be a mooc export ({path.stat().st_size} bytes)")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MoocError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise MoocError(f"{where}: is a folder, not an export file") from None
    except OSError as err:
        raise MoocError(f"{where}: cannot read: {err.strerror}") from None
    from packages.datafile import DataError, loads_json

    try:
        doc = loads_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, DataError) as err:
        raise MoocError(f"{where}: not a mooc sync export ({one_line(str(err))[:100]}); "
                        "the file may be damaged or cut short") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MoocError(f"{where}: not a mooc sync export (format is not {FORMAT!r})")
    version = doc.get("version")
    if not isinstance(version, int) or version > VERSION or version < 1:
        raise MoocError(f"{where}: export version {version!r} is not supported (this mooc reads {VERSION}); "
                        "upgrade mooc")
    endpoints = doc.get("endpoints")
    if not isinstance(endpoints, list):
        raise MoocError(f"{where}: 'endpoints' must be a list")
    if doc.get("checksum") != _checksum(endpoints):
        raise MoocError(f"{where}: checksum mismatch: the file was changed or damaged; export it again")
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for n, block in enumerate(endpoints, start=1):
        if not isinstance(block, dict) or not isinstance(block.get("records"), list):
            raise MoocError(f"{where}: endpoint {n}: expected an object with 'endpoint' and 'records'")
        endpoint = normalise(str(block.get("endpoint")), where=f"{where}: endpoint {n}")
        for m, rec in enumerate(block["records"], start=1):
            if not (isinstance(rec, dict) and is_record(dict(rec, known=False))):
                raise MoocError(f"{where}: endpoint {n}, record {m}: malformed")
            for s in rec["statements"]:
                try:
                    body = loads_json(s["body"])
                except DataError:
                    raise MoocError(f"{where}: endpoint {n}, record {m}: a statement is not JSON") from None
                if not isinstance(body, dict) or body.get("id") != s["id"]:
                    raise MoocError(f"{where}: endpoint {n}, record {m}: statement id does not match its body")
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
                fresh.append({"event": rec["event"], "course": rec["course"], "type": rec["type"],
                              "learner": learner if learner.startswith("imported:") else f"imported:{learner}",
                              "statements": [{"id": s["id"], "body": s["body"]} for s in rec["statements"]]})
            adder.add(fresh)
            counts[url] = adder.added
    return counts
