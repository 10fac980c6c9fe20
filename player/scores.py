"""Scores and certificate eligibility: a quiz's best score and pass, the course score,
completion, and what a certificate still needs.

`Scores` is the part of `CourseSession` (player/session.py) that reads the folded
attempts (player/session_fold.py); the unlock rules and the quiz attempts build on it.
It records only the course milestones (`course_completed`, `course_passed`). Rules and
decisions are in docs/grading.md.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.i18n import N_, _
from packages.model import SCORE_EPSILON, Course, Item
from player.events import Event
from player.session_fold import CourseProgress

if TYPE_CHECKING:  # loaded where a status is asked for, not at the start of `mooc play`
    from player.certificate_status import CertificateStatus

_SCORE = itemgetter("score")  # of a folded attempt (player/session_fold.py)


class Scores:
    """Quiz and course scores, completion and certificate eligibility of one learner."""

    course: Course
    _p: CourseProgress

    if TYPE_CHECKING:  # from the rest of CourseSession

        def _known(self, item_id: str) -> str: ...

        def _record(self, type: str, item_id: str | None = None, **data: Any) -> Event: ...

    def _quiz_item(self, item_id: str) -> Item:
        item = self.course.item(self._known(item_id))
        if item.kind != "quiz" or item.quiz is None:
            raise MoocError(_("'{title}' is a lesson, not a quiz").format(title=item.title))
        return item

    def attempts(self, item_id: str) -> list[dict[str, Any]]:
        return list(self._p.attempts.get(item_id, []))

    def best_score(self, item_id: str) -> float | None:
        return max(map(_SCORE, self._p.attempts.get(item_id, ())), default=None)

    def threshold(self, item_id: str) -> float:
        return self.course.quiz_pass_threshold(self._quiz_item(item_id))

    def quiz_passed(self, item_id: str) -> bool:
        best = self.best_score(item_id)
        return best is not None and best >= self.threshold(item_id) - SCORE_EPSILON

    def attempts_left(self, item_id: str) -> int | None:
        quiz = self._quiz_item(item_id).quiz
        assert quiz is not None
        if quiz.max_attempts <= 0:
            return None
        return max(0, quiz.max_attempts - len(self._p.attempts.get(item_id, [])))

    def may_show_solution(self, item_id: str) -> bool:
        """Solutions and explanations per the quiz's show_solutions."""
        quiz = self._quiz_item(item_id).quiz
        assert quiz is not None
        used = len(self._p.attempts.get(item_id, []))
        if quiz.show_solutions == "always":
            return True
        if quiz.show_solutions == "attempted":
            return used > 0
        if quiz.show_solutions == "finished":
            return self.quiz_passed(item_id) or self.attempts_left(item_id) == 0
        return False

    # ------------------------------------------------------------------ the course

    def course_score(self) -> float:
        """Weighted average of BEST scores over graded quizzes; unattempted count 0."""
        graded = self.course.graded_quizzes()
        total_weight = sum(i.weight for i in graded)
        if total_weight <= 0:
            return 0.0
        return sum(i.weight * (self.best_score(i.id) or 0.0) for i in graded) / total_weight

    def unattempted(self) -> list[Item]:
        return [i for i in self.course.graded_quizzes() if not self._p.attempts.get(i.id)]

    def passed(self) -> bool:
        """Every graded quiz attempted and the course score reaches the threshold."""
        if not self._graded_all_attempted():
            return False
        return self.course_score() >= self.course.pass_threshold - SCORE_EPSILON

    def _graded_all_attempted(self) -> bool:
        """The course has graded quizzes and each has an attempt. Stops at the first one
        without: every lesson done asks this (`n` in the TUI waits for it)."""
        attempts = self._p.attempts
        found = False
        for module in self.course.modules:
            for item in module.items:
                if item.is_graded:
                    if not attempts.get(item.id):
                        return False
                    found = True
        return found

    def completed(self) -> bool:
        """Every lesson done and every graded quiz attempted."""
        done = self._p.completed
        for module in self.course.modules:
            for item in module.items:
                if item.kind == "lesson" and item.id not in done:
                    return False
        return not self.unattempted()

    def progress_counts(self) -> tuple[int, int]:
        """(items done, items total): lessons completed, quizzes passed."""
        items = self.course.items()
        return len(items) - len(self.items_not_done()), len(items)

    def items_not_done(self) -> list[Item]:
        """The items `progress_counts` does not count as done: lessons not completed,
        quizzes not passed (so "7/9 items" can say which two)."""
        return [
            item
            for item in self.course.items()
            if (item.id not in self._p.completed if item.kind == "lesson" else not self.quiz_passed(item.id))
        ]

    def certificate_status(self) -> CertificateStatus:
        from player.certificate_status import CertificateStatus

        reasons: list[tuple[str, dict[str, str], dict[str, str]]] = []  # (English template, fields, said fields)
        if self.course.kind != "xmooc":
            reasons.append((N_("this is a cMOOC course: it offers no certificate"), {}, {}))
        elif not self.course.certificate_available:
            reasons.append((N_("this course offers no certificate"), {}, {}))
        if not self.course.graded_quizzes():
            reasons.append((N_("this course has no graded quiz"), {}, {}))
        missing = [i.title for i in self.unattempted()]
        if missing:
            reasons.append(
                (
                    N_("not attempted yet: {quizzes}"),
                    {"quizzes": quoted_and_list(missing, said=False)},
                    {"quizzes": quoted_and_list(missing)},
                )
            )
        score, needed = self.course_score(), self.course.pass_threshold
        if score < needed - SCORE_EPSILON:
            numbers = {"score": _pct(score), "needed": _pct(needed)}
            said = {"score": _pct(score, said=True), "needed": _pct(needed, said=True)}
            reasons.append((N_("course score {score} is below the {needed} needed"), numbers, said))
        return CertificateStatus(
            not reasons,
            [template.format(**fields) for template, fields, _said in reasons],
            [_(template).format(**said) for template, _fields, said in reasons],
        )

    def evidence(self) -> dict[str, Any]:
        """Best score per graded quiz and the statement ids of graded attempts (certificate)."""
        statements: list[str] = []
        for item in self.course.graded_quizzes():
            for e in self._p.attempt_events.get(item.id, []):
                statements.extend(
                    str(q.get("statement_id")) for q in e.data.get("questions", []) if q.get("statement_id")
                )
        return {
            "quizzes": {i.id: self.best_score(i.id) or 0.0 for i in self.course.graded_quizzes()},
            "evidence": statements,
        }

    def _check_course_milestones(self) -> tuple[bool, bool]:
        completed_now = passed_now = False
        if not self._p.course_completed and self.completed():
            self._record("course_completed", score=round(self.course_score(), 6))
            completed_now = True
        if not self._p.course_passed and self.passed():
            self._record("course_passed", score=round(self.course_score(), 6))
            passed_now = True
        return completed_now, passed_now


def quoted_and_list(names: list[str], said: bool = True) -> str:
    """ "'a'", "'a' and 'b'", "'a', 'b' and 'c'" (course titles in the reasons); `said`:
    in the reader's language, else in English (for --json)."""
    quoted = [_("'{title}'").format(title=n) if said else f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    if not said:
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return _("{items} and {last}").format(items=", ".join(quoted[:-1]), last=quoted[-1])


def _pct(value: float, *, said: bool = False) -> str:
    """ "50%" (--json and the LRS keep this), or with `said` as the reader writes it ("50 %")."""
    number = f"{value * 100:.0f}" if abs(value * 100 - round(value * 100)) < 1e-6 else f"{value * 100:.1f}"
    if not said:
        return number + "%"
    from packages.local_numbers import percent_text

    return percent_text(number)
