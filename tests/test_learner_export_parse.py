"""player/learner_export.py `parse` cuts a file's bytes with as few copies as it can (a
class's exports are megabytes: each copy costs as much as checking a tenth of their
events). It must answer exactly as the parser that cut them the plain way: compared
here with that parser, for a good file and every damaged shape, answer for answer and
message for message."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from packages.datafile import DataError, loads_json
from packages.errors import MoocError
from packages.identifiers import ID_RE
from packages.safe_text import one_line
from player import learner_export as le
from player.event_schema import event_problem
from player.events import Event
from player.learner_export import ExportedLearner, ExportFile, encode

PATH = Path("pc1.mooc-learners")


def _parse_before(raw: bytes, path: Path) -> ExportFile:
    """player/learner_export.py `parse` before it cut the bytes in fewer copies."""
    where = str(path)
    body_end = raw.rstrip(b"\n").rfind(b"\n") + 1
    if not raw.endswith(b"\n") or body_end <= 0:
        raise MoocError(f"{where}: not a whole mooc learner export (cut short?); export it again")
    body, last = raw[:body_end], raw[body_end:]
    try:
        head = loads_json(body.split(b"\n", 1)[0])
    except DataError:
        head = None
    if not isinstance(head, dict) or head.get("format") != le.FORMAT:
        raise MoocError(f"{where}: not a mooc learner export (format is not {le.FORMAT!r})")
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= le.VERSION:
        raise MoocError(
            f"{where}: learner export version {one_line(str(version))} is not supported "
            f"(this mooc reads {le.VERSION}); upgrade mooc"
        )
    try:
        end = loads_json(last).get("end")
        wanted = end["sha256"]
    except (DataError, AttributeError, KeyError, TypeError):
        raise MoocError(
            f"{where}: the last line is not the export's end line: the file was cut short or changed; export it again"
        ) from None
    if not isinstance(wanted, str) or hashlib.sha256(body).hexdigest() != wanted:
        raise MoocError(f"{where}: checksum mismatch: the file was changed or damaged; export it again")
    lines = body.split(b"\n")[1:-1]
    try:
        objs = loads_json(b"[" + b",".join(lines) + b"]") if lines else []
    except DataError as err:
        raise MoocError(f"{where}: not valid JSON lines ({err})") from None
    out = ExportFile(path, one_line(str(head.get("created", ""))), [])
    current: ExportedLearner | None = None
    seen: set[str] = set()
    for number, obj in enumerate(objs, start=2):
        if isinstance(obj, dict) and "learner" in obj and "type" not in obj:
            current = le._learner(obj["learner"], f"{where}: line {number}")
            out.learners.append(current)
            if len(out.learners) > le.MAX_LEARNERS:
                raise MoocError(f"{where}: too many learners (over {le.MAX_LEARNERS}); not a class export")
            seen = set()
            continue
        if current is None:
            raise MoocError(f"{where}: line {number}: an event before any learner")
        problem = event_problem(obj)
        if problem is None and not ID_RE.match(obj["course_id"]):
            problem = "'course_id' is not a course id"
        if problem is not None:
            out.problems.append(f"line {number}: {problem}")
            continue
        event = Event.from_dict(obj)
        if event.id not in seen:
            seen.add(event.id)
            current.events.append(event)
    declared = end.get("learners") if isinstance(end, dict) else None
    if declared != len(out.learners):
        raise MoocError(
            f"{where}: the end line and the file disagree on how many learners it holds "
            f"({one_line(str(declared))}, {len(out.learners)}); export it again"
        )
    return out


def _sealed(body: bytes, learners: int = 1) -> bytes:
    """`body` (head line and lines, each ending in a newline) with a true end line."""
    end = {"end": {"learners": learners, "events": 0, "sha256": hashlib.sha256(body).hexdigest()}}
    return body + (json.dumps(end) + "\n").encode()


def _cases() -> dict[str, bytes]:
    event = Event("position", "c-1", "1", "l1", {}, id="e-1", time="2026-12-01T10:00:00.000Z")
    good = encode([ExportedLearner("amina", "Amina", None, "acct-1", None, [event])])
    head = good.split(b"\n", 1)[0] + b"\n"
    who = b'{"learner":{"id":"amina","name":"Amina","email":null,"account_id":"acct-1"}}\n'
    line = json.dumps(event.to_dict()).encode() + b"\n"
    return {
        "good": good,
        "two newlines at the end": good + b"\n",
        "no newline at the end": good[:-1],
        "head and end line only": _sealed(head, 0),
        "a blank line between": _sealed(head + who + b"\n" + line),
        "a blank line after the head": _sealed(head + b"\n" + who + line),
        "two blank lines": _sealed(head + who + b"\n\n"),
        "a line that is not JSON": _sealed(head + who + b"{oops\n"),
        "bad UTF-8 in a line": _sealed(head + who + b'{"x": "\xff"}\n'),
        "windows line ends": _sealed(head.replace(b"\n", b"\r\n") + who.replace(b"\n", b"\r\n") + line),
        "newlines only": b"\n\n\n",
        "empty": b"",
        "one line": head,
        "head twice": _sealed(head + head),
        "end line damaged": good[:-5] + b"}\n",
        "checksum wrong": good.replace(b'"amina"', b'"amino"', 1),
        "learners miscounted": _sealed(head + who + line, 2),
        "lines without a learner": _sealed(head + line),
        "a bad event": _sealed(head + who + line.replace(b'"position"', b"7")),
        "not an export": _sealed(b'{"format": "other"}\n' + who),
        "head not JSON": _sealed(b"{nope\n" + who + line),
    }


def _outcome(parse: object, raw: bytes) -> object:
    try:
        export = parse(raw, PATH)  # type: ignore[operator]
    except MoocError as err:
        return str(err)
    return export.created, [(lr.identity(), lr.events) for lr in export.learners], export.problems


@pytest.mark.parametrize("name", list(_cases()))
def test_parse_answers_as_the_plain_cutting_did(name: str) -> None:
    raw = _cases()[name]
    assert _outcome(le.parse, raw) == _outcome(_parse_before, raw)


def test_the_cases_reach_every_answer() -> None:
    """Good files and refusals of every kind, so the comparison means something."""
    said = {name: _outcome(le.parse, raw) for name, raw in _cases().items()}
    refused = " | ".join(s for s in said.values() if isinstance(s, str))
    for part in (
        "cut short",
        "format is not",
        "end line",
        "checksum",
        "not valid JSON lines",
        "disagree",
        "before any",
    ):
        assert part in refused, part
    read = [s for s in said.values() if not isinstance(s, str)]
    assert any(events for _, learners, _ in read for _, events in learners)  # type: ignore[misc]
    assert any(problems for _, _, problems in read)  # type: ignore[misc]
