"""How long one sync run may talk to LRSs, all requests together.

The read timeout alone does not bound a run: an LRS that drips one byte every few
seconds never lets a read time out. So every run (`mooc sync`, `--pull`, `--import`,
one round of the background worker) gets a `Deadline`; the HTTP client
(sync/lrs_client.py) cuts a request that outlives it, and the uploader and the pull
stop there. Nothing is lost: what was not confirmed stays in the outbox for the next
run. ``MOOC_SYNC_DEADLINE`` (seconds) sets it, e.g. lower in tests.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from packages.errors import MoocError

DEADLINE_ENV = "MOOC_SYNC_DEADLINE"
DEFAULT_SECONDS = 600.0  # a run that needs longer carries on at the next `mooc sync`
MAX_SECONDS = 24 * 3600.0


class OutOfTime(MoocError):
    """The run's deadline passed: stop talking to LRSs; nothing unconfirmed is lost."""


@dataclass
class Deadline:
    seconds: float
    end: float = field(default=0.0)

    def __post_init__(self) -> None:
        if not self.end:
            self.end = time.monotonic() + self.seconds

    @classmethod
    def start(cls, default: float = DEFAULT_SECONDS) -> "Deadline":
        """A deadline of `default` seconds from now, or of MOOC_SYNC_DEADLINE when set."""
        raw = os.environ.get(DEADLINE_ENV, "").strip()
        seconds = default
        if raw:
            try:
                seconds = float(raw)
            except ValueError:
                raise MoocError(f"{DEADLINE_ENV}={raw[:40]!r} is not a number of seconds") from None
            if not 0 < seconds <= MAX_SECONDS:  # also refuses nan
                raise MoocError(f"{DEADLINE_ENV} must be more than 0 and at most a day (in seconds)")
        return cls(seconds)

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def error(self, host: str) -> OutOfTime:
        return OutOfTime(f"{host}: stopped after {self.seconds:g} s, the time a sync may take "
                         f"({DEADLINE_ENV}); what was not confirmed stays pending for the next sync")

    def check(self, host: str) -> None:
        if self.expired():
            raise self.error(host)
