"""Check imported quizzes with `mooc pack check`'s own code before anything is written.

An importer must never write a quiz its own `pack check` refuses (a GIFT number
like `1e400` became `inf`, which the loader rejects). So the quiz tables are put
in a small pack held in memory and validated by `packages.validation.validate`:
a question with an error is left out and reported (one line naming it); a slow
answer pattern is kept and reported as changed; any other error stops the import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.importers.report import ImportReport
from packages.source import PackSource

_QUESTION_KEY = re.compile(r"^questions\[(\d+)\](?:\.|$)")


class _MemorySource(PackSource):
    """A pack whose files are bytes in memory."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.origin = "import"
        self.manifest = None
        self.listing_problems = []
        self._files = files

    def files(self) -> list[str]:
        return sorted(self._files)

    def exists(self, rel: str) -> bool:
        return rel in self._files

    def size(self, rel: str) -> int:
        return len(self._files[rel])

    def read_bytes(self, rel: str) -> bytes:
        try:
            return self._files[rel]
        except KeyError:
            raise MoocError(_("{origin}: {rel}: no such file").format(origin=self.origin, rel=rel)) from None

    def iter_chunks(self, rel: str) -> Iterator[bytes]:
        yield self.read_bytes(rel)


Where = Callable[[str, dict[str, Any]], str]


def check_quizzes(
    quizzes: dict[str, dict[str, Any]], report: ImportReport, where: Where | None = None
) -> dict[str, dict[str, Any]]:
    """The quiz tables (pack path -> table) without the questions pack check would refuse.

    `where(path, question)` says where a question came from, for the report (default:
    the quiz path). A quiz left with no question is dropped from the result.
    """
    place: Where = where or (lambda path, question: path)
    from packages.importers.pack_writer import dumps_toml
    from packages.validation import validate

    names = {path: f"q{n}" for n, path in enumerate(sorted(quizzes))}
    files = {path: dumps_toml(table).encode("utf-8") for path, table in quizzes.items()}
    items = [{"id": names[path], "kind": "quiz", "file": path, "title": "Q"} for path in sorted(quizzes)]
    course = {
        "format": 1,
        "id": "import-check",
        "version": "1.0.0",
        "title": "Import check",
        "modules": [{"id": "m", "title": "M", "items": items}],
    }
    files["course.toml"] = dumps_toml(course).encode("utf-8")
    result = validate(_MemorySource(files))
    bad: dict[str, dict[int, str]] = {}
    for problem in result.sorted():
        if problem.file not in quizzes:
            if problem.severity == "error":
                raise MoocError(_("import: {problem} (an importer bug: please report it)").format(problem=problem))
            continue
        m = _QUESTION_KEY.match(problem.key_path)
        if problem.severity == "warning":
            if m and problem.key_path.endswith(".pattern"):
                q = quizzes[problem.file]["questions"][int(m.group(1))]
                report.changed("question", place(problem.file, q), problem.message, str(q.get("id", "")))
            continue
        if m is None:
            raise MoocError(
                _("import: {file}: {key_path}: {message}").format(
                    file=problem.file, key_path=problem.key_path, message=problem.message
                )
            )
        bad.setdefault(problem.file, {}).setdefault(int(m.group(1)), problem.message)
    out: dict[str, dict[str, Any]] = {}
    for path, table in quizzes.items():
        dropped = bad.get(path, {})
        questions = table.get("questions", [])
        for index, message in sorted(dropped.items()):
            question = questions[index]
            report.missing(
                "question",
                place(path, question),
                f"left out: pack check would refuse it ({message})",
                str(question.get("id", f"question {index + 1}")),
            )
            report.produced["questions"] -= 1
        kept = [q for i, q in enumerate(questions) if i not in dropped]
        if kept:
            out[path] = {**table, "questions": kept}
    return out
