"""Every question type, and where each part of mooc handles it: the one list to read
(and extend) when a type is added. `tests/test_question_registry.py` takes each type
through every part named here and fails when one lacks it.

| part | where |
| --- | --- |
| model | `packages/questions.py` (the dataclass) |
| loader | `packages/quiz_parser.py` (`QuizParser.q_<type>`; `keys` below are its type-specific keys) |
| grader | `player/grading.py` (`_GRADERS`) |
| right answer and feedback | `player/feedback.py` (`answer_text`, `response_text`) |
| xAPI | `sync/interactions.py` (`interaction` below; response and pattern formats) |
| plain mode | `player/plain_quiz.py` (`PlainQuiz.show_options` / `parse`, `ask_match`) |
| TUI | `tui/screens/quiz.py` (`QuestionBox`; `widget` below) |
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionType:
    name: str  # `type = "..."` in a quiz file
    model: str  # its class in packages/questions.py
    keys: frozenset[str]  # the keys only this type has (packages/quiz_parser.py)
    interaction: str  # the xAPI cmi.interaction type (sync/interactions.py)
    widget: str  # what the TUI asks it with (tui/screens/quiz.py QuestionBox)


REGISTRY: dict[str, QuestionType] = {
    t.name: t
    for t in (
        QuestionType("single", "SingleChoice", frozenset({"choices"}), "choice", "ChoiceList"),
        QuestionType("multiple", "MultipleChoice", frozenset({"choices"}), "choice", "ChoiceList"),
        QuestionType(
            "truefalse",
            "TrueFalse",
            frozenset({"answer", "feedback_true", "feedback_false"}),
            "true-false",
            "ChoiceList",
        ),
        QuestionType("numeric", "Numeric", frozenset({"answer", "tolerance", "answers"}), "numeric", "Input"),
        QuestionType("text", "Text", frozenset({"answers", "pattern", "case_sensitive"}), "fill-in", "Input"),
        QuestionType("order", "Order", frozenset({"items"}), "sequencing", "OrderList"),
        QuestionType("match", "Match", frozenset({"pairs", "distractors"}), "matching", "Select"),
    )
}
