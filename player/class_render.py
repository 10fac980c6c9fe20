"""The class report as text (a terminal at 80 columns, a pipe, NO_COLOR) and as CSV.

Text is plain lines: no colour and no markup, so it reads the same in any terminal,
in a file and through a screen reader; bars are Unicode blocks whose LENGTH carries
the value. Every string from a learner, a file or a pack is cleaned
(packages/safe_text.py) before it is laid out, and widths are measured in terminal
cells, so a wide name never pushes a column out of line. The TUI's Class screen
shows these same lines (tui/screens/class_report.py).
"""

from __future__ import annotations

import io
from datetime import datetime

from packages.i18n import N_, _, ngettext
from packages.safe_text import one_line
from player.class_report import BANDS, ClassReport, CourseReport, LearnerRow, QuizStat

_EIGHTHS = " ▏▎▍▌▋▊▉"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


# Characters of the report's own lines that take one cell, as printable ASCII does
# (rich says the same: tests/test_class_report.py checks).
_ONE_CELL = str.maketrans("", "", "“”…" + _EIGHTHS[1:] + "█░─")


def _one_cell_each(text: str) -> bool:
    return text.isprintable() and (text.isascii() or text.translate(_ONE_CELL).isascii())


def cells(text: str) -> int:
    """Terminal cells `text` takes: one per character for printable ASCII and the
    report's own marks (most of a report: rich is not even imported for it), else as
    rich measures them."""
    if _one_cell_each(text):
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def fit(text: str, width: int) -> str:
    """`text` cut to `width` cells (with … when cut) and padded to exactly `width`."""
    if _one_cell_each(text):
        if len(text) <= width:
            return text.ljust(width)
        return text[: width - 1] + "…" if width > 0 else ""
    from rich.cells import set_cell_size

    if cells(text) > width:
        text = set_cell_size(text, max(0, width - 1)) + "…"
    return set_cell_size(text, width)


def right(text: str, width: int) -> str:
    return " " * max(0, width - cells(text)) + text


def bar(fraction: float, width: int, *, track: bool = False) -> str:
    """A horizontal bar of `width` cells filled to `fraction` (eighths of a cell)."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text + ("░" if track else " ") * (width - full - (part > 0))  # each block is one cell


def pct(value: float | None) -> str:
    from packages.local_numbers import percent_text

    return "-" if value is None else percent_text(f"{value * 100:.0f}")


def duration(seconds: float) -> str:
    if seconds < 60:
        return "-" if seconds <= 0 else "<1m"
    minutes = int(seconds // 60)
    return f"{minutes}m" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}"


def local_time(when: datetime | None) -> str:
    return "-" if when is None else when.astimezone().strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- text


def text_lines(report: ClassReport, width: int = 80) -> list[str]:
    """The whole report as lines of at most `width` cells (60 at least)."""
    width = max(60, width)
    out: list[str] = []
    if not report.courses:
        out.append(_("No course to report on: nobody has studied an installed course in these sources."))
    for course in report.courses:
        if out:
            out.append("")
        out += course_lines(course, width)
    n = len(report.data.problems)
    if n:
        out += [
            "",
            *_wrap(
                ngettext(
                    "{n} input was not counted in full: see the warnings (or `problems` in --json).",
                    "{n} inputs were not counted in full: see the warnings (or `problems` in --json).",
                    n,
                ).format(n=n),
                width,
            ),
        ]
    return out


def course_lines(c: CourseReport, width: int = 80) -> list[str]:
    course = c.course
    out = _wrap(f"{one_line(course.title)} ({course.id} {course.version})", width)
    out += _wrap(
        ngettext(
            "{n} learner, {started} started, {passed} passed; pass mark {mark}",
            "{n} learners, {started} started, {passed} passed; pass mark {mark}",
            len(c.rows),
        ).format(n=len(c.rows), started=c.started, passed=c.passed, mark=pct(course.pass_threshold)),
        width,
    )
    out.append("")
    out += learner_table(c, width)
    graded = [q for q in c.quizzes if q.item.is_graded]
    if graded and c.rows:
        out.append("")
        out += quiz_table(c, graded, width)
    for quiz in c.quizzes:
        out.append("")
        out += quiz_lines(quiz, width)
    return out


# Learner, then (width, heading, right-aligned): numbers right, words left.
_COLUMNS = (
    (7, N_("Lessons"), True),
    (5, N_("Score"), True),
    (6, N_("Passed"), False),
    (11, N_("Certificate"), False),
    (6, N_("Active"), True),
    (16, N_("Last active"), False),
)
# A learner's certificate in the report (player/class_report.py `Certificate`), in words.
_CERTIFICATE_WORDS = {
    "none": N_("none"),
    "not yet": N_("not yet"),
    "can request": N_("can request"),
    "requested": N_("requested"),
}


def _cell(text: str, width: int, align_right: bool) -> str:
    return right(text, width) if align_right else fit(text, width)


def learner_table(c: CourseReport, width: int) -> list[str]:
    name_w = max(14, width - sum(w + 1 for w, _title, _align in _COLUMNS) - 1)
    head = fit(_("Learner"), name_w) + "".join(" " + _cell(_(t), w, r) for w, t, r in _COLUMNS)
    out = [head.rstrip(), "─" * min(width, cells(head.rstrip()))]
    for r in c.rows:
        if r.started:
            certificate = _(_CERTIFICATE_WORDS[r.certificate]) if r.certificate in _CERTIFICATE_WORDS else r.certificate
            state = (pct(r.score), _("yes") if r.passed else _("no"), certificate)
        else:
            state = ("-", "-", _("not started"))
        values = (f"{r.lessons_done}/{r.lessons_total}", *state, duration(r.active_s), local_time(r.last_active))
        line = fit(one_line(r.person.name) or "?", name_w)
        line += "".join(" " + _cell(v, w, a) for (w, _, a), v in zip(_COLUMNS, values))
        out.append(line.rstrip())
        out.append(fit("  " + one_line(r.person.label()), width).rstrip())
    if not c.rows:
        out.append(_("(no learner)"))
    return out


def quiz_table(c: CourseReport, graded: list[QuizStat], width: int) -> list[str]:
    """Best score (attempts) of each graded quiz, as many quiz columns as fit."""
    cell_w, name_w = 9, 20
    per_block = max(1, (width - name_w) // (cell_w + 1))
    out = [_("Graded quizzes: best score (attempts)")]
    for q in graded:
        out += _wrap(f"  Q{q.number} = {one_line(q.item.title)} ({q.item.id})", width)
    index = {q.item.id: n for n, q in enumerate(graded)}
    for start in range(0, len(graded), per_block):
        block = graded[start : start + per_block]
        out.append("")
        head = fit(_("Learner"), name_w) + "".join(" " + right(f"Q{q.number}", cell_w) for q in block)
        out.append(head.rstrip())
        out.append("─" * min(width, cells(head.rstrip())))
        for r in c.rows:
            line = fit(one_line(r.person.name) or "?", name_w)
            for q in block:
                cell = _quiz_cell(r, index[q.item.id])
                line += " " + right(cell, cell_w)
            out.append(line.rstrip())
    return out


def _quiz_cell(row: LearnerRow, n: int) -> str:
    """Row quizzes and graded QuizStats are both the course's graded quizzes in order."""
    q = row.quizzes[n] if n < len(row.quizzes) else None
    return "-" if q is None or not q.attempts else f"{pct(q.best)} ({q.attempts})"


def quiz_lines(q: QuizStat, width: int) -> list[str]:
    kind = _("graded") if q.item.is_graded else _("practice")
    out = _wrap(
        _("Q{n} {title} ({id}, {kind}): {attempted} attempted, {passed} passed; pass mark {mark}").format(
            n=q.number,
            title=one_line(q.item.title),
            id=q.item.id,
            kind=kind,
            attempted=q.attempted,
            passed=q.passed,
            mark=pct(q.threshold),
        ),
        width,
    )
    if not q.attempted:
        return out
    most = max(q.bands) or 1
    bar_w = max(10, min(40, width - 24))
    out.append(_("  Best scores"))
    for label, count in zip(BANDS, q.bands):
        out.append(f"  {label:>8} {bar(count / most, bar_w)} {count}".rstrip())
    out.append(_("  Right at the first attempt, and the most common wrong answer"))
    prompt_w = width - 4 - 11 - 6
    for s in q.questions:
        share = s.share_right
        number = f"{s.number}."
        line = f"  {number:>3} {bar(share or 0.0, 10, track=True)} {right(pct(share), 4)}  " + fit(
            one_line(s.question.prompt), max(10, prompt_w - 3)
        )
        out.append(line.rstrip())
        wrong = s.most_wrong
        if wrong is not None:
            said = ngettext(
                "      wrong most often: “{answer}” (once)", "      wrong most often: “{answer}” ({n} times)", wrong[1]
            )
            out.append(fit(said.format(answer=wrong[0], n=wrong[1]), width).rstrip())
    return out


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, subsequent_indent="  ", break_long_words=True, break_on_hyphens=False) or [
        ""
    ]


# --------------------------------------------------------------------------- CSV


def safe_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: cleaned, one line, and never taken for a
    formula (a leading = + - @ gets a ' before it)."""
    if not isinstance(value, str):
        return value
    text = one_line(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_text(report: ClassReport) -> str:
    """One row per learner and course; graded quizzes as pairs of columns."""
    import csv

    quiz_ids: list[str] = []
    for c in report.courses:
        for q in c.quizzes:
            if q.item.is_graded and f"{c.course.id}/{q.item.id}" not in quiz_ids:
                quiz_ids.append(f"{c.course.id}/{q.item.id}")
    header = [
        "course",
        "course_title",
        "name",
        "email",
        "account_id",
        "started",
        "lessons_done",
        "lessons_total",
        "score_pct",
        "passed",
        "certificate",
        "active_minutes",
        "last_active",
    ]
    for qid in quiz_ids:
        header += [qid + " best_pct", qid + " attempts"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for c in report.courses:
        for r in c.rows:
            row: list[object] = [
                c.course.id,
                c.course.title,
                r.person.name,
                r.person.email or "",
                min(r.person.account_ids, default=""),
                "yes" if r.started else "no",
                r.lessons_done,
                r.lessons_total,
                round(r.score * 100, 1),
                "yes" if r.passed else "no",
                r.certificate,
                round(r.active_s / 60, 1),
                local_time(r.last_active) if r.last_active else "",
            ]
            cells_by_id = {f"{c.course.id}/{cell.item_id}": cell for cell in r.quizzes}
            for qid in quiz_ids:
                cell = cells_by_id.get(qid)
                row += (
                    ["", ""]
                    if cell is None
                    else ["" if cell.best is None else round(cell.best * 100, 1), cell.attempts]
                )
            writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()
