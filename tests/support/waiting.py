"""Waiting in tests for something another process or thread does."""

from __future__ import annotations

import time
from collections.abc import Callable


def until(predicate: Callable[[], object], seconds: float = 30.0, *, every: float = 0.02) -> None:
    """Return as soon as PREDICATE holds; fail the test if it still does not after SECONDS."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(every)
    assert predicate()
