"""The import report: what came across, what changed on the way, what could not.

Every component an importer cannot represent is an entry here (and a notice in
the pack), so an author knows exactly what to fix by hand. Written as JSON or
Markdown (`--report FILE`, by extension) and summarised on screen.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["missing", "changed"]


@dataclass(frozen=True, kw_only=True)
class ReportEntry:
    """One problem: `missing` = not imported (a notice stands in the lesson, unless the reason says
    otherwise: staff-only content has none); `changed` = imported with a loss."""

    severity: Severity
    component: str  # OLX element / response type, or GIFT construct ("essay", ...)
    where: str  # location: course path, or file:line
    reason: str
    ident: str = ""  # url_name, GIFT question name


@dataclass
class ImportReport:
    source: str
    kind: str  # "olx" | "gift"
    entries: list[ReportEntry] = field(default_factory=list)
    # counts of what was found in the source and what it became
    found: Counter[str] = field(default_factory=Counter)
    produced: Counter[str] = field(default_factory=Counter)
    # where each thing that came across went: source id (OLX url_name or page, GIFT file:line)
    # -> pack file (`quizzes/q.toml#question-id` for a question)
    placed: dict[str, str] = field(default_factory=dict)

    def missing(self, component: str, where: str, reason: str, ident: str = "") -> None:
        self.entries.append(
            ReportEntry(severity="missing", component=component, where=where, reason=reason, ident=ident)
        )

    def changed(self, component: str, where: str, reason: str, ident: str = "") -> None:
        self.entries.append(
            ReportEntry(severity="changed", component=component, where=where, reason=reason, ident=ident)
        )

    @property
    def missing_entries(self) -> list[ReportEntry]:
        return [e for e in self.entries if e.severity == "missing"]

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind,
            "found": dict(sorted(self.found.items())),
            "produced": dict(sorted(self.produced.items())),
            "placed": dict(self.placed),
            "missing": [asdict(e) for e in self.entries if e.severity == "missing"],
            "changed": [asdict(e) for e in self.entries if e.severity == "changed"],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        lines = [f"# Import report: {_md(self.source)}", ""]
        lines.append("| found in the source | count |")
        lines.append("|---|---|")
        lines += [f"| {_md(k)} | {v} |" for k, v in sorted(self.found.items())]
        lines += ["", "| produced | count |", "|---|---|"]
        lines += [f"| {_md(k)} | {v} |" for k, v in sorted(self.produced.items())]
        for severity, heading in (
            ("missing", "Not imported (a notice stands in the lesson, unless the reason says otherwise)"),
            ("changed", "Imported with changes"),
        ):
            entries = [e for e in self.entries if e.severity == severity]
            lines += ["", f"## {heading}: {len(entries)}", ""]
            if entries:
                lines += ["| component | id | where | why |", "|---|---|---|---|"]
                lines += [
                    f"| {_md(e.component)} | {_md(e.ident)} | {_md(e.where)} | {_md(e.reason)} |" for e in entries
                ]
        return "\n".join(lines) + "\n"

    def summary_lines(self) -> list[str]:
        """A few lines for the terminal (course text: the caller prints them literally)."""
        produced = ", ".join(f"{v} {_one(k) if v == 1 else k}" for k, v in sorted(self.produced.items()))
        lines = [f"imported {self.source}: {produced or 'nothing'}"]
        missing = self.missing_entries
        changed = [e for e in self.entries if e.severity == "changed"]
        if missing:
            by_kind = Counter(e.component for e in missing)
            kinds = ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items()))
            lines.append(f"not imported ({len(missing)}; see each reason): {kinds}")
            lines += [f"  - {e.component}{' ' + e.ident if e.ident else ''} at {e.where}: {e.reason}" for e in missing]
        if changed:
            lines.append(f"imported with changes: {len(changed)} (see the report for each)")
        return lines


def _one(kinds: str) -> str:
    """The singular of a produced kind ("quizzes" -> "quiz", "videos (as links...)" -> "video (...)")."""
    head, sep, tail = kinds.partition(" (")
    word = head.rsplit(" ", 1)
    last = word[-1]
    last = last[:-3] if last.endswith("zzes") else last[:-1] if last.endswith("s") else last
    return " ".join([*word[:-1], last]) + sep + tail


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
