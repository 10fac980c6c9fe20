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
from packages.i18n import N_, _, ngettext
from packages.safe_text import one_line
from player.markdown_text import plain_snippet
from player.plain_console import EndOfInput, pct
from player.plain_lesson import LessonFile, PlainLessons
from player.plain_quiz import PlainQuiz
from player.plain_records import Certificates, PlainRecords, Records
from player.session import ActivityClock, CourseSession
from player.wording import status_word, titled

HELP = N_(
    """\
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
)

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
        self.saved = _("This was a preview: nothing was recorded.") if preview else _("Your progress is saved.")
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.current: str | None = None
        self.clock = ActivityClock()
        self.files: list[LessonFile] = []  # of the lesson shown last
        self.unfinished_quiz: str | None = None  # resumed at it: Enter takes it

    # ------------------------------------------------------------------ main loop

    def run(self, item_id: str | None = None) -> int:
        course = self.session.course
        self.say(_("Course: {title}").format(title=one_line(course.title)))
        if self.session.learner is not None:
            self.say(_("Learner: {name}").format(name=one_line(self.session.learner.name)))
        opened = self.session.opened_since_last_visit()  # before this visit records anything
        try:
            self.records_intro()
            for module in opened:
                self.say(
                    _("New since your last visit: the module {title} is now open.").format(title=one_line(module.title))
                )
            if item_id is not None:
                self.open(item_id)
            else:
                self.outline()
                resume = self.session.last_position()
                if resume:
                    self.resume_at(resume)
                self.say(_("Type h for help."))
            self.loop()
        except EndOfInput:
            self.leave_item()
            self.say(_("Input ended. {saved}").format(saved=self.saved))
            self.records_outro()
            return 0
        except KeyboardInterrupt:
            self.leave_item()
            self.say()
            self.say(
                _("Interrupted. {saved}").format(saved=self.saved)
                if self.preview
                else _(
                    "Interrupted. Your progress is saved (an unfinished quiz attempt is not counted); "
                    "mooc play --plain continues where you stopped."
                )
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
                _(
                    "You were at: {title}, a quiz you have not passed yet. Press Enter to take it, n for the next item."
                ).format(title=title)
            )
        else:
            self.say(_("You were at: {title}. Press Enter for the next item, r to open it again.").format(title=title))

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
                self.say(_("Goodbye. {saved}").format(saved=self.saved))
                return
            if low in ("h", "help", "?"):
                self.say(_(HELP))
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
                    self.say(_("No item open yet. Type a number from the outline."))
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
                    self.say(
                        _("No item {command}. Type a number from the outline, or h for help.").format(
                            command=repr(one_line(command))
                        )
                    )
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
            self.say(_("This is the last item of the course.") if direction > 0 else _("This is the first item."))
            if direction > 0:
                self.course_summary()
            return
        self.open(target)

    def finish_lesson(self, item_id: str) -> None:
        try:
            if self.session.complete_lesson(item_id):
                self.say(_("Marked done: {title}.").format(title=one_line(self.session.course.item(item_id).title)))
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
            line = self.ask(
                _("How well do you master {module}? 1 (not yet) to 5 (fully): ").format(
                    module=repr(one_line(module.title))
                )
            )
            if line.isdigit() and 1 <= int(line) <= 5:
                self.session.self_assess(module.id, int(line))
                self.say(_("Recorded: {n} of 5.").format(n=line))
                return
            self.say(_("Type a number from 1 to 5."))

    # ------------------------------------------------------------------ outline and search

    def outline(self) -> None:
        number = 0
        for m_index, mv in enumerate(self.session.outline(), start=1):
            head = _("Module {n}: {title}").format(n=m_index, title=one_line(mv.module.title))
            if mv.locked:
                head += _(" (locked: {reason})").format(reason=one_line(mv.lock_reason or ""))
            self.say(head)
            for iv in mv.items:
                number += 1
                kind = (
                    _("lesson")
                    if iv.item.kind == "lesson"
                    else (_("practice quiz") if not iv.item.is_graded else _("quiz"))
                )
                details = [kind, status_word(iv.status)]
                if iv.best_score is not None:
                    details.append(_("best {score}").format(score=pct(iv.best_score)))
                if iv.attempts_left is not None and iv.status != "locked":
                    left = iv.attempts_left
                    details.append(ngettext("{n} attempt left", "{n} attempts left", left).format(n=left))
                self.say(f"  {number}. {one_line(iv.item.title)} ({', '.join(details)})")
        self.course_summary()

    def course_summary(self) -> None:
        s = self.session
        if s.course.graded_quizzes():
            self.say(
                _("Course score: {score}, pass mark {mark}.").format(
                    score=pct(s.course_score()), mark=pct(s.course.pass_threshold)
                )
                + (_(" You passed the course.") if s.passed() else "")
            )

    def progress(self) -> None:
        """Where the learner stands, in plain sentences (the TUI's `g`)."""
        s = self.session
        done, total = s.progress_counts()
        self.say(
            ngettext(
                "Progress in {title}: {done} of {n} item done.", "Progress in {title}: {done} of {n} items done.", total
            ).format(title=one_line(s.course.title), done=done, n=total)
        )
        missing = s.items_not_done()
        if missing:
            self.say(_("Not done yet: {titles}.").format(titles=", ".join(one_line(i.title) for i in missing)))
        for item in s.course.items():
            if item.kind != "quiz":
                continue
            q = s.quiz_summary(item.id)
            lock = s.item_lock(item.id)
            facts = [
                _("locked ({reason})").format(reason=one_line(lock))
                if lock
                else _("passed")
                if q.passed
                else _("not passed yet")
                if q.attempts_used
                else _("not attempted yet")
            ]
            if q.best_score is not None:
                facts.append(_("best {score}").format(score=pct(q.best_score)))
            facts.append(_("pass mark {mark}").format(mark=pct(q.threshold)))
            used = q.attempts_used
            facts.append(
                ngettext("{n} attempt", "{n} attempts", used).format(n=used)
                + (
                    ""
                    if q.attempts_left is None
                    else ngettext(", {n} left", ", {n} left", q.attempts_left).format(n=q.attempts_left)
                )
            )
            if not item.is_graded:
                facts.append(_("practice"))
            self.say(_("{title}: {facts}.").format(title=titled(_("Quiz"), item.title), facts=", ".join(facts)))
        self.course_summary()
        for line in self.certificate_lines()[0]:
            self.say(line.removeprefix("- "))

    def search(self, words: str) -> None:
        hits = self.session.search(words)
        if not hits:
            self.say(_("No lesson mentions {words}.").format(words=repr(one_line(words))))
            return
        numbers = {item.id: n for n, item in enumerate(self.session.course.items(), start=1)}
        for item_id, _line_no, snippet in hits[:20]:
            title = one_line(self.session.course.item(item_id).title)
            self.say(
                _("  {n}. {title}: {snippet}").format(n=numbers[item_id], title=title, snippet=plain_snippet(snippet))
            )
        if len(hits) > 20:
            self.say(_("  and {n} more.").format(n=len(hits) - 20))

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
