"""The progress file's bytes: a header line, then one JSON event per line.

`parse` reads a whole log back into events, each id once: a damaged line, or an event
of the wrong shape (player/event_schema.py), is skipped and named in the problems; a
torn last line is ignored; a header of a newer format version refuses. `encode` is one
event's line. Format: docs/progress-format.md; the log that reads and writes these
bytes is `EventLog` (player/progress.py).
"""

from __future__ import annotations

import json

from packages.datafile import DataError, loads_json
from packages.errors import MoocError
from packages.i18n import _
from player.event_schema import event_problem
from player.events import Event

FORMAT = "mooc-progress"
VERSION = 1


def encode(event: Event) -> bytes:
    return (json.dumps(event.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
        "utf-8"
    )


def check_version(first_line: bytes, where: str) -> None:
    try:
        head = loads_json(first_line)
    except DataError:
        return  # a damaged header is reported by parse(), not fatal
    if isinstance(head, dict) and head.get("format") == FORMAT:
        version = head.get("version")
        if isinstance(version, int) and version > VERSION:
            raise MoocError(
                _(
                    "{where}: progress format version {version} was written by a newer mooc (this one reads "
                    "version {VERSION}); upgrade mooc"
                ).format(where=where, version=version, VERSION=VERSION)
            )


def parse(raw: bytes, where: str = "progress") -> tuple[list[Event], list[str], bool]:
    """Parse a progress file's bytes: (events each id once, problems, torn_tail).

    Fast path: all complete lines decoded by one json.loads call; any damage falls
    back to line by line, so one bad line never costs the others.
    """
    problems: list[str] = []
    if not raw:
        return [], problems, False
    torn = not raw.endswith(b"\n")
    lines = raw.split(b"\n")
    lines.pop()  # the part after the last newline: empty, or a torn tail (ignored)
    if not lines:
        return [], problems, torn
    check_version(lines[0], where)
    try:
        head = loads_json(lines[0])
    except DataError:
        head = None
    first = 1
    if not (isinstance(head, dict) and head.get("format") == FORMAT):
        problems.append(f"{where}: line 1: not a mooc-progress header")
        first = 0  # the header is lost; the first line may still be an event
    numbered = [(n, ln) for n, ln in enumerate(lines[first:], start=first + 1) if ln.strip()]
    objs: list[object] | None
    try:
        objs = loads_json(b"[" + b",".join(ln for _n, ln in numbered) + b"]")
        if len(objs) != len(numbered):  # a damaged line joined with another
            objs = None
    except DataError:
        objs = None
    if objs is None:
        objs = []
        kept: list[tuple[int, bytes]] = []
        for n, line in numbered:
            try:
                objs.append(loads_json(line))
                kept.append((n, line))
            except DataError as err:
                problems.append(f"{where}: line {n}: damaged ({err}); skipped")
        numbered = kept
    events: list[Event] = []
    seen: set[str] = set()
    for (n, _line), obj in zip(numbered, objs):
        ev, problem = _to_event(obj)
        if ev is None:
            problems.append(f"{where}: line {n}: not a valid event ({problem}); skipped")
        elif ev.id not in seen:
            seen.add(ev.id)
            events.append(ev)
    return events, problems, torn


def decode_line(line: bytes) -> tuple[Event | None, str | None]:
    """(the event of one log line, None) or (None, what is wrong with it)."""
    try:
        obj = loads_json(line)
    except DataError as err:
        return None, str(err)
    return _to_event(obj)


def _to_event(obj: object) -> tuple[Event | None, str | None]:
    """(an Event from a decoded line, None), or (None, why it is not a well-formed event)."""
    problem = event_problem(obj)
    if problem is not None:
        return None, problem
    try:
        return Event.from_dict(obj), None  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as err:
        return None, str(err)
