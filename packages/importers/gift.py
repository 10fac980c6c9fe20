"""Moodle GIFT question banks -> one mooc quiz (TOML).

Every GIFT construct the pack format can grade comes across: multiple choice
(with %weights, several right answers, multiple answers), true/false with both
feedbacks, short answer (with weights), numerical (tolerance, ranges, several
answers with partial credit), matching (with distractors), missing word, names,
[html]/[markdown]/[plain]/[moodle] text, per-answer and general feedback, every
escape. An essay becomes an ungraded `reflection` (its general feedback the
reflection's feedback); a description becomes text between questions.

Tolerant of real files (BOM, CRLF, tabs, unescaped ':' in text, text after the
answer block); a real syntax error is a MoocError naming the file and line.

This module reads the file and makes the checked quiz; the GIFT text is read by
`gift_parser` (with `gift_answers` and `gift_text`), and `--into` adds the quiz to a pack through `into_pack`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packages.errors import MoocError, UsageError
from packages.i18n import _
from packages.importers.gift_parser import GiftParser
from packages.importers.into_pack import add_to_pack
from packages.importers.pack_writer import dumps_toml, write_file
from packages.importers.report import ImportReport
from packages.safe_text import one_line

MAX_GIFT_BYTES = 20 * 1024 * 1024


def read_gift(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_GIFT_BYTES:
            raise MoocError(
                _("{path}: file too large for a question bank (limit {max_gift_bytes} bytes)").format(
                    path=path, max_gift_bytes=MAX_GIFT_BYTES
                )
            )
        data = path.read_bytes()
    except OSError as err:
        raise MoocError(_("{path}: cannot read ({strerror})").format(path=path, strerror=err.strerror)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise MoocError(
            _("{path}: line {line}: not UTF-8 text (save the file as UTF-8)").format(path=path, line=line)
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_gift(path: Path, title: str | None = None) -> tuple[dict[str, Any], ImportReport]:
    """The quiz table for a GIFT file, and the report of what did not come across."""
    from packages.importers.quiz_check import check_quizzes

    report = ImportReport(source=path.name, kind="gift")
    parser = GiftParser(read_gift(path), path.name, report)
    result = parser.parse()
    category_title = _category_title(result.categories[0]) if result.categories else ""
    quiz_title = title or category_title or path.name.split(".")[0].replace("_", " ").replace("-", " ").strip()
    quiz: dict[str, Any] = {"title": quiz_title or "Quiz", "questions": result.questions}
    if result.questions:  # never write what `mooc pack check` would refuse
        checked = check_quizzes(
            {"quizzes/quiz.toml": quiz}, report, lambda _path, q: parser.where.get(str(q.get("id")), path.name)
        )
        quiz = checked.get("quizzes/quiz.toml", {**quiz, "questions": []})
    if not quiz["questions"]:
        raise MoocError(_("{path}: nothing to import: {report}").format(path=path, report=_what_was_found(report)))
    if len(result.categories) > 1:
        shown = ", ".join(result.categories[:5]) + (
            f" and {len(result.categories) - 5} more" if len(result.categories) > 5 else ""
        )
        report.changed("$CATEGORY", path.name, f"categories {shown} merged into one quiz")
    report.produced["quizzes"] = 1
    report.placed = {parser.where[str(q["id"])]: f"#{q['id']}" for q in quiz["questions"]}
    return quiz, report


def _what_was_found(report: ImportReport) -> str:
    """For a file with no question to import: what it holds instead, in words."""
    left_out = sum(1 for e in report.missing_entries if e.component == "question")
    kinds = (
        (report.found["description"], "description", "descriptions"),
        (left_out, "question that cannot come across", "questions that cannot come across"),
    )
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in kinds if n]
    if not parts:
        return "no question in it (a GIFT question looks like: Question {=right ~wrong})"
    return f"found {', '.join(parts)}, and no question to import"


def _category_title(category: str) -> str:
    parts = [
        p for p in re.split(r"/", category) if p and p not in ("$course$", "$system$", "$module$", "$cat1$", "top")
    ]
    return parts[-1].strip() if parts else ""


def import_gift(
    path: Path,
    *,
    output: Path | None = None,
    into: Path | None = None,
    module: str | None = None,
    item_id: str | None = None,
    title: str | None = None,
    weight: float | None = None,
    force: bool = False,
) -> tuple[ImportReport, Path]:
    from packages.loading import ID_RE  # the pack format's one id grammar

    if item_id is not None and not ID_RE.fullmatch(item_id):
        raise UsageError(
            _(
                "--id {item_id!r}: not a valid item id (lowercase letters, digits, '.', '_', '-'; starts with a letter or digit; at most 64)"
            ).format(item_id=one_line(item_id))
        )
    quiz, report = parse_gift(path, title)
    text = dumps_toml(quiz).encode("utf-8")
    if output is not None:
        if output.exists() and not force:
            raise MoocError(_("{output}: already exists (use --force to overwrite it)").format(output=output))
        write_file(output, text)
        report.placed = {k: f"{output.name}{v}" for k, v in report.placed.items()}
        return report, output
    assert into is not None and module is not None
    written = add_to_pack(into, module, quiz, text, item_id, weight, force)
    report.placed = {k: f"quizzes/{written.name}{v}" for k, v in report.placed.items()}
    return report, written
