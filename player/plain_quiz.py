"""Plain mode's quizzes: questions asked line by line, the attempt submitted, the result said.

Every option is numbered from 1 and each answer is one line (a reflection's too, then
its model answer is shown and a self-rating asked); `?` shows a hint, `skip` leaves a
question unanswered, `leave` leaves the quiz without submitting (`LeaveQuiz`).
Before an incomplete or last attempt counts, the learner chooses: submit, answer a
question again, or leave. Then the score, each question's verdict and feedback
(player/feedback.py), and where to go next. `PlainQuiz` is a part of `PlainPlayer`
(player/plain.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from packages.i18n import N_, _, language, ngettext
from packages.model import Item
from packages.question_kinds.reflection import MAX_CHARS as REFLECTION_MAX_CHARS
from packages.question_kinds.reflection import RATINGS, Reflection
from packages.questions import Match, MultipleChoice, Numeric, Order, Question, SingleChoice, Text, TrueFalse
from packages.safe_text import one_line
from player.attempt_records import Attempt, AttemptResult
from player.feedback import NextStep, answer_text, locked_modules, next_step, review, solutions_note
from player.grading import match_options, parse_number
from player.markdown_text import inline_plain, markdown_lines
from player.plain_console import YES_NO_TRIES, EndOfInput, PlainConsole, fmt_points, pct
from player.wording import not_answered, sentence, titled

if TYPE_CHECKING:
    from player.session import CourseSession

TRUE_WORDS = {"true", "t", "yes", "y", "vrai", "v", "oui", "o"}  # English always; French too
FALSE_WORDS = {"false", "f", "no", "n", "faux", "non"}
# A question's verdict after an attempt (player/feedback.py `Verdict`), in words.
VERDICT_WORDS = {
    "right": N_("right"),
    "wrong": N_("wrong"),
    "unanswered": N_("not answered"),
    "noted": N_("written, not scored"),
}


class LeaveQuiz(Exception):
    """The learner chose to leave a quiz without submitting the attempt."""


class PlainQuiz(PlainConsole):
    """A quiz taken in plain lines, from its front page to the result."""

    session: CourseSession

    if TYPE_CHECKING:  # from the rest of PlainPlayer

        def certificate_note(self) -> None: ...

    def take_quiz(self, item: Item, *, confirm: bool = True) -> None:
        s = self.session
        quiz = item.quiz
        assert quiz is not None
        summary = s.quiz_summary(item.id)
        self.say(titled(_("Quiz"), item.title))
        n = len(quiz.questions)
        facts = [
            ngettext("{n} question", "{n} questions", n).format(n=n),
            _("pass mark {mark}").format(mark=pct(summary.threshold)),
        ]
        if summary.attempts_left is not None:
            facts.append(_("attempts left: {left} of {max}").format(left=summary.attempts_left, max=quiz.max_attempts))
        if not item.is_graded:
            facts.append(_("practice, not counted in your course score"))
        if summary.best_score is not None:
            facts.append(_("your best so far {score}").format(score=pct(summary.best_score)))
        self.say(", ".join(facts) + ".")
        if summary.attempts_left == 0:
            self.say(_("You have no attempts left on this quiz."))
            if summary.may_show_solution:
                self.show_solutions(item)
            return
        if summary.attempts_used and confirm:
            if not self.confirm(_("Start a new attempt?"), safe=False, safe_means=_("no new attempt was started")):
                self.say(_("No new attempt. Enter for the next item."))
                return
        last = summary.attempts_left == 1
        if last:
            self.say(_("This is your last attempt."))
        attempt = s.start_attempt(item.id)
        locked_before = locked_modules(s)
        try:
            for number, question in enumerate(quiz.questions, start=1):
                self.ask_question(attempt, question, number, n)
            while not self.ready_to_submit(attempt, last=last):
                pass
        except EndOfInput:
            self.say(_("The unfinished attempt was not submitted, so it does not count."))
            raise
        except LeaveQuiz:
            self.say(
                _(
                    "You left the quiz. The attempt was not submitted, so it does not count. "
                    "Type r to take it again, Enter for the next item."
                )
            )
            return
        result = s.submit(attempt)
        self.report(result, attempt)
        self.what_next(next_step(s, result, locked_before))

    def ready_to_submit(self, attempt: Attempt, *, last: bool) -> bool:
        """Before an incomplete or last attempt counts, ask: submit, answer a question
        again (True when it may be submitted now), or leave (LeaveQuiz)."""
        questions = attempt.quiz.questions
        missing = [n for n, q in enumerate(questions, start=1) if attempt.responses.get(q.id) is None]
        if not missing and not last:
            return True
        if missing and len(missing) == len(questions):
            self.say(_("You answered no question: submitted now, this attempt would score 0."))
        elif missing:
            self.say(
                ngettext(
                    "{missing}; it would earn no points.", "{missing}; they would earn no points.", len(missing)
                ).format(missing=not_answered(missing))
            )
        if last:
            self.say(_("This is your last attempt: once submitted, the quiz is closed."))
        for _try in range(YES_NO_TRIES):
            line = self.ask(_("Type submit, a question number to answer it again, or leave: ")).casefold()
            if line in ("submit", "s"):
                return True
            if line in ("leave", "l"):
                raise LeaveQuiz
            if line.isdigit() and 1 <= int(line) <= len(questions):
                number = int(line)
                self.ask_question(attempt, questions[number - 1], number, len(questions))
                return False
            self.say(_("Type submit, a number from 1 to {n}, or leave.").format(n=len(questions)))
        self.say(_("No choice after {n} tries: the attempt was not submitted.").format(n=YES_NO_TRIES))
        raise LeaveQuiz

    def what_next(self, step: NextStep) -> None:
        """After a quiz: what it opened, and one line on where to go from here."""
        for title in step.unlocked:
            self.say(sentence(_("Unlocked: {title}").format(title=title)))
        if step.retry:
            self.say(_("Next: type r to try again, or press Enter for the next item."))
        elif step.next_title is not None:
            self.say(_("{next} Press Enter.").format(next=sentence(_("Next: {title}").format(title=step.next_title))))
        else:
            self.say(_("That was the last item of the course: type progress to see where you stand."))

    def ask_question(self, attempt: Attempt, q: Question, number: int, total: int) -> None:
        worth = _points(q.points) if q.SCORED else _("not scored")
        self.say(_("Question {n} of {total} ({worth}):").format(n=number, total=total, worth=worth))
        from player.placeholders import shown_markdown

        for line in markdown_lines(shown_markdown(self.session, attempt.item.file, q.prompt)):
            self.say(line)
        if isinstance(q, Match):
            self.ask_match(attempt, q)
            return
        if isinstance(q, Reflection):
            self.ask_reflection(attempt, q)
            return
        shown = attempt.presented(q.id)
        instruction = self.show_options(q, shown)
        while True:
            line = self.ask(_("{instruction}: ").format(instruction=instruction))
            low = line.casefold()
            if low in ("?", "hint") and q.hints:  # without hints, "?" may be the answer itself
                self.hint(attempt, q)
                continue
            if low == "skip":
                attempt.responses.pop(q.id, None)  # skipped on a second look: no longer answered
                self.say(_("Skipped."))
                return
            if low == "leave":
                self.leave_quiz()
                continue
            try:
                response = self.parse(q, line, shown)
            except ValueError as err:
                self.say(_("{error}.").format(error=err))
                continue
            attempt.answer(q.id, response)
            return

    def show_options(self, q: Question, shown: list[int]) -> str:
        if isinstance(q, (SingleChoice, MultipleChoice)):
            for n, index in enumerate(shown, start=1):
                self.say(f"  {n}. {inline_plain(one_line(q.choices[index].text))}")
            if isinstance(q, SingleChoice):
                return _("Your answer, a number from 1 to {n}").format(n=len(shown))
            return _("Your answers, numbers separated by spaces")
        if isinstance(q, TrueFalse):
            return _("True or false")
        if isinstance(q, Numeric):
            return _("Your answer, a number")
        if isinstance(q, Order):
            for n, index in enumerate(shown, start=1):
                self.say(f"  {n}. {inline_plain(one_line(q.items[index]))}")
            return _("The item numbers in the right order, separated by spaces")
        return _("Your answer")

    def parse(self, q: Question, line: str, shown: list[int]) -> Any:
        """The response in the event's JSON shape, or ValueError saying what is wrong."""
        if isinstance(q, SingleChoice):
            return shown[_one_number(line, len(shown)) - 1]
        if isinstance(q, MultipleChoice):
            picks = _numbers(line, len(shown))
            if not picks:
                raise ValueError(_("choose at least one number, or type skip"))
            return sorted(shown[p - 1] for p in picks)
        if isinstance(q, TrueFalse):
            low = line.casefold()
            if low in TRUE_WORDS:
                return True
            if low in FALSE_WORDS:
                return False
            raise ValueError(_("type true or false (or t, f, yes, no)"))
        if isinstance(q, Numeric):
            return parse_number(line, language())  # grouped digits the way the learner's language writes them
        if isinstance(q, Text):
            if not line:
                raise ValueError(_("type your answer, or skip"))
            return line
        if isinstance(q, Order):
            picks = _numbers(line, len(shown))
            if sorted(picks) != list(range(1, len(shown) + 1)):
                raise ValueError(_("give each number from 1 to {n} once, in the right order").format(n=len(shown)))
            return [shown[p - 1] for p in picks]
        raise ValueError(_("this question type cannot be answered here"))

    def ask_match(self, attempt: Attempt, q: Match) -> None:
        shown = attempt.presented(q.id)
        options = match_options(q)
        self.say(_("Options:"))
        for n, index in enumerate(shown, start=1):
            self.say(f"  {n}. {inline_plain(one_line(options[index]))}")
        response: list[int | None] = []
        for left, _right in q.pairs:
            while True:
                line = self.ask(_("{left}: option number: ").format(left=inline_plain(one_line(left))))
                low = line.casefold()
                if low in ("?", "hint") and q.hints:
                    self.hint(attempt, q)
                    continue
                if low == "skip":
                    response.append(None)
                    break
                if low == "leave":
                    self.leave_quiz()
                    continue
                try:
                    response.append(shown[_one_number(line, len(shown)) - 1])
                    break
                except ValueError as err:
                    self.say(_("{error}.").format(error=err))
        if all(r is None for r in response):
            attempt.responses.pop(q.id, None)  # every pair skipped: not answered
        else:
            attempt.answer(q.id, response)

    def ask_reflection(self, attempt: Attempt, q: Reflection) -> None:
        """Write (one line), then read the model answer and the feedback, then rate it 1-5 (Enter: no rating)."""
        while True:
            text = self.ask(_("Your answer, in your own words: "))
            low = text.casefold()
            if low in ("?", "hint") and q.hints:
                self.hint(attempt, q)
            elif low == "skip":
                attempt.responses.pop(q.id, None)
                self.say(_("Skipped."))
                return
            elif low == "leave":
                self.leave_quiz()
            elif not text.strip():
                self.say(_("Type your answer, or skip."))
            elif len(text) > REFLECTION_MAX_CHARS:
                self.say(
                    _("Your answer has {n} characters; {max} at most.").format(n=len(text), max=REFLECTION_MAX_CHARS)
                )
            else:
                break
        shown = [
            (label, body) for label, body in ((_("Model answer:"), q.answer), (_("Feedback:"), q.feedback)) if body
        ]
        for label, body in shown:
            self.say(label)
            self.say_indented(body)
        if not shown:
            self.say(_("This question has no model answer: rate your answer as you see it."))
        rating: int | None = None
        while True:
            line = self.ask(
                _("How close is your answer? 1 (missed it) to 5 (got it all), Enter for no rating: ")
            ).strip()
            if not line or (line.isdigit() and int(line) in RATINGS):
                rating = int(line) if line else None
                break
            self.say(_("Type a number from 1 to 5, or press Enter."))
        attempt.answer(q.id, [text, rating])

    def leave_quiz(self) -> None:
        """`leave` while answering: after a yes, LeaveQuiz; after a no, the question again."""
        if self.confirm(
            _("Leave this quiz? Your answers so far are not counted."), safe=False, safe_means=_("you stay in the quiz")
        ):
            raise LeaveQuiz

    def hint(self, attempt: Attempt, q: Question) -> None:
        hint = attempt.show_hint(q.id)
        if hint is None:
            self.say(_("No more hints."))
        else:
            for line in markdown_lines(_("Hint: {hint}").format(hint=hint)):
                self.say(line)

    # ------------------------------------------------------------------ results

    def report(self, result: AttemptResult, attempt: Attempt) -> None:
        if result.grade.scored:
            self.say(
                _("Score: {earned}/{total}").format(earned=fmt_points(result.earned), total=fmt_points(result.total))
            )
            said = (
                _("Passed: {score}, pass mark {mark}. Best so far {best}.")
                if result.passed
                else _("Not passed: {score}, pass mark {mark}. Best so far {best}.")
            )
            self.say(said.format(score=pct(result.score), mark=pct(result.threshold), best=pct(result.best_score)))
        else:  # reflections only: done once submitted
            self.say(_("Done: this quiz is not scored; your answers are kept."))
        for r in review(result):
            if r.verdict == "partly":
                state = _("partly right, {earned} of {points}").format(
                    earned=fmt_points(r.earned), points=_points(r.question.points)
                )
            else:
                state = _(VERDICT_WORDS[r.verdict])
            self.say(_("Question {n}: {state}.").format(n=r.number, state=state))
            for fb in r.feedback:
                self.say_indented(fb)
            for hint in r.hints:
                self.say_indented(_("Hint: {hint}").format(hint=hint))
            if r.answer:
                self.say(_("  Answer: {answer}").format(answer=inline_plain(r.answer)))
            if r.explanation:
                self.say_indented(r.explanation)
        note = solutions_note(result.item.quiz.show_solutions, result.show_solutions)  # type: ignore[union-attr]
        if note:
            self.say(note)
        if result.attempts_left is not None:
            self.say(_("Attempts left: {n}.").format(n=result.attempts_left))
        if result.course_passed_now:
            self.say(
                _("Congratulations: you passed the course with {score}.").format(score=pct(self.session.course_score()))
            )
            self.certificate_note()
        elif result.course_completed_now:
            self.say(_("You have completed the course."))

    def say_indented(self, markdown: str) -> None:
        for line in markdown_lines(markdown):
            self.say(f"  {line}")

    def show_solutions(self, item: Item) -> None:
        assert item.quiz is not None
        for number, q in enumerate(item.quiz.questions, start=1):
            self.say(_("Question {n}:").format(n=number))
            self.say_indented(q.prompt)
            answer = answer_text(q)
            if answer:
                self.say(_("  Answer: {answer}").format(answer=inline_plain(answer)))
            if q.explanation:
                self.say_indented(q.explanation)


def _points(points: float) -> str:
    """ "1 point", "2.5 points"."""
    shown = fmt_points(points)
    n = int(shown) if shown.isdigit() else 2  # 2.5: plural
    return ngettext("{points} point", "{points} points", n).format(points=shown)


def _numbers(line: str, size: int) -> list[int]:
    parts = [p for p in re.split(r"[\s,;]+", line.strip()) if p]
    numbers: list[int] = []
    for part in parts:
        if not part.isdigit():
            raise ValueError(_("{part} is not a number from 1 to {size}").format(part=repr(one_line(part)), size=size))
        n = int(part)
        if not 1 <= n <= size:
            raise ValueError(_("{n} is not a number from 1 to {size}").format(n=n, size=size))
        if n in numbers:
            raise ValueError(_("you gave {n} twice").format(n=n))
        numbers.append(n)
    return numbers


def _one_number(line: str, size: int) -> int:
    text = line.strip()
    if not text.isdigit() or not 1 <= int(text) <= size:
        raise ValueError(_("type one number from 1 to {size}").format(size=size))
    return int(text)
