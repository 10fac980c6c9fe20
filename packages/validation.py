"""Check a pack and report EVERY problem at once, each naming file, key and line.

Authors fix packs in one pass only if they see everything: `validate` never stops at
the first error. The rules of the format live in `packages.loading` (the same code
builds the model, so what validates is exactly what loads); this module adds the
checks that need the whole pack: unused files, lesson headings and links, the built
manifest's digests.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from packages.errors import MoocError, after_subject
from packages.i18n import _
from packages.manifest import sha256_hasher
from packages.pack_report import Report
from packages.safe_text import one_line

if TYPE_CHECKING:
    from packages.model import Course, Quiz
    from packages.source import PackSource

# Markdown links and images `[..](target)`, reference definitions `[x]: target`, HTML src/href.
_LINK = re.compile(
    r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)|(?:src|href)\s*=\s*[\"']([^\"']+)[\"']",
    re.MULTILINE,
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)|^ {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)


_CODE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)|`[^`\n]+`", re.MULTILINE | re.DOTALL)


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank_code(text: str) -> str:
    """Code blocks and spans show paths as examples, not links: blank them, keeping line numbers."""
    if "`" not in text and "~~~" not in text:
        return text
    return _CODE.sub(
        lambda m: " " * (m.end() - m.start()) if m.group(1) is None else _NOT_NEWLINE.sub(" ", m.group(0)), text
    )


blank_code = _blank_code  # for the player's placeholders (player/placeholders.py)


def lesson_links(text: str) -> list[tuple[str, int]]:
    """Local link targets in Markdown text, with their line numbers (URLs, anchors and code skipped)."""
    # No link of any form (most lessons of a long course): nothing to blank or scan. Every
    # form needs "]" or "=", looked for first: one-character searches are the fast ones.
    if ("]" not in text or ("](" not in text and "]:" not in text)) and (
        "=" not in text or ("src" not in text and "href" not in text)
    ):
        return []
    return _scan_links(text)


def _scan_links(text: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    text = _blank_code(text)
    for m in _LINK.finditer(text):
        target = m.group(1) or m.group(2) or m.group(3)
        if not target or target.startswith("#") or _SCHEME.match(target) or target.startswith("//"):
            continue
        target = target.split("#", 1)[0].split("?", 1)[0]
        if target:
            found.append((target, text.count("\n", 0, m.start()) + 1))
    return found


def resolve_link(lesson_file: str, target: str) -> str | None:
    """A link target as a pack path, or None if it leaves the pack."""
    from urllib.parse import unquote

    target = unquote(target)
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(lesson_file), target)
    norm = posixpath.normpath(joined)
    if norm.startswith("../") or norm == ".." or norm.startswith("/"):
        return None
    return norm


def validate(source: PackSource) -> Report:
    """Every problem of the pack at once. Never raises for a bad pack (only for an unreadable one)."""
    from packages.loading import parse_pack

    report = Report(origin=source.origin)
    for rel, message in source.listing_problems:
        report.error(rel, "", message)
    manifest_bad: set[str] = set()
    for rel, message in manifest_problems(source):
        report.error(rel, "", message)
        manifest_bad.add(rel)
    course, lesson_texts, toml_texts = parse_pack(source, report, skip=manifest_bad)
    if course is not None:
        _check_lessons_and_files(source, report, course, lesson_texts, toml_texts)
        if _has_patterns(course):  # the pattern checks are a module of their own to load
            from packages.answer_pattern import check_pack as check_answer_patterns

            check_answer_patterns(source, report, course)
        m = source.manifest
        if m is not None and (m.course_id, m.version) != (course.id, course.version):
            report.error(
                "mooc-manifest.json",
                "course",
                _("says {course_id} {version} but course.toml says {id} {version2}").format(
                    course_id=one_line(m.course_id),
                    version=one_line(m.version),
                    id=one_line(course.id),
                    version2=one_line(course.version),
                ),
            )
    if report.ok:
        report.course = course
    return report


def _has_patterns(course: Course) -> bool:
    from packages.questions import Text

    return any(
        isinstance(q, Text) and q.pattern is not None
        for item in course.items()
        if item.quiz
        for q in item.quiz.questions
    )


def _check_lessons_and_files(
    source: PackSource, report: Report, course: Course, lesson_texts: dict[str, str], toml_texts: dict[str, str]
) -> None:
    # a flavoured pack's links to what it leaves out are expected (the player shows a placeholder)
    omitted = source.manifest.omitted if source.manifest is not None else {}
    used = {"course.toml"}
    for item in course.items():
        used.add(item.file)
    for rel, text in lesson_texts.items():
        if not _HEADING.search(text):
            report.warning(rel, "", _("lesson has no heading (start it with '# Title')"))
        for target, line in lesson_links(text):
            path = resolve_link(rel, target)
            if path is None:
                report.error(rel, "", _("link {target!r} leaves the pack").format(target=one_line(target)), line)
            elif path in omitted or source.exists(path):
                used.add(path)
            elif not source.exists(path.rstrip("/") + "/index.md"):
                report.warning(
                    rel, "", _("link {target!r}: no such file in the pack").format(target=one_line(target)), line
                )
    for item in course.items():
        # quiz Markdown links (images in prompts) resolve from the quiz file
        if item.quiz is not None and _may_link(toml_texts.get(item.file)):
            for text in _quiz_texts(item.quiz):
                for target, _line in lesson_links(text):
                    path = resolve_link(item.file, target)
                    if path is None:
                        report.error(
                            item.file, "", _("link {target!r} leaves the pack").format(target=one_line(target))
                        )
                    elif path in omitted or source.exists(path):
                        used.add(path)
                    else:
                        report.warning(
                            item.file,
                            "",
                            _("link {target!r}: no such file in the pack").format(target=one_line(target)),
                        )
    for rel in source.files():
        if rel not in used and not _is_doc_file(rel):
            report.warning(rel, "", _("file is not used by the course (not a lesson, quiz or linked file)"))


def _is_doc_file(rel: str) -> bool:
    """Top-level README/LICENSE files are expected in a pack and never 'unused'."""
    if "/" in rel:
        return False
    stem = rel.rsplit(".", 1)[0].upper()
    return stem in {"README", "LICENSE", "LICENCE", "COPYING", "CHANGELOG", "AUTHORS", "NOTICE"}


def _may_link(toml_text: str | None) -> bool:
    """Whether a quiz file's TOML text may give a string holding "](", "src=" or "href=".
    A TOML string holds what its file spells out, but for escapes, which all start with a
    backslash; and a question's strings are its file's strings as they are (a test in
    tests/test_pack_validation.py holds every question type to that). A file with none
    of these (most quizzes of a long course) has no link to look for."""
    return toml_text is None or any(s in toml_text for s in ("](", "src", "href", "\\"))


def _quiz_texts(quiz: Quiz) -> list[str]:
    """Every piece of Markdown a quiz shows that may hold a link: prompts, hints,
    explanations, choices, feedback (its strings with "](", "src=" or "href=")."""
    texts: list[str] = []
    for question in quiz.questions:
        _collect_texts(question, texts)
    return texts


def _collect_texts(obj: object, texts: list[str]) -> None:
    """The strings of dataclass OBJ, its lists, tuples and dataclasses inside, in field
    order. 10,000 questions come through here: the fields are read from the instance's
    __dict__ in one go where there is one (no getattr for each name)."""
    fields = getattr(obj, "__dict__", None)
    values = fields.values() if fields is not None else [getattr(obj, n) for n in _field_names(type(obj))]
    for value in values:
        kind = type(value)
        if kind is str:
            if "](" in value or "src=" in value or "href=" in value:
                texts.append(value)
        elif kind is tuple or kind is list:
            for v in value:
                if type(v) is str:
                    if "](" in v or "src=" in v or "href=" in v:
                        texts.append(v)
                elif type(v) is tuple:  # a match pair
                    for w in v:
                        if type(w) is str and ("](" in w or "src=" in w or "href=" in w):
                            texts.append(w)
                elif _field_names(type(v)):
                    _collect_texts(v, texts)
        elif value is not None and kind is not bool and kind is not float and kind is not int and _field_names(kind):
            _collect_texts(value, texts)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names (none for any other type), looked up once per class."""
    names = _FIELD_NAMES.get(kind)
    if names is None:
        import dataclasses

        names = tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else ()
        _FIELD_NAMES[kind] = names
    return names


# manifest_problems keeps the files it verified for the parser to read (source.keep_checked):
# those up to 1 MiB each, 64 MiB in all (lessons and quizzes; big media is only hashed).
_KEEP_FILE = 1 << 20
_KEEP_TOTAL = 64 << 20


def manifest_problems(source: PackSource) -> list[tuple[str, str]]:
    """(path, message) for every way the files differ from the manifest. Reads every file."""
    manifest = source.manifest
    if manifest is None:
        return []
    problems: list[tuple[str, str]] = []
    present = set(source.files())
    for rel in sorted(manifest.files):
        if rel not in present:
            problems.append((rel, "listed in the manifest but missing from the pack"))
    for rel in sorted(present - manifest.files.keys()):
        problems.append((rel, "not listed in the manifest"))
    kept = 0
    for rel in sorted(present & manifest.files.keys()):
        entry = manifest.files[rel]
        keep: list[bytes] | None = [] if entry.size <= _KEEP_FILE and kept + entry.size <= _KEEP_TOTAL else None
        try:
            h = sha256_hasher()
            size = 0
            for chunk in source.iter_chunks(rel):
                h.update(chunk)
                size += len(chunk)
                if keep is not None:
                    keep.append(chunk)
        except MoocError as err:
            problems.append((rel, after_subject(str(err), rel, anywhere=True) or str(err)))
            continue
        if size != entry.size:
            problems.append(
                (rel, _("size {size} does not match the manifest ({size2})").format(size=size, size2=entry.size))
            )
        elif h.hexdigest() != entry.sha256:
            problems.append((rel, _("SHA-256 does not match the manifest (file corrupt or altered)")))
        elif keep is not None:
            source.keep_checked(rel, keep[0] if len(keep) == 1 else b"".join(keep))
            kept += size
    return problems
