"""The links and images of a lesson, for "open media" (`o`, tui/screens/course_links.py).
Pure text processing, no Textual; loaded at the first `o`, not at the start of `mooc
play` (defining a dataclass costs ~0.5 ms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


@dataclass(frozen=True)
class Link:
    """A link or image in a lesson, for "open media"."""

    text: str
    target: str
    is_image: bool
    line: int  # 1-based

    @property
    def is_local(self) -> bool:
        return "://" not in self.target and not self.target.startswith(("mailto:", "#"))


def find_links(text: str) -> list[Link]:
    """Every inline link and image of the lesson, in order (for "open media")."""
    found: list[Link] = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        for m in _LINK.finditer(line):
            found.append(Link(text=m.group(2), target=m.group(3), is_image=m.group(1) == "!", line=line_no))
    return found
