"""`mooc certificate issue`: the provider turns certificate requests into certificates.

One run, against one LRS, with the provider's credentials (`mooc login`):

1. reads what was already answered: the LRS's `was-issued-certificate` and
   `was-refused-certificate` statements (so the answer to a request, and one
   certificate per learner, course and major version, are known from the LRS itself,
   whatever happened to this machine);
2. reads the requests (`requested-certificate`), oldest first, following `more`,
   from the stored cursor (HOME/issuer/KEY.json, Layout.issuer_state_file);
3. re-grades each one not yet answered (sync/regrade.py: every evidence statement
   and attempt fetched once by id);
4. answers it with ONE statement whose id is a UUID derived from the request's id
   (so a rerun, or a run killed between posting and noting it, adds nothing: the
   LRS holds that id already): the signed credential (sync/credential.py) or the
   refusal with its reason. A request waiting for its pack is left for a later run.

The LRS is outside input, read with the client and the bounds `mooc sync --pull`
reads with (sync/lrs_client.py, through sync/issuing_lrs.py); each page of requests has its own deadline
(MOOC_DEADLINE). A run that stops (deadline, network) keeps what it answered; run
it again to go on.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypedDict

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from player.events import Event, now_iso
from sync.issuing_lrs import PAGE_SIZE, IssuerLrs
from sync.regrade import Request, judge, request_of
from sync.statements import VERB_CERTIFICATE_ISSUED, VERB_CERTIFICATE_REFUSED, VERBS, statements_for

ANSWER_NAMESPACE = uuid.UUID("6f1c3b1e-51a4-4bde-9a62-2f0a7c1d0e55")


def answer_id(request_id: str) -> str:
    """The id of the provider's answer to a request: the same on every run."""
    return str(uuid.uuid5(ANSWER_NAMESPACE, request_id))


@dataclass
class Outcome:
    request: str
    course: str
    version: str
    learner: str  # the name the learner entered, and their email or account
    decision: str  # "issued" | "refused" | "already answered" | "pending" | "unreadable"
    reason: str = ""
    statement: str = ""
    score: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "course": self.course,
            "version": self.version,
            "learner": self.learner,
            "decision": self.decision,
            "reason": self.reason,
            "statement": self.statement,
            "score": self.score,
        }


class _Named(TypedDict):
    """The fields of an Outcome that name its request (given to every Outcome of one request)."""

    request: str
    course: str
    version: str
    learner: str


@dataclass
class IssueReport:
    lrs: str
    issuer: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    requests_read: int = 0
    statements_fetched: int = 0
    http_requests: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def count(self, decision: str) -> int:
        return sum(1 for o in self.outcomes if o.decision == decision)

    def to_json(self) -> dict[str, Any]:
        return {
            "lrs": self.lrs,
            "issuer": self.issuer,
            "dry_run": self.dry_run,
            "requests_read": self.requests_read,
            "statements_fetched": self.statements_fetched,
            "http_requests": self.http_requests,
            "seconds": round(self.seconds, 3),
            "issued": self.count("issued"),
            "refused": self.count("refused"),
            "already_answered": self.count("already answered"),
            "pending": self.count("pending"),
            "unreadable": self.count("unreadable"),
            "outcomes": [o.to_json() for o in self.outcomes],
            "notes": self.notes,
            "error": self.error,
        }


@dataclass(frozen=True)
class Options:
    lrs: str
    key: Path
    packs: list[Path]
    dry_run: bool = False
    reissue: bool = False
    valid_days: int | None = None
    allow_insecure_http: bool = False
    restart: bool = False  # read every request again, from the first


def learner_label(request: Request) -> str:
    from sync.credential import subject_of

    who = subject_of(request.actor) or "?"
    who = who[len("mailto:") :] if who.startswith("mailto:") else who
    return f"{request.learner_name} <{who}>" if request.learner_name else who


@dataclass
class _Answered:
    decisions: dict[str, str] = field(default_factory=dict)  # request id -> "issued" | "refused"
    issued_to: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (subject, course, major) -> request


def _major(version: str) -> str:
    return version.split(".")[0]


def _read_answered(lrs: IssuerLrs) -> _Answered:
    from sync.credential import subject_of
    from sync.statements import event_dict

    known = _Answered()
    for verb, decision in ((VERB_CERTIFICATE_ISSUED[0], "issued"), (VERB_CERTIFICATE_REFUSED[0], "refused")):
        for statements in lrs.pages({"verb": verb, "limit": str(PAGE_SIZE * 5)}):
            for st in statements:
                raw = event_dict(st) if isinstance(st, dict) else None
                data = raw.get("data") if isinstance(raw, dict) else None
                request = data.get("request") if isinstance(data, dict) else None
                if raw is None or not isinstance(request, str) or st.get("id") != answer_id(request):
                    continue  # not an answer this provider's mooc wrote
                known.decisions[request] = decision
                subject = subject_of(st.get("actor") or {})
                if decision == "issued" and subject:
                    key = (subject.casefold(), str(raw.get("course_id")), _major(str(raw.get("course_version"))))
                    known.issued_to.setdefault(key, request)
    return known


def _answer_statement(request: Request, event: Event) -> dict[str, Any]:
    from sync.statements import Actor

    st = statements_for(event, Actor(None, "unused"), "urn:mooc:account", None, None)[0]
    actor = request.actor
    st["actor"] = (
        {"objectType": "Agent", "mbox": actor["mbox"]}
        if actor.get("mbox")
        else {"objectType": "Agent", "account": actor.get("account")}
    )
    return st


def _load_state(path: Path) -> dict[str, Any]:
    from packages.datafile import load_json

    data = load_json(path)
    return data if isinstance(data, dict) else {}


def _save_state(path: Path, state: dict[str, Any]) -> None:
    from packages.fsutil import write_atomic

    write_atomic(path, json.dumps(state, indent=2).encode("utf-8"), mode=0o600)


def issue(
    layout: Layout,
    options: Options,
    *,
    say: Callable[[Outcome], None] | None = None,
    now: Callable[[], datetime] | None = None,
) -> IssueReport:
    from sync.credential import Grant, load_key, sign, subject_of
    from sync.credentials import lookup
    from sync.endpoints import check_transport, normalise, sync_config
    from sync.pack_shelf import PackShelf

    started = time.monotonic()
    clock = now or (lambda: datetime.now(timezone.utc))
    key, did = load_key(options.key)
    endpoint = normalise(options.lrs, where="--lrs")
    creds = lookup(layout, endpoint)
    if creds is None:
        raise MoocError(
            _(
                "no credentials for {host}: issuing needs the provider's; run `mooc login {url} --user NAME` first"
            ).format(host=endpoint.host, url=endpoint.url)
        )
    check_transport(
        endpoint,
        options.allow_insecure_http
        or bool(sync_config(layout).get("allow_insecure_http"))
        or creds.allow_insecure_http,
    )
    shelf = PackShelf.gather(layout, options.packs)
    report = IssueReport(endpoint.url, did, options.dry_run, notes=list(shelf.notes))
    state_path = layout.issuer_state_file(endpoint.key)
    state = {} if options.restart else _load_state(state_path)
    lrs = IssuerLrs(layout, endpoint, creds, report)

    def pack(course_id: str, version: str) -> Any:
        course = shelf.get(course_id, version)
        if course is not None and course.certificate_issuer != did:
            raise _IssuerMismatch(course_id, version, course.certificate_issuer, did)
        return course

    def done(outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        if say:
            say(outcome)

    try:
        lrs.open_page()
        answered = _read_answered(lrs)
        params = {"verb": VERBS["certificate_requested"][0], "ascending": "true", "limit": str(PAGE_SIZE)}
        if state.get("since"):
            params["since"] = str(state["since"])
        cursor_blocked = False
        for statements in lrs.pages(params):
            for st in statements:
                report.requests_read += 1
                request, why = request_of(st)
                if request is None:
                    done(
                        Outcome(
                            str(st.get("id") if isinstance(st, dict) else "?")[:64], "?", "?", "?", "unreadable", why
                        )
                    )
                    continue
                label = learner_label(request)
                base = _Named(request=request.id, course=request.course_id, version=request.version, learner=label)
                if request.id in answered.decisions:
                    done(
                        Outcome(
                            **base,
                            decision="already answered",
                            reason=f"{answered.decisions[request.id]} before",
                            statement=answer_id(request.id),
                        )
                    )
                    continue
                try:
                    lrs.prefetch(request)
                    verdict = judge(request, lrs.fetch, pack)
                except _IssuerMismatch as err:
                    done(Outcome(**base, decision="pending", reason=str(err)))
                    cursor_blocked = True
                    continue
                if verdict.decision == "pending":
                    done(Outcome(**base, decision="pending", reason=verdict.reason))
                    cursor_blocked = True
                    continue
                subject = subject_of(request.actor) or ""
                dedup = (subject.casefold(), request.course_id, _major(request.version))
                decision, reason, data = "refused", verdict.reason, {}
                if verdict.decision == "issue" and dedup in answered.issued_to and not options.reissue:
                    reason = (
                        f"a certificate for {request.course_id} {_major(request.version)}.x was already "
                        f"issued to this learner (request {answered.issued_to[dedup]})"
                    )
                elif verdict.decision == "issue":
                    decision = "issued"
                    course = shelf.get(request.course_id, request.version)
                    assert course is not None
                    moment = clock()
                    grant = Grant(
                        credential_id=f"urn:uuid:{answer_id(request.id)}",
                        issuer=did,
                        issuer_name=course.certificate_issuer_name
                        or (course.authors[0] if course.authors else endpoint.host),
                        issuer_url=course.certificate_issuer_url,
                        subject=subject,
                        learner_name=request.learner_name,
                        course_id=course.id,
                        course_title=course.title,
                        course_version=course.version,
                        score=float(verdict.score or 0.0),
                        threshold=course.pass_threshold,
                        issued_at=moment,
                        expires_at=moment + timedelta(days=options.valid_days) if options.valid_days else None,
                    )
                    data = {"request": request.id, "credential": sign(grant, key)}
                if decision == "refused":
                    data = {"request": request.id, "reason": reason}
                outcome = Outcome(
                    **base,
                    decision=decision,
                    reason=reason if decision == "refused" else "",
                    statement=answer_id(request.id),
                    score=verdict.score,
                )
                if not options.dry_run:
                    event = Event(
                        type=f"certificate_{decision}",
                        course_id=request.course_id,
                        course_version=request.version,
                        data=data,
                        id=answer_id(request.id),
                        time=now_iso(),
                    )
                    if lrs.post(_answer_statement(request, event)) == "already there":
                        outcome.decision, outcome.reason = "already answered", "answered by an earlier run"
                answered.decisions[request.id] = decision
                if decision == "issued":
                    answered.issued_to[dedup] = request.id
                done(outcome)
                stored = st.get("stored")
                if not options.dry_run and not cursor_blocked and isinstance(stored, str) and len(stored) < 64:
                    state["since"] = stored
            if not options.dry_run:
                _save_state(state_path, state)
            lrs.open_page()
    except MoocError as err:
        report.error = str(err)
    finally:
        lrs.close()
        report.seconds = time.monotonic() - started
    return report


class _IssuerMismatch(Exception):
    def __init__(self, course_id: str, version: str, named: str | None, ours: str) -> None:
        if named is None:
            text = (
                f'the pack of {course_id} {version} names no certificate issuer: add issuer = "{ours}" '
                "under [certificate] in its course.toml"
            )
        else:
            text = f"the pack of {course_id} {version} names the issuer {named}, not this key's {ours}"
        super().__init__(text)
