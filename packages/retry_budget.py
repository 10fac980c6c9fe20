"""When to try a download again and when to give up: exponential backoff with full
jitter (or the server's Retry-After), a budget of MAX_TRIES failed tries that
progress refills, and the one classification of a failed try (`failed_try`), shared
by the full download and the delta's ranged GETs.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

from packages.http_get import CHUNK, DownloadError, _Retry, _short
from packages.i18n import _, ngettext
from packages.netguard import BACKOFF_BASE, Guard

MAX_TRIES = 8
BACKOFF_CAP = 30.0
# A try that adds fewer new bytes than this (and does not finish) spends one try.
MIN_PROGRESS = CHUNK


def backoff_delay(attempt: int, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**attempt))."""
    return random.uniform(0, min(cap, base * (2**attempt)))


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return min(BACKOFF_CAP, max(0.0, float(value)))
    except ValueError:
        return None


RETRY_STATUSES = (429, 500, 502, 503, 504)  # busy or failing for now: worth another try


def retry_if_busy(response: Any) -> None:
    """Raise `_Retry` (with the answer's Retry-After) for a 429 or 5xx answer."""
    if response.status_code in RETRY_STATUSES:
        raise _Retry(f"HTTP {response.status_code}", _retry_after(response))


def failed_try(err: Exception, url: str, guard: Guard) -> tuple[str, float | None]:
    """(reason, Retry-After) of a try that broke off in a way worth another try: an answer
    that did not finish (`_Retry`), a dropped connection, a timeout. Any other transport
    failure (a bad URL, too many redirects) is a DownloadError naming URL."""
    import requests

    if isinstance(err, _Retry):
        return str(err), err.retry_after
    if isinstance(
        err,
        (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError),
    ):
        return _short(err), None
    guard.check()
    raise DownloadError(_("{url}: {err}").format(url=url, err=_short(err))) from None


class RetryBudget:
    """When to try again after an answer that did not finish, and when to give up.

    Each failed try spends one of MAX_TRIES unless it made at least MIN_PROGRESS new
    bytes (or finished what was LEFT) since the last refill: then the budget is full
    again. Between tries: exponential backoff with full jitter (or the server's
    Retry-After), slept under the guard, said on stderr unless QUIET.
    """

    def __init__(
        self,
        url: str,
        guard: Guard,
        *,
        max_tries: int = MAX_TRIES,
        backoff_base: float = BACKOFF_BASE,
        quiet: bool = False,
        progress: int = 0,
        kept: Callable[[], str] = lambda: "",
    ) -> None:
        self.url = url
        self.guard = guard
        self.max_tries = max_tries
        self.backoff_base = backoff_base
        self.quiet = quiet
        self.best = progress  # the progress counter at the last refill
        self.kept = kept  # what was kept to resume, for the end of the giving-up line
        self.tries_left = max_tries
        self.attempt = 0

    def spend(self, reason: str, retry_after: float | None, *, progress: int, left: int | None = None) -> None:
        """Account for one failed try whose transfer stands at PROGRESS bytes; sleep, or raise DownloadError."""
        self.guard.check()  # a connection cut by the watchdog looks like a dropped one
        needed = MIN_PROGRESS if left is None else min(MIN_PROGRESS, left)
        if progress - self.best >= max(1, needed):
            self.best = progress
            self.tries_left = self.max_tries  # progress refills the budget
            self.attempt = 0
        self.tries_left -= 1
        if self.tries_left <= 0:
            raise DownloadError(
                ngettext(
                    "{url}: giving up after {n} try: {reason}{kept}",
                    "{url}: giving up after {n} tries: {reason}{kept}",
                    self.max_tries,
                ).format(
                    url=self.url,
                    n=self.max_tries,
                    reason=reason,
                    kept=self.kept(),
                )
            )
        delay = retry_after if retry_after is not None else backoff_delay(self.attempt, base=self.backoff_base)
        if not self.quiet:  # a silent wait of half a minute looks like a hang
            from packages.safe_text import one_line

            print(
                one_line(
                    ngettext(
                        "mooc: {url}: {reason}; trying again in {delay:.0f} s ({n} try left)",
                        "mooc: {url}: {reason}; trying again in {delay:.0f} s ({n} tries left)",
                        self.tries_left,
                    ).format(url=self.url, reason=reason, delay=delay, n=self.tries_left)
                ),
                file=sys.stderr,
            )
        self.guard.sleep(delay)
        self.attempt += 1
