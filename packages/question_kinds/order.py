"""Order questions (`type = "order"`): items to put in their right order.

`items` holds the right order; they are shown shuffled (never already in order). The
response lists the item indexes (pack order) in the order the learner put them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from packages.i18n import _
from packages.question_kinds.base import NOT_UNDERSTOOD, Accepted, Question, Reader, RightAnswer, index_in, index_list
from packages.safe_text import one_line


def derangement_free_shuffle(rng: random.Random, n: int) -> list[int]:
    """A shuffle that is never the right order (for n >= 2): showing it solved gives it away."""
    idx = list(range(n))
    if n < 2:
        return idx
    while idx == sorted(idx):
        rng.shuffle(idx)
    return idx


@dataclass(frozen=True, kw_only=True)
class Order(Question, name="order", keys=frozenset({"items"}), interaction="sequencing", widget="OrderList"):
    """Items to put in order; shown shuffled, `items` holds the right order."""

    items: tuple[str, ...]  # in the right order

    @classmethod
    def parse(cls, reader: Reader, raw: dict[str, Any], f: str, qp: str, common: dict[str, Any]) -> Question:
        items = reader.get(raw, "items", "strlist", f, qp, required=True, default=[])
        if "items" in raw and isinstance(raw["items"], list) and len(items) < 2:
            reader.error(f, f"{qp}.items", _("needs at least 2 items to put in order"))
        elif len(set(items)) != len(items):
            reader.error(f, f"{qp}.items", _("items must differ from each other (the order would be ambiguous)"))
        return cls(items=tuple(items), **common)

    def right_answer(self) -> RightAnswer:
        return RightAnswer("in order", tuple(Accepted(one_line(text)) for text in self.items))

    def response_text(self, response: object) -> str:
        if not isinstance(response, list):
            return NOT_UNDERSTOOD
        found = [index_in(p, len(self.items)) for p in response]
        if any(i is None for i in found):
            return NOT_UNDERSTOOD
        return "; ".join(one_line(self.items[i]) for i in found if i is not None)

    @classmethod
    def xapi_response(cls, value: Any) -> str | None:
        return index_list(value)

    def xapi_pattern(self) -> list[str] | None:
        return ["[,]".join(str(i) for i in range(len(self.items)))]

    def xapi_components(self) -> dict[str, list[tuple[str, str]]]:
        return {"choices": [(str(i), text) for i, text in enumerate(self.items)]}

    def presentation(self, rng: random.Random, shuffle_choices: bool) -> list[int] | None:
        return derangement_free_shuffle(rng, len(self.items))
