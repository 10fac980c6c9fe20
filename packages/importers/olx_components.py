"""The components of an Open edX unit -> Markdown for its lesson, and quiz questions.

HTML comes across as Markdown; a video as its links and its transcript (SRT or
sjson, as paragraphs); problems, and the problems of a library block, as questions
of the unit's quiz; any other component as a notice, in place and in the report.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from packages.importers.html_markdown import html_to_markdown
from packages.importers.markdown_escape import escape, escape_line_starts
from packages.importers.olx_export import OlxExport, _safe_name
from packages.importers.olx_problem_text import ProblemContext
from packages.importers.olx_problems import (
    ProblemResult,
    convert_problem,
    notice_markdown,
)
from packages.importers.pack_writer import IdAllocator

UNSUPPORTED_COMPONENTS = {
    "discussion": "a discussion forum needs the Open edX server",
    "lti": "an external LTI tool",
    "lti_consumer": "an external LTI tool",
    "annotatable": "an annotation exercise",
    "drag-and-drop-v2": "a drag and drop exercise",
    "openassessment": "an open response (peer/staff graded) assessment",
    "poll": "a poll",
    "survey": "a survey",
    "word_cloud": "a word cloud",
    "edx_sga": "a staff-graded file upload",
    "staffgradedxblock": "a staff-graded assignment",
    "done": "a 'mark as done' button",
    "google-document": "an embedded Google document",
    "google-calendar": "an embedded Google calendar",
    "scorm": "a SCORM package",
    "conditional": "content shown on a condition",
    "split_test": "a content experiment (A/B test)",
    "randomize": "a randomised block",
    "recommender": "a recommender",
    "lti_advantage": "an external LTI tool",
    "problem-builder": "a problem builder block",
    "pdf": "an embedded PDF viewer",
    "oppia": "an Oppia exploration",
    "h5pxblock": "H5P content",
    "wiki": "the course wiki: its pages live on the Open edX server and are not in the export",
}
MAX_SRT_BYTES = 5 * 1024 * 1024
# HTML that does something in a browser: dropped (scripts, forms) or made a link (embedded pages).
_INTERACTIVE = re.compile(
    r"<(script|form|input|button|select|textarea|canvas|object|embed|iframe|video|audio)\b", re.IGNORECASE
)
MAX_SCAN = 20 * 1024 * 1024


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


class OlxComponents(OlxExport):
    """Turns one component at a time into Markdown or questions; `OlxImporter` walks the course."""

    def __init__(self, root: Path, shown: str, library_dirs: list[Path] | None = None) -> None:
        super().__init__(root, shown)
        self.library_dirs = library_dirs or []
        self.ids = IdAllocator()
        self.lessons: dict[str, str] = {}  # lesson path -> Markdown
        self.default_showanswer = "finished"
        self.default_max_attempts: int | None = None
        self.source_parent: Path | None = None
        self._libraries: dict[str, Path | None] = {}  # library id -> its library.xml (looked up once)

    def html_component(self, comp: Element, where: str) -> str:
        filename = comp.get("filename")
        url_name = comp.get("url_name", "")
        if filename and _safe_name(filename):
            path = self.root / "html" / f"{filename}.html"
            if not path.is_file() or path.is_symlink():
                self.report.missing("html", where, f"its text, html/{filename}.html, is not in the export", url_name)
                return ""
            raw = self.read_text(path, errors="replace")
        else:
            from xml.etree.ElementTree import tostring

            raw = (comp.text or "") + "".join(tostring(c, encoding="unicode", method="html") for c in comp)
        text = html_to_markdown(raw, self.resolve)
        dropped = sorted({m.group(1).lower() for m in _INTERACTIVE.finditer(raw[:MAX_SCAN])})
        if dropped:
            tags = ", ".join(f"<{t}>" for t in dropped)
            if text.strip():
                reason = f"its {tags} does not work offline (scripts and forms dropped, embedded pages become links); its text came across"
                self.report.changed("html", where, reason, url_name)
            else:
                reason = f"only {tags} that does not work offline, and no text: nothing of it to show (no notice)"
                self.report.missing("html", where, reason, url_name)
        return text

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
        ctx = ProblemContext(
            url_name=problem.get("url_name", "problem"),
            where=where,
            title=title,
            resolve=self.resolve,
            report=self.report,
            default_showanswer=self.default_showanswer,
            default_max_attempts=self.default_max_attempts,
        )
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
        capa_type = (block.get("capa_type") or "any").strip()
        outside = 0
        if problems and capa_type != "any":  # Open edX draws only from problems with a field of that type
            pool = [p for p in problems if any(el.tag == capa_type for el in p.iter())]
            outside, problems = len(problems) - len(pool), pool
        if not problems:
            reason = (
                f"randomised problems from library {block.get('source_library_id', '?')} — neither exported "
                "with the course nor found next to it (put the library export folder beside the course "
                "or pass --library DIR)"
                if not outside
                else f"no problem of the library has a {capa_type} field (the block's capa_type)"
            )
            self.report.missing("library_content", where, reason, url_name)
            return [notice_markdown("library_content", block.get("display_name", ""), url_name, where, reason)]
        of_type = f" with a {capa_type} field" if capa_type != "any" else ""
        skipped = (
            f"; {outside} problem{'s' if outside != 1 else ''} of other types {'are' if outside != 1 else 'is'} "
            "not in the pool, as in Open edX"
            if outside
            else ""
        )
        self.report.changed(
            "library_content",
            where,
            f"Open edX shows {max_count} random problem{'s' if max_count != '1' else ''} of the "
            f"{len(problems)}{of_type}; mooc includes all {len(problems)} (from {source}){skipped}",
            url_name,
        )
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

    def unsupported(self, comp: Element, module: _Module, where: str | None, title: str, add_item: bool = True) -> str:
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
    return "\n\n".join(escape_line_starts(escape(" ".join(p))) for p in paragraphs if p)


def _heading(text: str) -> str:
    return escape(text)


def _youtube_from(value: str) -> str:
    for part in value.split(","):
        speed, _colon, vid = part.partition(":")
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
