"""Taking a quiz: every question type by keyboard alone, then the graded result.

Options are shown in the order the attempt presents them (`attempt.presented`)
and answered in pack order (the response shapes of player/events.py), so the
engine grades exactly what the learner saw.
"""

from __future__ import annotations

from typing import Any

from rich.markdown import Markdown
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, RadioButton, RadioSet, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from packages.errors import MoocError
from packages.questions import Match, MultipleChoice, Numeric, Order, Question, SingleChoice, TrueFalse
from packages.questions import Text as TextQuestion
from packages.safe_text import clean, one_line
from player.feedback import QuestionReview, review, solutions_note
from tui import keymap
from tui.widgets.key_bar import KeyBar


def _label(text: str) -> Content:
    """Course text as a widget label: cleaned, never parsed as markup."""
    return Content(one_line(text))


def _markdown(text: str) -> Markdown:
    return Markdown(clean(text), hyperlinks=False)


class QuestionBox(Vertical):
    """One question: prompt, answer widget, hints, and (after submitting) feedback."""

    DEFAULT_CSS = """
    QuestionBox { height: auto; margin: 0 0 1 0; padding: 0 1; border-left: thick $accent; }
    QuestionBox .hint { color: $text-warning; display: none; }
    QuestionBox .feedback { display: none; }
    QuestionBox .match-row { height: auto; }
    QuestionBox .match-left { width: 1fr; padding: 1 1 0 0; }
    QuestionBox .match-row Select { width: 2fr; }
    """

    def __init__(self, number: int, question: Question, presented: list[int]) -> None:
        super().__init__(id=f"q-{number}")
        self.number = number
        self.question = question
        self.presented = presented

    def compose(self) -> ComposeResult:
        q = self.question
        points = f"{q.points:g} point{'s' if q.points != 1 else ''}"
        yield Static(Text(f"Question {self.number} · {points}", style="bold"))
        yield Static(_markdown(q.prompt), classes="prompt")
        yield from self._answer_widgets()
        yield Static(classes="hint")
        yield Static(classes="feedback")

    def _answer_widgets(self) -> ComposeResult:
        q = self.question
        if isinstance(q, SingleChoice):
            with RadioSet(classes="answer"):
                for index in self.presented:
                    yield RadioButton(_label(q.choices[index].text))
        elif isinstance(q, TrueFalse):
            with RadioSet(classes="answer"):
                yield RadioButton(Content("True"))
                yield RadioButton(Content("False"))
        elif isinstance(q, MultipleChoice):
            yield SelectionList[int](
                *(Selection(_label(q.choices[i].text), i) for i in self.presented), classes="answer"
            )
        elif isinstance(q, Numeric):
            yield Input(placeholder="type a number, e.g. 3.14", classes="answer")
        elif isinstance(q, TextQuestion):
            yield Input(placeholder="type your answer", classes="answer")
        elif isinstance(q, Order):
            from tui.widgets.order_list import OrderList

            yield Static(Text("Put in order: j/k choose an item, K/J (or ctrl+up/down) move it.", style="dim"))
            yield OrderList(list(q.items), self.presented, classes="answer")
        elif isinstance(q, Match):
            from player.grading import match_options

            options = match_options(q)
            for left_index, (left, _right) in enumerate(q.pairs):
                with Horizontal(classes="match-row"):
                    yield Static(_label(left), classes="match-left")
                    yield Select[int](
                        [(_label(options[i]), i) for i in self.presented],
                        prompt="choose…",
                        id=f"q-{self.number}-m{left_index}",
                        classes="answer",
                    )

    # ---------------------------------------------------------------- reading
    def response(self) -> Any:
        """The response in events.py shape, None when unanswered; ValueError for a bad number."""
        q = self.question
        if isinstance(q, SingleChoice):
            pressed = self.query_one(RadioSet).pressed_index
            return None if pressed < 0 else self.presented[pressed]
        if isinstance(q, TrueFalse):
            pressed = self.query_one(RadioSet).pressed_index
            return None if pressed < 0 else pressed == 0
        if isinstance(q, MultipleChoice):
            chosen = sorted(self.query_one(SelectionList).selected)
            return chosen or None
        if isinstance(q, Numeric):
            raw = self.query_one(Input).value
            if not raw.strip():
                return None
            from player.grading import parse_number

            return parse_number(raw)
        if isinstance(q, TextQuestion):
            raw = self.query_one(Input).value
            return raw if raw.strip() else None
        if isinstance(q, Order):
            from tui.widgets.order_list import OrderList

            return list(self.query_one(OrderList).order)
        if isinstance(q, Match):
            values = [s.value for s in self.query(Select)]
            picked = [v if isinstance(v, int) else None for v in values]
            return None if all(v is None for v in picked) else picked
        return None

    def show_hint(self, text: str, all_hints: list[str]) -> None:
        hint = self.query_one(".hint", Static)
        body = Text()
        for n, h in enumerate(all_hints, start=1):
            body.append(f"Hint {n}: ", style="bold")
            body.append(one_line(h) + "\n")
        hint.update(body)
        hint.display = True

    def show_feedback(self, seen: QuestionReview) -> None:
        """What the learner may see of this question now: verdict, feedback, hints, and the
        answer and explanation when the quiz allows (player/feedback.py decides)."""
        for widget in self.query(".answer"):
            widget.disabled = True
        q = self.question
        text = Text()
        mark, style = VERDICTS[seen.verdict]
        text.append(mark, style=style)
        text.append(f"  {seen.earned:g}/{q.points:g}")
        for line in seen.feedback:
            text.append("\n• " + one_line(line))
        for n, hint in enumerate(seen.hints, start=1):
            text.append(f"\nHint {n}: " if len(seen.hints) > 1 else "\nHint: ", style="bold")
            text.append(one_line(hint))
        if seen.answer:
            text.append("\nAnswer: ", style="bold")
            text.append(seen.answer)
        if seen.explanation:
            text.append("\nExplanation: ", style="bold")
            text.append(clean(seen.explanation).strip())
        feedback = self.query_one(".feedback", Static)
        feedback.update(text)
        feedback.display = True


VERDICTS = {  # player.feedback.Verdict -> what the result shows
    "right": ("✓ correct", "bold green"),
    "partly": ("◐ partly correct", "bold yellow"),
    "wrong": ("✗ not correct", "bold red"),
    "unanswered": ("✗ not answered", "bold red"),
}


class QuizScreen(Screen[None]):
    BINDINGS = keymap.scope("quiz")

    def __init__(self, session: Any, item_id: str) -> None:
        super().__init__()
        from player.session import ActivityClock

        self.session = session
        self.item = session.course.item(item_id)
        self.attempt = session.start_attempt(item_id)  # MoocError: locked, no attempts left
        self.result: Any = None
        self.clock = ActivityClock()

    def compose(self) -> ComposeResult:
        from tui.app import StatusBar

        quiz = self.item.quiz
        yield StatusBar()
        with VerticalScroll(id="quiz-body"):
            header = Text(one_line(quiz.title), style="bold")
            left = self.session.attempts_left(self.item.id)
            header.append(f"\nAttempt {self.attempt.number}"
                          + ("" if left is None else f" of {quiz.max_attempts}")
                          + f" · pass mark {self.session.threshold(self.item.id) * 100:.0f}%"
                          + " · Tab: next field · h: hint · ctrl+s: submit", style="")
            yield Static(header, id="quiz-header")
            yield Static(id="quiz-result")
            for number, q in enumerate(quiz.questions, start=1):
                yield QuestionBox(number, q, self.attempt.presented(q.id))
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
        if action == "hint":
            return True if self.result is None else None
        return True

    def action_hint(self) -> None:
        if self.result is not None:
            return
        box = self._current_box()
        if box is None:
            return
        if not box.question.hints:
            self.app.say(f"Question {box.number} has no hint.")  # type: ignore[attr-defined]
            return
        hint = self.attempt.show_hint(box.question.id)
        if hint is None:
            self.app.say(f"No more hints for question {box.number}.")  # type: ignore[attr-defined]
            return
        box.show_hint(hint, self.attempt.hints(box.question.id))

    def action_submit(self) -> None:
        if self.result is not None:
            self.app.say("Already submitted: r starts a new attempt, Esc goes back.")  # type: ignore[attr-defined]
            return
        unanswered = []
        for box in self.query(QuestionBox):
            try:
                response = box.response()
            except ValueError as err:
                self.app.say(f"Question {box.number}: {err}", error=True)  # type: ignore[attr-defined]
                box.query(".answer").first().focus()
                return
            if response is None:
                unanswered.append(box.number)
            else:
                self.attempt.answer(box.question.id, response)
        try:
            self.result = self.session.submit(self.attempt)
        except MoocError as err:
            self.app.say(str(err), error=True)  # type: ignore[attr-defined]
            return
        self.show_result(unanswered)

    def show_result(self, unanswered: list[int]) -> None:
        result = self.result
        text = Text()
        verdict = "passed" if result.passed else "not passed"
        text.append(f"Score: {result.earned:g}/{result.total:g} ({result.score * 100:.0f}%) — {verdict}",
                    style="bold green" if result.passed else "bold red")
        text.append(f"\nPass mark {result.threshold * 100:.0f}% · best score {result.best_score * 100:.0f}%")
        left = "unlimited" if result.attempts_left is None else str(result.attempts_left)
        text.append(f" · attempts left: {left}")
        if unanswered:
            text.append(f"\nNot answered: question{'s' if len(unanswered) != 1 else ''} "
                        f"{', '.join(map(str, unanswered))}")
        note = solutions_note(self.item.quiz.show_solutions, result.show_solutions)
        if note:
            text.append("\n" + note)
        if result.course_passed_now:
            text.append("\nYou passed the course! Press g to see your certificate status.", style="bold")
        text.append("\n" + ("r: new attempt · " if result.attempts_left != 0 else "") + "Esc: back to the course")
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
            self.app.say("No attempts left for this quiz.")  # type: ignore[attr-defined]
            return
        self._record_time()
        try:
            screen = QuizScreen(self.session, self.item.id)
        except MoocError as err:
            self.app.say(str(err), error=True)  # type: ignore[attr-defined]
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
        self._record_time()
        self.app.pop_screen()
