"""Open edX course export (OLX) -> mooc pack source.

Mapping (docs/import.md has the full table): chapter -> module; vertical (unit) ->
lesson holding its HTML and videos (transcripts as text) in order; problems ->
quiz questions (one graded quiz per graded subsection, weighted by the grading
policy; one practice quiz per ungraded unit); anything else -> a notice in place
and an entry in the report.

Content Open edX shows to staff or some cohorts only is left out and reported,
a content experiment brings its first group (`olx_visibility`); the course
overview, updates, handouts, textbooks and custom pages become the first lessons
(`olx_course_info`).

This module walks the course; the export's files are read by `olx_export`, each
component is converted by `olx_components`, the quizzes are weighed and titled by
`olx_quizzes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from packages.errors import MoocError
from packages.i18n import _
from packages.importers.archive import Unpacked
from packages.importers.html_markdown import html_to_text
from packages.importers.olx_components import UNSUPPORTED_COMPONENTS, _heading, _Module, _Quiz
from packages.importers.olx_export import _safe_name
from packages.importers.olx_quizzes import OlxQuizzes
from packages.importers.olx_visibility import partitions_of
from packages.importers.pack_writer import PackDraft, slugify, write_pack
from packages.importers.report import ImportReport

CONTAINERS = {"chapter", "sequential", "vertical"}
MAX_UNIT_NESTING = 10  # units inside units (Studio makes none; a pointer can make a loop)


@dataclass
class _Unit:
    """One unit being imported: where its lesson text and questions go."""

    module: _Module
    where_seq: str
    seq_title: str
    title: str
    graded_quiz: _Quiz | None
    practice: _Quiz
    parts: list[str] = field(default_factory=list)  # the lesson's Markdown, in order
    shown: list[str] = field(default_factory=list)  # url_names of the components in the lesson

    @property
    def where(self) -> str:
        return f"{self.where_seq} › {self.title}"

    @property
    def quiz(self) -> _Quiz:
        return self.graded_quiz if self.graded_quiz is not None else self.practice


class OlxImporter(OlxQuizzes):
    """Reads one unpacked export; `build()` returns the PackDraft and fills `report`."""

    def __init__(self, root: Path, shown: str, library_dirs: list[Path] | None = None) -> None:
        super().__init__(root, shown, library_dirs)
        self.course_policy: dict[str, Any] = {}
        self.partitions = {}

    # -- the course -----------------------------------------------------------------
    def build(self) -> PackDraft:
        pointer = self.parse_file(self.root / "course.xml", f"{self.shown}: course.xml")
        if pointer.tag != "course":
            raise MoocError(
                _("{shown}: course.xml: root element is <{tag}>, expected <course>").format(
                    shown=self.shown, tag=pointer.tag
                )
            )
        org, number, run = pointer.get("org", ""), pointer.get("course", ""), pointer.get("url_name", "")
        if not run or not _safe_name(run):
            raise MoocError(_("{shown}: course.xml: missing or bad url_name (the course run)").format(shown=self.shown))
        policy_dir = self.root / "policies" / run
        if (policy_dir / "policy.json").is_file():
            self.policy = self.read_json(policy_dir / "policy.json") or {}
            if not isinstance(self.policy, dict):
                raise MoocError(
                    _("{shown}: policies/{run}/policy.json: expected a JSON object").format(shown=self.shown, run=run)
                )
            self.course_policy = self.policy.get(f"course/{run}", {}) or {}
            if not isinstance(self.course_policy, dict):
                raise MoocError(
                    _('{shown}: policies/{run}/policy.json: "course/{run}" should be a JSON object').format(
                        shown=self.shown, run=run
                    )
                )
        grading: dict[str, Any] = {}
        if (policy_dir / "grading_policy.json").is_file():
            grading = self.read_json(policy_dir / "grading_policy.json") or {}
            if not isinstance(grading, dict):
                raise MoocError(
                    _("{shown}: policies/{run}/grading_policy.json: expected a JSON object").format(
                        shown=self.shown, run=run
                    )
                )
        course = self.load("course", pointer)
        title = course.get("display_name") or self.course_policy.get("display_name") or f"{org} {number}"
        language = course.get("language") or self.course_policy.get("language") or "en"

        self.default_showanswer = str(course.get("showanswer") or self.course_policy.get("showanswer") or "finished")
        max_attempts = course.get("max_attempts") or self.course_policy.get("max_attempts")
        self.default_max_attempts = int(str(max_attempts)) if str(max_attempts or "").isdigit() else None

        self.partitions = partitions_of(self.course_policy.get("user_partitions") or course.get("user_partitions"))

        modules: list[_Module] = []
        for chapter_ptr in course.findall("chapter"):
            chapter = self.load("chapter", chapter_ptr)
            self.report.found["chapter"] += 1
            if not self.left_out(chapter, " ".join((chapter.get("display_name") or "Section").split())):
                modules.append(self.chapter(chapter))
        for other in course:  # besides the outline: a wiki, ... (textbooks are course_info's)
            if other.tag not in ("chapter", "textbook") and isinstance(other.tag, str):
                self.report.found[f"course: {other.tag}"] += 1
                reason = UNSUPPORTED_COMPONENTS.get(other.tag, "course content mooc cannot show")
                ident = other.get("url_name") or other.get("slug") or ""
                self.report.missing(other.tag, title, f"{reason} (no notice: it is not part of a lesson)", ident)
        info = self.course_info(course)
        if info:
            if not modules:
                modules.append(_Module(id=self.ids.new("About this course", "module"), title=title))
            modules[0].items[:0] = info

        weights, pass_threshold = self.weights(grading, modules)
        draft = PackDraft(manifest={})
        tables = self.quiz_tables(modules)
        manifest_modules = []
        for module in modules:
            items = []
            for item in module.items:
                quiz = module.quizzes.get(item["id"])
                if quiz is not None:
                    if item["file"] not in tables:
                        continue
                    item = {**item, "weight": round(weights.get(item["id"], 0.0), 6)}
                    draft.add_toml(item["file"], tables[item["file"]])
                    self.report.produced["graded quizzes" if item["weight"] > 0 else "practice quizzes"] += 1
                items.append(item)
            if not items:
                self.report.changed("chapter", module.title, "nothing importable in this section; module left out")
                continue
            manifest_modules.append({"id": module.id, "title": module.title, "items": items})
        for path, text in self.lessons.items():
            draft.add_text(path, text)
        if not manifest_modules:
            raise MoocError(_("{shown}: the course has no content that could be imported").format(shown=self.shown))

        summary = ""
        short = self.root / "about" / "short_description.html"
        if short.is_file():
            summary = html_to_text(self.read_text(short, errors="replace"))[:1000]
        draft.manifest = {
            "format": 1,
            "id": slugify(f"{org}-{number}-{run}", "course", 64),
            "version": _semver(self.course_policy.get("course_version") or course.get("course_version")),
            "title": " ".join(title.split()),
            "language": language,
            "summary": summary or None,
            "kind": "xmooc",
            "grading": {"pass_threshold": pass_threshold},
            "modules": manifest_modules,
        }
        draft.media_sources = dict(self.media)
        self.report.produced["modules"] = len(manifest_modules)
        self.report.produced["media files"] = len(self.media)
        return draft

    def chapter(self, chapter: Element) -> _Module:
        title = " ".join((chapter.get("display_name") or "Section").split())
        module = _Module(id=self.ids.new(title, "module"), title=title)
        for seq_ptr in chapter:
            if seq_ptr.tag != "sequential":
                self.unsupported(seq_ptr, module, None, title)
                continue
            seq = self.load("sequential", seq_ptr)
            self.report.found["sequential"] += 1
            if not self.left_out(seq, title):
                self.sequential(seq, module, title)
        return module

    def sequential(self, seq: Element, module: _Module, chapter_title: str) -> None:
        seq_title = " ".join((seq.get("display_name") or "Subsection").split())
        graded = (seq.get("graded") or "").lower() == "true"
        where_seq = f"{chapter_title} › {seq_title}"
        graded_quiz: _Quiz | None = None
        graded_id = ""
        if graded:
            graded_id = self.ids.new(f"{seq_title} quiz", "quiz")
            kind = seq.get("format") or ""
            graded_quiz = _Quiz(
                title=f"{seq_title}: graded problems{f' ({kind})' if kind and kind != seq_title else ''}",
                graded_type=kind,
                where=where_seq,
            )
        children = list(seq)
        # Components directly under a subsection (no unit) form one implicit unit.
        if any(c.tag != "vertical" for c in children):
            wrapper = Element("vertical", {"display_name": seq_title})
            wrapper.extend(c for c in children if c.tag != "vertical")
            children = [c for c in children if c.tag == "vertical"] + [wrapper]
        for vert_ptr in children:
            vertical = self.load("vertical", vert_ptr) if vert_ptr.get("url_name") else vert_ptr
            self.report.found["vertical"] += 1
            if not self.left_out(vertical, where_seq):
                self.vertical(vertical, module, where_seq, seq_title, graded_quiz, depth=0)
        if graded_quiz is not None:
            module.items.append(
                {"id": graded_id, "kind": "quiz", "file": f"quizzes/{graded_id}.toml", "title": graded_quiz.title}
            )
            module.quizzes[graded_id] = graded_quiz
            if not graded_quiz.questions:
                self.report.changed(
                    "sequential",
                    where_seq,
                    "graded subsection without any importable problem; no quiz made for it",
                    seq.get("url_name", ""),
                )

    def vertical(
        self, vertical: Element, module: _Module, where_seq: str, seq_title: str, graded_quiz: _Quiz | None, depth: int
    ) -> None:
        title = " ".join((vertical.get("display_name") or seq_title).split())
        origin = seq_title if title == seq_title else f"{seq_title} › {title}"
        practice = _Quiz(title=f"{origin}: exercises", graded_type=None, where=f"{where_seq} › {title}")
        unit = _Unit(module, where_seq, seq_title, title, graded_quiz, practice)
        for comp_ptr in vertical:
            self.component(comp_ptr, unit, depth)
        if unit.parts:
            lesson_id = self.ids.new(title, "lesson")
            path = f"lessons/{lesson_id}.md"
            body = "\n\n".join(p.strip() for p in unit.parts if p.strip())
            self.lessons[path] = f"# {_heading(title)}\n\n{body}\n"
            module.items.append({"id": lesson_id, "kind": "lesson", "file": path, "title": title})
            self.report.produced["lessons"] += 1
            self.report.placed.update(dict.fromkeys(unit.shown, path))
        if graded_quiz is None and practice.questions:
            quiz_id = self.ids.new(f"{title} exercises", "quiz")
            module.items.append(
                {"id": quiz_id, "kind": "quiz", "file": f"quizzes/{quiz_id}.toml", "title": practice.title}
            )
            module.quizzes[quiz_id] = practice

    def component(self, comp_ptr: Element, unit: _Unit, depth: int) -> None:
        """One component of a unit: text into its lesson, problems into its quiz, anything else a notice."""
        tag, where = comp_ptr.tag, unit.where
        self.report.found[f"component: {tag}"] += 1
        if tag in ("vertical", "split_test") and depth >= MAX_UNIT_NESTING:  # a pointer loop, or hostile nesting
            self.report.missing(
                tag,
                where,
                f"units nested more than {MAX_UNIT_NESTING} deep (a unit that contains itself?)",
                comp_ptr.get("url_name", ""),
            )
            return
        comp = self.load(tag, comp_ptr) if _safe_tag(tag) else comp_ptr
        if self.left_out(comp, where):
            return
        if tag == "html":
            text = self.html_component(comp, where)
            if text.strip():
                unit.parts.append(text)
                unit.shown.append(comp.get("url_name", ""))
        elif tag == "video":
            unit.parts.append(self.video(comp, where))
            unit.shown.append(comp.get("url_name", ""))
        elif tag == "problem":
            result = self.problem(comp, where)
            unit.quiz.add(result)
            unit.parts.extend(result.notices)
        elif tag == "library_content":
            unit.parts.extend(self.library_content(comp, where, unit.quiz))
        elif tag == "vertical":  # nested unit (rare): flattened into this one
            for child in comp:
                self.component(child, unit, depth + 1)
        elif tag == "split_test":  # a content experiment: its first group's content, in place
            for group in self.split_test(comp, where):
                inner = self.load(group.tag, group) if _safe_tag(group.tag) else group
                for child in inner if not self.left_out(inner, where) else []:
                    self.component(child, unit, depth + 1)
        else:
            unit.parts.append(self.unsupported(comp, unit.module, where, unit.title, add_item=False))


def import_olx(source: Path, out: Path, *, force: bool = False, library_dirs: list[Path] | None = None) -> ImportReport:
    """Import an export (.tar.gz or folder) into the pack source folder `out`."""
    with Unpacked(source) as root:
        importer = OlxImporter(root, source.name, library_dirs)
        importer.source_parent = source.absolute().parent
        draft = importer.build()
        write_pack(draft, out, force=force)
    return importer.report


def _safe_tag(tag: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tag))


def _semver(value: Any) -> str:
    text = str(value or "").strip()
    if re.fullmatch(r"\d+\.\d+\.\d+", text):
        return text
    if re.fullmatch(r"\d+", text):
        return f"{text}.0.0"
    return "1.0.0"
