"""Taking a quiz: every question type by keyboard alone, then the graded result.

Options are shown in the order the attempt presents them (`attempt.presented`)
and answered in pack order (the response shapes of player/events.py), so the
engine grades exactly what the learner saw. Each question type names the widget
that asks it; `QuestionBox` finds that widget's module by the name (`answer_module`).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from rich.console import Group
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from packages.errors import MoocError
from packages.i18n import N_, _, ngettext
from packages.questions import Question
from packages.safe_text import clean, one_line
from player.feedback import QuestionReview, locked_modules, next_step, review, solutions_note
from player.markdown_text import inline_plain
from player.placeholders import shown_markdown
from player.wording import not_answered
from tui import keymap
from tui.messages import Say
from tui.widgets.key_bar import KeyBar
from tui.widgets.status_bar import StatusBar


def answer_module(widget: str) -> Any:
    """The module that builds and reads the answer widget a question type names (its
    `WIDGET`, packages/question_kinds/): "OrderList" is tui/widgets/order_list.py, with
    `compose_answer(question, presented, number)` (the widgets, each of class "answer")
    and `read_answer(box, question, presented)` (the response, None when unanswered)."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", widget).lower()
    return importlib.import_module(f"tui.widgets.{snake}")


def _markdown(text: str) -> Markdown:
    return Markdown(clean(text), hyperlinks=False)


class QuestionBox(Vertical):
    """One question: prompt, answer widget, hints, and (after submitting) feedback."""

    DEFAULT_CSS = """
    QuestionBox { height: auto; margin: 0 0 1 0; padding: 0 1; border-left: solid $border-blurred; }
    QuestionBox:focus-within { border-left: thick $accent; }
    QuestionBox .hint { color: $text-warning; display: none; }
    QuestionBox .feedback { display: none; }
    QuestionBox .match-row { height: auto; }
    QuestionBox .match-left { width: 1fr; padding: 1 1 0 0; }
    QuestionBox .match-row Select { width: 2fr; }
    """

    def __init__(self, number: int, question: Question, presented: list[int], prompt: str | None = None) -> None:
        super().__init__(id=f"q-{number}")
        self.number = number
        self.question = question
        self.presented = presented
        self.prompt = question.prompt if prompt is None else prompt  # with placeholders for left-out media

    def compose(self) -> ComposeResult:
        q = self.question
        if q.SCORED:
            # ngettext needs an int: 1 point, 2 points, and 0.5 reads as plural in English
            heading = ngettext(
                "Question {number} · {points} point", "Question {number} · {points} points", _plural(q.points)
            )
        else:
            heading = _("Question {number} · not scored")
        yield Static(Text(heading.format(number=self.number, points=f"{q.points:g}"), style="bold"))
        yield Static(_markdown(self.prompt), classes="prompt")
        yield from self._answer_widgets()
        yield Static(classes="hint")
        yield Static(classes="feedback")

    def _answer_widgets(self) -> ComposeResult:
        yield from answer_module(self.question.WIDGET).compose_answer(self.question, self.presented, self.number)

    # ---------------------------------------------------------------- reading
    def response(self) -> Any:
        """The response in events.py shape, None when unanswered; ValueError for a bad number."""
        return answer_module(self.question.WIDGET).read_answer(self, self.question, self.presented)

    def show_hint(self, text: str, all_hints: list[str]) -> None:
        hint = self.query_one(".hint", Static)
        hint.update(labelled([(_("Hint {n}:").format(n=n), _markdown(h)) for n, h in enumerate(all_hints, start=1)]))
        hint.display = True

    def show_feedback(self, seen: QuestionReview) -> None:
        """What the learner may see of this question now: verdict, feedback, hints, and the
        answer and explanation when the quiz allows (player/feedback.py decides). Course
        text renders as Markdown (never as markup), wrapped under its label."""
        for widget in self.query(".answer"):
            widget.disabled = True
        q = self.question
        verdict = Text()
        mark, style = VERDICTS[seen.verdict]
        verdict.append(_(mark), style=style)
        if q.SCORED:
            verdict.append(f"  {seen.earned:g}/{q.points:g}")
        rows: list[tuple[str, Any]] = [("•", _markdown(line)) for line in seen.feedback]
        for n, hint in enumerate(seen.hints, start=1):
            rows.append((_("Hint {n}:").format(n=n) if len(seen.hints) > 1 else _("Hint:"), _markdown(hint)))
        if seen.answer:
            rows.append((_("Answer:"), Text(inline_plain(seen.answer))))
        if seen.explanation:
            rows.append((_("Explanation:"), _markdown(seen.explanation)))
        feedback = self.query_one(".feedback", Static)
        feedback.update(Group(verdict, labelled(rows)) if rows else verdict)
        feedback.display = True


def labelled(rows: list[tuple[str, Any]]) -> Table:
    """Label | text rows: the text wraps under itself, not under the label."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for label, body in rows:
        table.add_row(Text(label, style="bold"), body)
    return table


VERDICTS = {  # player.feedback.Verdict -> what the result shows (translated where shown)
    "right": (N_("✓ correct"), "bold green"),
    "partly": (N_("◐ partly correct"), "bold yellow"),
    "wrong": (N_("✗ not correct"), "bold red"),
    "unanswered": (N_("✗ not answered"), "bold red"),
    "noted": (N_("✎ written (not scored)"), "bold"),
}


def _plural(points: float) -> int:
    """The count that picks "point" or "points" for a question worth `points`."""
    return 1 if points == 1 else 2 if points != int(points) else int(points)


class QuizScreen(Screen[None]):
    DEFAULT_CSS = """
    #quiz-body { padding: 0 1; }
    #quiz-body > * { max-width: 100; }
    #quiz-header { margin-bottom: 1; }
    #quiz-result { border: round $accent; padding: 0 1; margin-bottom: 1; }
    """
    BINDINGS = keymap.scope("quiz")

    def __init__(self, session: Any, item_id: str) -> None:
        super().__init__()
        from player.session import ActivityClock

        self.session = session
        self.item = session.course.item(item_id)
        self.attempt = session.start_attempt(item_id)  # MoocError: locked, no attempts left
        self.result: Any = None
        self.next_step: Any = None  # player.feedback.NextStep, once submitted
        self.clock = ActivityClock()

    def compose(self) -> ComposeResult:
        quiz = self.item.quiz
        yield StatusBar()
        with VerticalScroll(id="quiz-body"):
            header = Text(one_line(quiz.title), style="bold")
            left = self.session.attempts_left(self.item.id)
            if left is None:
                attempt = _("Attempt {number}").format(number=self.attempt.number)
            else:
                attempt = _("Attempt {number} of {max}").format(number=self.attempt.number, max=quiz.max_attempts)
            mark = f"{self.session.threshold(self.item.id) * 100:.0f}"
            header.append(
                "\n"
                + _("{attempt} · pass mark {mark}% · Tab: next field · h: hint · ctrl+s: submit").format(
                    attempt=attempt, mark=mark
                ),
                style="",
            )
            if left == 1:
                header.append("\n" + _("This is your last attempt."), style="bold")
            yield Static(header, id="quiz-header")
            yield Static(id="quiz-result")
            for number, q in enumerate(quiz.questions, start=1):
                prompt = shown_markdown(self.session, self.item.file, q.prompt)
                yield QuestionBox(number, q, self.attempt.presented(q.id), prompt)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#quiz-result").display = False
        first = self.query(".answer")
        if first:
            first.first().focus()

    def on_key(self) -> None:
        self.clock.touch()

    def on_mouse_down(self) -> None:
        self.clock.touch()

    def _current_box(self) -> QuestionBox | None:
        node: Widget | None = self.focused
        while node is not None and not isinstance(node, QuestionBox):
            node = node.parent if isinstance(node.parent, Widget) else None
        if node is None:
            boxes = self.query(QuestionBox)
            return boxes.first() if boxes else None
        return node

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that do nothing now show dimmed in the key bar (None) and do not run."""
        if action == "retry":
            return True if self.result is not None and self.result.attempts_left != 0 else None
        if action in ("hint", "submit"):
            return True if self.result is None else None
        return True

    def action_hint(self) -> None:
        if self.result is not None:
            return
        box = self._current_box()
        if box is None:
            return
        if not box.question.hints:
            self.post_message(Say(_("Question {number} has no hint.").format(number=box.number)))
            return
        hint = self.attempt.show_hint(box.question.id)
        if hint is None:
            self.post_message(Say(_("No more hints for question {number}.").format(number=box.number)))
            return
        box.show_hint(hint, self.attempt.hints(box.question.id))

    def read_answers(self) -> tuple[dict[str, Any], list[int]] | None:
        """Every answer as shown now (question id -> response) and the numbers of the
        questions not answered; None (and the field focused) when a number is not one."""
        answers: dict[str, Any] = {}
        unanswered = []
        for box in self.query(QuestionBox):
            try:
                response = box.response()
            except ValueError as err:
                self.post_message(Say(_("Question {number}: {error}").format(number=box.number, error=err), error=True))
                box.query(".answer").first().focus()
                return None
            if response is None:
                unanswered.append(box.number)
            else:
                answers[box.question.id] = response
        return answers, unanswered

    @property
    def last_attempt(self) -> bool:
        return self.session.attempts_left(self.item.id) == 1

    def action_submit(self) -> None:
        """Submit; an incomplete or last attempt is confirmed first (a button, on purpose)."""
        if self.result is not None:
            self.post_message(Say(_("Already submitted: r starts a new attempt, Esc goes back.")))
            return
        read = self.read_answers()
        if read is None:
            return
        answers, unanswered = read
        if not unanswered and not self.last_attempt:
            self._submit(answers, unanswered)
            return
        from tui.screens.dialog import Choice, ChoiceDialog

        body = Text()
        if unanswered and len(unanswered) == len(self.item.quiz.questions):
            body.append(_("You have not answered any question: this attempt would score 0.") + "\n")
        elif unanswered:
            body.append(
                ngettext(
                    "{list}: it would earn no points.", "{list}: they would earn no points.", len(unanswered)
                ).format(list=not_answered(unanswered))
                + "\n"
            )
        if self.last_attempt:
            body.append(_("This is your last attempt: once submitted, the quiz is closed.") + "\n", style="bold")
        dialog = ChoiceDialog(
            _("Submit this attempt?"),
            body,
            [Choice("keep", _("Keep answering"), "primary"), Choice("submit", _("Submit"))],
            safe="keep",
            focus="keep",
        )
        self.app.push_screen(dialog, lambda choice: self._submit(answers, unanswered) if choice == "submit" else None)

    def _submit(self, answers: dict[str, Any], unanswered: list[int]) -> None:
        self.attempt.responses.clear()  # what is on screen now, not an answer since cleared
        for question_id, response in answers.items():
            self.attempt.answer(question_id, response)
        locked_before = locked_modules(self.session)
        try:
            self.result = self.session.submit(self.attempt)
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
            return
        self.next_step = next_step(self.session, self.result, locked_before)
        self.show_result(unanswered)

    def show_result(self, unanswered: list[int]) -> None:
        result = self.result
        text = Text()
        verdict = _("passed") if result.passed else _("not passed")
        left = _("unlimited") if result.attempts_left is None else str(result.attempts_left)
        if result.grade.scored:
            text.append(
                _("Score: {earned}/{total} ({percent}%) — {verdict}").format(
                    earned=f"{result.earned:g}",
                    total=f"{result.total:g}",
                    percent=f"{result.score * 100:.0f}",
                    verdict=verdict,
                ),
                style="bold green" if result.passed else "bold red",
            )
            text.append(
                "\n"
                + _("Pass mark {mark}% · best score {best}% · attempts left: {left}").format(
                    mark=f"{result.threshold * 100:.0f}", best=f"{result.best_score * 100:.0f}", left=left
                )
            )
        else:  # reflections only: done once submitted
            text.append(_("Done: this quiz is not scored; your answers are kept."), style="bold green")
            text.append("\n" + _("Attempts left: {left}").format(left=left))
        if unanswered:
            text.append("\n" + not_answered(unanswered))
        note = solutions_note(self.item.quiz.show_solutions, result.show_solutions)
        if note:
            text.append("\n" + note)
        if result.course_passed_now:
            text.append("\n" + _("You passed the course! Press g to see your certificate status."), style="bold")
        step = self.next_step
        for title in step.unlocked:
            text.append("\n" + _("Unlocked: "), style="bold")
            text.append(title)
        if step.retry:
            text.append("\n" + _("Next: r tries again; Esc goes back to the course."))
        elif step.next_title is not None:
            text.append("\n" + _("Next: {title} — Esc, then n.").format(title=step.next_title))
        else:
            text.append("\n" + _("That was the last item of the course: g shows where you stand; Esc goes back."))
        header = self.query_one("#quiz-header", Static)
        header.update(
            Text(one_line(self.item.quiz.title), style="bold")
            + Text("\n" + _("Attempt {number} submitted").format(number=self.attempt.number))
        )  # no "ctrl+s: submit" now
        panel = self.query_one("#quiz-result", Static)
        panel.update(text)
        panel.display = True
        boxes = list(self.query(QuestionBox))
        for box, question_review in zip(boxes, review(result)):
            box.show_feedback(question_review)
        self.query_one("#quiz-body").scroll_home(animate=False)
        self.query_one("#quiz-body").focus()
        self.refresh_bindings()  # retry now works, hint no longer

    def action_retry(self) -> None:
        if self.result is None:
            return
        if self.result.attempts_left == 0:
            self.post_message(Say(_("No attempts left for this quiz.")))
            return
        self._record_time()
        try:
            screen = QuizScreen(self.session, self.item.id)
        except MoocError as err:
            self.post_message(Say(str(err), error=True))
            return
        self.app.switch_screen(screen)

    def _record_time(self) -> None:
        seconds = self.clock.take()
        if seconds >= 1.0:
            try:
                self.session.add_active_time(self.item.id, seconds)
            except MoocError:
                pass

    def action_back(self) -> None:
        """Back to the course; leaving an attempt with answers in it is confirmed first."""
        if self.result is None:
            read = self.read_answers_quietly()
            if read:
                from tui.screens.dialog import Choice, ChoiceDialog

                body = Text(
                    _("Your answers are not saved and this attempt does not count. You can start the quiz again later.")
                )
                dialog = ChoiceDialog(
                    _("Leave this attempt?"),
                    body,
                    [Choice("keep", _("Keep answering"), "primary"), Choice("leave", _("Leave without submitting"))],
                    safe="keep",
                    focus="keep",
                )
                self.app.push_screen(dialog, lambda choice: self._leave() if choice == "leave" else None)
                return
        self._leave()

    def read_answers_quietly(self) -> int:
        """How many questions have an answer on screen (a half-typed number counts)."""
        count = 0
        for box in self.query(QuestionBox):
            try:
                count += box.response() is not None
            except ValueError:
                count += 1
        return count

    def _leave(self) -> None:
        self._record_time()
        self.app.pop_screen()
