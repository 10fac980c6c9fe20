"""Turn a pack's TOML and Markdown into the typed model (`packages.model`).

The same walk over the TOML both builds the model and records every problem, so
`validate` and `load_course` can never disagree about what a valid pack is. Loading
is one `tomllib` parse per file; lesson bodies are read only when a title must come
from the lesson's first heading (`read_lesson` returns a body on demand).
"""

from __future__ import annotations

import math
import re
from typing import Any

from packages.errors import MoocError
from packages.model import FORMAT_VERSION, Course, Item, Module, Quiz
from packages.identifiers import ID_RE, SEMVER_RE
from packages.portable import tomllib
from packages.question_types import REGISTRY
from packages.questions import (
    QUESTION_TYPES,
    Choice,
    Match,
    MultipleChoice,
    Numeric,
    NumericAnswer,
    Order,
    Question,
    SingleChoice,
    Text,
    TextAnswer,
    TrueFalse,
)
from packages.safe_text import one_line
from packages.source import PackSource, path_problem
from packages.didkey import did_problem
from packages.pack_report import Report
from packages.toml_locate import locate_key
from packages.urls import http_url_problem

LANG_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
SHOW_SOLUTIONS = ("always", "attempted", "finished", "never")
COURSE_FILE = "course.toml"

_COURSE_KEYS = {"format", "id", "version", "title", "language", "summary", "authors", "license", "kind",
                "weekly_hours", "grading", "certificate", "sync", "modules"}
_MODULE_KEYS = {"id", "title", "unlock_after_days", "requires", "items"}
_ITEM_KEYS = {"id", "kind", "file", "title", "weight"}
_QUIZ_KEYS = {"title", "max_attempts", "pass_threshold", "shuffle_choices", "show_solutions", "questions"}
_COMMON_Q_KEYS = {"id", "type", "prompt", "points", "hint", "hints", "explanation"}
_TYPE_KEYS = {name: set(t.keys) for name, t in REGISTRY.items()}
_MISSING = object()
# The value kinds `_Parser.get` checks, and how an error names them.
_KIND_CHECKS: dict[str, Any] = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
    "strlist": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "table": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
}
_KIND_NAMES = {"str": "a string", "bool": "true or false", "int": "a whole number", "number": "a number",
               "strlist": "a list of strings", "table": "a table", "list": "a list"}


def load_course(source: PackSource) -> Course:
    """The course model; a MoocError listing the first problems when the pack is invalid."""
    report = Report(origin=source.origin)
    course, _ = parse_pack(source, report, read_all_lessons=False)
    report.raise_if_errors()
    assert course is not None
    return course


def load_quiz(source: PackSource, rel: str, default_title: str) -> Quiz:
    """One quiz file of a pack, as `load_course` would give it."""
    report = Report(origin=source.origin)
    parser = _Parser(source, report, False, frozenset())
    data = parser.read_toml(rel)
    quiz = parser.parse_quiz(data, rel, default_title) if data is not None else None
    report.raise_if_errors()
    assert quiz is not None
    return quiz


def read_lesson(source: PackSource, item: Item) -> str:
    """A lesson's Markdown body (read on demand: the model does not hold bodies)."""
    return source.read_text(item.file)


def first_heading(text: str) -> str | None:
    """The text of a Markdown document's first heading (ATX or setext), outside code fences."""
    fence: str | None = None
    prev = ""
    for line in text.splitlines():
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = None
            prev = ""
            continue
        if stripped.startswith(("```", "~~~")) and len(line) - len(line.lstrip()) < 4:
            fence = stripped[:3]
            prev = ""
            continue
        m = re.match(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$", line)
        if m:
            title = re.sub(r"[ \t]+#+[ \t]*$", "", m.group(2) or "").strip()
            if title and not re.fullmatch(r"#+", title):
                return title
        elif prev and re.match(r"^ {0,3}(=+|-+)[ \t]*$", line) and len(line) - len(line.lstrip()) < 4:
            return prev
        prev = stripped if stripped and len(line) - len(line.lstrip()) < 4 else ""
    return None


def parse_pack(source: PackSource, report: Report, *, read_all_lessons: bool = True,
               skip: set[str] | frozenset[str] = frozenset()) -> tuple[Course | None, dict[str, str]]:
    """Build the course and record every problem in `report`.

    Returns (course or None when the manifest itself is unusable, lesson texts read).
    `skip`: files already reported as broken (e.g. digest mismatch) — not read again.
    """
    parser = _Parser(source, report, read_all_lessons, skip)
    course = parser.run()
    parser.locate_lines()
    return course, parser.lesson_texts


class _Parser:
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
                self.error(referenced_from[0], referenced_from[1], f"{rel}: no such file in the pack")
            else:
                self.error(rel, "", "no such file in the pack")
            return None
        try:
            raw = self.source.read_bytes(rel)
        except MoocError as err:
            msg = str(err)
            prefix = f"{self.source.origin}: {rel}: "
            self.error(rel, "", msg[len(prefix):] if msg.startswith(prefix) else msg)
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
            self.error(rel, "", f"invalid UTF-8 at byte {err.start} (save the file as UTF-8)", line, col)
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
            self.error(rel, "", "TOML nested too deeply")
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
            self.error(rel, "", f"TOML syntax error: {msg[:1].lower() + msg[1:]}", line, col)
            return None

    # -- typed access ------------------------------------------------------------------
    def get(self, table: dict[str, Any], key: str, kind: str, file: str, path: str, *,
            default: Any = _MISSING, required: bool = False) -> Any:
        """table[key] checked against `kind` (str, bool, int, number, strlist, table, list);
        reports and returns `default` when missing or wrong."""
        if key not in table:
            if required:
                self.error(file, path or "", f"missing required key {key!r}")
            return None if default is _MISSING else default
        value = table[key]
        if not _KIND_CHECKS[kind](value):
            where = f"{path}.{key}" if path else key
            self.error(file, where, f"must be {_KIND_NAMES[kind]}, not {_describe(value)}")
            return None if default is _MISSING else default
        if kind == "str" and required and not value.strip():
            self.error(file, f"{path}.{key}" if path else key, "must not be empty")
        return value

    def unknown_keys(self, table: dict[str, Any], known: set[str], file: str, path: str) -> None:
        for key in table:
            if key not in known:
                where = f"{path}.{key}" if path else key
                self.warn(file, where, "unknown key (ignored; a typo?)")

    def check_id(self, value: Any, file: str, path: str) -> bool:
        if isinstance(value, str) and not ID_RE.match(value):
            self.error(file, path, f"{one_line(value)!r} is not a valid id "
                                   "(lowercase letters, digits, '.', '_', '-'; starts with a letter or digit; at most 64)")
            return False
        return isinstance(value, str)

    def check_module_id(self, value: Any, file: str, path: str) -> bool:
        """The contract only asks module ids to be unique; refuse just what cannot work."""
        if isinstance(value, str) and (not value.strip() or value != one_line(value)):
            self.error(file, path, f"{one_line(value)!r} is not a usable module id (empty, or control characters)")
            return False
        return isinstance(value, str)

    def fraction(self, table: dict[str, Any], key: str, file: str, path: str, default: Any) -> Any:
        value = self.get(table, key, "number", file, path, default=default)
        if value is not None and value is not default and not 0 <= value <= 1:
            self.error(file, f"{path}.{key}" if path else key, f"must be between 0 and 1, not {value}")
            return default
        return value

    def non_negative(self, table: dict[str, Any], key: str, kind: str, file: str, path: str, default: Any) -> Any:
        value = self.get(table, key, kind, file, path, default=default)
        if value is not None and value is not default and value < 0:
            self.error(file, f"{path}.{key}" if path else key, f"must not be negative, not {value}")
            return default
        return value

    # -- course.toml -------------------------------------------------------------------
    def run(self) -> Course | None:
        f = COURSE_FILE
        if not self.source.exists(f):
            self.error(f, "", "missing: a pack needs a course.toml at its top level (create one with `mooc pack init`)")
            return None
        data = self.read_toml(f)
        if data is None:
            return None
        if not ({"format", "id", "modules"} & data.keys()):
            self.error(f, "", "not a course pack manifest (no format, id or modules keys; see `mooc docs format`)")
            return None
        fmt = data.get("format", _MISSING)
        if fmt is _MISSING:
            self.error(f, "", "missing required key 'format' (add: format = 1)")
        elif not isinstance(fmt, int) or isinstance(fmt, bool):
            self.error(f, "format", f"must be a whole number, not {_describe(fmt)}")
        elif fmt > FORMAT_VERSION:
            self.error(f, "format", f"format {fmt} needs a newer mooc (this mooc reads format {FORMAT_VERSION})")
            return None
        elif fmt < 1:
            self.error(f, "format", f"unknown format {fmt} (this mooc reads format {FORMAT_VERSION})")
        self.unknown_keys(data, _COURSE_KEYS, f, "")

        cid = self.get(data, "id", "str", f, "", required=True)
        self.check_id(cid, f, "id")
        version = self.get(data, "version", "str", f, "", required=True)
        if isinstance(version, str) and not SEMVER_RE.match(version):
            self.error(f, "version", f"{one_line(version)!r} is not a semantic version (like 1.2.0)")
        title = self.get(data, "title", "str", f, "", required=True)
        language = self.get(data, "language", "str", f, "", default="en")
        if not LANG_RE.match(language):
            self.error(f, "language", f"{one_line(language)!r} is not a BCP 47 language tag (like en, pt-BR)")
        summary = self.get(data, "summary", "str", f, "", default="")
        authors = self.get(data, "authors", "strlist", f, "", default=[])
        license_ = self.get(data, "license", "str", f, "", default=None)
        kind = self.get(data, "kind", "str", f, "", default="xmooc")
        if kind not in ("xmooc", "cmooc"):
            self.error(f, "kind", f"must be \"xmooc\" or \"cmooc\", not {one_line(str(kind))!r}")
            kind = "xmooc"
        weekly_hours = self.non_negative(data, "weekly_hours", "number", f, "", None)

        grading = self.get(data, "grading", "table", f, "", default={})
        self.unknown_keys(grading, {"pass_threshold"}, f, "grading")
        pass_threshold = self.fraction(grading, "pass_threshold", f, "grading", 0.5)
        certificate = self.get(data, "certificate", "table", f, "", default={})
        self.unknown_keys(certificate, {"available", "issuer", "issuer_name", "issuer_url"}, f, "certificate")
        cert_available = self.get(certificate, "available", "bool", f, "certificate", default=(kind == "xmooc"))
        issuer = self.get(certificate, "issuer", "str", f, "certificate", default=None)
        issuer_problem = None if issuer is None else did_problem(issuer)
        if issuer_problem:
            self.error(f, "certificate.issuer", f"{one_line(issuer)[:80]!r} is {issuer_problem} "
                                                "(`mooc certificate keygen` prints the issuer id)")
            issuer = None
        issuer_name = self.get(certificate, "issuer_name", "str", f, "certificate", default=None)
        issuer_url = self.get(certificate, "issuer_url", "str", f, "certificate", default=None)
        if issuer_url is not None and http_url_problem(issuer_url, allow_query=True):
            self.error(f, "certificate.issuer_url", f"{one_line(issuer_url)[:200]!r} is not a web address: "
                                                    f"{http_url_problem(issuer_url, allow_query=True)}")
            issuer_url = None
        sync = self.get(data, "sync", "table", f, "", default={})
        self.unknown_keys(sync, {"xapi_endpoint"}, f, "sync")
        endpoint = self.get(sync, "xapi_endpoint", "str", f, "sync", default=None)
        problem = None if endpoint is None else http_url_problem(endpoint, allow_query=False)
        if problem:
            self.error(f, "sync.xapi_endpoint", f"{one_line(endpoint)[:200]!r} is not a usable xAPI endpoint: {problem}")
            endpoint = None

        raw_modules = self.get(data, "modules", "list", f, "", default=[], required=True)
        if "modules" in data and isinstance(raw_modules, list) and not raw_modules:
            self.error(f, "modules", "the course has no modules (add a [[modules]] table)")
        modules = self.parse_modules(raw_modules)

        # A model even when some keys were wrong, so the whole-pack checks still run.
        try:
            return Course(
                id=cid or "", version=version or "", title=title or "", modules=tuple(modules),
                format=fmt if isinstance(fmt, int) and not isinstance(fmt, bool) else FORMAT_VERSION,
                language=language, summary=summary, authors=tuple(authors), license=license_, kind=kind,
                weekly_hours=float(weekly_hours) if weekly_hours is not None else None,
                pass_threshold=float(pass_threshold), certificate_available=cert_available, xapi_endpoint=endpoint,
                certificate_issuer=issuer, certificate_issuer_name=one_line(issuer_name)[:200] if issuer_name else None,
                certificate_issuer_url=issuer_url,
            )
        except (TypeError, ValueError) as err:  # pragma: no cover - every field is checked above
            self.error(f, "", f"cannot build the course: {err}")
            return None

    def parse_modules(self, raw_modules: list[Any]) -> list[Module]:
        f = COURSE_FILE
        modules: list[Module] = []
        module_ids: set[str] = set()
        item_ids: dict[str, str] = {}
        quiz_ids: set[str] = set()
        pending_requires: list[tuple[str, list[str]]] = []
        for mi, raw in enumerate(raw_modules):
            mp = f"modules[{mi}]"
            if not isinstance(raw, dict):
                self.error(f, mp, f"must be a table, not {_describe(raw)}")
                continue
            self.unknown_keys(raw, _MODULE_KEYS, f, mp)
            mid = self.get(raw, "id", "str", f, mp, required=True)
            if self.check_module_id(mid, f, f"{mp}.id"):
                if mid in module_ids:
                    self.error(f, f"{mp}.id", f"duplicate module id {mid!r}")
                module_ids.add(mid)
            mtitle = self.get(raw, "title", "str", f, mp, required=True)
            unlock = self.non_negative(raw, "unlock_after_days", "int", f, mp, 0)
            requires = self.get(raw, "requires", "strlist", f, mp, default=[])
            pending_requires.append((mp, requires))
            raw_items = self.get(raw, "items", "list", f, mp, default=[])
            if not raw_items:
                self.warn(f, mp, "module has no items")
            items: list[Item] = []
            for ii, raw_item in enumerate(raw_items):
                item = self.parse_item(raw_item, f"{mp}.items[{ii}]", item_ids)
                if item is not None:
                    items.append(item)
                    if item.kind == "quiz":
                        quiz_ids.add(item.id)
            modules.append(Module(id=mid or f"module-{mi}", title=mtitle or "", items=tuple(items),
                                  unlock_after_days=unlock, requires=tuple(requires)))
        for mp, requires in pending_requires:
            for ri, rid in enumerate(requires):
                if rid not in quiz_ids:
                    what = "an item that is not a quiz" if rid in item_ids else "no quiz of this course"
                    self.error(f, f"{mp}.requires[{ri}]", f"{one_line(rid)!r} names {what}")
        return modules

    def parse_item(self, raw: Any, ip: str, item_ids: dict[str, str]) -> Item | None:
        f = COURSE_FILE
        if not isinstance(raw, dict):
            self.error(f, ip, f"must be a table, not {_describe(raw)}")
            return None
        self.unknown_keys(raw, _ITEM_KEYS, f, ip)
        iid = self.get(raw, "id", "str", f, ip, required=True)
        if self.check_id(iid, f, f"{ip}.id"):
            if iid in item_ids:
                self.error(f, f"{ip}.id", f"duplicate item id {iid!r} (also {item_ids[iid]})")
            else:
                item_ids[iid] = ip
        kind = self.get(raw, "kind", "str", f, ip, required=True)
        if kind is not None and kind not in ("lesson", "quiz"):
            self.error(f, f"{ip}.kind", f"must be \"lesson\" or \"quiz\", not {one_line(kind)!r}")
            kind = None
        file = self.get(raw, "file", "str", f, ip, required=True)
        if isinstance(file, str):
            problem = path_problem(file)
            if problem:
                self.error(f, f"{ip}.file", f"{one_line(file)!r}: {problem}")
                file = None
        title = self.get(raw, "title", "str", f, ip, default=None)
        weight = self.non_negative(raw, "weight", "number", f, ip, 1.0)
        if kind == "lesson" and "weight" in raw:
            self.warn(f, f"{ip}.weight", "weight only counts for quizzes (ignored on a lesson)")
        if iid is None or kind is None or file is None:
            return None
        quiz: Quiz | None = None
        if kind == "lesson":
            need_text = title is None or self.read_all_lessons
            if need_text:
                text = self.read_text(file, referenced_from=(f, f"{ip}.file"))
                if text is not None:
                    self.lesson_texts[file] = text
                    if title is None:
                        title = first_heading(text)
            elif not self.source.exists(file):
                self.error(f, f"{ip}.file", f"{file}: no such file in the pack")
            if title is None:
                title = iid
        else:
            data = self.read_toml(file, referenced_from=(f, f"{ip}.file"))
            if data is not None:
                quiz = self.parse_quiz(data, file, title or iid)
                if title is None:
                    title = quiz.title
            if title is None:
                title = iid
        return Item(id=iid, kind=kind, file=file, title=title, weight=float(weight), quiz=quiz)

    # -- quizzes -----------------------------------------------------------------------
    def parse_quiz(self, data: dict[str, Any], f: str, default_title: str) -> Quiz:
        if "questions" not in data and not (data.keys() & _QUIZ_KEYS):
            self.error(f, "", "not a quiz file (no title or [[questions]])")
        self.unknown_keys(data, _QUIZ_KEYS, f, "")
        title = self.get(data, "title", "str", f, "", default=default_title)
        max_attempts = self.non_negative(data, "max_attempts", "int", f, "", 0)
        pass_threshold = self.fraction(data, "pass_threshold", f, "", None)
        shuffle = self.get(data, "shuffle_choices", "bool", f, "", default=False)
        show = self.get(data, "show_solutions", "str", f, "", default="finished")
        if show not in SHOW_SOLUTIONS:
            self.error(f, "show_solutions", f"must be one of {', '.join(SHOW_SOLUTIONS)}; not {one_line(show)!r}")
            show = "finished"
        raw_questions = self.get(data, "questions", "list", f, "", default=[])
        if not raw_questions:
            self.warn(f, "", "quiz has no questions")
        questions: list[Question] = []
        seen: dict[str, int] = {}
        for qi, raw in enumerate(raw_questions):
            q = self.parse_question(raw, f, f"questions[{qi}]")
            if q is None:
                continue
            if q.id in seen:
                self.error(f, f"questions[{qi}].id", f"duplicate question id {one_line(q.id)!r} (also questions[{seen[q.id]}])")
                continue
            seen[q.id] = qi
            questions.append(q)
        return Quiz(title=title, questions=tuple(questions), max_attempts=max_attempts,
                    pass_threshold=float(pass_threshold) if pass_threshold is not None else None,
                    shuffle_choices=shuffle, show_solutions=show)

    def parse_question(self, raw: Any, f: str, qp: str) -> Question | None:
        if not isinstance(raw, dict):
            self.error(f, qp, f"must be a table, not {_describe(raw)}")
            return None
        errors_before = len(self.report.errors)
        qid = self.get(raw, "id", "str", f, qp, required=True)
        qtype = self.get(raw, "type", "str", f, qp, required=True)
        if qtype is not None and qtype not in QUESTION_TYPES:
            self.error(f, f"{qp}.type", f"unknown question type {one_line(qtype)!r} (one of {', '.join(QUESTION_TYPES)})")
            qtype = None
        self.unknown_keys(raw, _COMMON_Q_KEYS | _TYPE_KEYS.get(qtype or "", set()), f, qp)
        prompt = self.get(raw, "prompt", "str", f, qp, required=True)
        points = self.non_negative(raw, "points", "number", f, qp, 1.0)
        hint = self.get(raw, "hint", "str", f, qp, default=None)
        hints = self.get(raw, "hints", "strlist", f, qp, default=None)
        if hint is not None and hints is not None:
            self.error(f, f"{qp}.hints", "give either hint or hints, not both")
        all_hints = tuple(hints) if hints is not None else ((hint,) if hint is not None else ())
        explanation = self.get(raw, "explanation", "str", f, qp, default=None)
        if qid is None or qtype is None or prompt is None:
            return None
        common = dict(id=qid, prompt=prompt, points=float(points), hints=all_hints, explanation=explanation)
        q = getattr(self, f"q_{qtype}")(raw, f, qp, common)
        return q if len(self.report.errors) == errors_before else None

    def _choices(self, raw: dict[str, Any], f: str, qp: str) -> list[Choice]:
        raw_choices = self.get(raw, "choices", "list", f, qp, required=True, default=[])
        choices = []
        for ci, c in enumerate(raw_choices):
            cp = f"{qp}.choices[{ci}]"
            if not isinstance(c, dict):
                self.error(f, cp, f"must be a table like {{ text = \"...\" }}, not {_describe(c)}")
                continue
            self.unknown_keys(c, {"text", "correct", "feedback", "credit"}, f, cp)
            text = self.get(c, "text", "str", f, cp, required=True)
            correct = self.get(c, "correct", "bool", f, cp, default=False)
            feedback = self.get(c, "feedback", "str", f, cp, default=None)
            credit = self.get(c, "credit", "number", f, cp, default=None)
            if credit is not None and not -1 <= credit <= 1:
                self.error(f, f"{cp}.credit", f"must be between -1 and 1, not {credit}")
                credit = None
            if text is not None:
                choices.append(Choice(text=text, correct=correct, feedback=feedback,
                                      credit=float(credit) if credit is not None else None))
        if "choices" in raw and isinstance(raw_choices, list) and len(raw_choices) < 2:
            self.error(f, f"{qp}.choices", "needs at least 2 choices")
        return choices

    def q_single(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        choices = self._choices(raw, f, qp)
        if choices:
            if any(c.credit is not None for c in choices):
                if not any(_credit(c) == 1 for c in choices):
                    self.error(f, f"{qp}.choices", "no choice is worth full credit (credit = 1 or correct = true)")
            else:
                n = sum(c.correct for c in choices)
                if n == 0:
                    self.error(f, f"{qp}.choices", "no choice has correct = true")
                elif n > 1:
                    self.error(f, f"{qp}.choices", f"{n} choices have correct = true; a single-choice question needs exactly one "
                                                   "(use type = \"multiple\")")
        return SingleChoice(choices=tuple(choices), **common)

    def q_multiple(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        choices = self._choices(raw, f, qp)
        if choices and not any(c.correct or (c.credit or 0) > 0 for c in choices):
            self.error(f, f"{qp}.choices", "no choice has correct = true")
        return MultipleChoice(choices=tuple(choices), **common)

    def q_truefalse(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answer = self.get(raw, "answer", "bool", f, qp, required=True)
        fb_true = self.get(raw, "feedback_true", "str", f, qp, default=None)
        fb_false = self.get(raw, "feedback_false", "str", f, qp, default=None)
        return TrueFalse(answer=bool(answer), feedback_true=fb_true, feedback_false=fb_false, **common)

    def _tolerance(self, table: dict[str, Any], f: str, path: str) -> tuple[float, bool]:
        if "tolerance" not in table:
            return 0.0, False
        tol = table["tolerance"]
        where = f"{path}.tolerance"
        if isinstance(tol, bool) or not isinstance(tol, (int, float, str)):
            self.error(f, where, f"must be a number or a percentage like \"2%\", not {_describe(tol)}")
        elif isinstance(tol, str):
            m = PERCENT_RE.match(tol)
            if not m:
                self.error(f, where, f"{one_line(tol)!r} is not a percentage like \"2%\" (or give an absolute number)")
            else:
                return float(m.group(1)) / 100.0, True
        elif not math.isfinite(tol) or tol < 0:
            self.error(f, where, f"must not be negative, not {tol}")
        else:
            return float(tol), False
        return 0.0, False

    def q_numeric(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answers: list[NumericAnswer] = []
        if "answer" in raw and "answers" in raw:
            self.error(f, f"{qp}.answers", "give either answer (with tolerance) or answers, not both")
        elif "answers" in raw:
            raw_answers = self.get(raw, "answers", "list", f, qp, default=[])
            for ai, a in enumerate(raw_answers):
                ap = f"{qp}.answers[{ai}]"
                if not isinstance(a, dict):
                    self.error(f, ap, f"must be a table like {{ value = 3.14, tolerance = 0.01 }}, not {_describe(a)}")
                    continue
                self.unknown_keys(a, {"value", "tolerance", "credit", "feedback"}, f, ap)
                value = self.get(a, "value", "number", f, ap, required=True)
                tol, rel = self._tolerance(a, f, ap)
                credit = self.get(a, "credit", "number", f, ap, default=1.0)
                if not -1 <= credit <= 1:
                    self.error(f, f"{ap}.credit", f"must be between -1 and 1, not {credit}")
                feedback = self.get(a, "feedback", "str", f, ap, default=None)
                if value is not None:
                    answers.append(NumericAnswer(value=float(value), tolerance=tol, relative=rel,
                                                 credit=float(credit), feedback=feedback))
            if raw_answers and not any(a.credit == 1 for a in answers):
                self.error(f, f"{qp}.answers", "no answer is worth full credit (credit = 1)")
            if isinstance(raw_answers, list) and not raw_answers:
                self.error(f, f"{qp}.answers", "needs at least one answer")
        else:
            value = self.get(raw, "answer", "number", f, qp, required=True)
            tol, rel = self._tolerance(raw, f, qp)
            if value is not None:
                answers.append(NumericAnswer(value=float(value), tolerance=tol, relative=rel))
        if "tolerance" in raw and "answers" in raw and "answer" not in raw:
            self.error(f, f"{qp}.tolerance", "put tolerance inside each of answers")
        return Numeric(answers=tuple(answers), **common)

    def q_text(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        answers: list[TextAnswer] = []
        raw_answers = self.get(raw, "answers", "list", f, qp, default=[])
        for ai, a in enumerate(raw_answers):
            ap = f"{qp}.answers[{ai}]"
            if isinstance(a, str):
                answers.append(TextAnswer(text=a))
            elif isinstance(a, dict):
                self.unknown_keys(a, {"text", "credit", "feedback"}, f, ap)
                text = self.get(a, "text", "str", f, ap, required=True)
                credit = self.get(a, "credit", "number", f, ap, default=1.0)
                if not -1 <= credit <= 1:
                    self.error(f, f"{ap}.credit", f"must be between -1 and 1, not {credit}")
                feedback = self.get(a, "feedback", "str", f, ap, default=None)
                if text is not None:
                    answers.append(TextAnswer(text=text, credit=float(credit), feedback=feedback))
            else:
                self.error(f, ap, f"must be a string or a table {{ text = \"...\" }}, not {_describe(a)}")
        pattern = self.get(raw, "pattern", "str", f, qp, default=None)
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as err:
                self.error(f, f"{qp}.pattern", f"invalid regular expression: {err}")
        case_sensitive = self.get(raw, "case_sensitive", "bool", f, qp, default=False)
        if not raw_answers and pattern is None:
            self.error(f, qp, "a text question needs answers or a pattern")
        elif raw_answers and pattern is None and answers and not any(a.credit == 1 for a in answers):
            self.error(f, f"{qp}.answers", "no answer is worth full credit (credit = 1)")
        return Text(answers=tuple(answers), pattern=pattern, case_sensitive=case_sensitive, **common)

    def q_order(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        items = self.get(raw, "items", "strlist", f, qp, required=True, default=[])
        if "items" in raw and isinstance(raw["items"], list) and len(items) < 2:
            self.error(f, f"{qp}.items", "needs at least 2 items to put in order")
        elif len(set(items)) != len(items):
            self.error(f, f"{qp}.items", "items must differ from each other (the order would be ambiguous)")
        return Order(items=tuple(items), **common)

    def q_match(self, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        raw_pairs = self.get(raw, "pairs", "list", f, qp, required=True, default=[])
        pairs: list[tuple[str, str]] = []
        for pi, p in enumerate(raw_pairs):
            if isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p):
                pairs.append((p[0], p[1]))
            else:
                self.error(f, f"{qp}.pairs[{pi}]", f"must be a pair of strings like [\"Italy\", \"Rome\"], not {_describe(p)}")
        if "pairs" in raw and isinstance(raw_pairs, list) and len(raw_pairs) < 2:
            self.error(f, f"{qp}.pairs", "needs at least 2 pairs")
        lefts = [p[0] for p in pairs]
        if len(set(lefts)) != len(lefts):
            self.error(f, f"{qp}.pairs", "left sides must differ from each other")
        distractors = self.get(raw, "distractors", "strlist", f, qp, default=[])
        rights = {p[1] for p in pairs}
        for di, d in enumerate(distractors):
            if d in rights:
                self.error(f, f"{qp}.distractors[{di}]", f"{one_line(d)!r} is also a right answer")
        return Match(pairs=tuple(pairs), distractors=tuple(distractors), **common)


def _credit(c: Choice) -> float:
    return c.credit if c.credit is not None else (1.0 if c.correct else 0.0)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {one_line(value)[:40]!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return type(value).__name__
