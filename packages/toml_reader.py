"""Read a pack's TOML files, checking every value's kind and recording every problem.

`TomlReader` is the base of the pack parser (`packages.quiz_parser` for quiz files,
`packages.loading` for course.toml): it reads a file (a missing file, invalid UTF-8 or a
TOML syntax error becomes a problem naming file, line and column), gets each key
checked against the kind it must have, warns about unknown keys, and at the end gives
each problem the line of the key it is about.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from packages.errors import MoocError
from packages.i18n import N_, _
from packages.pack_report import Report
from packages.portable import tomllib
from packages.safe_text import one_line
from packages.source import PackSource

MISSING = object()
# The value kinds `TomlReader.get` checks, and how an error names them.
_KIND_CHECKS: dict[str, Any] = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
    "strlist": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "table": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
}
_KIND_NAMES = {
    "str": N_("a string"),
    "bool": N_("true or false"),
    "int": N_("a whole number"),
    "number": N_("a number"),
    "strlist": N_("a list of strings"),
    "table": N_("a table"),
    "list": N_("a list"),
}


class TomlReader:
    """A pack's files read as TOML tables, every problem recorded in `report`."""

    def __init__(self, source: PackSource, report: Report, read_all_lessons: bool, skip: set[str] | frozenset[str]):
        self.source = source
        self.report = report
        self.read_all_lessons = read_all_lessons
        self.skip = skip
        self.texts: dict[str, str] = {}  # TOML texts, for finding the line of a problem
        self.lesson_texts: dict[str, str] = {}
        self._first_unlocated = len(report.problems)

    # -- reporting ---------------------------------------------------------------------
    def error(self, file: str, path: str, message: str, line: int | None = None, col: int | None = None) -> None:
        self.report.error(file, path, message, line, col)

    def warn(self, file: str, path: str, message: str, line: int | None = None, col: int | None = None) -> None:
        self.report.warning(file, path, message, line, col)

    def locate_lines(self) -> None:
        """Give problems in TOML files the line of the key they are about (best effort)."""
        from dataclasses import replace

        problems = self.report.problems
        if len(problems) == self._first_unlocated:
            return  # nothing to locate (a valid pack): the locator is not even loaded
        from packages.toml_locate import locate_key

        for i in range(self._first_unlocated, len(problems)):
            p = problems[i]
            if p.line is None and p.key_path and p.file in self.texts:
                pos = locate_key(self.texts[p.file], p.key_path)
                if pos:
                    problems[i] = replace(p, line=pos[0], column=pos[1])

    # -- reading -----------------------------------------------------------------------
    def read_text(self, rel: str, *, referenced_from: tuple[str, str] | None = None) -> str | None:
        if rel in self.skip:
            return None
        if not self.source.exists(rel):
            if referenced_from:
                self.error(referenced_from[0], referenced_from[1], _("{rel}: no such file in the pack").format(rel=rel))
            else:
                self.error(rel, "", _("no such file in the pack"))
            return None
        try:
            raw = self.source.read_bytes(rel)
        except MoocError as err:
            msg = str(err)
            prefix = f"{self.source.origin}: {rel}: "
            self.error(rel, "", msg[len(prefix) :] if msg.startswith(prefix) else msg)
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
            self.error(
                rel, "", _("invalid UTF-8 at byte {start} (save the file as UTF-8)").format(start=err.start), line, col
            )
            return None
        return text[1:] if text.startswith("\ufeff") else text

    def read_toml(self, rel: str, *, referenced_from: tuple[str, str] | None = None) -> dict[str, Any] | None:
        text = self.read_text(rel, referenced_from=referenced_from)
        if text is None:
            return None
        self.texts[rel] = text
        try:
            return tomllib.loads(text)
        except RecursionError:  # arrays or tables nested deeper than the stack
            self.error(rel, "", _("TOML nested too deeply"))
            return None
        except tomllib.TOMLDecodeError as err:
            msg = str(err)
            m = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", msg)
            line = col = None
            if m:
                line, col = int(m.group(1)), int(m.group(2))
                msg = msg[: m.start()]
            elif msg.endswith("(at end of document)"):
                line = text.count("\n") + 1
                msg = msg[: -len("(at end of document)")].strip()
            self.error(rel, "", _("TOML syntax error: {error}").format(error=msg[:1].lower() + msg[1:]), line, col)
            return None

    # -- typed access ------------------------------------------------------------------
    def get(
        self,
        table: dict[str, Any],
        key: str,
        kind: str,
        file: str,
        path: str,
        *,
        default: Any = MISSING,
        required: bool = False,
    ) -> Any:
        """table[key] checked against `kind` (str, bool, int, number, strlist, table, list);
        reports and returns `default` when missing or wrong."""
        value = table.get(key, MISSING)  # a pack of 10,000 questions calls this 150,000 times
        if value is MISSING:
            if required:
                self.error(file, path or "", _("missing required key {key!r}").format(key=key))
            return None if default is MISSING else default
        if kind == "str":
            if isinstance(value, str):
                if required and not value.strip():
                    self.error(file, f"{path}.{key}" if path else key, _("must not be empty"))
                return value
        elif _KIND_CHECKS[kind](value):
            return value
        where = f"{path}.{key}" if path else key
        self.error(
            file,
            where,
            _("must be {kind_names}, not {value}").format(kind_names=_(_KIND_NAMES[kind]), value=describe(value)),
        )
        return None if default is MISSING else default

    def tables(
        self, items: list[Any], file: str, path: str, known: set[str], like: str | None = None
    ) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """(index, key path, table) of each table in ITEMS, the list at key path PATH, its
        unknown keys warned about; an item that is no table is reported ("must be a table
        like LIKE") and skipped."""
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                self.error(
                    file,
                    where,
                    (
                        _("must be a table like {like}, not {item}").format(like=like, item=describe(item))
                        if like
                        else _("must be a table, not {item}").format(item=describe(item))
                    ),
                )
                continue
            self.unknown_keys(item, known, file, where)
            yield i, where, item

    @staticmethod
    def describe(value: Any) -> str:
        """A TOML value as a problem names it (`describe` below)."""
        return describe(value)

    def unknown_keys(self, table: dict[str, Any], known: set[str], file: str, path: str) -> None:
        if table.keys() <= known:  # the usual case, tested in one set operation
            return
        for key in table:
            if key not in known:
                where = f"{path}.{key}" if path else key
                self.warn(file, where, _("unknown key (ignored; a typo?)"))

    def fraction(self, table: dict[str, Any], key: str, file: str, path: str, default: Any) -> Any:
        value = self.get(table, key, "number", file, path, default=default)
        if value is not None and value is not default and not 0 <= value <= 1:
            self.error(
                file, f"{path}.{key}" if path else key, _("must be between 0 and 1, not {value}").format(value=value)
            )
            return default
        return value

    def non_negative(self, table: dict[str, Any], key: str, kind: str, file: str, path: str, default: Any) -> Any:
        value = self.get(table, key, kind, file, path, default=default)
        if value is not None and value is not default and value < 0:
            self.error(
                file, f"{path}.{key}" if path else key, _("must not be negative, not {value}").format(value=value)
            )
            return default
        return value


def describe(value: Any) -> str:
    """A TOML value as a problem names it: `the string 'x'`, `a table`, `the number 3`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _("the string {value!r}").format(value=one_line(value)[:40])
    if isinstance(value, dict):
        return _("a table")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, (int, float)):
        return _("the number {value}").format(value=value)
    return type(value).__name__
