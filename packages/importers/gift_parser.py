"""The GIFT text itself -> question tables, one per question block.

Blocks split at blank lines; escapes, `::names::`, `[format]` text (as Markdown)
and each answer block read as its question type. A syntax error is a MoocError
naming the file and line; a question that cannot come across is reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from packages.errors import MoocError
from packages.importers.html_markdown import escape, html_to_markdown
from packages.importers.pack_writer import IdAllocator
from packages.importers.report import ImportReport

# Escapes become private-use characters while parsing, and literal characters after.
_ESC = {
    "\\\\": "\ue000",
    "\\~": "\ue001",
    "\\=": "\ue002",
    "\\#": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\:": "\ue006",
    "\\n": "\ue007",
}
_UNESC = {
    "\ue000": "\\",
    "\ue001": "~",
    "\ue002": "=",
    "\ue003": "#",
    "\ue004": "{",
    "\ue005": "}",
    "\ue006": ":",
    "\ue007": "\n",
}
_ESC_RE = re.compile(r"\\[\\~=#{}:n]")
_FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


@dataclass
class GiftQuestion:
    line: int
    name: str | None
    category: str | None
    table: dict[str, Any] | None  # None: not importable (reported)


@dataclass
class GiftResult:
    title: str
    questions: list[dict[str, Any]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def _protect(text: str) -> str:
    return _ESC_RE.sub(lambda m: _ESC[m.group(0)], text)


def _restore(text: str) -> str:
    for k, v in _UNESC.items():
        text = text.replace(k, v)
    return text


class _Syntax(Exception):
    pass


class _Unusable(Exception):
    """This question cannot come across (reason, where, ident): reported, the others still import."""


class GiftParser:
    def __init__(self, text: str, name: str, report: ImportReport) -> None:
        self.name = name
        self.report = report
        self.text = text
        self.ids = IdAllocator()
        self.where: dict[str, str] = {}  # question id -> file:line, for the report

    def parse(self) -> GiftResult:
        result = GiftResult(title="")
        category: str | None = None
        categories: dict[str, None] = {}
        for start_line, block in self.blocks():
            lines = block.split("\n")
            # $CATEGORY lines may head a block of their own or precede a question.
            first = 0
            while first < len(lines) and lines[first].strip().upper().startswith("$CATEGORY:"):
                category = lines[first].strip()[len("$CATEGORY:") :].strip()
                categories.setdefault(category)
                first += 1
            start_line += first
            body = "\n".join(lines[first:]).strip()
            if not body:
                continue
            try:
                table = self.question(body, start_line, category)
            except _Unusable as err:
                where, ident = err.args[1], err.args[2]
                self.report.missing("question", where, str(err.args[0]), ident)
                continue
            except _Syntax as err:
                raise MoocError(f"{self.name}: line {start_line}: {err}") from None
            if table is not None:
                result.questions.append(table)
                self.report.produced["questions"] += 1
                if category:
                    self.report.found[f"category: {category}"] += 1
                self.where[table["id"]] = f"{self.name}:{start_line}"
        result.categories = list(categories)
        return result

    def blocks(self) -> list[tuple[int, str]]:
        """Questions are separated by blank lines; `//` comment lines are dropped."""
        blocks: list[tuple[int, str]] = []
        current: list[str] = []
        start = 0
        for number, raw in enumerate(self.text.split("\n"), start=1):
            line = raw.rstrip("\r")
            if line.lstrip().startswith("//"):
                continue
            if not line.strip():
                if current:
                    blocks.append((start, "\n".join(current)))
                    current = []
                continue
            if not current:
                start = number
            current.append(line)
        if current:
            blocks.append((start, "\n".join(current)))
        return blocks

    # -- one question ---------------------------------------------------------
    def question(self, raw: str, line: int, category: str | None) -> dict[str, Any] | None:
        text = _protect(raw)
        name = None
        stripped = text.lstrip()
        if stripped.startswith("::"):
            end = stripped.find("::", 2)
            if end < 0:
                raise _Syntax("question name '::' is never closed (write '\\:' for a literal colon)")
            name = " ".join(_restore(stripped[2:end]).split())
            text = stripped[end + 2 :]
        fmt_match = _FORMAT.match(text)
        fmt = "moodle"
        if fmt_match:
            fmt = fmt_match.group(1).lower()
            text = text[fmt_match.end() :]
        where = f"{self.name}:{line}" + (f" ({name})" if name else "")
        ident = name or f"line {line}"
        open_at = text.find("{")
        if open_at < 0:
            if "}" in text:
                raise _Syntax("'}' without an opening '{' (write '\\}' for a literal brace)")
            self.report.found["description"] += 1
            self.report.missing("description", where, "a description has no answer to grade", ident)
            return None
        close_at = text.find("}", open_at + 1)
        if close_at < 0:
            raise _Syntax("answer block '{' is never closed with '}' (write '\\{' for a literal brace)")
        before, answer, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
        if "{" in answer:
            raise _Syntax("'{' inside an answer block (write '\\{' for a literal brace)")
        tail = after.strip()
        if tail and not re.search(r"\w", tail) and before.rstrip().endswith(("?", ".", "!", ":")):
            # e.g. '{...}";' pasted from code: stray punctuation after a complete question
            self.report.changed(
                "question", where, f"stray text {_restore(tail)!r} after the answer block ignored", ident
            )
            prompt_raw, kind_note = before, ""
        elif tail:  # missing word: the answer block stands for a blank in the sentence
            joiner = "" if re.match(r"[.,;:!?)\]'\"]", tail) else " "
            prompt_raw = f"{before.rstrip()} _____{joiner}{tail}"
            kind_note = "missing word"
        else:
            prompt_raw, kind_note = before, ""
        prompt = self.convert(prompt_raw, fmt).strip()
        answer = answer.strip()
        general = None
        if "####" in answer:
            answer, general_raw = answer.split("####", 1)
            general = self.convert(general_raw, fmt).strip() or None
            answer = answer.strip()

        if not answer:
            self.report.found["essay"] += 1
            self.report.missing("essay", where, "an essay needs a human to grade it", ident)
            return None
        table: dict[str, Any] = {"prompt": prompt or (name or "Question")}
        if answer.startswith("#"):
            self.report.found["numerical"] += 1
            try:
                table.update(self.numeric(answer[1:], fmt))
            except _NotFinite as err:
                raise _Unusable(
                    f"numerical answer {err} is not a finite number; question left out", where, ident
                ) from None
        elif re.fullmatch(r"(?is)(T|F|TRUE|FALSE)\s*(#.*)?", answer):
            self.report.found["true/false"] += 1
            table.update(self.truefalse(answer, fmt))
        elif "->" in answer and answer.lstrip().startswith("="):
            self.report.found["matching"] += 1
            table.update(self.matching(answer, fmt))
        elif "~" in answer:
            self.report.found["multiple choice"] += 1
            table.update(self.choice(answer, fmt, where, ident))
        elif answer.lstrip().startswith("="):
            self.report.found["short answer"] += 1
            table.update(self.short(answer, fmt, where, ident))
        else:
            raise _Syntax(f"cannot tell the question type from the answer block {{{_restore(answer)[:40]}}}")
        table["id"] = self.ids.new(name or "", fallback=f"q{len(self.ids.used) + 1}")
        if kind_note:
            self.report.found["missing word (blank in the text)"] += 1
        if general:
            table["explanation"] = general
        self.report.found[f"format: {fmt}"] += 1
        return _ordered(table)

    def convert(self, raw: str, fmt: str) -> str:
        """GIFT text in its declared format -> Markdown (escapes restored)."""
        sub = _FORMAT.match(raw)
        if sub:  # an answer or feedback may declare its own format
            fmt, raw = sub.group(1).lower(), raw[sub.end() :]
        text = raw.strip()
        if fmt == "markdown":
            return _restore(text)
        if fmt == "html" or (fmt == "moodle" and _TAG.search(text)):
            html = _restore(text)
            if fmt == "moodle":
                html = html.replace("\n", "<br>")
            return html_to_markdown(html).strip()
        # plain / moodle without tags: text shown as is, line breaks kept
        lines = [escape(" ".join(line.split())) for line in _restore(text).split("\n")]
        return "\\\n".join(line for line in lines)

    def split_answers(self, answer: str) -> list[tuple[str, str]]:
        """[(marker, body)] for each `=`/`~` answer, in order."""
        parts = re.split(r"([=~])", answer)
        lead = parts[0].strip()
        if lead:
            raise _Syntax(f"text {_restore(lead)[:30]!r} before the first answer (answers start with = or ~)")
        return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]

    def weighted(self, body: str) -> tuple[float | None, str, str | None]:
        """'%50%text#feedback' -> (0.5, 'text', 'feedback')."""
        body = body.strip()
        weight = None
        m = _WEIGHT.match(body)
        if m:
            weight = float(m.group(1).replace(",", ".")) / 100
            if not -1 <= weight <= 1:
                raise _Syntax(f"weight {m.group(0)} is outside -100%..100%")
            body = body[m.end() :]
        elif body.startswith("%"):
            raise _Syntax(f"bad weight {_restore(body)[:20]!r} (write %50% or %-100%)")
        text, _, feedback = body.partition("#")
        return weight, text.strip(), feedback.strip() or None

    def choice(self, answer: str, fmt: str, where: str, ident: str) -> dict[str, Any]:
        choices = []
        n_right = 0
        for marker, body in self.split_answers(answer):
            weight, text, feedback = self.weighted(body)
            entry: dict[str, Any] = {"text": self.convert(text, fmt) or "(empty)"}
            if marker == "=":
                n_right += 1
                entry["correct"] = True
                if weight is not None and weight != 1:
                    raise _Syntax("'=' marks the right answer; give partial weights with '~%50%'")
            elif weight:
                entry["credit"] = weight
                if weight > 0:
                    entry["correct"] = True
            if feedback:
                entry["feedback"] = self.convert(feedback, fmt)
            choices.append(entry)
        if len(choices) < 2:
            raise _Syntax("a multiple-choice question needs at least two answers")
        partial = [c for c in choices if "credit" in c]
        if n_right == 0 and not any(c.get("credit", 0) > 0 for c in choices):
            raise _Syntax("no right answer (mark one with '=' or give weights like '~%50%')")
        if n_right == 0:
            # Moodle's multiple-answer question: several weighted right answers to tick.
            for c in choices:  # unweighted answers are worth 0 (Moodle), not a penalty
                c.setdefault("credit", 0.0)
            self.report.found["multiple choice: several answers (weights)"] += 1
            return {"type": "multiple", "choices": choices}
        if partial or n_right > 1:
            for c in choices:
                if c.get("correct") and "credit" not in c:
                    c["credit"] = 1.0
                if c.get("credit", 0) <= 0:
                    c.pop("correct", None)
                elif c.get("credit", 0) < 1:
                    c.pop("correct", None)  # partial credit: not "the" right answer
            self.report.found["multiple choice: partial credit"] += 1 if partial else 0
        return {"type": "single", "choices": choices}

    def short(self, answer: str, fmt: str, where: str, ident: str) -> dict[str, Any]:
        answers: list[dict[str, Any]] = []
        patterns: list[str] = []
        for marker, body in self.split_answers(answer):
            if marker != "=":
                raise _Syntax("a short-answer question lists accepted answers with '='")
            weight, text, feedback = self.weighted(body)
            credit = 1.0 if weight is None else weight
            value = " ".join(_restore(text).split())
            if "*" in value:
                if credit == 1.0:
                    patterns.append(".*".join(re.escape(part) for part in value.split("*")))
                else:
                    self.report.changed(
                        "short answer",
                        where,
                        f"wildcard answer {value!r} worth {credit:.0%} "
                        "dropped (only full-credit wildcards can be kept)",
                        ident,
                    )
                continue
            entry: dict[str, Any] = {"text": value}
            if credit != 1.0:
                entry["credit"] = credit
            if feedback:
                entry["feedback"] = self.convert(feedback, fmt)
            answers.append(entry)
        if not answers and not patterns:
            raise _Syntax("no accepted answer")
        out: dict[str, Any] = {"type": "text"}
        if answers:
            simple = all(set(a) == {"text"} for a in answers)
            out["answers"] = [a["text"] for a in answers] if simple else answers
            if not any(a.get("credit", 1.0) == 1.0 for a in answers) and not patterns:
                raise _Syntax("no answer is worth 100%")
        if patterns:
            out["pattern"] = "|".join(f"(?:{p})" for p in patterns) if len(patterns) > 1 else patterns[0]
        return out

    def truefalse(self, answer: str, fmt: str) -> dict[str, Any]:
        word, *feedbacks = answer.split("#")
        value = word.strip().upper() in ("T", "TRUE")
        out: dict[str, Any] = {"type": "truefalse", "answer": value}
        # GIFT: the first feedback is shown for a wrong response, the second for the right one.
        wrong = self.convert(feedbacks[0], fmt) if len(feedbacks) > 0 and feedbacks[0].strip() else None
        right = self.convert(feedbacks[1], fmt) if len(feedbacks) > 1 and feedbacks[1].strip() else None
        if len(feedbacks) > 2:
            raise _Syntax("true/false takes at most two feedbacks (#wrong#right)")
        out["feedback_true"] = right if value else wrong
        out["feedback_false"] = wrong if value else right
        return {k: v for k, v in out.items() if v is not None}

    def matching(self, answer: str, fmt: str) -> dict[str, Any]:
        pairs: list[list[str]] = []
        distractors: list[str] = []
        for marker, body in self.split_answers(answer):
            if marker != "=":
                raise _Syntax("matching pairs are written '=left -> right'")
            if "->" not in body:
                raise _Syntax(f"matching pair {_restore(body).strip()[:30]!r} has no '->'")
            left, right = body.split("->", 1)
            left_md = self.convert(left, fmt)
            right_md = " ".join(_restore(right).split())
            if not left_md.strip():
                distractors.append(right_md)
            else:
                pairs.append([left_md, right_md])
        if len(pairs) < 2:
            raise _Syntax("a matching question needs at least two pairs")
        out: dict[str, Any] = {"type": "match", "pairs": pairs}
        if distractors:
            out["distractors"] = distractors
        return out

    def numeric(self, body: str, fmt: str) -> dict[str, Any]:
        body = body.strip()
        if not body:
            raise _Syntax("numerical answer '{#}' has no number")
        if body[0] not in "=~" and not re.search(r"[=~]", body):
            value, tol, feedback = self.number(body)
            out: dict[str, Any] = {"type": "numeric"}
            if feedback:
                out["answers"] = [{"value": value, "tolerance": tol, "feedback": self.convert(feedback, fmt)}]
            else:
                out["answer"] = value
                if tol:
                    out["tolerance"] = tol
            return out
        parts = re.split(r"([=~])", body)
        chunks = [("=", parts[0])] if parts[0].strip() else []
        chunks += [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
        answers = []
        for marker, chunk in chunks:
            weight, text, feedback = self.weighted(chunk)
            if not text:  # '~#feedback': feedback for any other number; mooc has no slot for it
                self.report.found["numerical: 'any other answer' feedback (dropped)"] += 1
                continue
            value, tol, fb = self.number(text + (f"#{feedback}" if feedback else ""))
            credit = (1.0 if marker == "=" else 0.0) if weight is None else weight
            entry: dict[str, Any] = {"value": value}
            if tol:
                entry["tolerance"] = tol
            if credit != 1.0:
                entry["credit"] = credit
            if fb:
                entry["feedback"] = self.convert(fb, fmt)
            answers.append(entry)
        if not any(a.get("credit", 1.0) == 1.0 for a in answers):
            raise _Syntax("no numerical answer is worth 100%")
        return {"type": "numeric", "answers": answers}

    def number(self, text: str) -> tuple[float, float, str | None]:
        """'3.14:0.01', '1..5' or '1822', optionally '#feedback' -> (value, tolerance, feedback)."""
        spec, _, feedback = text.partition("#")
        spec = _restore(spec).strip().replace(" ", "")
        try:
            if ".." in spec:
                low_s, high_s = spec.split("..", 1)
                low, high = _finite(low_s), _finite(high_s)
                value, tolerance = low / 2 + high / 2, abs(high / 2 - low / 2)  # no overflow near 1e308
            elif ":" in spec:
                value_s, tol_s = spec.split(":", 1)
                value, tolerance = _finite(value_s), abs(_finite(tol_s))
            else:
                value, tolerance = _finite(spec), 0.0
        except ValueError:
            raise _Syntax(f"{spec[:40]!r} is not a number (write 3.14, 3.14:0.01 or 1..5)") from None
        return value, tolerance, feedback.strip() or None


class _NotFinite(Exception):
    """A GIFT number Python reads but a pack cannot hold: inf, nan, 1e400."""


def _finite(text: str) -> float:
    value = float(text)  # ValueError: not a number at all
    if not math.isfinite(value):
        raise _NotFinite(repr(text[:40]))
    return value


def _ordered(table: dict[str, Any]) -> dict[str, Any]:
    first = ["id", "type", "prompt", "points", "hint", "hints", "explanation"]
    return {**{k: table[k] for k in first if k in table}, **{k: v for k, v in table.items() if k not in first}}
