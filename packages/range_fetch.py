"""The delta update's network side (`_Fetcher`): the byte ranges of the new archive it
asks the server for, each answer checked to be exactly that range of that version,
with the retry budget of a full download (twice its tries: the ranges are small).
"""

from __future__ import annotations

from collections.abc import Callable

from packages.delta_result import DeltaResult, DeltaUnavailable
from packages.download_meter import TokenBucket, _Progress
from packages.http_get import _content_range, _int_header, _Retry, iter_body, make_session, open_url
from packages.i18n import _
from packages.netguard import Guard, NetLimits
from packages.retry_budget import MAX_TRIES, RetryBudget, failed_try, retry_if_busy


class _HeadersCut(_Retry):
    """A 206 without its Content-Range: the link broke inside the headers (or the server is odd)."""


DELTA_MAX_TRIES = 2 * MAX_TRIES
MAX_HEADERS_CUT = 3  # in a row: then the server, not the link, is taken to be at fault


class _Fetcher:
    """Ranged GETs of one file of a known size, pinned to one version (If-Range with its validator).

    A dropped connection, a timeout, a 5xx or a 429 is retried like a full download
    (`retry_budget.RetryBudget`: backoff, the budget refilled by progress) and resumes the
    range where it broke: bytes already handed to the sink are never asked again.
    An answer that is not exactly the range asked abandons delta.
    """

    def __init__(
        self,
        url: str,
        size: int,
        result: DeltaResult,
        guard: Guard,
        limits: NetLimits,
        *,
        quiet: bool,
        kept: Callable[[], str],
        bucket: TokenBucket | None = None,
    ) -> None:
        self.url = url
        self.size = size  # the catalog's
        self.result = result
        self.guard = guard
        self.timeouts = (limits.connect_timeout, limits.read_timeout)
        self.session = make_session(guard)
        self.validator: str | None = None
        self.bucket = bucket  # --limit-rate: the ranges are capped like a whole download
        self.progress: _Progress | None = None
        # Twice a download's tries: a delta's ranges are small, so one answer rarely
        # refills the budget by progress; the guard's deadline still bounds the whole.
        self.budget = RetryBudget(
            url, guard, max_tries=DELTA_MAX_TRIES, backoff_base=limits.backoff_base, quiet=quiet, kept=kept
        )

    def close(self) -> None:
        self.session.close()
        if self.progress is not None:
            self.progress.stop()

    def show_progress(self, label: str, total: int, *, enabled: bool) -> None:
        """From now on, a progress bar of the TOTAL bytes to fetch on a terminal (stderr)."""
        import sys

        self.progress = _Progress(label, enabled=enabled and sys.stderr.isatty())
        self.progress.start(total, 0)

    def tail(self, length: int, sink: Callable[[bytes], object]) -> int:
        """The last LENGTH bytes (a suffix range; resumed by offsets); returns where they start."""
        start = max(0, self.size - length)
        self.get(start, self.size - 1, sink, suffix=length)
        return start

    def get(self, start: int, end: int, sink: Callable[[bytes], object], *, suffix: int | None = None) -> None:
        """Bytes START..END (inclusive) into SINK, exactly, retrying a broken link from where it broke."""
        import requests

        position = start

        def take(chunk: bytes) -> None:
            nonlocal position
            position += len(chunk)
            sink(chunk)

        headers_cut = 0
        while position <= end:
            self.guard.check()
            try:
                self._one(position, end, take, f"bytes=-{suffix}" if suffix and position == start else None)
                return
            except _HeadersCut as err:
                headers_cut += 1
                if headers_cut >= MAX_HEADERS_CUT:
                    raise DeltaUnavailable(
                        _("{max_headers_cut} answers in a row to a range request had no Content-Range").format(
                            max_headers_cut=MAX_HEADERS_CUT
                        )
                    ) from None
                reason, retry_after = str(err), None
            except (_Retry, requests.exceptions.RequestException) as err:
                reason, retry_after = failed_try(err, self.url, self.guard)
            self.result.retries += 1
            self.budget.spend(reason, retry_after, progress=self.result.bytes_fetched, left=end + 1 - position)

    def _one(self, start: int, end: int, sink: Callable[[bytes], object], header: str | None) -> None:
        """One GET of START..END into SINK, or _Retry after handing over what arrived."""
        headers = {"Range": header or f"bytes={start}-{end}"}
        if self.validator:
            headers["If-Range"] = self.validator
        self.result.requests += 1
        response = open_url(self.session, self.url, headers=headers, timeout=self.guard.timeout(*self.timeouts))
        with response:
            status = response.status_code
            retry_if_busy(response)
            if status == 200:
                raise DeltaUnavailable(
                    _("the server ignores Range requests")
                    if not self.validator
                    else _("the file changed on the server")
                )
            if status != 206:
                raise DeltaUnavailable(_("HTTP {status} to a range request").format(status=status))
            if "content-range" not in response.headers:
                raise _HeadersCut("an answer without Content-Range (cut off in its headers?)")
            crange = _content_range(response.headers.get("content-range", ""))
            if crange is not None and crange[2] is not None and crange[2] != self.size:
                raise DeltaUnavailable(
                    _("the server has {crange} bytes, the catalog says {size}").format(crange=crange[2], size=self.size)
                )
            want = end - start + 1
            length = _int_header(response.headers.get("content-length"))
            if crange != (start, end, self.size) or (length is not None and length != want):
                raise DeltaUnavailable(_("answer to {headers} is not that range").format(headers=headers["Range"]))
            if self.validator is None:
                etag = response.headers.get("etag")
                self.validator = etag if etag and not etag.startswith("W/") else response.headers.get("last-modified")
            got = 0
            try:
                for chunk in iter_body(response):
                    if got + len(chunk) > want:
                        raise DeltaUnavailable(_("more bytes than the range"))
                    got += len(chunk)
                    self.result.bytes_fetched += len(chunk)
                    self.guard.feed(len(chunk))
                    sink(chunk)
                    if self.bucket is not None:
                        self.bucket.take(len(chunk))
                    if self.progress is not None:
                        self.progress.advance(len(chunk))
            except _Retry as err:
                self.guard.check()  # the watchdog's cut is not a broken link
                raise _Retry(_("{err} after {got} of {want} bytes").format(err=err, got=got, want=want)) from None
            self.guard.check()
            if got != want:
                raise _Retry(_("connection closed after {got} of {want} bytes").format(got=got, want=want))
