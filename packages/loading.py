"""Turn a pack's TOML and Markdown into the typed model (`packages.model`).

The same walk over the TOML both builds the model and records every problem, so
`validate` and `load_course` can never disagree about what a valid pack is. Loading
is one `tomllib` parse per file; lesson bodies are read only when a title must come
from the lesson's first heading (`read_lesson` returns a body on demand).
"""

from __future__ import annotations

import re
from typing import Any

from packages.i18n import _
from packages.identifiers import ID_RE, SEMVER_RE, is_language
from packages.model import FORMAT_VERSION, Course, Item, Module, Quiz
from packages.pack_paths import path_problem
from packages.pack_report import Report
from packages.quiz_parser import QuizParser
from packages.safe_text import one_line
from packages.source import PackSource
from packages.toml_reader import MISSING, describe

COURSE_FILE = "course.toml"

_COURSE_KEYS = {
    "format",
    "id",
    "version",
    "title",
    "language",
    "summary",
    "authors",
    "license",
    "kind",
    "weekly_hours",
    "grading",
    "certificate",
    "sync",
    "modules",
}
_MODULE_KEYS = {"id", "title", "unlock_after_days", "requires", "items"}
_ITEM_KEYS = {"id", "kind", "file", "title", "weight"}


def load_course(source: PackSource) -> Course:
    """The course model; a MoocError listing the first problems when the pack is invalid."""
    report = Report(origin=source.origin)
    course, _found, _warnings = parse_pack(source, report, read_all_lessons=False)
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


def parse_pack(
    source: PackSource, report: Report, *, read_all_lessons: bool = True, skip: set[str] | frozenset[str] = frozenset()
) -> tuple[Course | None, dict[str, str], dict[str, str]]:
    """Build the course and record every problem in `report`.

    Returns (course or None when the manifest itself is unusable, lesson texts read,
    TOML texts read). `skip`: files already reported as broken (e.g. digest mismatch) — not read again.
    """
    parser = _Parser(source, report, read_all_lessons, skip)
    course = parser.run()
    parser.locate_lines()
    return course, parser.lesson_texts, parser.texts


def _did_problem(issuer: str) -> str | None:
    from packages.didkey import did_problem  # loaded for the packs that name an issuer

    return did_problem(issuer)


def _url_problem(url: str, *, allow_query: bool) -> str | None:
    from packages.urls import http_url_problem  # loaded for the packs that give a web address

    return http_url_problem(url, allow_query=allow_query)


class _Parser(QuizParser):
    """course.toml, its modules and their items; each quiz file through `QuizParser`."""

    # -- ids ---------------------------------------------------------------------------
    def check_id(self, value: Any, file: str, path: str) -> bool:
        if isinstance(value, str) and not ID_RE.match(value):
            self.error(
                file,
                path,
                _(
                    "{value!r} is not a valid id (lowercase letters, digits, '.', '_', '-'; starts with a letter or digit; at most 64)"
                ).format(value=one_line(value)),
            )
            return False
        return isinstance(value, str)

    def check_module_id(self, value: Any, file: str, path: str) -> bool:
        """The contract only asks module ids to be unique; refuse just what cannot work."""
        if isinstance(value, str) and (not value.strip() or value != one_line(value)):
            self.error(
                file,
                path,
                _("{value!r} is not a usable module id (empty, or control characters)").format(value=one_line(value)),
            )
            return False
        return isinstance(value, str)

    # -- course.toml -------------------------------------------------------------------
    def run(self) -> Course | None:
        f = COURSE_FILE
        if not self.source.exists(f):
            self.error(
                f, "", _("missing: a pack needs a course.toml at its top level (create one with `mooc pack init`)")
            )
            return None
        data = self.read_toml(f)
        if data is None:
            return None
        if not ({"format", "id", "modules"} & data.keys()):
            self.error(f, "", _("not a course pack manifest (no format, id or modules keys; see `mooc docs format`)"))
            return None
        fmt = data.get("format", MISSING)
        if fmt is MISSING:
            self.error(f, "", _("missing required key 'format' (add: format = 1)"))
        elif not isinstance(fmt, int) or isinstance(fmt, bool):
            self.error(f, "format", _("must be a whole number, not {fmt}").format(fmt=describe(fmt)))
        elif fmt > FORMAT_VERSION:
            self.error(
                f,
                "format",
                _("format {fmt} needs a newer mooc (this mooc reads format {format_version})").format(
                    fmt=fmt, format_version=FORMAT_VERSION
                ),
            )
            return None
        elif fmt < 1:
            self.error(
                f,
                "format",
                _("unknown format {fmt} (this mooc reads format {format_version})").format(
                    fmt=fmt, format_version=FORMAT_VERSION
                ),
            )
        self.unknown_keys(data, _COURSE_KEYS, f, "")

        cid = self.get(data, "id", "str", f, "", required=True)
        self.check_id(cid, f, "id")
        version = self.get(data, "version", "str", f, "", required=True)
        if isinstance(version, str) and not SEMVER_RE.match(version):
            self.error(
                f, "version", _("{version!r} is not a semantic version (like 1.2.0)").format(version=one_line(version))
            )
        title = self.get(data, "title", "str", f, "", required=True)
        language = self.get(data, "language", "str", f, "", default="en")
        if not is_language(language):
            self.error(
                f,
                "language",
                _("{language!r} is not a BCP 47 language tag (like en, pt-BR)").format(
                    language=one_line(language)[:40]
                ),
            )
        summary = self.get(data, "summary", "str", f, "", default="")
        authors = self.get(data, "authors", "strlist", f, "", default=[])
        license_ = self.get(data, "license", "str", f, "", default=None)
        kind = self.get(data, "kind", "str", f, "", default="xmooc")
        if kind not in ("xmooc", "cmooc"):
            self.error(f, "kind", _('must be "xmooc" or "cmooc", not {kind!r}').format(kind=one_line(str(kind))))
            kind = "xmooc"
        weekly_hours = self.non_negative(data, "weekly_hours", "number", f, "", None)

        grading = self.get(data, "grading", "table", f, "", default={})
        self.unknown_keys(grading, {"pass_threshold"}, f, "grading")
        pass_threshold = self.fraction(grading, "pass_threshold", f, "grading", 0.5)
        certificate = self.get(data, "certificate", "table", f, "", default={})
        self.unknown_keys(certificate, {"available", "issuer", "issuer_name", "issuer_url"}, f, "certificate")
        cert_available = self.get(certificate, "available", "bool", f, "certificate", default=(kind == "xmooc"))
        issuer = self.get(certificate, "issuer", "str", f, "certificate", default=None)
        issuer_problem = None if issuer is None else _did_problem(issuer)
        if issuer_problem:
            self.error(
                f,
                "certificate.issuer",
                _("{issuer!r} is {issuer_problem} (`mooc certificate keygen` prints the issuer id)").format(
                    issuer=one_line(issuer)[:80], issuer_problem=issuer_problem
                ),
            )
            issuer = None
        issuer_name = self.get(certificate, "issuer_name", "str", f, "certificate", default=None)
        issuer_url = self.get(certificate, "issuer_url", "str", f, "certificate", default=None)
        if issuer_url is not None and _url_problem(issuer_url, allow_query=True):
            self.error(
                f,
                "certificate.issuer_url",
                _("{issuer_url!r} is not a web address: {problem}").format(
                    issuer_url=one_line(issuer_url)[:200], problem=_url_problem(issuer_url, allow_query=True)
                ),
            )
            issuer_url = None
        sync = self.get(data, "sync", "table", f, "", default={})
        self.unknown_keys(sync, {"xapi_endpoint"}, f, "sync")
        endpoint = self.get(sync, "xapi_endpoint", "str", f, "sync", default=None)
        problem = None if endpoint is None else _url_problem(endpoint, allow_query=False)
        if problem:
            self.error(
                f,
                "sync.xapi_endpoint",
                _("{endpoint!r} is not a usable xAPI endpoint: {problem}").format(
                    endpoint=one_line(endpoint)[:200], problem=problem
                ),
            )
            endpoint = None

        raw_modules = self.get(data, "modules", "list", f, "", default=[], required=True)
        if "modules" in data and isinstance(raw_modules, list) and not raw_modules:
            self.error(f, "modules", _("the course has no modules (add a [[modules]] table)"))
        modules = self.parse_modules(raw_modules)

        # A model even when some keys were wrong, so the whole-pack checks still run.
        try:
            return Course(
                id=cid or "",
                version=version or "",
                title=title or "",
                modules=tuple(modules),
                format=fmt if isinstance(fmt, int) and not isinstance(fmt, bool) else FORMAT_VERSION,
                language=language,
                summary=summary,
                authors=tuple(authors),
                license=license_,
                kind=kind,
                weekly_hours=float(weekly_hours) if weekly_hours is not None else None,
                pass_threshold=float(pass_threshold),
                certificate_available=cert_available,
                xapi_endpoint=endpoint,
                certificate_issuer=issuer,
                certificate_issuer_name=one_line(issuer_name)[:200] if issuer_name else None,
                certificate_issuer_url=issuer_url,
            )
        except (TypeError, ValueError) as err:  # pragma: no cover - every field is checked above
            self.error(f, "", _("cannot build the course: {err}").format(err=err))
            return None

    def parse_modules(self, raw_modules: list[Any]) -> list[Module]:
        f = COURSE_FILE
        modules: list[Module] = []
        module_ids: set[str] = set()
        item_ids: dict[str, str] = {}
        quiz_ids: set[str] = set()
        pending_requires: list[tuple[str, list[str]]] = []
        for mi, mp, raw in self.tables(raw_modules, f, "modules", _MODULE_KEYS):
            mid = self.get(raw, "id", "str", f, mp, required=True)
            if self.check_module_id(mid, f, f"{mp}.id"):
                if mid in module_ids:
                    self.error(f, f"{mp}.id", _("duplicate module id {mid!r}").format(mid=mid))
                module_ids.add(mid)
            mtitle = self.get(raw, "title", "str", f, mp, required=True)
            unlock = self.non_negative(raw, "unlock_after_days", "int", f, mp, 0)
            requires = self.get(raw, "requires", "strlist", f, mp, default=[])
            pending_requires.append((mp, requires))
            raw_items = self.get(raw, "items", "list", f, mp, default=[])
            if not raw_items:
                self.warn(f, mp, _("module has no items"))
            items: list[Item] = []
            for ii, raw_item in enumerate(raw_items):
                item = self.parse_item(raw_item, f"{mp}.items[{ii}]", item_ids)
                if item is not None:
                    items.append(item)
                    if item.kind == "quiz":
                        quiz_ids.add(item.id)
            modules.append(
                Module(
                    id=mid or f"module-{mi}",
                    title=mtitle or "",
                    items=tuple(items),
                    unlock_after_days=unlock,
                    requires=tuple(requires),
                )
            )
        for mp, requires in pending_requires:
            for ri, rid in enumerate(requires):
                if rid not in quiz_ids:
                    what = _("an item that is not a quiz") if rid in item_ids else _("no quiz of this course")
                    self.error(
                        f, f"{mp}.requires[{ri}]", _("{rid!r} names {what}").format(rid=one_line(rid), what=what)
                    )
        return modules

    def parse_item(self, raw: Any, ip: str, item_ids: dict[str, str]) -> Item | None:
        f = COURSE_FILE
        if not isinstance(raw, dict):
            self.error(f, ip, _("must be a table, not {raw}").format(raw=describe(raw)))
            return None
        self.unknown_keys(raw, _ITEM_KEYS, f, ip)
        iid = self.get(raw, "id", "str", f, ip, required=True)
        if self.check_id(iid, f, f"{ip}.id"):
            if iid in item_ids:
                self.error(
                    f,
                    f"{ip}.id",
                    _("duplicate item id {iid!r} (also {item_ids})").format(iid=iid, item_ids=item_ids[iid]),
                )
            else:
                item_ids[iid] = ip
        kind = self.get(raw, "kind", "str", f, ip, required=True)
        if kind is not None and kind not in ("lesson", "quiz"):
            self.error(f, f"{ip}.kind", _('must be "lesson" or "quiz", not {kind!r}').format(kind=one_line(kind)))
            kind = None
        file = self.get(raw, "file", "str", f, ip, required=True)
        if isinstance(file, str):
            problem = path_problem(file)
            if problem:
                self.error(f, f"{ip}.file", _("{file!r}: {problem}").format(file=one_line(file), problem=problem))
                file = None
        title = self.get(raw, "title", "str", f, ip, default=None)
        weight = self.non_negative(raw, "weight", "number", f, ip, 1.0)
        if kind == "lesson" and "weight" in raw:
            self.warn(f, f"{ip}.weight", _("weight only counts for quizzes (ignored on a lesson)"))
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
                self.error(f, f"{ip}.file", _("{file}: no such file in the pack").format(file=file))
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
