"""The one retry rule of every request to an LRS (uploads, lookups, `mooc sync --pull`).

A dropped connection, a timeout, a 429 or a 5xx is tried again after an exponential
back-off with full jitter (BACKOFF_BASE × 2ⁿ, capped at BACKOFF_CAP s), honouring the
LRS's `Retry-After` (capped at RETRY_AFTER_CAP s), at most `max_retries` times; then
`Transient` says what went wrong last. A back-off never outlasts the run's deadline
(`guard`, sync/deadline.py): it stops with `TooSlow` instead. Any other answer is
returned for the caller to judge.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from packages.i18n import _
from packages.netguard import Guard, TooSlow

BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0


class Transient(Exception):
    """The LRS did not answer usefully after all retries; stop this endpoint for now."""


@dataclass
class Retry:
    host: str
    max_retries: int = 5
    guard: Guard | None = None
    sleep: Callable[[float], None] = time.sleep
    should_stop: Callable[[], bool] = field(default=lambda: False)

    def call(self, request: Callable[[], Any]) -> Any:
        """`request()` (an `Answer`, sync/lrs_client.py) until it is not transient."""
        from packages.retry_budget import backoff_delay
        from sync.lrs_client import TransportError

        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt and self.should_stop():
                break
            retry_after: float | None = None
            try:
                answer = request()
            except TransportError as err:
                last = str(err)
            else:
                if answer.status != 429 and answer.status < 500:
                    return answer
                last = f"{self.host} answered {answer.status} ({answer.detail})"
                retry_after = _retry_after(answer.headers.get("Retry-After"))
            if attempt == self.max_retries:
                break
            delay = backoff_delay(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP)
            if retry_after is not None:
                delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
            self.wait(delay)
        raise Transient(last or "stopped")

    def wait(self, delay: float) -> None:
        """Back off, but never past the run's deadline."""
        guard = self.guard
        if guard is None:
            self.sleep(delay)
        elif delay >= guard.remaining():
            raise TooSlow(
                _(
                    "{label}: stopped: waiting {delay} s to try again would pass the {deadline} s allowed ({why})"
                ).format(label=guard.label, delay=f"{delay:.0f}", deadline=f"{guard.deadline:.0f}", why=guard.why)
            )
        else:
            guard.sleep(delay)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import datetime, timezone

        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None
