"""Learner export files: a learner's identity and progress, carried between PCs.

`mooc learner export NAME -o FILE` (or `--all`: every learner of this account, what a
teacher collects for `mooc report --from`) writes one file; `mooc learner import FILE`
merges it on another PC (player/learner_import.py). Format ``mooc-learner-export``
version 1, UTF-8 JSON Lines (docs/class.md)::

    {"format": "mooc-learner-export", "version": 1, "created": "2026-12-01T10:00:00.000Z", "learners": 2}
    {"learner": {"id": "amina", "name": "Amina", "email": "amina@example.org", "account_id": "3f1c…"}}
    {"course_id": "stats-101", "id": "…", "type": "enrolled", ...}      one line per event (Event.to_dict())
    ...
    {"learner": {...}}                                                  the next learner, its events
    {"end": {"learners": 2, "events": 118, "sha256": "<hex of every byte before this line>"}}

The last line proves the file whole: a file cut short on a stick, or changed, fails
its checksum and is refused with one line. Everything in a file is untrusted: names
and emails are checked like `mooc learner add` checks them, events like a progress
log's (player/event_schema.py); a bad event is skipped with one warning per file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from packages.datafile import DataError, loads_json
from packages.errors import MoocError
from packages.i18n import _
from packages.identifiers import ID_RE, LEARNER_ID_RE
from packages.safe_text import one_line
from player.event_schema import event_problem
from player.events import Event, now_iso

_BY_TIME = attrgetter("time")

FORMAT = "mooc-learner-export"
VERSION = 1
MAX_BYTES = 256 * 1024 * 1024  # 30 learners x a year of a 50-question course is a few MB
MAX_LEARNERS = 10_000
_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$")


@dataclass
class ExportedLearner:
    """One learner of an export file: who they are, and everything they did."""

    id: str
    name: str
    email: str | None
    account_id: str
    pin: str | None = None  # the salted hash (player/pin.py), never the PIN
    events: list[Event] = field(default_factory=list)
    language: str | None = None  # the learner's own UI language (an older mooc's export has none)

    def identity(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "name": self.name, "email": self.email, "account_id": self.account_id}
        if self.pin:
            out["pin"] = self.pin
        if self.language:
            out["language"] = self.language
        return out


@dataclass
class ExportFile:
    path: Path
    created: str
    learners: list[ExportedLearner]
    problems: list[str] = field(default_factory=list)  # events skipped, one entry each


# --------------------------------------------------------------------------- writing


def encode(learners: Iterable[ExportedLearner]) -> bytes:
    """The bytes of an export file holding `learners` (events in time order)."""
    chosen = list(learners)
    lines = [
        json.dumps(
            {"format": FORMAT, "version": VERSION, "created": now_iso(), "learners": len(chosen)}, ensure_ascii=False
        )
    ]
    count = 0
    for learner in chosen:
        lines.append(json.dumps({"learner": learner.identity()}, ensure_ascii=False, separators=(",", ":")))
        for event in sorted(learner.events, key=_BY_TIME):  # stable: one millisecond keeps the written order
            lines.append(json.dumps(event.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")))
            count += 1
    body = ("\n".join(lines) + "\n").encode("utf-8")
    end = {"end": {"learners": len(chosen), "events": count, "sha256": hashlib.sha256(body).hexdigest()}}
    return body + (json.dumps(end) + "\n").encode("utf-8")


def write(path: Path, learners: Iterable[ExportedLearner]) -> None:
    """Write a NEW export file (an existing file is never replaced: one line says so)."""
    from packages import fsutil

    data = encode(learners)
    try:
        fsutil.write_new(path, data, mode=0o600)
    except FileExistsError:
        raise MoocError(
            _(
                "{path}: already exists; mooc never overwrites an export: choose another name, or move the "
                "old file away"
            ).format(path=path)
        ) from None
    except OSError as err:
        raise MoocError(
            _("{path}: cannot write the export: {strerror}").format(path=path, strerror=err.strerror)
        ) from None


# --------------------------------------------------------------------------- reading


def read(path: Path) -> ExportFile:
    """Read and check an export file; every problem with the file as a whole is ONE
    MoocError naming it (nothing is half-read)."""
    raw = read_untrusted(path, MAX_BYTES, what="a mooc learner export")
    return parse(raw, path)


def read_untrusted(path: Path, limit: int, *, what: str) -> bytes:
    """A file the user named (a stick, a shared folder): followed if it is a link the
    user gave, but only a regular file, read at most `limit` bytes."""
    from packages.datafile import read_bytes

    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise MoocError(_("{path}: no such file").format(path=path)) from None
    except (OSError, RuntimeError) as err:
        raise MoocError(
            _("{path}: cannot read: {value}").format(path=path, value=getattr(err, "strerror", None) or err)
        ) from None
    if real.is_dir():
        raise MoocError(_("{path}: is a folder, not {what}").format(path=path, what=what))
    try:
        data = read_bytes(real, limit, own=False)
    except MoocError as err:
        raise MoocError(str(err).replace(str(real), str(path), 1)) from None
    if data is None:
        raise MoocError(_("{path}: no such file").format(path=path))
    return data


def is_export(head: bytes) -> bool:
    """Whether the first bytes of a file look like a learner export (to sort a folder)."""
    return head.lstrip().startswith(b"{") and f'"{FORMAT}"'.encode() in head.split(b"\n", 1)[0]


def parse(raw: bytes, path: Path) -> ExportFile:
    # A class's files are megabytes: each copy of them costs as much as checking a
    # tenth of their events, so the bytes are cut and joined in as few copies as can be.
    where = str(path)
    end = len(raw)
    while end and raw[end - 1] == 0x0A:  # the end line's newline(s)
        end -= 1
    body_end = raw.rfind(b"\n", 0, end) + 1  # the body: every line before the end line
    if not raw.endswith(b"\n") or body_end <= 0:
        raise MoocError(_("{where}: not a whole mooc learner export (cut short?); export it again").format(where=where))
    head_end = raw.index(b"\n")
    try:
        head = loads_json(raw[:head_end])
    except DataError:
        head = None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise MoocError(
            _("{where}: not a mooc learner export (format is not {FORMAT})").format(where=where, FORMAT=repr(FORMAT))
        )
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise MoocError(
            _(
                "{where}: learner export version {version} is not supported (this mooc reads {VERSION}); upgrade mooc"
            ).format(where=where, version=one_line(str(version)), VERSION=VERSION)
        )
    try:
        end_line = loads_json(raw[body_end:]).get("end")
        wanted = end_line["sha256"]
    except (DataError, AttributeError, KeyError, TypeError):
        raise MoocError(
            _(
                "{where}: the last line is not the export's end line: the file was cut short or changed; "
                "export it again"
            ).format(where=where)
        ) from None
    if not isinstance(wanted, str) or hashlib.sha256(memoryview(raw)[:body_end]).hexdigest() != wanted:
        raise MoocError(
            _("{where}: checksum mismatch: the file was changed or damaged; export it again").format(where=where)
        )
    try:
        objs = loads_json(_as_array(raw, head_end, body_end)) if body_end - head_end > 1 else []
    except DataError as err:
        raise MoocError(_("{where}: not valid JSON lines ({err})").format(where=where, err=err)) from None
    out = ExportFile(path, one_line(str(head.get("created", ""))), [])
    current: ExportedLearner | None = None
    seen: set[str] = set()
    courses: set[str] = set()  # the course ids found good (a file holds a few, many times)
    for number, obj in enumerate(objs, start=2):
        if isinstance(obj, dict) and "learner" in obj and "type" not in obj:
            current = _learner(obj["learner"], f"{where}: line {number}")
            out.learners.append(current)
            if len(out.learners) > MAX_LEARNERS:
                raise MoocError(
                    _("{where}: too many learners (over {MAX_LEARNERS}); not a class export").format(
                        where=where, MAX_LEARNERS=MAX_LEARNERS
                    )
                )
            seen = set()
            continue
        if current is None:
            raise MoocError(_("{where}: line {number}: an event before any learner").format(where=where, number=number))
        problem = event_problem(obj)
        if problem is None and obj["course_id"] not in courses:
            if ID_RE.match(obj["course_id"]):
                courses.add(obj["course_id"])
            else:
                problem = "'course_id' is not a course id"
        if problem is not None:
            out.problems.append(f"line {number}: {problem}")
            continue
        event = Event.from_dict(obj)
        if event.id not in seen:
            seen.add(event.id)
            current.events.append(event)
    declared = end_line.get("learners") if isinstance(end_line, dict) else None
    if declared != len(out.learners):
        raise MoocError(
            _(
                "{where}: the end line and the file disagree on how many learners it holds ({declared}, "
                "{n}); export it again"
            ).format(where=where, declared=one_line(str(declared)), n=len(out.learners))
        )
    return out


_NEWLINE_TO_COMMA = bytes.maketrans(b"\n", b",")


def _as_array(raw: bytes, head_end: int, body_end: int) -> bytearray:
    """The lines between the head (which ends at `head_end`) and `body_end`, as ONE JSON
    array, in one copy and one pass: the head's newline opens it, the last line's closes
    it, the others become commas."""
    array = bytearray(memoryview(raw)[head_end:body_end]).translate(_NEWLINE_TO_COMMA)
    array[0], array[-1] = 0x5B, 0x5D  # [ ]
    return array


def _learner(raw: object, where: str) -> ExportedLearner:
    from player.learner_identity import check_email, clean_name
    from player.ui_language import is_language_tag

    if not isinstance(raw, dict):
        raise MoocError(_("{where}: 'learner' must be an object").format(where=where))
    lid, name, email, account, pin = (raw.get(k) for k in ("id", "name", "email", "account_id", "pin"))
    if not isinstance(lid, str) or not LEARNER_ID_RE.match(lid):
        raise MoocError(_("{where}: the learner's 'id' is not a learner id").format(where=where))
    if not isinstance(account, str) or not _ACCOUNT.match(account):
        raise MoocError(_("{where}: the learner's 'account_id' is missing or not an account id").format(where=where))
    if not isinstance(name, str):
        raise MoocError(_("{where}: the learner's 'name' must be a string").format(where=where))
    if email is not None and not isinstance(email, str):
        raise MoocError(_("{where}: the learner's 'email' must be a string or null").format(where=where))
    if pin is not None and not (isinstance(pin, str) and len(pin) <= 512):
        raise MoocError(_("{where}: the learner's 'pin' is not a PIN hash").format(where=where))
    language = raw.get("language")
    if language is not None and not (isinstance(language, str) and is_language_tag(language)):
        raise MoocError(
            _("{where}: the learner's 'language' is not a language code such as \"fr\"").format(where=where)
        )
    try:
        name = clean_name(name)
        email = check_email(email) if email else None
    except MoocError as err:
        raise MoocError(f"{where}: {err}") from None
    return ExportedLearner(lid, name, email, account, pin or None, language=language or None)
