"""Upload every pending statement on this machine, exactly once, whatever the link does.

For each endpoint's outbox (sync/outbox.py): skip the statements of learners who
have not approved its host (sync/consent.py), then POST the stored bytes in batches
and record each outcome in the acks file before moving on. Every answer is handled:

- 200/204: stored (204 = the LRS already had them all, byte-identical resend);
- 409: at least one id exists with different content: GET each statement of the
  batch; identical ones count as stored, differing ones are set aside as
  conflicts, and the rest is sent again;
- 400/422 (and other 4xx): a bad statement; the batch is bisected to find it, it is
  set aside with the LRS's reason and the rest goes on (the queue never jams);
- 413: the batch is split (a single statement too large is set aside);
- 401/403: stop, and say to log in;
- 429/5xx/timeouts/dropped connections: back off exponentially with full jitter,
  honouring Retry-After, then retry the same bytes; after `max_retries` the round
  stops with the error recorded (a later sync carries on where it stopped);
- an answer that is not what xAPI says (a 200 whose body is not the ids stored, a
  lookup that answers junk, an answer over the size cap): stop this endpoint with
  one line; nothing is acknowledged, so nothing is lost.

The whole run stops at its deadline (`Options.guard`, sync/deadline.py), backoff
sleeps included. One endpoint's trouble (a damaged credentials or consent file, a
misbehaving LRS) never stops the others.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.layout import Layout
from packages.netguard import Guard, TooSlow
from packages.portable import lock
from player.events import now_iso
from sync.consent import may_send
from sync.endpoints import check_transport, sync_config, wants_gzip
from sync.outbox import Ack, Entry, Outbox, all_outboxes
from sync.retry import Retry, Transient

# Why 200: ~260 kB per request with typical statements, a few seconds on a 1 Mbit/s
# link, so a dropped connection costs little to resend. On loopback against Ralph,
# 200 takes 0.40x the time of 50 and 500 takes 0.73x the time of 200, mostly because
# Ralph's fs backend rereads its whole store on every POST (tests/benchmarks/bench_sync.py).
BATCH_STATEMENTS = 200
BATCH_BYTES = 512 * 1024


class AuthRequired(MoocError):
    pass


@dataclass
class EndpointResult:
    endpoint: str
    host: str
    stored: int = 0  # newly stored by this run (includes 204 'already there')
    rejected: list[dict[str, str]] = field(default_factory=list)
    conflicts: list[dict[str, str]] = field(default_factory=list)
    pending: int = 0  # still waiting after this run (consented learners)
    waiting_consent: dict[str, int] = field(default_factory=dict)  # learner -> statements
    error: str | None = None
    requests: int = 0
    bytes_sent: int = 0
    skipped: str | None = None  # why nothing was tried (busy, nothing to send)
    reached: bool = False  # the LRS answered at least once (online)
    needs_login: bool = False  # the LRS refused the credentials (401/403), now or before
    warning: str | None = None  # something to fix that did not stop the upload (gzip refused)

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "host": self.host,
            "stored": self.stored,
            "rejected": self.rejected,
            "conflicts": self.conflicts,
            "pending": self.pending,
            "waiting_consent": self.waiting_consent,
            "error": self.error,
            "requests": self.requests,
            "bytes_sent": self.bytes_sent,
            "skipped": self.skipped,
            "reached": self.reached,
            "needs_login": self.needs_login,
            "warning": self.warning,
        }


@dataclass
class Options:
    allow_insecure_http: bool = False
    max_retries: int = 5
    wait_for_lock: bool = True
    batch_statements: int = BATCH_STATEMENTS
    batch_bytes: int = BATCH_BYTES
    sleep: Callable[[float], None] = time.sleep
    should_stop: Callable[[], bool] = lambda: False
    learners: set[str] | None = None  # only these learners (None: everyone on this machine)
    timeout: tuple[float, float] = (10.0, 60.0)
    guard: Guard | None = None  # the whole run's deadline (None: no limit but the timeouts)
    # Background uploads (the TUI's worker, an agent): after a 401/403, send nothing to that
    # endpoint until its credentials change. `mooc sync` by hand always tries.
    automatic: bool = False


def sync_all(layout: Layout, options: Options | None = None, notes: list[str] | None = None) -> list[EndpointResult]:
    """Collect new events into outboxes, then upload every outbox. Never raises for
    one endpoint's trouble: each result says what happened."""
    from sync.collect import collect

    options = options or Options()
    report = collect(layout)
    if notes is not None:
        notes.extend(report.notes)
    return [upload(layout, outbox, options) for outbox in all_outboxes(layout)]


def batches(entries: list[Entry], max_n: int, max_bytes: int) -> list[list[Entry]]:
    out: list[list[Entry]] = []
    current: list[Entry] = []
    size = 2
    for e in entries:
        n = len(e.body.encode("utf-8")) + 1 if e.body else 0
        if current and (len(current) >= max_n or size + n > max_bytes):
            out.append(current)
            current, size = [], 2
        current.append(e)
        size += n
    if current:
        out.append(current)
    return out


def body_of(batch: list[Entry]) -> bytes:
    return b"[" + b",".join((e.body or "").encode("utf-8") for e in batch) + b"]"


def upload(layout: Layout, outbox: Outbox, options: Options) -> EndpointResult:
    endpoint = outbox.endpoint
    result = EndpointResult(endpoint.url, endpoint.host)
    pending = outbox.pending()
    consents: dict[str, bool] = {}
    sendable: list[Entry] = []
    for e in pending:
        if options.learners is not None and e.learner not in options.learners:
            continue
        if e.learner not in consents:
            consents[e.learner] = may_send(layout, e.learner, endpoint.host)
        if consents[e.learner]:
            sendable.append(e)
        else:
            result.waiting_consent[e.learner] = result.waiting_consent.get(e.learner, 0) + 1
    result.pending = len(sendable)
    if not sendable:
        result.skipped = "nothing to send"
        return result
    if options.guard is not None and (options.guard.tripped or not options.guard.remaining()):
        result.skipped = "not tried: the sync ran out of time"
        return result

    from sync.credentials import fingerprint, lookup

    try:
        creds = lookup(layout, endpoint)
        allow = (
            options.allow_insecure_http
            or bool(sync_config(layout).get("allow_insecure_http"))
            or bool(creds and creds.allow_insecure_http)
        )
        check_transport(endpoint, allow)
        gzip = wants_gzip(layout, endpoint)
    except MoocError as err:
        result.error = str(err)
        outbox.save_status(last_attempt=now_iso(), last_error=result.error, last_error_time=now_iso())
        return result
    if options.automatic and outbox.status().get("auth_refused") == fingerprint(creds):
        # Re-sending to an LRS that refuses these credentials costs a batch per round for nothing.
        result.needs_login = True
        result.skipped = "not tried: the LRS refused these credentials"
        result.error = (
            f"{endpoint.host} refused the credentials: log in with `mooc login {endpoint.url} "
            "--user NAME`; automatic uploads wait until the credentials change"
        )
        return result

    outbox.dir.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(outbox.send_lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not lock(lock_fd, blocking=options.wait_for_lock):
            result.skipped = "another mooc process is uploading to this endpoint"
            return result
        # Re-read under the lock: another process may have sent some meanwhile.
        acks = outbox.acks()
        sendable = [e for e in sendable if e.id not in acks]
        result.pending = len(sendable)
        if not sendable:
            result.skipped = "nothing to send"
            return result
        _run(outbox, creds, sendable, options, result, gzip)
    finally:
        os.close(lock_fd)
    return result


def _run(
    outbox: Outbox, creds: Any, sendable: list[Entry], options: Options, result: EndpointResult, gzip: bool = False
) -> None:
    from sync.lrs_client import LRSClient

    client = LRSClient(outbox.endpoint, creds, timeout=options.timeout, guard=options.guard)
    sender = _Sender(outbox, client, options, result, "probe" if gzip else "off")
    outbox.save_status(last_attempt=now_iso())
    try:
        for batch in batches(sendable, options.batch_statements, options.batch_bytes):
            if options.should_stop():
                break
            sender.send(batch)
        outbox.save_status(last_success=now_iso(), last_error=None)
    except AuthRequired as err:
        from sync.credentials import fingerprint

        result.error = str(err)
        result.needs_login = True
        outbox.save_status(last_error=result.error, last_error_time=now_iso(), auth_refused=fingerprint(creds))
    except Transient as err:
        result.error = str(err)
        outbox.save_status(last_error=result.error, last_error_time=now_iso())
    except TooSlow as err:
        result.error = f"{outbox.endpoint.host}: {err}; what was not confirmed stays pending for the next sync"
        outbox.save_status(last_error=result.error, last_error_time=now_iso())
    except MoocError as err:  # a redirect, a malformed answer
        result.error = str(err)
        outbox.save_status(last_error=result.error, last_error_time=now_iso())
    finally:
        result.requests += client.counters.requests
        result.bytes_sent += client.counters.bytes_sent
        result.reached = result.reached or bool(client.counters.statuses)
        if set(client.counters.statuses) - {401, 403} and not result.needs_login:
            outbox.save_status(auth_refused=None)  # these credentials work: automatic uploads resume
        client.close()
        result.pending = len([e for e in outbox.pending() if e.id in {s.id for s in sendable}])


class _Sender:
    def __init__(
        self, outbox: Outbox, client: Any, options: Options, result: EndpointResult, gzip: str = "off"
    ) -> None:
        self.outbox = outbox
        self.gzip = gzip  # "off", "probe" (the first compressed POST tells), "on"
        self.client = client
        self.options = options
        self.result = result
        self.retry = Retry(outbox.endpoint.host, options.max_retries, options.guard, options.sleep, options.should_stop)

    def _post(self, batch: list[Entry]) -> Any:
        """POST with retries for transient trouble (sync/retry.py); the first other answer.

        Compressed uploads start with one probe: a batch the LRS refuses compressed (any
        4xx/5xx but 409) yet accepts plain means it cannot read gzip; the rest of the run
        goes uncompressed and the result says to fix the setting."""
        from sync.lrs_client import TransportError

        body = body_of(batch)
        if self.gzip == "on":
            return self.retry.call(lambda: self.client.post_statements(body, gzip=True))
        if self.gzip == "probe":
            try:
                probe = self.client.post_statements(body, gzip=True)
            except TransportError:
                probe = None  # the link, not the encoding: decide on a later batch
            if probe is not None and _accepted(probe.status):
                self.gzip = "on"
                return probe
            answer = self.retry.call(lambda: self.client.post_statements(body))
            if probe is not None and _accepted(answer.status):
                self.gzip = "off"
                host, url = self.outbox.endpoint.host, self.outbox.endpoint.url
                self.result.warning = _(
                    "{host} answered {status} to a compressed upload and accepted it "
                    "uncompressed: remove {url} from [sync] gzip_endpoints in config.toml"
                ).format(host=host, status=probe.status, url=url)
            return answer
        return self.retry.call(lambda: self.client.post_statements(body))

    def send(self, batch: list[Entry]) -> None:
        answer = self._post(batch)
        status = answer.status
        if status == 200:
            self._check_stored(batch, answer)
            self._ack(batch, "stored")
        elif status == 204:
            self._ack(batch, "stored")
        elif status in (401, 403):
            raise AuthRequired(
                _("{host} refused the credentials ({status}): log in with `mooc login {url} --user NAME`").format(
                    host=self.outbox.endpoint.host, status=status, url=self.outbox.endpoint.url
                )
            )
        elif status == 409:
            self._resolve_conflict(batch)
        elif status == 413 and len(batch) > 1:
            self._split(batch)
        elif 400 <= status < 500:
            if len(batch) > 1:
                self._split(batch)
            else:
                state = "rejected"
                self.outbox.ack([Ack(batch[0].id, state, f"HTTP {status}: {answer.detail}")])
                self.result.rejected.append(
                    {
                        "id": batch[0].id,
                        "learner": batch[0].learner,
                        "course": batch[0].course,
                        "reason": f"HTTP {status}: {answer.detail}",
                    }
                )
        else:
            raise Transient(
                _("{host} answered {status} ({detail})").format(
                    host=self.outbox.endpoint.host, status=status, detail=answer.detail
                )
            )

    def _check_stored(self, batch: list[Entry], answer: Any) -> None:
        """A 200 to a POST is the list of the ids stored (xAPI 1.0.3, 7.2.2: those of the
        batch the LRS did not hold yet). Anything else confirms nothing."""
        from sync.lrs_client import MalformedAnswer

        sent = {_uuid_key(e.id) for e in batch}
        try:
            ids = answer.json()
        except ValueError as err:
            ids, why = None, _("not JSON: {err}").format(err=err)
        else:
            why = _("not a list of the statement ids it stored")
        if not (isinstance(ids, list) and all(isinstance(i, str) and _uuid_key(i) in sent for i in ids)):
            raise MalformedAnswer(
                ngettext(
                    "{host} answered 200 to an upload, but {why} (content type {content_type}): {n} record stays pending",
                    "{host} answered 200 to an upload, but {why} (content type {content_type}): {n} records stay pending",
                    len(batch),
                ).format(host=self.outbox.endpoint.host, why=why, content_type=answer.content_type, n=len(batch))
            )

    def _split(self, batch: list[Entry]) -> None:
        half = len(batch) // 2
        self.send(batch[:half])
        self.send(batch[half:])

    def _ack(self, batch: list[Entry], state: str) -> None:
        self.outbox.ack([Ack(e.id, state) for e in batch])
        self.result.stored += len(batch)

    def _resolve_conflict(self, batch: list[Entry]) -> None:
        from sync import safe_json
        from sync.lrs_client import statement_from_get

        host = self.outbox.endpoint.host
        rest: list[Entry] = []
        for e in batch:
            answer = self.retry.call(partial(self.client.get_statement, e.id))
            if answer.status in (401, 403):
                raise AuthRequired(
                    _("{host} refused the credentials ({status}): log in with `mooc login {url} --user NAME`").format(
                        host=self.outbox.endpoint.host, status=answer.status, url=self.outbox.endpoint.url
                    )
                )
            theirs = statement_from_get(answer, host) if answer.status == 200 else None
            try:
                ours = safe_json.loads(e.body or "{}")
            except ValueError:
                ours = None  # a damaged outbox line: never equivalent, so set aside as a conflict
            if theirs is None:
                rest.append(e)
            elif isinstance(ours, dict) and equivalent(ours, theirs):
                self._ack([e], "stored")
            else:
                reason = "the LRS holds a different statement with this id"
                self.outbox.ack([Ack(e.id, "conflict", reason)])
                self.result.conflicts.append({"id": e.id, "learner": e.learner, "course": e.course, "reason": reason})
        if rest:
            if len(rest) == len(batch):
                # Nothing of the batch exists, yet 409: treat the batch as bad and bisect.
                if len(rest) == 1:
                    self.outbox.ack([Ack(rest[0].id, "rejected", "HTTP 409 but the LRS does not hold it")])
                    self.result.rejected.append(
                        {
                            "id": rest[0].id,
                            "learner": rest[0].learner,
                            "course": rest[0].course,
                            "reason": "HTTP 409 but the LRS does not hold it",
                        }
                    )
                    return
                self._split(rest)
                return
            self.send(rest)


def _accepted(status: int) -> bool:
    """An answer that shows the LRS read the batch (stored it, or knows its ids)."""
    return 200 <= status < 300 or status == 409


def _uuid_key(text: str) -> str:
    """Statement ids compare as UUIDs (an LRS may answer them in upper case)."""
    import uuid

    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


_LRS_ADDED = ("stored", "authority", "version", "attachments")


def equivalent(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    """Same statement as far as xAPI goes: ignore what the LRS adds, compare times as instants."""
    a = {k: v for k, v in ours.items() if k not in _LRS_ADDED}
    b = {k: v for k, v in theirs.items() if k not in _LRS_ADDED}
    for side in (a, b):
        ts = side.get("timestamp")
        if isinstance(ts, str):
            try:
                from player.events import parse_time

                side["timestamp"] = parse_time(ts).timestamp()
            except ValueError:
                pass
    return _norm(a) == _norm(b)


def _norm(value: Any) -> Any:
    if isinstance(value, dict):  # "objectType": "Activity" is the default an LRS may spell out
        return {k: _norm(v) for k, v in value.items() if v is not None and not (k == "objectType" and v == "Activity")}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value
