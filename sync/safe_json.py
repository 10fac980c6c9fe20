"""JSON from outside (LRS answers, export files, our own files on disk), decoded safely.

`json.loads` raises RecursionError (not ValueError) on deeply nested input, and a
value nested a few hundred levels deep still breaks any recursive code that walks it
later. `loads` turns both into ValueError: callers catch one exception and report
one line. mooc's own data is never more than ~12 levels deep.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decoded JSON, or ValueError (bad JSON, not UTF-8, or nested deeper than max_depth)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {max_depth} levels") from None
    if depth_exceeds(value, max_depth):
        raise ValueError(f"nested deeper than {max_depth} levels")
    return value


def depth_exceeds(value: Any, max_depth: int) -> bool:
    """True if lists/objects nest deeper than max_depth (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
