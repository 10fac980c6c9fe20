"""Open edX course export (OLX) -> mooc pack source.

Mapping (docs/import.md has the full table): chapter -> module; vertical (unit) ->
lesson holding its HTML and videos (transcripts as text) in order; problems ->
quiz questions (one graded quiz per graded subsection, weighted by the grading
policy; one practice quiz per ungraded unit); anything else -> a notice in place
and an entry in the report.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element

from packages.errors import MoocError
from packages.importers.archive import Unpacked
from packages.importers.html_markdown import html_to_markdown, html_to_text
from packages.importers.olx_problem_text import ProblemContext
from packages.importers.olx_problems import ProblemResult, convert_problem, notice_markdown, strictest
from packages.importers.pack_writer import IdAllocator, PackDraft, media_name, slugify, write_pack
from packages.importers.quiz_check import check_quizzes
from packages.importers.report import ImportReport
from packages.importers.xml_safe import parse_xml_file

CONTAINERS = {"chapter", "sequential", "vertical"}
UNSUPPORTED_COMPONENTS = {
    "discussion": "a discussion forum needs the Open edX server",
    "lti": "an external LTI tool", "lti_consumer": "an external LTI tool",
    "annotatable": "an annotation exercise",
    "drag-and-drop-v2": "a drag and drop exercise",
    "openassessment": "an open response (peer/staff graded) assessment",
    "poll": "a poll", "survey": "a survey", "word_cloud": "a word cloud",
    "edx_sga": "a staff-graded file upload", "staffgradedxblock": "a staff-graded assignment",
    "done": "a 'mark as done' button", "google-document": "an embedded Google document",
    "google-calendar": "an embedded Google calendar", "scorm": "a SCORM package",
    "conditional": "content shown on a condition", "split_test": "a content experiment (A/B test)",
    "randomize": "a randomised block", "recommender": "a recommender",
    "lti_advantage": "an external LTI tool", "problem-builder": "a problem builder block",
    "pdf": "an embedded PDF viewer", "oppia": "an Oppia exploration", "h5pxblock": "H5P content",
}
MAX_SRT_BYTES = 5 * 1024 * 1024
MAX_HTML_BYTES = 20 * 1024 * 1024  # one html/*.html file
MAX_UNIT_NESTING = 10  # units inside units (Studio makes none; a pointer can make a loop)
# Everything one import may read: a file referenced by many pointers is read (and converted) each time.
MAX_READ_BYTES = 512 * 1024 * 1024


@dataclass
class _Quiz:
    title: str
    graded_type: str | None  # assignment type from the grading policy, None = practice
    questions: list[dict[str, Any]] = field(default_factory=list)
    show: list[str] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)
    shuffle: bool = False
    where: str = ""

    def add(self, result: ProblemResult) -> None:
        self.questions.extend(result.questions)
        if result.questions:
            self.show.append(result.show_solutions or "finished")
            if result.max_attempts:
                self.attempts.append(result.max_attempts)
            self.shuffle = self.shuffle or result.shuffle


@dataclass
class _Module:
    id: str
    title: str
    items: list[dict[str, Any]] = field(default_factory=list)
    quizzes: dict[str, _Quiz] = field(default_factory=dict)  # item id -> quiz


class OlxImporter:
    """Reads one unpacked export; `build()` returns the PackDraft and fills `report`."""

    def __init__(self, root: Path, shown: str, library_dirs: list[Path] | None = None) -> None:
        self.root = root
        self.shown = shown
        self.report = ImportReport(source=shown, kind="olx")
        self.library_dirs = library_dirs or []
        self.ids = IdAllocator()
        self.media: dict[str, Path] = {}  # media rel path -> source file
        self.media_by_source: dict[Path, str] = {}
        self.policy: dict[str, Any] = {}
        self.course_policy: dict[str, Any] = {}
        self.static = root / "static"
        self.lessons: dict[str, str] = {}  # lesson path -> Markdown
        self.default_showanswer = "finished"
        self.default_max_attempts: int | None = None
        self.source_parent: Path | None = None
        self._static_index: dict[str, Path] | None = None
        self._media_next: dict[str, int] = {}  # media stem -> next suffix (no rescan per same-named file)
        self.bytes_read = 0
        self._libraries: dict[str, Path | None] = {}  # library id -> its library.xml (looked up once)

    # -- reading ------------------------------------------------------------------
    def _spend(self, path: Path, size: int) -> None:
        self.bytes_read += size
        if self.bytes_read > MAX_READ_BYTES:
            raise MoocError(f"{self.shown}: {self.rel(path)}: the import has read over {MAX_READ_BYTES >> 20} MiB "
                            "of XML and text (files referenced over and over?); refused")

    def parse_file(self, path: Path, shown: str) -> Element:
        """Parse one XML file, counted against MAX_READ_BYTES."""
        try:
            self._spend(path, path.stat().st_size)
        except OSError as err:
            raise MoocError(f"{shown}: cannot read ({err.strerror})") from None
        return parse_xml_file(path, shown)

    def read_text(self, path: Path, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        """One text file (HTML, JSON, transcript): at most MAX_HTML_BYTES, counted against MAX_READ_BYTES."""
        try:
            size = path.stat().st_size
            if size > MAX_HTML_BYTES:
                raise MoocError(f"{self.shown}: {self.rel(path)}: file too large ({size} bytes, limit "
                                f"{MAX_HTML_BYTES})")
            self._spend(path, size)
            return path.read_bytes().decode(encoding, errors)
        except OSError as err:
            raise MoocError(f"{self.shown}: {self.rel(path)}: cannot read ({err.strerror})") from None

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def load(self, tag: str, elem: Element, base: Path | None = None) -> Element:
        """Follow an OLX pointer (`<tag url_name="x"/>` -> tag/x.xml) or use the element inline."""
        base = base or self.root
        url_name = elem.get("url_name")
        if url_name and len(elem) == 0 and _safe_name(url_name):
            path = base / tag / f"{url_name}.xml"
            if path.is_file() and not path.is_symlink():
                loaded = self.parse_file(path, f"{self.shown}: {self.rel(path)}")
                for key, value in elem.attrib.items():
                    loaded.attrib.setdefault(key, value)
                loaded.attrib.setdefault("url_name", url_name)
                self._apply_policy(tag, loaded)
                return loaded
        self._apply_policy(tag, elem)
        return elem

    def _apply_policy(self, tag: str, elem: Element) -> None:
        extra = self.policy.get(f"{tag}/{elem.get('url_name', '')}")
        if isinstance(extra, dict):
            for key, value in extra.items():
                if isinstance(value, (str, int, float, bool)):
                    elem.attrib.setdefault(key, str(value).lower() if isinstance(value, bool) else str(value))

    def read_json(self, path: Path) -> Any:
        try:
            return json.loads(self.read_text(path))
        except UnicodeDecodeError as err:
            raise MoocError(f"{self.shown}: {self.rel(path)}: cannot read ({err})") from None
        except (json.JSONDecodeError, RecursionError) as err:
            if isinstance(err, RecursionError):
                raise MoocError(f"{self.shown}: {self.rel(path)}: JSON nested too deeply") from None
            raise MoocError(f"{self.shown}: {self.rel(path)}: line {err.lineno}: broken JSON ({err.msg})") from None

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
        grading = {}
        if (policy_dir / "grading_policy.json").is_file():
            grading = self.read_json(policy_dir / "grading_policy.json") or {}
        course = self.load("course", pointer)
        title = course.get("display_name") or self.course_policy.get("display_name") or f"{org} {number}"
        language = course.get("language") or self.course_policy.get("language") or "en"

        self.default_showanswer = str(course.get("showanswer") or self.course_policy.get("showanswer") or "finished")
        max_attempts = course.get("max_attempts") or self.course_policy.get("max_attempts")
        self.default_max_attempts = int(max_attempts) if str(max_attempts or "").isdigit() else None

        modules: list[_Module] = []
        for chapter_ptr in course.findall("chapter"):
            chapter = self.load("chapter", chapter_ptr)
            self.report.found["chapter"] += 1
            modules.append(self.chapter(chapter))

        weights, pass_threshold = self.weights(grading, modules)
        draft = PackDraft(manifest={})
        tables = {item["file"]: self.quiz_table(module.quizzes[item["id"]]) for module in modules
                  for item in module.items if item["id"] in module.quizzes and module.quizzes[item["id"]].questions}
        wheres = {item["file"]: module.quizzes[item["id"]].where for module in modules for item in module.items
                  if item["id"] in module.quizzes}
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
            module.items.append({"id": graded_id, "kind": "quiz", "file": f"quizzes/{graded_id}.toml",
                                 "title": seq_title})
            module.quizzes[graded_id] = graded_quiz
            if not graded_quiz.questions:
                self.report.changed("sequential", where_seq, "graded subsection without any importable problem; "
                                    "no quiz made for it", seq.get("url_name", ""))

    def vertical(self, vertical: Element, module: _Module, where_seq: str, seq_title: str,
                 graded_quiz: _Quiz | None, depth: int) -> None:
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
                self.report.missing("vertical", where, f"units nested more than {MAX_UNIT_NESTING} deep (a unit "
                                    "that contains itself?)", comp_ptr.get("url_name", ""))
            elif tag == "vertical":  # nested unit (rare): flatten in place
                self.vertical(self.load("vertical", comp_ptr), module, where_seq, seq_title, graded_quiz, depth + 1)
            else:
                parts.append(self.unsupported(self.load(tag, comp_ptr) if _safe_tag(tag) else comp_ptr, module,
                                              where, title, add_item=False))
        if parts:
            lesson_id = self.ids.new(title, "lesson")
            path = f"lessons/{lesson_id}.md"
            self.lessons[path] = f"# {_heading(title)}\n\n" + "\n\n".join(p.strip() for p in parts if p.strip()) + "\n"
            module.items.append({"id": lesson_id, "kind": "lesson", "file": path, "title": title})
            self.report.produced["lessons"] += 1
        if graded_quiz is None and practice.questions:
            quiz_id = self.ids.new(f"{title} exercises", "quiz")
            module.items.append({"id": quiz_id, "kind": "quiz", "file": f"quizzes/{quiz_id}.toml",
                                 "title": practice.title})
            module.quizzes[quiz_id] = practice

    # -- components -------------------------------------------------------------------
    def html_component(self, comp: Element) -> str:
        filename = comp.get("filename")
        if filename and _safe_name(filename):
            path = self.root / "html" / f"{filename}.html"
            if not path.is_file() or path.is_symlink():
                self.report.changed("html", comp.get("display_name", ""), f"html/{filename}.html not found",
                                    comp.get("url_name", ""))
                return ""
            raw = self.read_text(path, errors="replace")
        else:
            from xml.etree.ElementTree import tostring

            raw = (comp.text or "") + "".join(tostring(c, encoding="unicode", method="html") for c in comp)
        return html_to_markdown(raw, self.resolve)

    def video(self, video: Element, where: str) -> str:
        self.report.found["video"] += 1
        title = " ".join((video.get("display_name") or "Video").split())
        lines = [f"## Video: {_heading(title)}", ""]
        links = []
        youtube = video.get("youtube_id_1_0") or _youtube_from(video.get("youtube") or "")
        if youtube:
            links.append(f"- [Watch on YouTube](https://www.youtube.com/watch?v={urllib.parse.quote(youtube)})")
        for src in _json_list(video.get("html5_sources")) + [s.get("src", "") for s in video.findall("source")]:
            if src.startswith(("http://", "https://")):
                links.append(f"- [Download the video]({src.replace(' ', '%20')})")
        for attr, label in (("handout", "Handout"), ("track", "Downloadable transcript")):
            target = self.resolve(video.get(attr) or "", "link") if video.get(attr) else None
            if target:
                links.append(f"- [{label}]({target})")
        lines.extend(dict.fromkeys(links))
        transcript = self.transcript(video)
        if transcript:
            lines += ["", "### Transcript", "", transcript]
            self.report.produced["video transcripts"] += 1
        else:
            lines += ["", "*No transcript in the export.*"]
            self.report.changed("video", where, "no transcript file in the export", video.get("url_name", ""))
        self.report.produced["videos (as links + transcript)"] += 1
        return "\n".join(lines)

    def transcript(self, video: Element) -> str:
        names: dict[str, str] = {}
        raw = video.get("transcripts")
        if raw:
            try:
                data = json.loads(raw)
                if isinstance(data, dict):
                    names.update({str(k): str(v) for k, v in data.items()})
            except (json.JSONDecodeError, RecursionError):
                pass
        for tr in video.findall("transcript"):
            if tr.get("language") and tr.get("src"):
                names.setdefault(tr.get("language", ""), tr.get("src", ""))
        language = "en"
        order = [language] + [k for k in names if k != language]
        for lang in order:
            name = names.get(lang)
            if name and _safe_name(name):
                path = self.static / name
                if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_SRT_BYTES:
                    return srt_to_paragraphs(self.read_text(path, encoding="utf-8-sig", errors="replace"))
        sub = video.get("sub")
        if sub and _safe_name(sub):
            path = self.static / f"subs_{sub}.srt.sjson"
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_SRT_BYTES:
                try:
                    data = json.loads(self.read_text(path))
                    return _paragraphs([(float(s) / 1000, str(t)) for s, t in zip(data["start"], data["text"])])
                except (ValueError, KeyError, TypeError, RecursionError):
                    return ""
        return ""

    def problem(self, problem: Element, where: str) -> ProblemResult:
        title = " ".join((problem.get("display_name") or "").split())
        ctx = ProblemContext(url_name=problem.get("url_name", "problem"), where=where, title=title,
                             resolve=self.resolve, report=self.report,
                             default_showanswer=self.default_showanswer,
                             default_max_attempts=self.default_max_attempts)
        return convert_problem(problem, ctx)

    def library_content(self, block: Element, where: str, quiz: _Quiz) -> list[str]:
        """Problems of a randomised library block: its exported children, else the library next to the course."""
        self.report.found["library_content"] += 1
        url_name = block.get("url_name", "")
        max_count = block.get("max_count", "1")
        problems: list[Element] = []
        children = [c for c in block if c.tag == "problem"]
        found_children = [self.load("problem", c) for c in children]
        found_children = [p for p in found_children if len(p) > 0]
        source = "the course export"
        if found_children:
            problems = found_children
        else:
            library = self.find_library(block.get("source_library_id", ""))
            if library is not None:
                lib_root = library.parent
                source = f"the library folder {library.parent.name}"
                for ptr in self.parse_file(library, f"{lib_root.name}/library.xml"):
                    if ptr.tag == "problem":
                        problems.append(self.load("problem", ptr, base=lib_root))
        if not problems:
            reason = (f"randomised problems from library {block.get('source_library_id', '?')} — neither exported "
                      "with the course nor found next to it (put the library export folder beside the course "
                      "or pass --library DIR)")
            self.report.missing("library_content", where, reason, url_name)
            return [notice_markdown("library_content", block.get("display_name", ""), url_name, where, reason)]
        self.report.changed("library_content", where, f"Open edX shows {max_count} random problem{'s' if max_count != 1 else ''} of "
                            f"{len(problems)}; mooc includes all {len(problems)} (from {source})", url_name)
        notices: list[str] = []
        for problem in problems:
            result = self.problem(problem, f"{where} › library block")
            quiz.add(result)
            notices.extend(result.notices)
        return notices

    def find_library(self, library_id: str) -> Path | None:
        """library-v1:ORG+CODE -> a folder holding library.xml with that org and library code (looked up once)."""
        if library_id not in self._libraries:
            self._libraries[library_id] = self._find_library(library_id)
        return self._libraries[library_id]

    def _find_library(self, library_id: str) -> Path | None:
        m = re.fullmatch(r"library-v1:([^+]+)\+(.+)", library_id.strip())
        if not m:
            return None
        org, code = m.groups()
        candidates = list(self.library_dirs)
        for base in (self.root.parent, self.source_parent):
            if base is not None and base.is_dir():
                candidates += sorted(p for p in base.iterdir() if p.is_dir())[:200]
        for folder in candidates:
            lib = folder / "library.xml"
            if not lib.is_file():
                nested = [p / "library.xml" for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
                lib = next((p for p in nested if p.is_file()), lib)
            if lib.is_file() and not lib.is_symlink():
                root = self.parse_file(lib, f"{folder.name}/library.xml")
                if root.get("org") == org and root.get("library") == code:
                    return lib
        return None

    def unsupported(self, comp: Element, module: _Module, where: str | None, title: str,
                    add_item: bool = True) -> str:
        tag = comp.tag
        url_name = comp.get("url_name", "")
        where = where or title
        reason = UNSUPPORTED_COMPONENTS.get(tag, "a component type mooc cannot show")
        self.report.missing(tag, where, reason, url_name)
        text = notice_markdown(tag, " ".join((comp.get("display_name") or "").split()), url_name, where, reason)
        if add_item:
            lesson_id = self.ids.new(f"missing {tag}", "missing")
            path = f"lessons/{lesson_id}.md"
            self.lessons[path] = f"# Not available: {tag}\n\n{text}\n"
            module.items.append({"id": lesson_id, "kind": "lesson", "file": path, "title": f"Not available: {tag}"})
        return text

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
                    self.report.changed("sequential", quiz.where, f"graded as {quiz.graded_type!r}, which the "
                                        "grading policy does not define; imported as a practice quiz")
                    continue
                by_type.setdefault(quiz.graded_type, []).append(item_id)
        for kind, ids in by_type.items():
            for item_id in ids:
                weights[item_id] = types[kind] / len(ids)
        missing_types = [t for t, w in types.items() if w > 0 and t not in by_type]
        for t in missing_types:
            self.report.changed("grading_policy", t, "assignment type has no imported graded subsection; "
                                "its weight is left out of the course score")
        return weights, pass_threshold

    def quiz_table(self, quiz: _Quiz) -> dict[str, Any]:
        table: dict[str, Any] = {"title": quiz.title}
        attempts = sorted(set(quiz.attempts))
        if attempts:
            table["max_attempts"] = attempts[0]
            if len(attempts) > 1:
                self.report.changed("problem", quiz.where, f"problems allow {attempts} attempts; the quiz allows "
                                    f"{attempts[0]}")
        if quiz.shuffle:
            table["shuffle_choices"] = True
        shows = sorted(set(quiz.show))
        table["show_solutions"] = strictest(quiz.show)
        if len(shows) > 1:
            self.report.changed("problem", quiz.where, f"problems show answers differently ({', '.join(shows)}); "
                                f"the quiz uses the strictest, {table['show_solutions']!r}")
        ids = IdAllocator()
        for q in quiz.questions:  # ids unique within the quiz (library copies may repeat url_names)
            q["id"] = ids.unique(q["id"])
        table["questions"] = quiz.questions
        return table

    # -- assets -------------------------------------------------------------------------
    def resolve(self, url: str, kind: str) -> str | None:
        """Course asset URLs -> files copied to media/; other LMS-internal links -> text only."""
        url = url.strip()
        low = url.lower()
        if low.startswith(("http://", "https://", "mailto:")):
            return url
        name = None
        if low.startswith(("/static/", "static/")):
            name = url.split("static/", 1)[1]
        elif "type@asset+block@" in url:
            name = url.split("type@asset+block@", 1)[1]
        elif low.startswith("/c4x/") and "/asset/" in url:
            name = url.split("/asset/", 1)[1]
        if name is None:
            return None  # /jump_to_id/..., /course/..., relative LMS pages: not in the pack
        name = urllib.parse.unquote(name.split("?", 1)[0].split("#", 1)[0])
        rel = PurePosixPath(name)
        if name.startswith("/") or any(p in ("..", "") for p in rel.parts) or "\\" in name or "\x00" in name:
            self.report.changed("asset", url, "unsafe asset path ignored")
            return None
        path = self.static / rel
        if not path.is_file():  # Studio serves "a b.png" as a_b.png: match names that way too
            path = self.static_index().get(rel.as_posix().replace(" ", "_"), path)
        if not path.is_file() or path.is_symlink():
            self.report.changed("asset", url, "asset not found in static/; link kept as text")
            return None
        known = self.media_by_source.get(path)
        if known is None:
            stem = media_name(rel.name)
            base, dot, ext = stem.rpartition(".")
            n = self._media_next.get(stem, 1)
            while True:
                candidate = f"media/{stem}" if n == 1 else (f"media/{base}-{n}.{ext}" if dot else f"media/{stem}-{n}")
                if candidate not in self.media:
                    break
                n += 1
            self._media_next[stem] = n
            self.media[candidate] = path
            self.media_by_source[path] = candidate
            known = candidate
        return f"../{known}"


    def static_index(self) -> dict[str, Path]:
        if self._static_index is None:
            self._static_index = {}
            if self.static.is_dir():
                for i, path in enumerate(sorted(self.static.rglob("*"))):
                    if i > 50_000:
                        break
                    if path.is_file() and not path.is_symlink():
                        key = path.relative_to(self.static).as_posix().replace(" ", "_")
                        self._static_index.setdefault(key, path)
        return self._static_index


def srt_to_paragraphs(text: str) -> str:
    """SRT subtitles -> plain paragraphs: timings and numbers gone, lines joined."""
    import html

    cues: list[tuple[float, str]] = []
    for block in re.split(r"\r?\n\s*\r?\n", text.replace("\r\n", "\n")):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        start = None
        body: list[str] = []
        for line in lines:
            m = re.match(r"(\d+):(\d+):(\d+)[,.](\d+)\s*-->", line)
            if m:
                h, mi, s, ms = (int(x) for x in m.groups())
                start = h * 3600 + mi * 60 + s + ms / 1000
            elif start is None and line.isdigit():
                continue
            elif start is not None:
                body.append(re.sub(r"<[^<>]+>", "", html.unescape(line)))  # [^<>]: no rescan per '<
        if start is not None and body:
            cues.append((start, " ".join(body)))
    return _paragraphs(cues)


def _paragraphs(cues: list[tuple[float, str]]) -> str:
    paragraphs: list[list[str]] = [[]]
    last = None
    words = 0
    for start, text in cues:
        text = " ".join(text.split())
        if not text:
            continue
        gap = (start - last) if last is not None else 0
        ends_sentence = bool(paragraphs[-1]) and paragraphs[-1][-1].endswith((".", "?", "!"))
        if paragraphs[-1] and (gap > 4 or (words > 80 and ends_sentence) or words > 200):
            paragraphs.append([])
            words = 0
        paragraphs[-1].append(text)
        words += len(text.split())
        last = start
    from packages.importers.html_markdown import escape

    return "\n\n".join(escape(" ".join(p)) for p in paragraphs if p)


def import_olx(source: Path, out: Path, *, force: bool = False,
               library_dirs: list[Path] | None = None) -> ImportReport:
    """Import an export (.tar.gz or folder) into the pack source folder `out`."""
    with Unpacked(source) as root:
        importer = OlxImporter(root, source.name, library_dirs)
        importer.source_parent = source.absolute().parent
        draft = importer.build()
        write_pack(draft, out, force=force)
    return importer.report


def _safe_name(name: str) -> bool:
    return (bool(name) and "/" not in name and "\\" not in name and ".." not in name and "\x00" not in name
            and len(name) < 256)


def _safe_tag(tag: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tag))


def _heading(text: str) -> str:
    from packages.importers.html_markdown import escape

    return escape(text)


def _youtube_from(value: str) -> str:
    for part in value.split(","):
        speed, _, vid = part.partition(":")
        if speed.strip() in ("1.0", "1.00", "1") and vid.strip():
            return vid.strip()
    return ""


def _json_list(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        data = json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        return []
    return [str(v) for v in data] if isinstance(data, list) else []


def _semver(value: Any) -> str:
    text = str(value or "").strip()
    if re.fullmatch(r"\d+\.\d+\.\d+", text):
        return text
    if re.fullmatch(r"\d+", text):
        return f"{text}.0.0"
    return "1.0.0"
