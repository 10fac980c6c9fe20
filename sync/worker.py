"""Background sync for `mooc play`: a plain thread, so the engine stays UI-free.

The TUI does::

    worker = SyncWorker(layout)
    worker.start(on_status=lambda st: app.call_from_thread(app.set_sync_status, ...))
    worker.sync_now()          # the `y` key: wake the thread now (never blocks)
    worker.stop()              # on exit: also queues the session's last events (`flush`)

Each round collects new events into outboxes and uploads what learners approved
(sync/uploader.py), with one quick retry per batch: the worker never sleeps on a
bad link while the learner waits; it tries again later (every `interval` seconds
while online, backing off to `max_interval` while offline). It never waits for
another process's upload (`mooc sync` in a shell): it skips that endpoint.
`on_status` is called from the worker thread after each round.

The sync agent (`mooc sync --watch`, sync/agent_loop.py) runs the same round,
`run_once`, for every learner of the machine (`every_learner`), without the thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None  # None: not known yet / nothing to talk to
    pending: int  # statements approved and waiting to upload
    waiting_consent: int = 0  # statements waiting for a learner's approval
    hosts_needing_consent: list[str] = field(default_factory=list)  # for the current learner
    last_error: str | None = None
    last_success: str | None = None
    syncing: bool = False
    stored: int = 0  # stored by the last round
    # Endpoints whose LRS refused the credentials (401/403): nothing more is sent there
    # automatically until they change (`mooc login`).
    needs_login: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.syncing:
            return "syncing"
        if self.needs_login:
            return "login needed"
        return {True: "online", False: "offline", None: "offline"}[self.online]


class SyncWorker:
    def __init__(
        self,
        layout: Layout,
        *,
        learner_id: str | None = None,
        interval: float = 30.0,
        max_interval: float = 300.0,
        allow_insecure_http: bool = False,
        first_delay: float = 2.0,
        every_learner: bool = False,
        answer_bytes: int | None = None,
    ) -> None:
        self.layout = layout
        self.learner_id = learner_id
        self.interval = interval
        self.max_interval = max_interval
        self.allow_insecure_http = allow_insecure_http
        self.first_delay = first_delay  # let the UI draw its first screen before we work
        self.every_learner = every_learner  # certificate answers for everyone here, not one learner
        self.answer_bytes = answer_bytes  # the most one downloaded answer may weigh (None: the client's cap)
        self.status = SyncStatus(online=None, pending=0)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_status: Callable[[SyncStatus], None] | None = None

    def start(self, on_status: Callable[[SyncStatus], None] | None = None) -> SyncWorker:
        self._on_status = on_status
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="mooc-sync", daemon=True)
            self._thread.start()
        return self

    def sync_now(self) -> None:
        """Ask for a round now (returns at once)."""
        self._wake.set()

    def set_learner(self, learner_id: str | None) -> None:
        self.learner_id = learner_id
        self._wake.set()

    def cancel(self) -> None:
        """Make the current round stop after its batch in flight (safe in a signal handler)."""
        self._stop.set()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread, then queue the session's last events (see `flush`)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.flush()

    def flush(self) -> None:
        """Turn the events recorded since the last round into statements in the outboxes
        (no network: the next sync, `--export` or session sends them). Without it, the last
        minutes of a session would wait for the next session to be queued."""
        from sync.collect import collect

        try:
            collect(self.layout)
        except MoocError:
            pass  # a damaged file is reported by the next `mooc sync`; never fail an exit

    # ------------------------------------------------------------------ internals

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        if self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:  # a closing UI must not kill the worker
                pass

    def _loop(self) -> None:
        delay = self.interval
        self._wake.wait(self.first_delay)
        self._wake.clear()
        while not self._stop.is_set():
            status = self.run_once()
            if status.online is False:
                delay = min(self.max_interval, delay * 2)
            else:
                delay = self.interval
            self._wake.wait(delay)
            if self._wake.is_set():
                delay = self.interval
            self._wake.clear()

    def _fetch_certificate_answers(self, guard: object) -> None:
        """The provider's answers to the sent certificate requests of the current learner
        (of every learner with `every_learner`)."""
        if not self.learner_id and not self.every_learner:
            return
        from player.learners import Learners
        from sync.certificate_answers import fetch_answers

        for learner in Learners(self.layout).list():
            if self._stop.is_set() or not (self.every_learner or learner.id == self.learner_id):
                continue
            try:
                fetch_answers(
                    self.layout,
                    learner,
                    guard=guard,
                    allow_insecure_http=self.allow_insecure_http,
                    max_bytes=self.answer_bytes,
                )
            except MoocError:
                pass  # the upload's result already says what is wrong with the LRS; tried again next round

    def run_once(self, *, answers: bool = True) -> SyncStatus:
        """One round (also usable synchronously, e.g. in tests); `answers`: also fetch the
        provider's answers to certificate requests."""
        from sync.deadline import ROUND_SECONDS, run_guard
        from sync.uploader import Options, sync_all

        self._publish(
            SyncStatus(
                self.status.online,
                self.status.pending,
                self.status.waiting_consent,
                self.status.hosts_needing_consent,
                self.status.last_error,
                self.status.last_success,
                syncing=True,
                needs_login=self.status.needs_login,
            )
        )
        try:
            with run_guard(ROUND_SECONDS) as guard:  # however slowly an LRS answers
                results = sync_all(
                    self.layout,
                    Options(
                        allow_insecure_http=self.allow_insecure_http,
                        max_retries=1,
                        wait_for_lock=False,
                        should_stop=self._stop.is_set,
                        timeout=(5.0, 30.0),
                        guard=guard,
                        automatic=True,
                    ),
                )
                if answers:
                    self._fetch_certificate_answers(guard)
        except MoocError as err:
            status = SyncStatus(self.status.online, self.status.pending, last_error=str(err))
            self._publish(status)
            return status
        except Exception as err:  # never let a bug in a background thread go silent
            status = SyncStatus(
                self.status.online, self.status.pending, last_error=_("sync failed: {err!r}").format(err=err)
            )
            self._publish(status)
            return status
        online: bool | None = None
        errors = [r.error for r in results if r.error]
        tried = [r for r in results if r.requests]
        if tried:
            online = any(r.reached for r in tried)
        hosts = []
        if self.learner_id:
            hosts = sorted({r.host for r in results if self.learner_id in r.waiting_consent})
        from player.events import now_iso

        status = SyncStatus(
            online=online if online is not None else self.status.online,
            pending=sum(r.pending for r in results),
            waiting_consent=sum(sum(r.waiting_consent.values()) for r in results),
            hosts_needing_consent=hosts,
            last_error=errors[0] if errors else None,
            last_success=now_iso() if tried and not errors else self.status.last_success,
            stored=sum(r.stored for r in results),
            needs_login=[r.endpoint for r in results if r.needs_login],
        )
        self._publish(status)
        return status
