"""A class in one command: `mooc learner import ROSTER.csv` (name, email, optional PIN
and language).

The roster is a spreadsheet's CSV: a header row naming the columns (``name``,
``email``, ``pin``, ``language``, in any order, any case; ``;`` separators as some spreadsheets
write them), or no header and the columns in that order. Importing is idempotent:
each row is matched to a learner of this account by email (ignoring case), else by
name; a learner not found is added, one found is updated where the roster differs
(name, email, PIN, language), and the import says what changed. A roster with any bad row
changes nothing: every problem is one line naming the file and the row.

PINs in the roster are the teacher's plain text; only their salted hash is kept
(player/pin.py).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from packages.errors import MoocError
from packages.i18n import _
from packages.safe_text import one_line

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    email: str | None
    pin: str | None  # as typed in the roster (digits)
    language: str | None = None  # the learner's own interface language ("fr"), when the roster says


@dataclass
class RosterResult:
    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)  # (name, what changed)
    unchanged: list[str] = field(default_factory=list)


def read_roster(path: Path) -> list[RosterRow]:
    """The rows of a roster file, checked; MoocError (one line per problem) otherwise."""
    from player.learner_export import read_untrusted

    raw = read_untrusted(path, MAX_BYTES, what="a roster (CSV)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise MoocError(
            _("{path}: line {line}: not UTF-8 text; save the roster as CSV UTF-8").format(path=path, line=line)
        ) from None
    return parse_roster(text, str(path))


def parse_roster(text: str, where: str) -> list[RosterRow]:
    from player.learner_identity import check_email, clean_name
    from player.pin import check_new
    from player.ui_language import check_language

    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_ROWS + 1:
        raise MoocError(
            _("{where}: more than {MAX_ROWS} rows; not a class roster").format(where=where, MAX_ROWS=MAX_ROWS)
        )
    columns = {"name": 0, "email": 1, "pin": 2, "language": 3}
    start = 0
    if rows and any(cell.strip().casefold() == "name" for cell in rows[0]):
        header = [cell.strip().casefold() for cell in rows[0]]
        unknown = [h for h in header if h and h not in columns]
        if unknown:
            raise MoocError(
                _(
                    "{where}: line 1: unknown column {unknown} (a roster has name, email, pin and language); "
                    "nothing imported"
                ).format(where=where, unknown=repr(one_line(unknown[0])))
            )
        columns = {h: i for i, h in enumerate(header) if h}
        start = 1
    problems: list[str] = []
    out: list[RosterRow] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            i = columns.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        try:
            name = clean_name(cell("name"))
            email = check_email(cell("email")) if cell("email") else None
            pin = check_new(cell("pin")) if cell("pin") else None
            language = check_language(cell("language")) if cell("language") else None
        except MoocError as err:
            problems.append(f"line {number}: {err}")
            continue
        for key in (f"name:{name.casefold()}", *([f"email:{email.casefold()}"] if email else [])):
            if key in seen:
                problems.append(f"line {number}: the same {key.split(':')[0]} as line {seen[key]}")
            seen.setdefault(key, number)
        out.append(RosterRow(number, name, email, pin, language))
    if problems:
        more = _(" (and {n} more)").format(n=len(problems) - 1) if len(problems) > 1 else ""
        raise MoocError(
            _("{where}: {problems}{more}; nothing imported").format(where=where, problems=problems[0], more=more)
        )
    return out


def apply_roster(learners: object, rows: list[RosterRow], where: str = "roster") -> RosterResult:
    """Add or update this account's learners from roster rows, in one write (nothing
    when a row cannot be applied: one line naming `where` and the row)."""
    result = RosterResult()
    learners.update_all(lambda current: merge_rows(current, rows, where, result))  # type: ignore[attr-defined]
    return result


def merge_rows(current: list, rows: list[RosterRow], where: str, result: RosterResult, origin: str = "local") -> list:
    """The learners after applying the roster rows (a new list); `result` says what
    changed. Learners of another origin (the school's, on an account) are left as they are."""
    from player import pin as pins
    from player.learners import new_learner

    out = list(current)
    for row in rows:
        index = _match(out, row)
        if index is None:
            try:
                new = new_learner(out, row.name, row.email, pins.hash_pin(row.pin) if row.pin else None, origin=origin)
            except MoocError as err:
                raise MoocError(
                    _("{where}: line {line}: {err}; nothing imported").format(where=where, line=row.line, err=err)
                ) from None
            if row.language:
                new = replace(new, language=row.language)
            out.append(new)
            result.added.append(new.name)
            continue
        learner = out[index]
        if learner.origin != origin:
            result.unchanged.append(learner.name)
            continue
        what: list[str] = []
        if learner.name != row.name:
            if any(i != index and lr.name.casefold() == row.name.casefold() for i, lr in enumerate(out)):
                raise MoocError(
                    _("{where}: line {line}: another learner is already named {name}; nothing imported").format(
                        where=where, line=row.line, name=repr(row.name)
                    )
                )
            what.append(f"name was {learner.name!r}")
            learner = replace(learner, name=row.name)
        if row.email and (learner.email or "").casefold() != row.email.casefold():
            what.append(f"email {row.email}")
            learner = replace(learner, email=row.email)
        if row.language and learner.language != row.language:
            what.append(_("language {code}").format(code=row.language))
            learner = replace(learner, language=row.language)
        if row.pin and not (learner.pin and pins.verify(row.pin, learner.pin)):
            what.append("PIN set")
            learner = replace(learner, pin=pins.hash_pin(row.pin))
        out[index] = learner
        if what:
            result.updated.append((learner.name, what))
        else:
            result.unchanged.append(learner.name)
    return out


def _match(learners: list, row: RosterRow) -> int | None:
    if row.email:
        for i, lr in enumerate(learners):
            if lr.email and lr.email.casefold() == row.email.casefold():
                return i
    for i, lr in enumerate(learners):  # names are unique on an account, and in a roster
        if lr.name.casefold() == row.name.casefold():
            return i
    return None
