"""What came across in an import: every piece of the source, checked against the pack and the report.

The source is read here on its own (stdlib ElementTree for OLX, a plain split for
GIFT: test data, not the importer's code), piece by piece: each component of each
unit (each answer field of a problem), the pages around the outline, each GIFT
question block. Each piece is then classified:

- exact: it is in the pack (the report's `placed` names the file, the file holds
  it: the question id, or the first words of the text) and no report entry names it;
- changed: it is in the pack and a `changed` entry names it;
- missing: a `missing` entry names it (content inside a container reported missing
  counts with the container; a description GIFT shows with the next question counts
  as changed);
- lost: none of these: silently lost. It must be 0.

Used by tests/test_import_fidelity.py and by tests/benchmarks/import_fidelity.py,
which prints the tables.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUTCOMES = ("exact", "changed", "missing", "lost")
RESTRICTING = ("visible_to_staff_only", "group_access")


@dataclass
class Fidelity:
    """Per kind of source piece: how many came across exactly, changed, missing, silently lost."""

    source: str
    table: dict[str, Counter[str]] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # what was silently lost, for the failure message

    def add(self, kind: str, outcome: str, what: str = "") -> None:
        self.table.setdefault(kind, Counter())[outcome] += 1
        if outcome == "lost":
            self.lost.append(f"{kind} {what}")

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.table.values())

    def markdown(self) -> str:
        lines = [f"| {self.source} | exact | changed, reported | missing, reported | silently lost |"]
        lines.append("|---|---|---|---|---|")
        for kind in sorted(self.table):
            lines.append(f"| {kind} | " + " | ".join(str(self.table[kind][o]) for o in OUTCOMES) + " |")
        lines.append("| **all** | " + " | ".join(f"**{self.total(o)}**" for o in OUTCOMES) + " |")
        return "\n".join(lines)


def entries_by_kind(report: Any) -> str:
    """The report's entries counted by severity and component, as a Markdown table."""
    counts = Counter((e.severity, e.component) for e in report.entries)
    lines = [f"| {report.source}: entry | count |", "|---|---|"]
    lines += [f"| {sev}: {comp} | {n} |" for (sev, comp), n in sorted(counts.items())]
    return "\n".join(lines)


# -- Open edX ------------------------------------------------------------------------------


class OlxFidelity:
    def __init__(self, source: Path, report: Any, pack: Path) -> None:
        self.root, self.report, self.pack = source, report, pack
        self.out = Fidelity(source.name)
        self.policy: dict[str, Any] = {}
        self.missing = {e.ident for e in report.entries if e.severity == "missing" and e.ident}
        self.changed = {e.ident for e in report.entries if e.severity == "changed" and e.ident}

    def run(self) -> Fidelity:
        pointer = ET.parse(self.root / "course.xml").getroot()
        run = pointer.get("url_name", "")
        policy_file = self.root / "policies" / run / "policy.json"
        if policy_file.is_file():
            self.policy = json.loads(policy_file.read_text())
        course = self.load("course", pointer)
        for child in course:
            if child.tag == "chapter":
                self.container(self.load("chapter", child))
            elif child.tag != "textbook":
                ident = child.get("url_name") or child.get("slug") or ""
                self.out.add(f"course: {child.tag}", self.outcome(ident, placed=False), ident)
        self.pages(self.policy.get(f"course/{run}", {}))
        return self.out

    def load(self, tag: str, elem: ET.Element) -> ET.Element:
        path = self.root / tag / f"{elem.get('url_name')}.xml"
        if elem.get("url_name") and len(elem) == 0 and path.is_file():
            loaded = ET.parse(path).getroot()
            loaded.attrib.setdefault("url_name", elem.get("url_name", ""))
        else:
            loaded = elem
        for key, value in (self.policy.get(f"{tag}/{loaded.get('url_name', '')}") or {}).items():
            if key in RESTRICTING:
                loaded.attrib.setdefault(key, json.dumps(value) if not isinstance(value, str) else value)
        return loaded

    def restricted(self, elem: ET.Element) -> bool:
        if (elem.get("visible_to_staff_only") or "").lower() == "true":
            return True
        access = json.loads(elem.get("group_access") or "{}")
        return any(groups for groups in access.values())

    def container(self, elem: ET.Element) -> None:
        """A chapter, sequential or unit: left out whole (reported), or each child in turn."""
        ident = elem.get("url_name", "")
        if self.restricted(elem):
            self.out.add(f"{elem.tag} (left out whole)", "missing" if ident in self.missing else "lost", ident)
            return
        for child in elem:
            if child.tag in ("sequential", "vertical"):
                self.container(self.load(child.tag, child))
            else:
                self.component(child)

    def component(self, ptr: ET.Element) -> None:
        tag = ptr.tag
        comp = self.load(tag, ptr)
        ident = comp.get("url_name", "")
        if self.restricted(comp):
            self.out.add(f"{tag} (left out)", "missing" if ident in self.missing else "lost", ident)
        elif tag == "problem":
            self.problem(comp)
        elif tag == "library_content":
            self.out.add("library_content block", self.outcome(ident, placed=True), ident)
            for child in comp.findall("problem"):
                self.problem(self.load("problem", child))
        elif tag == "split_test":
            self.out.add("split_test", self.outcome(ident, placed=True), ident)
            for group in comp:
                unit = self.load(group.tag, group)
                if unit.get("url_name") in self.missing:
                    self.out.add("split_test group (left out)", "missing")
                else:
                    self.container(unit)
        elif tag == "html" and not self.html_text(comp) and ident not in self.missing | self.changed:
            self.out.add("html (empty)", "exact", ident)  # nothing to carry
        elif tag in ("html", "video"):
            self.out.add(tag, self.outcome(ident, placed=self.in_lesson(comp)), ident)
        else:
            self.out.add("other component", self.outcome(ident, placed=False), ident)

    def problem(self, problem: ET.Element) -> None:
        ident = problem.get("url_name", "")
        fields = [el for el in problem.iter() if el.tag.endswith("response")]
        if not fields:
            self.out.add("problem without answer field", self.outcome(ident, placed=False), ident)
        for n, response in enumerate(fields, start=1):
            qid = ident if len(fields) == 1 else f"{ident}-{n}"
            placed = self.report.placed.get(qid, "")
            path, _, question = placed.partition("#")
            there = bool(path) and f'id = "{question}"' in (self.pack / path).read_text()
            self.out.add(f"problem field: {response.tag}", self.outcome(ident, placed=there), qid)

    def in_lesson(self, comp: ET.Element) -> bool:
        """Placed in a lesson that holds its first words (a video: its heading)."""
        lesson = self.report.placed.get(comp.get("url_name", ""))
        if not lesson:
            return False
        text = _words((self.pack / lesson).read_text())
        if comp.tag == "video":
            return "video" in text
        return _appears(_words(" ".join(self.html_text(comp).split()[:8])), text)

    def html_text(self, comp: ET.Element) -> str:
        filename = comp.get("filename")
        path = self.root / "html" / f"{filename}.html"
        raw = path.read_text() if filename and path.is_file() else ET.tostring(comp, "unicode")
        return " ".join(_html_text(raw).split())

    def outcome(self, ident: str, placed: bool) -> str:
        if ident in self.missing and not placed:
            return "missing"
        if placed:
            return "changed" if ident in self.changed else "exact"
        return "lost"

    def pages(self, course_policy: dict[str, Any]) -> None:
        """The course overview, updates, handouts, textbooks and custom pages."""
        info = self.root / "info"
        updates = info / "updates.items.json" if (info / "updates.items.json").is_file() else info / "updates.html"
        checks = [
            ("course overview", "about/overview.html", self.root / "about" / "overview.html"),
            ("course updates", "info/updates", updates),
            ("handouts", "info/handouts.html", info / "handouts.html"),
        ]
        for kind, key, path in checks:
            if not path.is_file():
                continue
            text = _page_text(path)
            if not text:
                self.out.add(kind, "exact")  # an empty page: nothing to carry
                continue
            lesson = self.report.placed.get(key)
            there = bool(lesson) and _appears(
                _words(" ".join(text.split()[:8])), _words((self.pack / lesson).read_text())
            )
            self.out.add(kind, "exact" if there else "lost", key)
        for book in course_policy.get("pdf_textbooks") or []:
            key = f"pdf_textbooks: {book.get('tab_title')}"
            whole = all(
                c.get("url", "").rsplit("/", 1)[-1] and (self.root / "static" / c["url"].rsplit("/", 1)[-1]).is_file()
                for c in book.get("chapters", [])
            )
            outcome = ("exact" if whole else "changed") if key in self.report.placed else "lost"
            self.out.add("pdf textbook", outcome, key)
        for tab in course_policy.get("tabs") or []:
            if tab.get("type") == "static_tab":
                key = f"tabs/{tab.get('url_slug')}.html"
                self.out.add(
                    "custom page",
                    "exact" if key in self.report.placed else self.outcome(tab.get("url_slug", ""), False),
                    key,
                )


# Elements whose inner text a reader does not read (code, a browser's fallback text, controls):
# the importer drops or replaces them and reports the component as changed.
_NOT_READ = "script|style|iframe|object|embed|video|audio|button|select|textarea|form|noscript|svg|canvas|template"


def _html_text(raw: str) -> str:
    return html.unescape(re.sub(rf"(?is)<({_NOT_READ})\b.*?</\1\s*>|<[^>]*>", " ", raw))


def _appears(needle: str, text: str, window: int = 40) -> bool:
    """The words of `needle` appear in `text` in order, each within `window` words of the one before
    (a link's address or an image's description may stand between them in Markdown)."""
    words, hay = needle.split(), text.split()
    if not words:
        return True
    for start in (i for i, w in enumerate(hay) if w == words[0]):
        pos, ok = start, True
        for word in words[1:]:
            nxt = next((j for j in range(pos + 1, min(pos + 1 + window, len(hay))) if hay[j] == word), None)
            if nxt is None:
                ok = False
                break
            pos = nxt
        if ok:
            return True
    return False


def _page_text(path: Path) -> str:
    raw = path.read_text()
    if path.suffix == ".json":
        raw = " ".join(str(u.get("content", "")) for u in json.loads(raw) if u.get("status") != "deleted")
    return " ".join(_html_text(raw).split())


def _words(text: str) -> str:
    """Lower-case words only: Markdown, escapes and punctuation gone, so text compares with its source."""
    return " ".join(re.findall(r"\w+", text.lower()))


def olx_fidelity(source: Path, report: Any, pack: Path) -> Fidelity:
    return OlxFidelity(source, report, pack).run()


# -- GIFT -----------------------------------------------------------------------------------


def gift_blocks(text: str) -> list[tuple[int, str]]:
    """(first line, kind) of each block: blocks split at blank lines, `//` lines and $CATEGORY dropped;
    the kind is "question", "essay" (an empty answer block) or "description" (no answer block)."""
    starts: list[list[Any]] = []
    current = None
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):  # comment lines neither start nor end a block
            continue
        if not stripped:
            current = None
            continue
        if stripped.upper().startswith("$CATEGORY:") and current is None:
            continue
        if current is None:
            current = number
            starts.append([number, ""])
        starts[-1][1] += line + "\n"
    return [(n, _gift_kind(block)) for n, block in starts]


def _gift_kind(block: str) -> str:
    text = re.sub(r"\\.", "", block)  # escaped characters are text
    m = re.search(r"\{(.*?)\}", text, re.S)
    if m is None:
        return "description"
    return "essay" if not m.group(1).split("####")[0].strip() else "question"


def gift_fidelity(gift: Path, report: Any, quiz_file: Path) -> Fidelity:
    out = Fidelity(gift.name)
    quiz = quiz_file.read_text()
    for line, kind in gift_blocks(gift.read_text(encoding="utf-8-sig")):
        where = re.compile(rf"^{re.escape(gift.name)}:{line}(?!\d)")
        entries = [e for e in report.entries if where.match(e.where)]
        placed = report.placed.get(f"{gift.name}:{line}", "")
        there = bool(placed) and f'id = "{placed.partition("#")[2]}"' in quiz
        if there:
            out.add(kind, "changed" if any(e.severity == "changed" for e in entries) else "exact", str(line))
        elif any(e.severity == "missing" for e in entries):
            out.add(kind, "missing", str(line))
        elif entries and kind == "description":  # shown with the next question: reported as changed
            out.add(kind, "changed", str(line))
        else:
            out.add(kind, "lost", f"{gift.name}:{line}")
    return out
