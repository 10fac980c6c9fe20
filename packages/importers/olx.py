"""Open edX course export (OLX) -> mooc pack source.

Mapping (docs/import.md has the full table): chapter -> module; vertical (unit) ->
lesson holding its HTML and videos (transcripts as text) in order; problems ->
quiz questions (one graded quiz per graded subsection, weighted by the grading
policy; one practice quiz per ungraded unit); anything else -> a notice in place
and an entry in the report.

This module walks the course and weighs its quizzes; the export's files are read
by `olx_export`, each component is converted by `olx_components`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from packages.errors import MoocError
from packages.importers.archive import Unpacked
from packages.importers.html_markdown import html_to_text
from packages.importers.olx_components import OlxComponents, _heading, _Module, _Quiz
from packages.importers.olx_export import _safe_name
from packages.importers.olx_problems import strictest
from packages.importers.pack_writer import IdAllocator, PackDraft, slugify, write_pack
from packages.importers.quiz_check import check_quizzes
from packages.importers.report import ImportReport

CONTAINERS = {"chapter", "sequential", "vertical"}
MAX_UNIT_NESTING = 10  # units inside units (Studio makes none; a pointer can make a loop)


class OlxImporter(OlxComponents):
    """Reads one unpacked export; `build()` returns the PackDraft and fills `report`."""

    def __init__(self, root: Path, shown: str, library_dirs: list[Path] | None = None) -> None:
        super().__init__(root, shown, library_dirs)
        self.course_policy: dict[str, Any] = {}

    # -- the course -----------------------------------------------------------------
    def build(self) -> PackDraft:
        pointer = self.parse_file(self.root / "course.xml", f"{self.shown}: course.xml")
        if pointer.tag != "course":
            raise MoocError(f"{self.shown}: course.xml: root element is <{pointer.tag}>, expected <course>")
        org, number, run = pointer.get("org", ""), pointer.get("course", ""), pointer.get("url_name", "")
        if not run or not _safe_name(run):
            raise MoocError(f"{self.shown}: course.xml: missing or bad url_name (the course run)")
        policy_dir = self.root / "policies" / run
        if (policy_dir / "policy.json").is_file():
            self.policy = self.read_json(policy_dir / "policy.json") or {}
            if not isinstance(self.policy, dict):
                raise MoocError(f"{self.shown}: policies/{run}/policy.json: expected a JSON object")
            self.course_policy = self.policy.get(f"course/{run}", {}) or {}
            if not isinstance(self.course_policy, dict):
                raise MoocError(f'{self.shown}: policies/{run}/policy.json: "course/{run}" should be a JSON object')
        grading: dict[str, Any] = {}
        if (policy_dir / "grading_policy.json").is_file():
            grading = self.read_json(policy_dir / "grading_policy.json") or {}
            if not isinstance(grading, dict):
                raise MoocError(f"{self.shown}: policies/{run}/grading_policy.json: expected a JSON object")
        course = self.load("course", pointer)
        title = course.get("display_name") or self.course_policy.get("display_name") or f"{org} {number}"
        language = course.get("language") or self.course_policy.get("language") or "en"

        self.default_showanswer = str(course.get("showanswer") or self.course_policy.get("showanswer") or "finished")
        max_attempts = course.get("max_attempts") or self.course_policy.get("max_attempts")
        self.default_max_attempts = int(str(max_attempts)) if str(max_attempts or "").isdigit() else None

        modules: list[_Module] = []
        for chapter_ptr in course.findall("chapter"):
            chapter = self.load("chapter", chapter_ptr)
            self.report.found["chapter"] += 1
            modules.append(self.chapter(chapter))

        weights, pass_threshold = self.weights(grading, modules)
        draft = PackDraft(manifest={})
        tables = {
            item["file"]: self.quiz_table(module.quizzes[item["id"]])
            for module in modules
            for item in module.items
            if item["id"] in module.quizzes and module.quizzes[item["id"]].questions
        }
        wheres = {
            item["file"]: module.quizzes[item["id"]].where
            for module in modules
            for item in module.items
            if item["id"] in module.quizzes
        }
        tables = check_quizzes(tables, self.report, lambda path, _q: wheres.get(path, path))  # as pack check would
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
            raise MoocError(f"{self.shown}: the course has no content that could be imported")

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
            graded_quiz = _Quiz(title=seq_title, graded_type=seq.get("format") or "", where=where_seq)
        children = list(seq)
        # Components directly under a subsection (no unit) form one implicit unit.
        if any(c.tag != "vertical" for c in children):
            wrapper = Element("vertical", {"display_name": seq_title})
            wrapper.extend(c for c in children if c.tag != "vertical")
            children = [c for c in children if c.tag == "vertical"] + [wrapper]
        for vert_ptr in children:
            vertical = self.load("vertical", vert_ptr) if vert_ptr.get("url_name") else vert_ptr
            self.report.found["vertical"] += 1
            self.vertical(vertical, module, where_seq, seq_title, graded_quiz, depth=0)
        if graded_quiz is not None:
            module.items.append(
                {"id": graded_id, "kind": "quiz", "file": f"quizzes/{graded_id}.toml", "title": seq_title}
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
        where = f"{where_seq} › {title}"
        parts: list[str] = []
        practice = _Quiz(title=f"{title}: exercises", graded_type=None, where=where)
        quiz = graded_quiz if graded_quiz is not None else practice
        for comp_ptr in vertical:
            tag = comp_ptr.tag
            self.report.found[f"component: {tag}"] += 1
            if tag == "html":
                comp = self.load("html", comp_ptr)
                text = self.html_component(comp)
                if text.strip():
                    parts.append(text)
            elif tag == "video":
                parts.append(self.video(self.load("video", comp_ptr), where))
            elif tag == "problem":
                result = self.problem(self.load("problem", comp_ptr), where)
                quiz.add(result)
                parts.extend(result.notices)
            elif tag == "library_content":
                parts.extend(self.library_content(self.load("library_content", comp_ptr), where, quiz))
            elif tag == "vertical" and depth >= MAX_UNIT_NESTING:  # a pointer loop, or hostile nesting
                self.report.missing(
                    "vertical",
                    where,
                    f"units nested more than {MAX_UNIT_NESTING} deep (a unit that contains itself?)",
                    comp_ptr.get("url_name", ""),
                )
            elif tag == "vertical":  # nested unit (rare): flatten in place
                self.vertical(self.load("vertical", comp_ptr), module, where_seq, seq_title, graded_quiz, depth + 1)
            else:
                parts.append(
                    self.unsupported(
                        self.load(tag, comp_ptr) if _safe_tag(tag) else comp_ptr, module, where, title, add_item=False
                    )
                )
        if parts:
            lesson_id = self.ids.new(title, "lesson")
            path = f"lessons/{lesson_id}.md"
            self.lessons[path] = f"# {_heading(title)}\n\n" + "\n\n".join(p.strip() for p in parts if p.strip()) + "\n"
            module.items.append({"id": lesson_id, "kind": "lesson", "file": path, "title": title})
            self.report.produced["lessons"] += 1
        if graded_quiz is None and practice.questions:
            quiz_id = self.ids.new(f"{title} exercises", "quiz")
            module.items.append(
                {"id": quiz_id, "kind": "quiz", "file": f"quizzes/{quiz_id}.toml", "title": practice.title}
            )
            module.quizzes[quiz_id] = practice

    # -- grading --------------------------------------------------------------------------
    def weights(self, grading: dict[str, Any], modules: list[_Module]) -> tuple[dict[str, float], float]:
        types: dict[str, float] = {}
        for grader in grading.get("GRADER", []) or []:
            if isinstance(grader, dict) and grader.get("type"):
                try:
                    types[str(grader["type"])] = float(grader.get("weight", 0))
                except (TypeError, ValueError):
                    raise MoocError(f"{self.shown}: grading_policy.json: bad weight for {grader['type']!r}") from None
        cutoffs = grading.get("GRADE_CUTOFFS") or {}
        values = [float(v) for v in cutoffs.values() if isinstance(v, (int, float))]
        pass_threshold = round(min(values), 6) if values else 0.5
        by_type: dict[str, list[str]] = {}
        weights: dict[str, float] = {}
        for module in modules:
            for item_id, quiz in module.quizzes.items():
                if quiz.graded_type is None or not quiz.questions:
                    continue
                if quiz.graded_type not in types:
                    self.report.changed(
                        "sequential",
                        quiz.where,
                        f"graded as {quiz.graded_type!r}, which the "
                        "grading policy does not define; imported as a practice quiz",
                    )
                    continue
                by_type.setdefault(quiz.graded_type, []).append(item_id)
        for kind, ids in by_type.items():
            for item_id in ids:
                weights[item_id] = types[kind] / len(ids)
        missing_types = [t for t, w in types.items() if w > 0 and t not in by_type]
        for t in missing_types:
            self.report.changed(
                "grading_policy",
                t,
                "assignment type has no imported graded subsection; its weight is left out of the course score",
            )
        return weights, pass_threshold

    def quiz_table(self, quiz: _Quiz) -> dict[str, Any]:
        table: dict[str, Any] = {"title": quiz.title}
        attempts = sorted(set(quiz.attempts))
        if attempts:
            table["max_attempts"] = attempts[0]
            if len(attempts) > 1:
                self.report.changed(
                    "problem", quiz.where, f"problems allow {attempts} attempts; the quiz allows {attempts[0]}"
                )
        if quiz.shuffle:
            table["shuffle_choices"] = True
        shows = sorted(set(quiz.show))
        table["show_solutions"] = strictest(quiz.show)
        if len(shows) > 1:
            self.report.changed(
                "problem",
                quiz.where,
                f"problems show answers differently ({', '.join(shows)}); "
                f"the quiz uses the strictest, {table['show_solutions']!r}",
            )
        ids = IdAllocator()
        for q in quiz.questions:  # ids unique within the quiz (library copies may repeat url_names)
            q["id"] = ids.unique(q["id"])
        table["questions"] = quiz.questions
        return table


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
