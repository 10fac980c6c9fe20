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

from packages.i18n import language
from packages.model import Item
from packages.question_kinds.reflection import MAX_CHARS as REFLECTION_MAX_CHARS
from packages.question_kinds.reflection import RATINGS, Reflection
from packages.questions import Match, MultipleChoice, Numeric, Order, Question, SingleChoice, Text, TrueFalse
from packages.safe_text import one_line
from player.attempts import Attempt, AttemptResult
from player.feedback import NextStep, answer_text, locked_modules, next_step, review, solutions_note
from player.grading import match_options, parse_number
from player.markdown_text import inline_plain, markdown_lines
from player.plain_console import YES_NO_TRIES, EndOfInput, PlainConsole, fmt_points, pct
from player.wording import not_answered, sentence, titled

if TYPE_CHECKING:
    from player.session import CourseSession

TRUE_WORDS = {"true", "t", "yes", "y"}
FALSE_WORDS = {"false", "f", "no", "n"}


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
        self.say(titled("Quiz", item.title))
        n = len(quiz.questions)
        facts = [f"{n} question{'s' if n != 1 else ''}", f"pass mark {pct(summary.threshold)}"]
        if summary.attempts_left is not None:
            facts.append(f"attempts left: {summary.attempts_left} of {quiz.max_attempts}")
        if not item.is_graded:
            facts.append("practice, not counted in your course score")
        if summary.best_score is not None:
            facts.append(f"your best so far {pct(summary.best_score)}")
        self.say(", ".join(facts) + ".")
        if summary.attempts_left == 0:
            self.say("You have no attempts left on this quiz.")
            if summary.may_show_solution:
                self.show_solutions(item)
            return
        if summary.attempts_used and confirm:
            if not self.confirm("Start a new attempt?", safe=False, safe_means="no new attempt was started"):
                self.say("No new attempt. Enter for the next item.")
                return
        last = summary.attempts_left == 1
        if last:
            self.say("This is your last attempt.")
        attempt = s.start_attempt(item.id)
        locked_before = locked_modules(s)
        try:
            for number, question in enumerate(quiz.questions, start=1):
                self.ask_question(attempt, question, number, n)
            while not self.ready_to_submit(attempt, last=last):
                pass
        except EndOfInput:
            self.say("The unfinished attempt was not submitted, so it does not count.")
            raise
        except LeaveQuiz:
            self.say(
                "You left the quiz. The attempt was not submitted, so it does not count. "
                "Type r to take it again, Enter for the next item."
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
            self.say("You answered no question: submitted now, this attempt would score 0.")
        elif missing:
            self.say(f"{not_answered(missing)}; {'they' if len(missing) > 1 else 'it'} would earn no points.")
        if last:
            self.say("This is your last attempt: once submitted, the quiz is closed.")
        for _ in range(YES_NO_TRIES):
            line = self.ask("Type submit, a question number to answer it again, or leave: ").casefold()
            if line in ("submit", "s"):
                return True
            if line in ("leave", "l"):
                raise LeaveQuiz
            if line.isdigit() and 1 <= int(line) <= len(questions):
                number = int(line)
                self.ask_question(attempt, questions[number - 1], number, len(questions))
                return False
            self.say(f"Type submit, a number from 1 to {len(questions)}, or leave.")
        self.say(f"No choice after {YES_NO_TRIES} tries: the attempt was not submitted.")
        raise LeaveQuiz

    def what_next(self, step: NextStep) -> None:
        """After a quiz: what it opened, and one line on where to go from here."""
        for title in step.unlocked:
            self.say(sentence(f"Unlocked: {title}"))
        if step.retry:
            self.say("Next: type r to try again, or press Enter for the next item.")
        elif step.next_title is not None:
            self.say(f"{sentence(f'Next: {step.next_title}')} Press Enter.")
        else:
            self.say("That was the last item of the course: type progress to see where you stand.")

    def ask_question(self, attempt: Attempt, q: Question, number: int, total: int) -> None:
        points = fmt_points(q.points)
        worth = f"{points} point{'s' if points != '1' else ''}" if q.SCORED else "not scored"
        self.say(f"Question {number} of {total} ({worth}):")
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
            line = self.ask(f"{instruction}: ")
            low = line.casefold()
            if low in ("?", "hint") and q.hints:  # without hints, "?" may be the answer itself
                self.hint(attempt, q)
                continue
            if low == "skip":
                attempt.responses.pop(q.id, None)  # skipped on a second look: no longer answered
                self.say("Skipped.")
                return
            if low == "leave":
                self.leave_quiz()
                continue
            try:
                response = self.parse(q, line, shown)
            except ValueError as err:
                self.say(f"{err}.")
                continue
            attempt.answer(q.id, response)
            return

    def show_options(self, q: Question, shown: list[int]) -> str:
        if isinstance(q, (SingleChoice, MultipleChoice)):
            for n, index in enumerate(shown, start=1):
                self.say(f"  {n}. {inline_plain(one_line(q.choices[index].text))}")
            if isinstance(q, SingleChoice):
                return f"Your answer, a number from 1 to {len(shown)}"
            return "Your answers, numbers separated by spaces"
        if isinstance(q, TrueFalse):
            return "True or false"
        if isinstance(q, Numeric):
            return "Your answer, a number"
        if isinstance(q, Order):
            for n, index in enumerate(shown, start=1):
                self.say(f"  {n}. {inline_plain(one_line(q.items[index]))}")
            return "The item numbers in the right order, separated by spaces"
        return "Your answer"

    def parse(self, q: Question, line: str, shown: list[int]) -> Any:
        """The response in the event's JSON shape, or ValueError saying what is wrong."""
        if isinstance(q, SingleChoice):
            return shown[_one_number(line, len(shown)) - 1]
        if isinstance(q, MultipleChoice):
            picks = _numbers(line, len(shown))
            if not picks:
                raise ValueError("choose at least one number, or type skip")
            return sorted(shown[p - 1] for p in picks)
        if isinstance(q, TrueFalse):
            low = line.casefold()
            if low in TRUE_WORDS:
                return True
            if low in FALSE_WORDS:
                return False
            raise ValueError("type true or false (or t, f, yes, no)")
        if isinstance(q, Numeric):
            return parse_number(line, language())  # grouped digits the way the learner's language writes them
        if isinstance(q, Text):
            if not line:
                raise ValueError("type your answer, or skip")
            return line
        if isinstance(q, Order):
            picks = _numbers(line, len(shown))
            if sorted(picks) != list(range(1, len(shown) + 1)):
                raise ValueError(f"give each number from 1 to {len(shown)} once, in the right order")
            return [shown[p - 1] for p in picks]
        raise ValueError("this question type cannot be answered here")

    def ask_match(self, attempt: Attempt, q: Match) -> None:
        shown = attempt.presented(q.id)
        options = match_options(q)
        self.say("Options:")
        for n, index in enumerate(shown, start=1):
            self.say(f"  {n}. {inline_plain(one_line(options[index]))}")
        response: list[int | None] = []
        for left, _ in q.pairs:
            while True:
                line = self.ask(f"{inline_plain(one_line(left))}: option number: ")
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
                    self.say(f"{err}.")
        if all(r is None for r in response):
            attempt.responses.pop(q.id, None)  # every pair skipped: not answered
        else:
            attempt.answer(q.id, response)

    def ask_reflection(self, attempt: Attempt, q: Reflection) -> None:
        """Write (one line), then read the model answer and the feedback, then rate it 1-5 (Enter: no rating)."""
        while True:
            text = self.ask("Your answer, in your own words: ")
            low = text.casefold()
            if low in ("?", "hint") and q.hints:
                self.hint(attempt, q)
            elif low == "skip":
                attempt.responses.pop(q.id, None)
                self.say("Skipped.")
                return
            elif low == "leave":
                self.leave_quiz()
            elif not text.strip():
                self.say("Type your answer, or skip.")
            elif len(text) > REFLECTION_MAX_CHARS:
                self.say(f"Your answer has {len(text)} characters; {REFLECTION_MAX_CHARS} at most.")
            else:
                break
        shown = [(label, body) for label, body in (("Model answer:", q.answer), ("Feedback:", q.feedback)) if body]
        for label, body in shown:
            self.say(label)
            self.say_indented(body)
        if not shown:
            self.say("This question has no model answer: rate your answer as you see it.")
        rating: int | None = None
        while True:
            line = self.ask("How close is your answer? 1 (missed it) to 5 (got it all), Enter for no rating: ").strip()
            if not line or (line.isdigit() and int(line) in RATINGS):
                rating = int(line) if line else None
                break
            self.say("Type a number from 1 to 5, or press Enter.")
        attempt.answer(q.id, [text, rating])

    def leave_quiz(self) -> None:
        """`leave` while answering: after a yes, LeaveQuiz; after a no, the question again."""
        if self.confirm(
            "Leave this quiz? Your answers so far are not counted.", safe=False, safe_means="you stay in the quiz"
        ):
            raise LeaveQuiz

    def hint(self, attempt: Attempt, q: Question) -> None:
        hint = attempt.show_hint(q.id)
        if hint is None:
            self.say("No more hints.")
        else:
            for line in markdown_lines(f"Hint: {hint}"):
                self.say(line)

    # ------------------------------------------------------------------ results

    def report(self, result: AttemptResult, attempt: Attempt) -> None:
        if result.grade.scored:
            self.say(f"Score: {fmt_points(result.earned)}/{fmt_points(result.total)}")
            verdict = "Passed" if result.passed else "Not passed"
            self.say(
                f"{verdict}: {pct(result.score)}, pass mark {pct(result.threshold)}. "
                f"Best so far {pct(result.best_score)}."
            )
        else:  # reflections only: done once submitted
            self.say("Done: this quiz is not scored; your answers are kept.")
        for r in review(result):
            if r.verdict == "partly":
                points = fmt_points(r.question.points)
                state = f"partly right, {fmt_points(r.earned)} of {points} point{'s' if points != '1' else ''}"
            else:
                state = {
                    "right": "right",
                    "wrong": "wrong",
                    "unanswered": "not answered",
                    "noted": "written, not scored",
                }[r.verdict]
            self.say(f"Question {r.number}: {state}.")
            for fb in r.feedback:
                self.say_indented(fb)
            for hint in r.hints:
                self.say_indented(f"Hint: {hint}")
            if r.answer:
                self.say(f"  Answer: {inline_plain(r.answer)}")
            if r.explanation:
                self.say_indented(r.explanation)
        note = solutions_note(result.item.quiz.show_solutions, result.show_solutions)  # type: ignore[union-attr]
        if note:
            self.say(note)
        if result.attempts_left is not None:
            self.say(f"Attempts left: {result.attempts_left}.")
        if result.course_passed_now:
            self.say(f"Congratulations: you passed the course with {pct(self.session.course_score())}.")
            self.certificate_note()
        elif result.course_completed_now:
            self.say("You have completed the course.")

    def say_indented(self, markdown: str) -> None:
        for line in markdown_lines(markdown):
            self.say(f"  {line}")

    def show_solutions(self, item: Item) -> None:
        assert item.quiz is not None
        for number, q in enumerate(item.quiz.questions, start=1):
            self.say(f"Question {number}:")
            self.say_indented(q.prompt)
            answer = answer_text(q)
            if answer:
                self.say(f"  Answer: {inline_plain(answer)}")
            if q.explanation:
                self.say_indented(q.explanation)


def _numbers(line: str, size: int) -> list[int]:
    parts = [p for p in re.split(r"[\s,;]+", line.strip()) if p]
    numbers: list[int] = []
    for part in parts:
        if not part.isdigit():
            raise ValueError(f"{one_line(part)!r} is not a number from 1 to {size}")
        n = int(part)
        if not 1 <= n <= size:
            raise ValueError(f"{n} is not a number from 1 to {size}")
        if n in numbers:
            raise ValueError(f"you gave {n} twice")
        numbers.append(n)
    return numbers


def _one_number(line: str, size: int) -> int:
    text = line.strip()
    if not text.isdigit() or not 1 <= int(text) <= size:
        raise ValueError(f"type one number from 1 to {size}")
    return int(text)
