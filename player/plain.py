"""`mooc play --plain`: the course as plain lines on stdin/stdout.

For screen readers, braille displays, dumb terminals and scripts: no full-screen
UI, no colour, no box drawing; short lines; every option numbered from 1; one
answer per line. It drives the same `CourseSession` methods as the TUI, so
progress is recorded exactly the same way. Course text is untrusted and always
goes through `packages.safe_text` before it is printed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from packages.errors import MoocError
from packages.model import Item
from packages.questions import Match, MultipleChoice, Numeric, Order, Question, SingleChoice, Text, TrueFalse
from packages.safe_text import one_line
from player.feedback import NextStep, answer_text, locked_modules, next_step, review, solutions_note
from player.grading import match_options, parse_number
from player.markdown_text import LinkNote, inline_plain, markdown_lines, plain_snippet
from player.attempts import Attempt, AttemptResult
from player.session import ActivityClock, CourseSession
from player.wording import not_answered, sentence, titled

HELP = """\
Commands:
  a number or an item id   open that item
  Enter or n               next item (leaving a lesson this way marks it done)
  p                        previous item
  r                        repeat the current item
  o                        the outline
  /WORDS                   search the lessons
  m                        the files (images, documents) of the lesson, with where they are
  m NUMBER                 open that file with the system viewer
  s                        rate your own progress in this module, 1 to 5 (cMOOC courses)
  progress                 what is done and what is not, your scores, your certificate
  certificate              request your certificate once you passed (where the course allows)
  q                        quit (your progress is saved as you go)
While answering: ? or hint for a hint (where there is one), skip to leave a
question unanswered, leave to leave the quiz without submitting. Before an
incomplete or last attempt is submitted you are asked: submit, a question
number to answer it again, or leave."""

TRUE_WORDS = {"true", "t", "yes", "y"}
FALSE_WORDS = {"false", "f", "no", "n"}
YES_WORDS = {"y", "yes"}
NO_WORDS = {"n", "no"}
YES_NO_TRIES = 3  # asked this many times at most, then the safe answer is taken (and said)
MAX_MEDIA = 100  # files listed per lesson
_MEDIA_COMMAND = re.compile(r"m(?:edia)?(?:\s+(\S+))?")


class Records(Protocol):
    """What plain mode may tell about the learner's records (sync/learner_notes.py)."""

    interactive: bool  # a person at a terminal, who can be asked (not a script feeding stdin)

    def approval(self) -> tuple[str | None, str | None]: ...  # (host, "you" | the school | None)

    def allow(self, host: str) -> None: ...

    def waiting(self) -> tuple[int, str | None, bool]: ...  # (records, host, approved)


class EndOfInput(Exception):
    """stdin closed: leave cleanly (everything recorded so far is already saved)."""


class LeaveQuiz(Exception):
    """The learner chose to leave a quiz without submitting the attempt."""


def fmt_points(value: float) -> str:
    """3.0 -> "3", 2.5 -> "2.5", 2.3333 -> "2.33": no needless decimals."""
    rounded = round(value, 2)
    if abs(rounded - round(rounded)) < 1e-9:
        return str(int(round(rounded)))
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def pct(value: float) -> str:
    return f"{fmt_points(value * 100)}%"


@dataclass(frozen=True)
class LessonFile:
    """A file a lesson links to: where it really is, or why it cannot be opened."""

    text: str  # the link text, or "image: ALT"
    path: Path | None
    problem: str | None = None


# --------------------------------------------------------------------------- the player


class PlainPlayer:
    def __init__(self, session: CourseSession, stdin: TextIO | None = None, stdout: TextIO | None = None,
                 layout: Any = None, records: Records | None = None) -> None:
        self.session = session
        self.layout = layout  # packages.layout.Layout: certificates need it (None: not offered)
        self.records = records
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.current: str | None = None
        self.clock = ActivityClock()
        self.files: list[LessonFile] = []  # of the lesson shown last
        self.unfinished_quiz: str | None = None  # resumed at it: Enter takes it

    # ------------------------------------------------------------------ I/O

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.say()
            raise EndOfInput
        self.clock.touch()
        return line.strip()

    def confirm(self, question: str, *, safe: bool, safe_means: str) -> bool:
        """A yes/no question: y, yes, n or no in any case. Anything else is asked again,
        at most YES_NO_TRIES times; then, or when input ends, the `safe` answer is
        taken and `safe_means` says what that does."""
        for _ in range(YES_NO_TRIES):
            try:
                answer = self.ask(f"{question} Type y or n: ").casefold()
            except EndOfInput:
                self.say(f"No answer: {safe_means}.")
                raise
            if answer in YES_WORDS:
                return True
            if answer in NO_WORDS:
                return False
            self.say(f"Type y for yes or n for no, not {one_line(answer)!r}." if answer else "Type y for yes or n for no.")
        self.say(f"No yes or no after {YES_NO_TRIES} tries: {safe_means}.")
        return safe

    # ------------------------------------------------------------------ main loop

    def run(self, item_id: str | None = None) -> int:
        course = self.session.course
        self.say(f"Course: {one_line(course.title)}")
        if self.session.learner is not None:
            self.say(f"Learner: {one_line(self.session.learner.name)}")
        opened = self.session.opened_since_last_visit()  # before this visit records anything
        try:
            self.records_intro()
            for module in opened:
                self.say(f"New since your last visit: the module {one_line(module.title)} is now open.")
            if item_id is not None:
                self.open(item_id)
            else:
                self.outline()
                resume = self.session.last_position()
                if resume:
                    self.resume_at(resume)
                self.say("Type h for help.")
            self.loop()
        except EndOfInput:
            self.leave_item()
            self.say("Input ended. Your progress is saved.")
            self.records_outro()
            return 0
        except KeyboardInterrupt:
            self.leave_item()
            self.say()
            self.say("Interrupted. Your progress is saved (an unfinished quiz attempt is not counted); "
                     "mooc play --plain continues where you stopped.")
            return 130
        self.records_outro()
        return 0

    # ------------------------------------------------------------------ records

    def records_intro(self) -> None:
        """Where the records go and who approved it; the approval the course waits for,
        asked as the TUI asks; a certificate that can be requested."""
        if self.records is not None:
            host, who = self.records.approval()
            if host and who and who != "you":
                self.say(f"Your learning records go to {one_line(host)}, approved by {one_line(who)} for every "
                         "learner of this computer.")
            elif host and who is None and self.records.interactive:
                self.ask_consent(host)
            elif host and who is None:  # a script is not a person: it cannot consent for one
                self.say(f"This course sends learning records to {one_line(host)}; nothing is sent until the "
                         f"learner allows it: `mooc consent allow {one_line(host)}`.")
        self.certificate_note()

    def ask_consent(self, host: str) -> None:
        assert self.records is not None
        name = one_line(self.session.learner.name) if self.session.learner is not None else "your"
        self.say(f"This course sends {name}'s learning records (lessons done, quiz answers and scores) to "
                 f"{one_line(host)}. Nothing is sent until you allow it; you can withdraw it later with "
                 f"`mooc consent revoke {one_line(host)}`.")
        if self.confirm("Allow sending your records there?", safe=False,
                        safe_means="nothing is sent, and you are asked again next time"):
            try:
                self.records.allow(host)
            except MoocError as err:
                self.say(one_line(str(err)))
                return
            self.say(f"Your records will be sent to {one_line(host)}.")
        else:
            self.say(f"Nothing is sent to {one_line(host)}. You are asked again next time.")

    def certificate_note(self) -> None:
        """When the certificate can be requested now, say so (sync/certificate_offer.py's words)."""
        lines, can_request = self.certificate_lines()
        if can_request:
            for line in lines:
                self.say(line.removeprefix("- "))

    def records_outro(self) -> None:
        """How many records wait to be sent, and what sends them."""
        if self.records is None:
            return
        try:
            count, host, approved = self.records.waiting()
        except MoocError:
            return
        if not count or host is None:
            return
        records = f"{count} record{'s' if count != 1 else ''} of yours wait{'s' if count == 1 else ''}"
        if approved:
            self.say(f"{records} to be sent to {one_line(host)}: they go with the next `mooc sync`, or while "
                     "the full-screen player runs online.")
        else:
            self.say(f"{records} for your approval of {one_line(host)}: `mooc consent allow {one_line(host)}` "
                     "lets them go.")

    def resume_at(self, item_id: str) -> None:
        """Say where the learner was; a quiz they have not finished (not passed, attempts
        left: perhaps the machine died mid-quiz) is what Enter opens, not skipped."""
        s = self.session
        self.current = item_id
        item = s.course.item(item_id)
        title = one_line(item.title)
        if item.kind == "quiz" and not s.item_lock(item_id) and not s.quiz_passed(item_id) \
                and s.attempts_left(item_id) != 0:
            self.unfinished_quiz = item_id
            self.say(f"You were at: {title}, a quiz you have not passed yet. Press Enter to take it, "
                     "n for the next item.")
        else:
            self.say(f"You were at: {title}. Press Enter for the next item, r to open it again.")

    def loop(self) -> None:
        while True:
            command = self.ask("> ")
            try:
                self.session.catch_up()  # what another mooc for this learner recorded meanwhile
            except MoocError:
                pass  # unreadable just now: recording still works, or says why
            low = command.casefold()
            resumed_quiz, self.unfinished_quiz = self.unfinished_quiz, None
            media = _MEDIA_COMMAND.fullmatch(low)
            if low == "" and resumed_quiz is not None:
                self.open(resumed_quiz, confirm=False)
                continue
            if low in ("q", "quit", "exit"):
                self.leave_item()
                self.say("Goodbye. Your progress is saved.")
                return
            if low in ("h", "help", "?"):
                self.say(HELP)
            elif low in ("o", "l", "outline", "list"):
                self.outline()
            elif low in ("", "n", "next"):
                self.step(+1, finish_lesson=True)
            elif low in ("p", "prev", "previous"):
                self.step(-1)
            elif low in ("r", "repeat"):
                if self.current:
                    self.open(self.current)
                else:
                    self.say("No item open yet. Type a number from the outline.")
            elif command.startswith("/"):
                self.search(command[1:])
            elif media is not None:
                self.media(media.group(1))
            elif low in ("s", "rate") and self.session.course.kind == "cmooc":
                self.rate()
            elif low in ("progress", "g"):
                self.progress()
            elif low in ("certificate", "cert"):
                self.certificate()
            else:
                target = self.resolve(command)
                if target is None:
                    self.say(f"No item {one_line(command)!r}. Type a number from the outline, or h for help.")
                else:
                    self.open(target)

    def resolve(self, text: str) -> str | None:
        items = self.session.course.items()
        if text.isdigit():
            n = int(text)
            return items[n - 1].id if 1 <= n <= len(items) else None
        return text if self.session.course.has_item(text) else None

    def step(self, direction: int, finish_lesson: bool = False) -> None:
        if self.current is None:
            self.open(self.session.resume_item() if direction > 0 else self.session.course.items()[0].id)
            return
        if finish_lesson and self.session.course.item(self.current).kind == "lesson":
            self.leave_item()  # the time spent reading belongs to the lesson's completion
            self.finish_lesson(self.current)
        target = self.session.next_item(self.current) if direction > 0 else self.session.previous_item(self.current)
        if target is None:
            self.say("This is the last item of the course." if direction > 0 else "This is the first item.")
            if direction > 0:
                self.course_summary()
            return
        self.open(target)

    def finish_lesson(self, item_id: str) -> None:
        try:
            if self.session.complete_lesson(item_id):
                self.say(f"Marked done: {one_line(self.session.course.item(item_id).title)}.")
        except MoocError:
            pass

    def leave_item(self) -> None:
        """Record the active time (ActivityClock: idle gaps do not count) on the current item."""
        seconds = self.clock.take()
        if self.current is not None:
            self.session.add_active_time(self.current, seconds)

    def rate(self) -> None:
        """cMOOC self-assessment of the current module (the first one before any item)."""
        course = self.session.course
        module = course.module_of(self.current) if self.current else course.modules[0]
        while True:
            line = self.ask(f"How well do you master {one_line(module.title)!r}? 1 (not yet) to 5 (fully): ")
            if line.isdigit() and 1 <= int(line) <= 5:
                self.session.self_assess(module.id, int(line))
                self.say(f"Recorded: {line} of 5.")
                return
            self.say("Type a number from 1 to 5.")

    # ------------------------------------------------------------------ outline and search

    def outline(self) -> None:
        number = 0
        for m_index, mv in enumerate(self.session.outline(), start=1):
            head = f"Module {m_index}: {one_line(mv.module.title)}"
            if mv.locked:
                head += f" (locked: {one_line(mv.lock_reason or '')})"
            self.say(head)
            for iv in mv.items:
                number += 1
                kind = "lesson" if iv.item.kind == "lesson" else ("practice quiz" if not iv.item.is_graded else "quiz")
                details = [kind, iv.status]
                if iv.best_score is not None:
                    details.append(f"best {pct(iv.best_score)}")
                if iv.attempts_left is not None and iv.status != "locked":
                    details.append(f"{iv.attempts_left} attempt{'s' if iv.attempts_left != 1 else ''} left")
                self.say(f"  {number}. {one_line(iv.item.title)} ({', '.join(details)})")
        self.course_summary()

    def course_summary(self) -> None:
        s = self.session
        if s.course.graded_quizzes():
            self.say(f"Course score: {pct(s.course_score())}, pass mark {pct(s.course.pass_threshold)}."
                     + (" You passed the course." if s.passed() else ""))

    def progress(self) -> None:
        """Where the learner stands, in plain sentences (the TUI's `g`)."""
        s = self.session
        done, total = s.progress_counts()
        self.say(f"Progress in {one_line(s.course.title)}: {done} of {total} item{'s' if total != 1 else ''} done.")
        missing = s.items_not_done()
        if missing:
            self.say(f"Not done yet: {', '.join(one_line(i.title) for i in missing)}.")
        for item in s.course.items():
            if item.kind != "quiz":
                continue
            q = s.quiz_summary(item.id)
            lock = s.item_lock(item.id)
            facts = [f"locked ({one_line(lock)})" if lock else "passed" if q.passed
                     else "not passed yet" if q.attempts_used else "not attempted yet"]
            if q.best_score is not None:
                facts.append(f"best {pct(q.best_score)}")
            facts.append(f"pass mark {pct(q.threshold)}")
            facts.append(f"{q.attempts_used} attempt{'s' if q.attempts_used != 1 else ''}"
                         + ("" if q.attempts_left is None else f", {q.attempts_left} left"))
            if not item.is_graded:
                facts.append("practice")
            self.say(f"{titled('Quiz', item.title)}: {', '.join(facts)}.")
        self.course_summary()
        for line in self.certificate_lines()[0]:
            self.say(line.removeprefix("- "))

    def certificate_lines(self) -> tuple[tuple[str, ...], bool]:
        """What to say about the certificate, and whether it can be requested now."""
        if self.layout is None or self.session.learner is None:
            return ("Certificate: not available when playing a pack that is not installed.",), False
        from sync.certificate_offer import certificate_offer

        try:
            offer = certificate_offer(self.layout, self.session.learner, self.session)
        except MoocError as err:
            return (f"Certificate: {one_line(str(err))}",), False
        extra = ("Type certificate to request it.",) if offer.can_request else ()
        if offer.state == "waiting for approval":
            extra = ("Allow it with: mooc consent allow HOST (the host named above).",)
        return (*offer.lines, *extra), offer.can_request

    def certificate(self) -> None:
        """`certificate`: request it, after a yes, when the learner passed and the course
        names where requests go; otherwise say where things stand."""
        lines, can_request = self.certificate_lines()
        for line in lines:
            if line != "Type certificate to request it.":
                self.say(line.removeprefix("- "))
        if not can_request:
            return
        if not self.confirm("Request your certificate now?", safe=False, safe_means="nothing was requested"):
            self.say("Nothing was requested.")
            return
        from sync.certificate_offer import request_certificate

        try:
            self.say(request_certificate(self.layout, self.session.learner, self.session.course.id))
        except MoocError as err:
            self.say(one_line(str(err)))

    def search(self, words: str) -> None:
        hits = self.session.search(words)
        if not hits:
            self.say(f"No lesson mentions {one_line(words)!r}.")
            return
        numbers = {item.id: n for n, item in enumerate(self.session.course.items(), start=1)}
        for item_id, _line_no, snippet in hits[:20]:
            title = one_line(self.session.course.item(item_id).title)
            self.say(f"  {numbers[item_id]}. {title}: {plain_snippet(snippet)}")
        if len(hits) > 20:
            self.say(f"  and {len(hits) - 20} more.")

    # ------------------------------------------------------------------ items

    def open(self, item_id: str, *, confirm: bool = True) -> None:
        try:
            self.session.open_item(item_id)
        except MoocError as err:
            self.say(one_line(str(err)))
            return
        self.leave_item()  # active time so far belongs to the item we leave
        self.current = item_id
        self.files = []
        item = self.session.course.item(item_id)
        if item.kind == "lesson":
            self.show_lesson(item)
        else:
            self.take_quiz(item, confirm=confirm)

    def show_lesson(self, item: Item) -> None:
        self.say(titled("Lesson", item.title))
        try:
            text = self.session.lesson_text(item.id)
        except MoocError as err:
            self.say(one_line(str(err)))
            return
        links: list[tuple[str, str]] = []
        for line in markdown_lines(text, self.link_note(item, links)):
            self.say(line)
        self.files = [self.lesson_file(item, shown, target) for shown, target in links[:MAX_MEDIA]]
        if self.files:
            self.list_files(more=len(links) - len(self.files))
        self.say(f"End of lesson: {one_line(item.title)}. Enter for the next item; it marks this lesson done.")

    # ------------------------------------------------------------------ a lesson's files

    def link_note(self, item: Item, files: list[tuple[str, str]]) -> LinkNote:
        """How a lesson's link to the pack itself reads: "item N" for another item of the
        course (its number in the outline), else "file N", collected into `files`."""
        from player.media import pack_path

        numbers = {i.file: n for n, i in enumerate(self.session.course.items(), start=1)}

        def note(shown: str, target: str) -> str:
            try:
                number = numbers.get(pack_path(item.file, target))
            except MoocError:
                number = None
            if number is not None:
                return f"item {number}"
            files.append((shown, target))
            return f"file {len(files)}"

        return note

    def lesson_file(self, item: Item, shown: str, target: str) -> LessonFile:
        from player.media import resolve

        root = getattr(self.session.source, "root", None)
        if root is None:
            return LessonFile(shown, None, f"{item.file}: {target}: this pack is not unpacked, so its files "
                                           "cannot be opened from here")
        try:
            return LessonFile(shown, resolve(Path(root), item.file, target))
        except MoocError as err:
            return LessonFile(shown, None, str(err))

    def list_files(self, more: int = 0) -> None:
        n = len(self.files)
        self.say(f"This lesson links to {n} file{'s' if n != 1 else ''}; type m and its number to open one:")
        for number, f in enumerate(self.files, start=1):
            where = one_line(str(f.path)) if f.path is not None else f"cannot be opened: {one_line(f.problem or '')}"
            self.say(f"  File {number}, {inline_plain(one_line(f.text))}: {where}")
        if more > 0:
            self.say(f"  and {more} more link{'s' if more != 1 else ''} to files, not listed.")

    def media(self, number: str | None) -> None:
        """`m`: list the lesson's files again; `m N`: open file N with the system viewer."""
        from player.media import Target, open_target

        if not self.files:
            self.say("The lesson shown last links to no file of the course.")
            return
        if number is None:
            self.list_files()
            return
        if not number.isdigit() or not 1 <= int(number) <= len(self.files):
            n = len(self.files)
            self.say(f"Type m and a number from 1 to {n}." if n > 1 else "Type m 1.")
            return
        f = self.files[int(number) - 1]
        if f.path is None:
            self.say(f"File {number} cannot be opened: {one_line(f.problem or '')}")
            return
        try:
            said = open_target(Target(str(f.path), is_file=True))
        except MoocError as err:
            self.say(f"Cannot open file {number} here: {one_line(str(err))}")
            return
        self.say(f"File {number}: {said} It is {one_line(str(f.path))}")

    # ------------------------------------------------------------------ quizzes

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
            self.say("You left the quiz. The attempt was not submitted, so it does not count. "
                     "Type r to take it again, Enter for the next item.")
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
        self.say(f"Question {number} of {total} ({points} point{'s' if points != '1' else ''}):")
        for line in markdown_lines(q.prompt):
            self.say(line)
        if isinstance(q, Match):
            self.ask_match(attempt, q)
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
            return parse_number(line)
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

    def leave_quiz(self) -> None:
        """`leave` while answering: after a yes, LeaveQuiz; after a no, the question again."""
        if self.confirm("Leave this quiz? Your answers so far are not counted.", safe=False,
                        safe_means="you stay in the quiz"):
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
        self.say(f"Score: {fmt_points(result.earned)}/{fmt_points(result.total)}")
        verdict = "Passed" if result.passed else "Not passed"
        self.say(f"{verdict}: {pct(result.score)}, pass mark {pct(result.threshold)}. Best so far {pct(result.best_score)}.")
        for r in review(result):
            if r.verdict == "partly":
                points = fmt_points(r.question.points)
                state = f"partly right, {fmt_points(r.earned)} of {points} point{'s' if points != '1' else ''}"
            else:
                state = {"right": "right", "wrong": "wrong", "unanswered": "not answered"}[r.verdict]
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


def run_plain(session: CourseSession, item_id: str | None = None, stdin: TextIO | None = None,
              stdout: TextIO | None = None, layout: Any = None, records: Records | None = None) -> int:
    """Play the course on stdin/stdout; returns the exit code."""
    return PlainPlayer(session, stdin, stdout, layout, records).run(item_id)
