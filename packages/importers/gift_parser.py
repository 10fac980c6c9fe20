"""The GIFT file -> question tables, one per question block.

Blocks split at blank lines; each block's `::name::`, `[format]`, prompt and
answer block are found here, the answer block read by `gift_answers` as its
question type and the text by `gift_text`. A syntax error is a MoocError
naming the file and line; a question that cannot come across is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.importers.gift_answers import GiftAnswers, GiftSyntax, NotFinite
from packages.importers.gift_text import FORMAT, convert, protect, restore
from packages.importers.pack_writer import IdAllocator
from packages.importers.report import ImportReport


@dataclass
class GiftResult:
    title: str
    questions: list[dict[str, Any]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


@dataclass
class _Description:
    """A GIFT description (text without an answer block): shown with the next question."""

    text: str
    where: str
    ident: str


class _Unusable(Exception):
    """This question cannot come across (reason, where, ident): reported, the others still import."""


class GiftParser(GiftAnswers):
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
        descriptions: list[_Description] = []  # waiting for the next question
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
            except GiftSyntax as err:
                raise MoocError(
                    _("{name}: line {start_line}: {err}").format(name=self.name, start_line=start_line, err=err)
                ) from None
            if isinstance(table, _Description):
                descriptions.append(table)
            else:
                if descriptions:
                    self.place_descriptions(descriptions, table, before=True)
                    descriptions = []
                result.questions.append(table)
                self.report.produced["questions"] += 1
                if category:
                    self.report.found[f"category: {category}"] += 1
                self.where[table["id"]] = f"{self.name}:{start_line}"
        if descriptions and result.questions:
            self.place_descriptions(descriptions, result.questions[-1], before=False)
        result.categories = list(categories)
        return result

    def place_descriptions(self, descriptions: list[_Description], table: dict[str, Any], *, before: bool) -> None:
        """Descriptions are text between questions: above the next question's prompt, or below the last one's."""
        texts = [d.text for d in descriptions if d.text]
        table["prompt"] = "\n\n".join([*texts, table["prompt"]] if before else [table["prompt"], *texts])
        for d in descriptions:
            place = "above the next question" if before else "below the last question's text"
            self.report.changed(
                "description", d.where, f"no answer to grade: its text is shown {place} ({table['id']})", d.ident
            )

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
    def question(self, raw: str, line: int, category: str | None) -> dict[str, Any] | _Description:
        text = protect(raw)
        name = None
        stripped = text.lstrip()
        if stripped.startswith("::"):
            end = stripped.find("::", 2)
            if end < 0:
                raise GiftSyntax("question name '::' is never closed (write '\\:' for a literal colon)")
            name = " ".join(restore(stripped[2:end]).split())
            text = stripped[end + 2 :]
        fmt_match = FORMAT.match(text)
        fmt = "moodle"
        if fmt_match:
            fmt = fmt_match.group(1).lower()
            text = text[fmt_match.end() :]
        where = f"{self.name}:{line}" + (f" ({name})" if name else "")
        ident = name or f"line {line}"
        open_at = text.find("{")
        if open_at < 0:
            if "}" in text:
                raise GiftSyntax("'}' without an opening '{' (write '\\}' for a literal brace)")
            self.report.found["description"] += 1
            return _Description(convert(text, fmt).strip(), where, ident)
        close_at = text.find("}", open_at + 1)
        if close_at < 0:
            raise GiftSyntax("answer block '{' is never closed with '}' (write '\\{' for a literal brace)")
        before, answer, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
        if "{" in answer:
            raise GiftSyntax("'{' inside an answer block (write '\\{' for a literal brace)")
        tail = after.strip()
        if tail and not re.search(r"\w", tail) and before.rstrip().endswith(("?", ".", "!", ":")):
            # e.g. '{...}";' pasted from code: stray punctuation after a complete question
            self.report.changed(
                "question", where, f"stray text {restore(tail)!r} after the answer block ignored", ident
            )
            prompt_raw, kind_note = before, ""
        elif tail:  # missing word: the answer block stands for a blank in the sentence
            joiner = "" if re.match(r"[.,;:!?)\]'\"]", tail) else " "
            prompt_raw = f"{before.rstrip()} _____{joiner}{tail}"
            kind_note = "missing word"
        else:
            prompt_raw, kind_note = before, ""
        prompt = convert(prompt_raw, fmt).strip()
        answer = answer.strip()
        general = None
        if "####" in answer:
            answer, general_raw = answer.split("####", 1)
            general = convert(general_raw, fmt).strip() or None
            answer = answer.strip()

        table: dict[str, Any] = {"prompt": prompt or (name or "Question")}
        if not answer:  # an essay: nothing to grade, the learner writes and rates themselves
            self.report.found["essay"] += 1
            table["type"] = "reflection"
            if general:
                table["feedback"] = general
                general = None
        elif answer.startswith("#"):
            self.report.found["numerical"] += 1
            try:
                table.update(self.numeric(answer[1:], fmt))
            except NotFinite as err:
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
        else:  # `{=a =b}`, and as Moodle reads it `{One}`: a short answer
            self.report.found["short answer"] += 1
            table.update(self.short(answer, fmt, where, ident))
        table["id"] = self.ids.new(name or "", fallback=f"q{len(self.ids.used) + 1}")
        if kind_note:
            self.report.found["missing word (blank in the text)"] += 1
        if general:
            table["explanation"] = general
        self.report.found[f"format: {fmt}"] += 1
        return _ordered(table)


def _ordered(table: dict[str, Any]) -> dict[str, Any]:
    first = ["id", "type", "prompt", "points", "hint", "hints", "explanation"]
    return {**{k: table[k] for k in first if k in table}, **{k: v for k, v in table.items() if k not in first}}
