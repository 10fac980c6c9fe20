"""Match questions (`type = "match"`): each left item paired with a right-hand option.

The right-hand options are the pairs' right sides, then the distractors (`options()`),
shown shuffled. The response gives, for each pair in pack order, the index of the
option picked, or null where none was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from packages.i18n import _
from packages.question_kinds.base import NOT_UNDERSTOOD, Accepted, Question, Reader, RightAnswer, index_in, is_int
from packages.safe_text import one_line


@dataclass(frozen=True, kw_only=True)
class Match(Question, name="match", keys=frozenset({"pairs", "distractors"}), interaction="matching", widget="Select"):
    """Left items to pair with right-hand options; shown shuffled, `pairs` holds the right pairs."""

    pairs: tuple[tuple[str, str], ...]
    # extension: extra wrong right-hand options offered as distractors
    distractors: tuple[str, ...] = ()

    def options(self) -> list[str]:
        """The right-hand options in pack order: each pair's right side, then the distractors."""
        return [right for _, right in self.pairs] + list(self.distractors)

    @classmethod
    def parse(cls, reader: Reader, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        raw_pairs = reader.get(raw, "pairs", "list", f, qp, required=True, default=[])
        pairs: list[tuple[str, str]] = []
        for pi, p in enumerate(raw_pairs):
            if isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p):
                pairs.append((p[0], p[1]))
            else:
                reader.error(
                    f,
                    f"{qp}.pairs[{pi}]",
                    _('must be a pair of strings like ["Italy", "Rome"], not {p}').format(p=reader.describe(p)),
                )
        if "pairs" in raw and isinstance(raw_pairs, list) and len(raw_pairs) < 2:
            reader.error(f, f"{qp}.pairs", _("needs at least 2 pairs"))
        lefts = [p[0] for p in pairs]
        if len(set(lefts)) != len(lefts):
            reader.error(f, f"{qp}.pairs", _("left sides must differ from each other"))
        distractors = reader.get(raw, "distractors", "strlist", f, qp, default=[]) if "distractors" in raw else []
        rights = {p[1] for p in pairs}
        for di, d in enumerate(distractors):
            if d in rights:
                reader.error(f, f"{qp}.distractors[{di}]", _("{d!r} is also a right answer").format(d=one_line(d)))
        return cls(pairs=tuple(pairs), distractors=tuple(distractors), **common)

    def right_answer(self) -> RightAnswer:
        return RightAnswer(
            "pairs", tuple(Accepted(f"{one_line(left)}: {one_line(right)}") for left, right in self.pairs)
        )

    def response_text(self, response: object) -> str:
        options = self.options()
        if not isinstance(response, list) or len(response) != len(self.pairs):
            return NOT_UNDERSTOOD
        parts = []
        for (left, _right), r in zip(self.pairs, response):
            i = index_in(r, len(options))
            if r is not None and i is None:
                return NOT_UNDERSTOOD
            parts.append(f"{one_line(left)}: {one_line(options[i]) if i is not None else '-'}")
        return "; ".join(parts)

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        if isinstance(value, list):
            return "[,]".join(f"L{i}[.]R{v}" for i, v in enumerate(value) if is_int(v))
        return None

    def xapi_pattern(self) -> list[str] | None:
        return ["[,]".join(f"L{i}[.]R{i}" for i in range(len(self.pairs)))]

    def xapi_components(self) -> dict[str, list[tuple[str, str]]]:
        return {
            "source": [(f"L{i}", left) for i, (left, _r) in enumerate(self.pairs)],
            "target": [(f"R{i}", right) for i, right in enumerate(self.options())],
        }

    def presentation(self, rng: random.Random, shuffle_choices: bool) -> list[int] | None:
        idx = list(range(len(self.options())))
        rng.shuffle(idx)
        return idx
