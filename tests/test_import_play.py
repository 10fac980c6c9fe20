"""Every imported question of the corpus, played through plain mode: the source's answer
scores it right, a wrong answer scores it wrong.

The courses are the Open edX demo course and the Moodle GIFT files of the corpus,
imported for real. Each quiz is taken twice in plain mode (`PlainPlayer.take_quiz`,
its own prompts, parsing, grading and result page), answering each question with a
line typed as a learner would: the source's right answer (read from the source XML
or GIFT text here, not from the pack), then a wrong one. The result page must say
"right" for every question the first time and "wrong" the second.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from packages.importers.gift import import_gift
from packages.importers.olx import import_olx
from packages.loading import load_course
from packages.source import open_source
from player.grading import match_options
from player.plain import PlainPlayer
from tests.test_import_olx import REGEXP_SAMPLES, _source_answer
from tests.test_session import session


class _Typist:
    """A learner at the keyboard: each line typed answers what plain mode just asked."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer  # (question, shown order, pair number) -> the line to type
        self.player: Any = None

    def readline(self) -> str:
        prompt = self.player.stdout.getvalue().rsplit("\n", 1)[-1]
        if prompt.startswith("Type submit"):
            return "submit\n"
        if prompt.startswith("How close is your answer?"):  # a reflection's self-rating, once written
            return "3\n"
        attempt, question, pair = self.player.current
        if pair is not None:
            self.player.current = (attempt, question, pair + 1)
        return self.answer(question, attempt.presented(question.id), pair) + "\n"


class _Player(PlainPlayer):
    current: tuple[Any, Any, int | None]

    def ask_question(self, attempt: Any, q: Any, number: int, total: int) -> None:
        self.current = (attempt, q, 0 if q.type == "match" else None)
        super().ask_question(attempt, q, number, total)


def _play(course: Any, item: Any, answer: Any) -> list[str]:
    """Take the quiz in plain mode; the verdict the result page gives each question."""
    typist = _Typist(answer)
    player = _Player(session([], course=course), typist, io.StringIO())  # type: ignore[arg-type]
    typist.player = player
    player.take_quiz(item, confirm=False)
    out = player.stdout.getvalue()
    return re.findall(r"^Question \d+: (right|wrong|partly right.*|not answered|written, not scored)\.$", out, re.M)


def _line(q: Any, shown: list[int], pair: int | None, response: Any) -> str:
    """The line a learner types for `response` (in the event's shape) on plain mode's numbered options."""
    if q.type == "match":
        return str(shown.index(response[pair]) + 1)
    if q.type == "single":
        return str(shown.index(response) + 1)
    if q.type == "multiple":
        return " ".join(str(shown.index(i) + 1) for i in response)
    if q.type == "truefalse":
        return "true" if response else "false"
    return str(response)


def _wrong(q: Any) -> Any:
    if q.type == "single":
        return next(i for i, c in enumerate(q.choices) if not c.correct and not (c.credit or 0) > 0)
    if q.type == "multiple":
        return [i for i, c in enumerate(q.choices) if not c.correct and not (c.credit or 0) > 0]
    if q.type == "truefalse":
        return not q.answer
    if q.type == "numeric":
        return str(max(abs(a.value) for a in q.answers) * 1000 + 12345)
    if q.type == "match":
        options = match_options(q)
        right = [options.index(r) for _, r in q.pairs]
        return right[1:] + right[:1]  # every left side given another's right side
    return "zzz not the answer"


def _accepts_anything(q: Any) -> bool:
    return q.type == "text" and q.pattern is not None and re.fullmatch(q.pattern, _wrong(q), re.I) is not None


def _check(course: Any, source_answer: Any) -> int:
    played = 0
    for item in course.items():
        if item.kind != "quiz" or item.quiz is None:
            continue
        right = {q.id: source_answer(q) for q in item.quiz.questions}
        verdicts = _play(course, item, lambda q, shown, pair, r=right: _line(q, shown, pair, r[q.id]))
        # a reflection (a GIFT essay) is written, never scored: it has no right or wrong answer
        written = ["written, not scored" if q.type == "reflection" else None for q in item.quiz.questions]
        assert verdicts == [w or "right" for w in written], (item.id, verdicts)
        wrong = {q.id: _wrong(q) for q in item.quiz.questions}
        verdicts = _play(course, item, lambda q, shown, pair, w=wrong: _line(q, shown, pair, w[q.id]))
        # a question whose source accepts any answer (an OLX reflection: pattern ".*.") has no wrong one
        expected = [w or ("right" if _accepts_anything(q) else "wrong") for w, q in zip(written, item.quiz.questions)]
        assert verdicts == expected and expected.count("right") <= 1, (item.id, verdicts)
        played += len(item.quiz.questions)
    return played


def test_every_imported_olx_question_plays_right_and_wrong(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "olx" / "openedx-demo-course"
    report = import_olx(source, tmp_path / "demo")
    course = load_course(open_source(tmp_path / "demo"))
    problems = {p.stem: ET.parse(p).getroot() for p in (source / "problem").glob("*.xml")}

    def source_answer(q: Any) -> Any:
        url_name, _, index = q.id.partition("-")
        return REGEXP_SAMPLES.get(url_name) or _source_answer(problems[url_name], int(index or 1), q)

    assert _check(course, source_answer) == report.produced["questions"] == 27


# -- GIFT: the source's right answer, read from the GIFT text itself --------------------------


def _gift_answer(block: str, q: Any) -> Any:
    """The right response to one GIFT question, from its text (escapes made inert first)."""
    text = re.sub(r"\\.", "\x00", block)
    answer = text[text.index("{") + 1 : text.index("}")].split("####")[0].strip()
    parts = [(m.group(1), m.group(2)) for m in re.finditer(r"([=~])([^=~]*)", answer)]
    lead = re.split(r"[=~]", answer)[0].strip()

    def weight(body: str) -> float | None:
        m = re.match(r"\s*%(-?[\d.]+)%", body)
        return float(m.group(1)) if m else None

    def bare(body: str) -> str:
        return re.sub(r"^\s*%-?[\d.]+%", "", body).split("#")[0].strip()

    if answer.startswith("#"):
        chunks = [bare(b) for m, b in parts if m == "=" and weight(b) in (None, 100.0)] or [bare(answer[1:])]
        spec = chunks[0]
        if ".." in spec:
            low, high = spec.split("..")
            return str((float(low) + float(high)) / 2)
        return spec.split(":")[0]
    if re.fullmatch(r"(?i)(T|TRUE|F|FALSE)", answer.split("#")[0].strip()):
        return answer.split("#")[0].strip().upper() in ("T", "TRUE")
    if "->" in answer:
        options = match_options(q)
        rights = [bare(b).split("->")[1].strip() for _, b in parts if bare(b).split("->")[0].strip()]
        return [options.index(r) for r in rights]
    if "~" in answer:
        if q.type == "multiple":
            return [i for i, (_, b) in enumerate(parts) if (weight(b) or 0) > 0]
        return next(i for i, (m, b) in enumerate(parts) if m == "=" or weight(b) == 100.0)
    if not answer:  # an essay: anything the learner writes
        return "In my own words."
    full = [bare(b) for m, b in parts if m == "=" and weight(b) in (None, 100.0)]
    return (full or [lead])[0].replace("*", "x")


@pytest.mark.parametrize("name", ["moodle-examples", "moodle-questions", "moodle-questions-in-category"])
def test_every_imported_gift_question_plays_right_and_wrong(corpus_dir: Path, tmp_path: Path, name: str) -> None:
    from tests.support.import_fidelity import gift_blocks
    from tests.test_import_gift import _pack

    gift = corpus_dir / "gift" / f"{name}.gift.txt"
    pack = _pack(tmp_path)
    report, _ = import_gift(gift, into=pack, module="week-1")
    course = load_course(open_source(pack))
    lines = gift.read_text(encoding="utf-8-sig").split("\n")
    starts = [n for n, _ in gift_blocks("\n".join(lines))]
    blocks = {}
    for n in starts:
        end = next((k for k in range(n, len(lines) + 1) if not lines[k - 1].strip()), len(lines) + 1)
        question = report.placed.get(f"{gift.name}:{n}", "").partition("#")[2]
        blocks[question] = "\n".join(line for line in lines[n - 1 : end - 1] if not line.strip().startswith("//"))
    assert _check(course, lambda q: _gift_answer(blocks[q.id], q)) == report.produced["questions"]
