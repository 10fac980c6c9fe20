"""JSON from an LRS (and statement bodies compared with it), decoded with a depth cap.

`packages/datafile.py` `loads_json` turns every decoding failure into one DataError;
but a value nested a few hundred levels deep still decodes, and then breaks any
recursive code that walks it later (comparing statements, printing a detail). `loads`
also refuses anything deeper than `MAX_DEPTH`: xAPI statements as mooc writes them
are about a dozen levels deep.
"""

from __future__ import annotations

from typing import Any

from packages.datafile import DataError, loads_json

MAX_DEPTH = 64


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decoded JSON, or DataError (a ValueError): bad JSON, not UTF-8, or nested too deep."""
    value = loads_json(text)
    if depth_exceeds(value, max_depth):
        raise DataError(f"nested deeper than {max_depth} levels")
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
