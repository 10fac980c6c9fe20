"""The problems found in one pack, each naming file, key path and line, and the report
that collects them all.

`Report` is what the loader (`packages.loading`), the whole-pack checks
(`packages.validation`) and the pattern checks (`packages.answer_pattern`) write to:
each records what it finds and none stops at the first problem; `raise_if_errors`
turns the errors into one MoocError for the callers that only want a valid pack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.safe_text import one_line

if TYPE_CHECKING:
    from packages.model import Course

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    file: str
    key_path: str
    message: str
    line: int | None = None
    column: int | None = None

    def location(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def __str__(self) -> str:
        problem = self.message
        if self.key_path:
            problem = _("{key_path}: {problem}").format(key_path=self.key_path, problem=problem)
        return one_line(_("{path}: {problem}").format(path=self.location(), problem=problem))

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.file,
            "key_path": self.key_path,
            "message": one_line(self.message),
            "line": self.line,
            "column": self.column,
        }


@dataclass
class Report:
    """Every problem found in one pack; `course` is the loaded model when there are no errors."""

    origin: str
    problems: list[Problem] = field(default_factory=list)
    course: Course | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(
        self,
        severity: Severity,
        file: str,
        key_path: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.problems.append(Problem(severity, file, key_path, message, line, column))

    def error(self, file: str, key_path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.add("error", file, key_path, message, line, column)

    def warning(
        self, file: str, key_path: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.add("warning", file, key_path, message, line, column)

    def sorted(self) -> list[Problem]:
        """Errors first, then warnings; each in file order."""

        def key(p: Problem) -> tuple[int, str, int, int]:
            return (0 if p.severity == "error" else 1, p.file, p.line or 0, p.column or 0)

        return sorted(self.problems, key=key)

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return _("{errors}, {warnings}").format(
            errors=ngettext("{n} error", "{n} errors", e).format(n=e),
            warnings=ngettext("{n} warning", "{n} warnings", w).format(n=w),
        )

    def raise_if_errors(self) -> None:
        errors = [p for p in self.sorted() if p.severity == "error"]
        if errors:
            first = "; ".join(str(p) for p in errors[:3])
            more = _(" (and {n} more; run `mooc pack check`)").format(n=len(errors) - 3) if len(errors) > 3 else ""
            raise MoocError(
                ngettext(
                    "{origin}: {n} error: {first}{more}", "{origin}: {n} errors: {first}{more}", len(errors)
                ).format(origin=self.origin, n=len(errors), first=first, more=more)
            )


def problem_line(problem: Problem) -> str:
    """One problem as `mooc pack check` prints it: "error: course.toml:3: id: ..."."""
    if problem.severity == "error":
        return _("error: {problem}").format(problem=problem)
    return _("warning: {problem}").format(problem=problem)


def course_line(course: Course) -> str:
    """What a checked pack holds: "mooc-demo 1.0.0 (2 modules, 9 items, 20 questions)"."""
    n_modules, n_items = len(course.modules), len(course.items())
    n_questions = sum(len(i.quiz.questions) for i in course.items() if i.quiz)
    return _("{id} {version} ({modules}, {items}, {questions})").format(
        id=one_line(course.id),
        version=one_line(course.version),
        modules=ngettext("{n} module", "{n} modules", n_modules).format(n=n_modules),
        items=ngettext("{n} item", "{n} items", n_items).format(n=n_items),
        questions=ngettext("{n} question", "{n} questions", n_questions).format(n=n_questions),
    )
