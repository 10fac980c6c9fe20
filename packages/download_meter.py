"""Metering a download: the token bucket that caps its average rate (`--limit-rate`,
read by `parse_rate`) and the progress bar that shows it on a terminal (Rich, on
stderr, imported only when shown).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from packages.errors import MoocError
from packages.http_get import CHUNK
from packages.i18n import _


def parse_rate(text: str) -> int:
    """'200k' -> 204800 bytes/s; '1M', '1.5m', '500' (bytes/s) also accepted."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?(?:/s)?\s*", text)
    if not match:
        raise MoocError(_("--limit-rate: {text!r} is not a rate (examples: 200k, 1M, 50000)").format(text=text))
    value = float(match.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    if value < 1:
        raise MoocError(_("--limit-rate: {text!r} is too small").format(text=text))
    return int(value)


class TokenBucket:
    """Caps the average rate at RATE bytes/s with a burst of about one chunk."""

    def __init__(
        self,
        rate: int,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = float(rate)
        self.capacity = float(burst if burst is not None else max(CHUNK, rate // 10))
        self.tokens = self.capacity
        self.clock = clock
        self.sleep = sleep
        self.last = clock()

    def take(self, amount: int) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        self.tokens -= amount
        if self.tokens < 0:
            self.sleep(-self.tokens / self.rate)
            self.last = self.clock()
            self.tokens = 0.0


class _Progress:
    """A Rich progress bar on a TTY (stderr); nothing at all otherwise."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int | None, done: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True, highlight=False),
                transient=True,
            )
            self.bar.start()
            from rich.text import Text

            self.task = self.bar.add_task(Text(self.label).plain, total=total, completed=done)
        else:
            self.bar.update(self.task, total=total, completed=done)

    def advance(self, amount: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, amount)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
