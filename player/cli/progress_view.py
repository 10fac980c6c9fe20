"""How `mooc progress` shows a learner's records to a person: plain lines for a pipe or a
screen reader, tables on a terminal (rich, imported only then). The records come from
player/progress_record.py; `--json` prints them as they are, untranslated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packages.i18n import _, ngettext, pgettext
from player.cli import common

if TYPE_CHECKING:
    from player.learner_identity import Learner


def _status(status: str) -> str:
    """A quiz's status (player/session.py STATUSES) as the reader says it."""
    words = {
        "new": pgettext("quiz status", "new"),
        "started": pgettext("quiz status", "started"),
        "done": pgettext("quiz status", "done"),
        "passed": pgettext("quiz status", "passed"),
        "failed": pgettext("quiz status", "failed"),
        "locked": pgettext("quiz status", "locked"),
    }
    return words.get(status, status)


def _certificate(record: dict[str, Any]) -> str:
    if record["certificate"]["eligible"]:
        return pgettext("certificate", "eligible")
    return pgettext("certificate", "not yet") if record["kind"] == "xmooc" else pgettext("certificate", "none")


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _not_started(learner: Learner) -> str:
    from packages.safe_text import one_line

    return _("{name} has not started a course yet: try `mooc play`.").format(name=one_line(learner.name))


def print_plain(learner: Learner, records: list[dict[str, Any]], *, detailed: bool) -> None:
    from packages.safe_text import one_line
    from player.wording import titled

    if not records:
        print(_not_started(learner))
        return
    print(_("Progress of {name}:").format(name=one_line(learner.name)))
    for r in records:
        print(
            ngettext(
                "{title} ({id}): {done} of {total} item done, score {score}, needed {needed}, passed: {passed}, "
                "certificate: {certificate}, last studied {last}.",
                "{title} ({id}): {done} of {total} items done, score {score}, needed {needed}, passed: {passed}, "
                "certificate: {certificate}, last studied {last}.",
                r["items_total"],
            ).format(
                title=one_line(r["title"]),
                id=r["id"],
                done=r["items_done"],
                total=r["items_total"],
                score=_pct(r["score"]),
                needed=_pct(r["threshold"]),
                passed=_yes_no(r["passed"]),
                certificate=_certificate(r),
                last=_local(r["last_studied"]),
            )
        )
        if not detailed:
            continue
        for q in r["quizzes"]:
            attempts = ngettext("{n} attempt", "{n} attempts", q["attempts"]).format(n=q["attempts"])
            if q["attempts_left"] is not None:
                attempts = _("{attempts}, {n} left").format(attempts=attempts, n=q["attempts_left"])
            best = (
                _("no score yet") if q["best_score"] is None else _("best {score}").format(score=_pct(q["best_score"]))
            )
            weight = _("practice") if not q["graded"] else _("weight {weight}").format(weight=f"{q['weight']:g}")
            print(
                "  "
                + _("{quiz}: {status}, {best}, needed {needed}, {attempts}, {weight}.").format(
                    quiz=titled(_("Quiz"), q["title"]),
                    status=_status(q["status"]),
                    best=best,
                    needed=_pct(q["threshold"]),
                    attempts=attempts,
                    weight=weight,
                )
            )
        for reason in r["certificate"]["reasons"]:
            print("  " + _("Certificate: {reason}").format(reason=one_line(reason)))


def print_tables(learner: Learner, records: list[dict[str, Any]], *, detailed: bool) -> None:
    from rich.table import Table

    from packages.safe_text import literal, one_line

    console = common.console()
    if not records:
        console.print(literal(_not_started(learner)))
        return
    table = Table(title=literal(_("Progress of {name}").format(name=one_line(learner.name))), title_justify="left")
    for name, justify in (
        (_("Course"), "left"),
        (_("Done"), "right"),
        (_("Score"), "right"),
        (_("Needed"), "right"),
        (_("Passed"), "left"),
        (_("Certificate"), "left"),
        (_("Last studied"), "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in records:
        table.add_row(
            literal(f"{one_line(r['title'])} ({r['id']})"),
            f"{r['items_done']}/{r['items_total']}",
            _pct(r["score"]),
            _pct(r["threshold"]),
            _yes_no(r["passed"]),
            _certificate(r),
            _local(r["last_studied"]),
        )
    console.print(table)
    if not detailed:
        return
    for r in records:
        quizzes = Table(title=literal(_("Quizzes of {title}").format(title=one_line(r["title"]))), title_justify="left")
        for name, justify in (
            (_("Quiz"), "left"),
            (_("Status"), "left"),
            (_("Best"), "right"),
            (_("Needed"), "right"),
            (_("Attempts"), "right"),
            (_("Weight"), "right"),
        ):
            quizzes.add_column(name, justify=justify)  # type: ignore[arg-type]
        for q in r["quizzes"]:
            attempts = str(q["attempts"])
            if q["attempts_left"] is not None:
                attempts = _("{attempts} ({n} left)").format(attempts=attempts, n=q["attempts_left"])
            quizzes.add_row(
                literal(one_line(q["title"])),
                _status(q["status"]),
                "-" if q["best_score"] is None else _pct(q["best_score"]),
                _pct(q["threshold"]),
                attempts,
                _("practice") if not q["graded"] else f"{q['weight']:g}",
            )
        console.print(quizzes)
        for reason in r["certificate"]["reasons"]:
            console.print(literal(_("Certificate: {reason}").format(reason=one_line(reason))))


def _pct(value: float) -> str:
    from player.plain_console import pct

    return pct(value)


def _local(iso: str | None) -> str:
    if not iso:
        return "-"
    from player.events import parse_time

    return parse_time(iso).astimezone().strftime("%Y-%m-%d %H:%M")
