"""`mooc play --plain`: the course as plain lines on stdin/stdout.

For screen readers, braille displays, dumb terminals and scripts: no full-screen
UI, no colour, no box drawing; short lines; every option numbered from 1; one
answer per line. It drives the same `CourseSession` methods as the TUI, so
progress is recorded exactly the same way. Course text is untrusted and always
goes through `packages.safe_text` before it is printed. `PlainPlayer` is built from
its parts: the console (player/plain_console.py), lessons and their files
(player/plain_lesson.py), quizzes (player/plain_quiz.py), and the records and
certificate (player/plain_records.py); this module holds the main loop, the outline,
moving through the course, search and progress.
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

from packages.errors import MoocError
from packages.safe_text import one_line
from player.markdown_text import plain_snippet
from player.plain_console import EndOfInput, pct
from player.plain_lesson import LessonFile, PlainLessons
from player.plain_quiz import PlainQuiz
from player.plain_records import Certificates, PlainRecords, Records
from player.session import ActivityClock, CourseSession
from player.wording import titled

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

_MEDIA_COMMAND = re.compile(r"m(?:edia)?(?:\s+(\S+))?")


# --------------------------------------------------------------------------- the player


class PlainPlayer(PlainQuiz, PlainLessons, PlainRecords):
    """The course in plain lines: the outline, moving through it, search and progress."""

    def __init__(
        self,
        session: CourseSession,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        layout: Any = None,
        records: Records | None = None,
        certificates: Certificates | None = None,
        preview: bool = False,
    ) -> None:
        self.session = session
        self.layout = layout  # packages.layout.Layout: certificates need it (None: not offered)
        self.records = records
        self.certificates = certificates
        self.preview = preview
        self.saved = "This was a preview: nothing was recorded." if preview else "Your progress is saved."
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.current: str | None = None
        self.clock = ActivityClock()
        self.files: list[LessonFile] = []  # of the lesson shown last
        self.unfinished_quiz: str | None = None  # resumed at it: Enter takes it

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
            self.say(f"Input ended. {self.saved}")
            self.records_outro()
            return 0
        except KeyboardInterrupt:
            self.leave_item()
            self.say()
            self.say(
                f"Interrupted. {self.saved}"
                if self.preview
                else "Interrupted. Your progress is saved (an unfinished quiz attempt is not counted); "
                "mooc play --plain continues where you stopped."
            )
            return 130
        self.records_outro()
        return 0

    def resume_at(self, item_id: str) -> None:
        """Say where the learner was; a quiz they have not finished (not passed, attempts
        left: perhaps the machine died mid-quiz) is what Enter opens, not skipped."""
        s = self.session
        self.current = item_id
        item = s.course.item(item_id)
        title = one_line(item.title)
        if (
            item.kind == "quiz"
            and not s.item_lock(item_id)
            and not s.quiz_passed(item_id)
            and s.attempts_left(item_id) != 0
        ):
            self.unfinished_quiz = item_id
            self.say(
                f"You were at: {title}, a quiz you have not passed yet. Press Enter to take it, n for the next item."
            )
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
                self.say(f"Goodbye. {self.saved}")
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
            self.say(
                f"Course score: {pct(s.course_score())}, pass mark {pct(s.course.pass_threshold)}."
                + (" You passed the course." if s.passed() else "")
            )

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
            facts = [
                f"locked ({one_line(lock)})"
                if lock
                else "passed"
                if q.passed
                else "not passed yet"
                if q.attempts_used
                else "not attempted yet"
            ]
            if q.best_score is not None:
                facts.append(f"best {pct(q.best_score)}")
            facts.append(f"pass mark {pct(q.threshold)}")
            facts.append(
                f"{q.attempts_used} attempt{'s' if q.attempts_used != 1 else ''}"
                + ("" if q.attempts_left is None else f", {q.attempts_left} left")
            )
            if not item.is_graded:
                facts.append("practice")
            self.say(f"{titled('Quiz', item.title)}: {', '.join(facts)}.")
        self.course_summary()
        for line in self.certificate_lines()[0]:
            self.say(line.removeprefix("- "))

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


def run_plain(session: CourseSession, item_id: str | None = None, **options: Any) -> int:
    """Play the course on stdin/stdout; returns the exit code. OPTIONS are PlainPlayer's
    (stdin, stdout, layout, records, certificates, preview: a pack folder or file played
    without installing records nothing, and says so when the learner leaves)."""
    return PlainPlayer(session, **options).run(item_id)
